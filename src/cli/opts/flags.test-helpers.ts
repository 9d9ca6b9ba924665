// A small argv reader for the unit tests of this folder: enough of pflag's rules (long and short
// flags, "=value", grouped short bools, stop at the first positional) to feed the builders the
// same Flags the real parser would. Not used by the CLI itself.
import type { FlagSpec, Flags } from '../framework/types.ts';

export function flagsFromArgv(specs: FlagSpec[], argv: string[]): { flags: Flags; args: string[] } {
  const values = new Map<string, string[]>();
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const byName = new Map(specs.map((s) => [s.name, s]));
  const set = (spec: FlagSpec, v: string) => values.set(spec.name, [...(values.get(spec.name) ?? []), v]);
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw new Error(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, a.slice(eq + 1));
      else if (spec.type === 'bool') set(spec, 'true');
      else set(spec, argv[++i]);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const spec = byShort.get(a[j]);
        if (!spec) throw new Error(`unknown shorthand flag: '${a[j]}' in ${a}`);
        if (spec.type === 'bool') {
          set(spec, 'true');
          continue;
        }
        const rest = a.slice(j + 1).replace(/^=/, '');
        set(spec, rest !== '' ? rest : argv[++i]);
        break;
      }
      continue;
    }
    break;
  }
  const last = (name: string) => values.get(name)?.at(-1);
  const def = (name: string) => byName.get(name)?.default;
  const flags: Flags = {
    bool: (n) => (last(n) ?? String(def(n) ?? false)) === 'true',
    string: (n) => last(n) ?? (def(n) === undefined ? '' : String(def(n))),
    int: (n) => Number(last(n) ?? def(n) ?? 0),
    float: (n) => Number(last(n) ?? def(n) ?? 0),
    list: (n) => values.get(n) ?? ((def(n) as string[] | undefined) ?? []),
    duration: (n) => goDuration(last(n) ?? '0s'),
    changed: (n) => values.has(n),
  };
  return { flags, args: argv.slice(i) };
}

function goDuration(s: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  const neg = s.startsWith('-');
  for (const m of s.replace(/^[-+]/, '').matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * units[m[2]];
  return neg ? -total : total;
}
