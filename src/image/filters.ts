// Docker's filters.Args semantics for the image endpoints: a key holds a set of values;
// unknown keys are refused; `label` filters match all of their values (AND).
import { invalidParameter } from '../common/index.ts';

/** As decoded from the API: a Map, `{"label":["a=b"]}` or the legacy `{"label":{"a=b":true}}`. */
export type FiltersInput = ReadonlyMap<string, readonly string[]> | Record<string, readonly string[] | Record<string, boolean>>;

export class Filters {
  private readonly fields = new Map<string, string[]>();

  constructor(input: FiltersInput = {}) {
    const entries = input instanceof Map ? [...input.entries()] : Object.entries(input);
    for (const [key, value] of entries) {
      const values: unknown[] = Array.isArray(value)
        ? value
        : Object.entries((value ?? {}) as Record<string, boolean>)
            .filter(([, on]) => on)
            .map(([v]) => v);
      if (!values.every((v) => typeof v === 'string')) throw invalidParameter(`invalid filter '${key}'`);
      this.fields.set(key, [...new Set(values as string[])]);
    }
  }

  validate(accepted: readonly string[]): void {
    for (const key of this.fields.keys()) {
      if (!accepted.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
  }

  contains(key: string): boolean {
    return this.fields.has(key);
  }

  get(key: string): string[] {
    return this.fields.get(key) ?? [];
  }

  /** filters.GetBoolOrDefault: "1"/"true" or "0"/"false", conflicting values refused. */
  getBoolOrDefault(key: string, def: boolean): boolean {
    const values = this.fields.get(key);
    if (values === undefined) return def;
    if (values.length === 0) throw invalidParameter(`invalid filter '${key}'`);
    const isFalse = values.includes('0') || values.includes('false');
    const isTrue = values.includes('1') || values.includes('true');
    if (isFalse === isTrue) throw invalidParameter(`invalid filter '${key}=[${values.join(' ')}]'`);
    return isTrue;
  }

  /** filters.MatchKVList: every `key` / `key=value` value must be satisfied by `labels`. */
  matchKVList(key: string, labels: Record<string, string> | null | undefined): boolean {
    const values = this.fields.get(key);
    if (!values || values.length === 0) return true;
    if (!labels || Object.keys(labels).length === 0) return false;
    for (const v of values) {
      const eq = v.indexOf('=');
      const k = eq >= 0 ? v.slice(0, eq) : v;
      if (!Object.hasOwn(labels, k)) return false;
      if (eq >= 0 && labels[k] !== v.slice(eq + 1)) return false;
    }
    return true;
  }
}
