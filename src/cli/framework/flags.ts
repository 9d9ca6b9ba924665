// pflag's parsing rules over a command's FlagSpec list: `--flag value`, `--flag=value`, grouped
// short bools (`-aq`), `-n5`, `-n=5`, `--` to end flags, `--rm=false`, repeated list flags, and
// flags interspersed with arguments unless the command stops at its first argument. Errors carry
// pflag's exact texts; the caller adds the usage lines and exit code 125.
import type { FlagSpec, Flags } from './types.ts';
import { GoParseError, goQuote, goQuoteRune, parseGoBool, parseGoDuration, parseGoFloat, parseGoInt } from './go-values.ts';

/** A bad flag on the command line (exit 125 with usage, as docker). */
export class FlagError extends Error {}

/** The `--help` flag every command gets (hidden, as in docker). */
const HELP_FLAG: FlagSpec = { name: 'help', type: 'bool', usage: 'Print usage', hidden: true };

export interface ParsedFlags {
  flags: Flags;
  /** Positional arguments, in order. */
  args: string[];
  /** Number of args before a `--` (-1 when there was none). */
  argsLenAtDash: number;
  /** --help or -h was given. */
  help: boolean;
  /** -h was used for help: docker prints a deprecation line for it. */
  shortHelp: boolean;
}

export interface ParseOptions {
  /** false: the first positional argument ends flag parsing (run, exec, create, and the root). */
  interspersed: boolean;
}

type Value = boolean | number | string;

/** Parses argv against the specs plus a hidden --help/-h (unless a spec takes those names). */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], opts: ParseOptions): ParsedFlags {
  const all = [...specs];
  let helpSpec: FlagSpec | undefined;
  if (!specs.some((s) => s.name === 'help')) {
    helpSpec = specs.some((s) => s.short === 'h') ? { ...HELP_FLAG } : { ...HELP_FLAG, short: 'h' };
    all.push(helpSpec);
  }
  const byName = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, Value[]>();
  const args: string[] = [];
  let argsLenAtDash = -1;
  let shortHelp = false;

  const set = (spec: FlagSpec, raw: string, display: string): void => {
    let value: Value;
    try {
      value = convert(spec, raw);
    } catch (err) {
      if (err instanceof GoParseError) throw new FlagError(`invalid argument ${goQuote(raw)} for ${goQuote(display)} flag: ${err.message}`);
      throw err;
    }
    const list = values.get(spec.name) ?? [];
    if (spec.type === 'csv') list.push(...splitCsv(raw));
    else list.push(value);
    values.set(spec.name, list);
  };
  // Docker marks -h deprecated, so pflag names the help flag without it.
  const displayName = (spec: FlagSpec): string => (spec.short && spec !== helpSpec ? `-${spec.short}, --${spec.name}` : `--${spec.name}`);

  let rest = [...argv];
  while (rest.length > 0) {
    const s = rest.shift()!;
    if (s.length < 2 || s[0] !== '-') {
      args.push(s);
      if (!opts.interspersed) {
        args.push(...rest);
        break;
      }
      continue;
    }
    if (s === '--') {
      argsLenAtDash = args.length;
      args.push(...rest);
      break;
    }
    if (s[1] === '-') {
      const body = s.slice(2);
      if (body === '' || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${s}`);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      let raw: string;
      if (eq >= 0) raw = body.slice(eq + 1);
      else if (spec.type === 'bool') raw = 'true';
      else if (rest.length > 0) raw = rest.shift()!;
      else throw new FlagError(`flag needs an argument: ${s}`);
      set(spec, raw, displayName(spec));
      continue;
    }
    // One or more shorthands: -a, -aq, -n5, -n=5, -n 5.
    let shorts = s.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0];
      const spec = byShort.get(c);
      if (!spec) throw new FlagError(`unknown shorthand flag: ${goQuoteRune(c)} in -${shorts}`);
      let raw: string;
      if (shorts.length > 2 && shorts[1] === '=') {
        raw = shorts.slice(2);
        shorts = '';
      } else if (spec.type === 'bool') {
        raw = 'true';
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        raw = shorts.slice(1);
        shorts = '';
      } else if (rest.length > 0) {
        raw = rest.shift()!;
        shorts = '';
      } else {
        throw new FlagError(`flag needs an argument: ${goQuoteRune(c)} in -${shorts}`);
      }
      if (spec.name === 'help') shortHelp = true;
      set(spec, raw, displayName(spec));
    }
  }
  const helpValues = values.get('help');
  const help = !specs.some((s) => s.name === 'help') && helpValues !== undefined && helpValues[helpValues.length - 1] === true;
  return { flags: new FlagValues(all, values), args, argsLenAtDash, help, shortHelp: help && shortHelp };
}

function convert(spec: FlagSpec, raw: string): Value {
  switch (spec.type) {
    case 'bool':
      return parseGoBool(raw);
    case 'int':
      return parseGoInt(raw);
    case 'float':
      return parseGoFloat(raw);
    case 'duration':
      return parseGoDuration(raw);
    default:
      return raw;
  }
}

/** pflag's stringSlice reads each value as one CSV record: `a,b`, `"a,b",c`. */
export function splitCsv(raw: string): string[] {
  if (raw === '') return [];
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (quoted) {
      if (ch === '"' && raw[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** The parsed values of one command line, read back by long name. */
class FlagValues implements Flags {
  private readonly specs: Map<string, FlagSpec>;
  private readonly values: Map<string, Value[]>;

  constructor(specs: readonly FlagSpec[], values: Map<string, Value[]>) {
    this.specs = new Map(specs.map((s) => [s.name, s]));
    this.values = values;
  }

  private spec(name: string): FlagSpec {
    const spec = this.specs.get(name);
    // A programming error in a command, not a user error: fail loudly.
    if (!spec) throw new Error(`flag accessed but not defined: ${name}`);
    return spec;
  }

  private last(name: string): Value | undefined {
    this.spec(name);
    const v = this.values.get(name);
    return v === undefined ? undefined : v[v.length - 1];
  }

  bool(name: string): boolean {
    const v = this.last(name);
    if (v !== undefined) return v === true;
    const d = this.spec(name).default;
    return d === true || d === 'true';
  }

  string(name: string): string {
    const v = this.last(name);
    if (v !== undefined) return String(v);
    const d = this.spec(name).default;
    if (d === undefined) return '';
    return Array.isArray(d) ? d.join(',') : String(d);
  }

  int(name: string): number {
    const v = this.last(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return parseGoInt(v);
    const d = this.spec(name).default;
    return typeof d === 'number' ? d : typeof d === 'string' && d !== '' ? parseGoInt(d) : 0;
  }

  float(name: string): number {
    const v = this.last(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return parseGoFloat(v);
    const d = this.spec(name).default;
    return typeof d === 'number' ? d : typeof d === 'string' && d !== '' ? parseGoFloat(d) : 0;
  }

  list(name: string): string[] {
    this.spec(name);
    const v = this.values.get(name);
    if (v !== undefined) return v.map(String);
    const d = this.spec(name).default;
    if (d === undefined || d === '') return [];
    return Array.isArray(d) ? [...d] : [String(d)];
  }

  duration(name: string): number {
    const v = this.last(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return parseGoDuration(v);
    const d = this.spec(name).default;
    return typeof d === 'number' ? d : typeof d === 'string' && d !== '' ? parseGoDuration(d) : 0;
  }

  changed(name: string): boolean {
    this.spec(name);
    return this.values.has(name);
  }
}
