// The `detail` of an UNAUTHORIZED or DENIED error as distribution writes it: its auth.Access
// records, one per action, with Go's field names (`{"Type","Class","Name","Action"}`), or null
// when the request needed no access (GET /v2/).
import type { Access } from './types.ts';

export interface AccessRecord {
  Type: string;
  Class: string;
  Name: string;
  Action: string;
}

export function accessDetail(access: Access[] | undefined): AccessRecord[] | null {
  if (access === undefined || access.length === 0) return null;
  return access.flatMap((a) => a.actions.map((Action) => ({ Type: a.type, Class: '', Name: a.name, Action })));
}
