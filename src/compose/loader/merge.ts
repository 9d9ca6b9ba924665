// Several compose files merged in order, as compose-go's override package does it on the long
// forms: mappings merged key by key, the later file winning on scalars; command, entrypoint and
// healthcheck.test replaced; ports, volumes, secrets and configs merged by their identity (published
// port, target path); the other sequences appended without duplicates; `!reset` drops what the
// earlier files set, `!override` replaces it without merging.
import { Tagged } from './yaml-file.ts';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tagged);

type Rule = (base: unknown, over: unknown, path: string[]) => unknown;

const replace: Rule = (_b, o) => o;

const byKey = (key: (item: unknown) => string): Rule => (b, o) => {
  const out = Array.isArray(b) ? [...b] : [];
  for (const item of Array.isArray(o) ? o : []) {
    const k = key(item);
    const i = out.findIndex((x) => key(x) === k);
    if (i >= 0) out[i] = isDict(out[i]) && isDict(item) ? mergeValues(out[i], item, []) : item;
    else out.push(item);
  }
  return out;
};

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const portKey = (p: unknown): string => (isDict(p) ? `${str(p.host_ip)}:${str(p.published)}:${str(p.target)}/${str(p.protocol)}` : JSON.stringify(p));
const volumeKey = (v: unknown): string => (isDict(v) ? str(v.target) : JSON.stringify(v));
const mountKey = (dflt: string) => (v: unknown): string => (isDict(v) ? str(v.target) || `${dflt}${str(v.source)}` : JSON.stringify(v));
const envFileKey = (v: unknown): string => (isDict(v) ? str(v.path) : JSON.stringify(v));
const deviceKey = (v: unknown): string => (isDict(v) ? str(v.target) : JSON.stringify(v));

const logging: Rule = (b, o, path) => {
  if (isDict(b) && isDict(o) && o.driver !== undefined && b.driver !== undefined && o.driver !== b.driver) return o;
  return mergeValues(b, o, path);
};

const RULES: [string, Rule][] = [
  ['services.*.command', replace],
  ['services.*.entrypoint', replace],
  ['services.*.healthcheck.test', replace],
  ['services.*.ports', byKey(portKey)],
  ['services.*.volumes', byKey(volumeKey)],
  ['services.*.secrets', byKey(mountKey('/run/secrets/'))],
  ['services.*.configs', byKey(mountKey('/'))],
  ['services.*.env_file', byKey(envFileKey)],
  ['services.*.devices', byKey(deviceKey)],
  ['services.*.logging', logging],
  ['services.*.ulimits.*', replace],
  ['networks.*.ipam.config', replace],
];

function ruleFor(path: string[]): Rule | undefined {
  for (const [pattern, rule] of RULES) {
    const p = pattern.split('.');
    if (p.length === path.length && p.every((s, i) => s === '*' || s === path[i])) return rule;
  }
  return undefined;
}

/** `over` merged onto `base` (neither is modified). */
export function mergeValues(base: unknown, over: unknown, path: string[]): unknown {
  if (over instanceof Tagged) return over.tag === '!reset' ? undefined : unwrap(over.value);
  const rule = ruleFor(path);
  if (rule) return rule(base, over, path);
  if (isDict(base) && isDict(over)) {
    const out: Dict = { ...base };
    for (const [k, v] of Object.entries(over)) {
      // An `x-*` extension is replaced as a whole, never merged (compose-go's mergeMappings).
      const merged = Object.hasOwn(base, k) && !k.startsWith('x-') ? mergeValues(base[k], v, [...path, k]) : mergeValues(undefined, v, [...path, k]);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const out = [...base];
    for (const item of over) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(item))) out.push(item);
    return out;
  }
  return unwrap(over);
}

/** Removes the merge tags left in a file that had nothing under it (a `!reset` key disappears). */
export function unwrap(v: unknown): unknown {
  if (v instanceof Tagged) return v.tag === '!reset' ? undefined : unwrap(v.value);
  if (Array.isArray(v)) return v.map(unwrap).filter((x) => x !== undefined);
  if (isDict(v)) {
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) {
      const u = unwrap(x);
      if (u !== undefined) out[k] = u;
    }
    return out;
  }
  return v;
}

/** Merges whole files (canonical dicts) in order. */
export function mergeFiles(files: Dict[]): Dict {
  let out: Dict = {};
  for (const f of files) out = mergeValues(out, f, []) as Dict;
  return unwrap(out) as Dict;
}
