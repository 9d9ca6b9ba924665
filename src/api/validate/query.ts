// Query parameters checked against the swagger before a handler runs. Only integers can be
// wrong: Docker reads booleans with BoolValue (anything is true or false) and strings as is.
import { atoi } from '../request.ts';
import type { OperationSchema } from './schema-node.ts';

/** Parameters the swagger calls integers that Docker parses as times ("1700000000.5", RFC 3339). */
const TIME_PARAMS = new Set(['since', 'until']);

export function checkQuery(op: OperationSchema, query: URLSearchParams): void {
  for (const [name, schema] of Object.entries(op.query)) {
    if (schema.type !== 'integer' || TIME_PARAMS.has(name)) continue;
    for (const value of query.getAll(name)) {
      if (value !== '') atoi(value);
    }
  }
}
