// `--name=value` flags of one instruction against the set it allows: BuildKit
// instructions/bflag.go (BFlags.Parse), with its error wording.

import { InstructionError } from './errors.ts';
import type { Flags } from './types.ts';
import { withSuggestion } from './suggest.ts';

export type FlagKind = 'bool' | 'string' | 'strings';

export interface ParsedFlags {
  /** As written, in order (the syntax tree's `flags`). */
  list: Flags;
  string(name: string): string | undefined;
  strings(name: string): string[];
  /** undefined when the flag was not given. */
  bool(name: string): boolean | undefined;
}

/** Parses `raw` (`--from=a`, `--link`) against `allowed`; throws BuildKit's messages. */
export function parseFlags(raw: readonly string[], allowed: Record<string, FlagKind>): ParsedFlags {
  const list: Flags = [];
  const strings = new Map<string, string[]>();
  const bools = new Map<string, boolean>();
  for (const word of raw) {
    if (!word.startsWith('--')) throw new InstructionError(`arg should start with -- : ${word}`);
    if (word === '--') break;
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const value = eq >= 0 ? body.slice(eq + 1) : '';
    const kind = allowed[name];
    // recent BuildKit names the flag with its dashes: `unknown flag: --platform2 (did you mean platform?)`
    if (!kind) throw new InstructionError(withSuggestion(`unknown flag: --${name}`, name, Object.keys(allowed), true));
    if ((strings.has(name) || bools.has(name)) && kind !== 'strings') throw new InstructionError(`duplicate flag specified: ${name}`);
    if (kind === 'bool') {
      if (eq >= 0 && value === '') throw new InstructionError(`missing a value on flag: ${name}`);
      const lower = value.toLowerCase();
      if (lower !== '' && lower !== 'true' && lower !== 'false') {
        throw new InstructionError(`expecting boolean value for flag ${name}, not: ${value}`);
      }
      bools.set(name, lower !== 'false');
    } else {
      if (eq < 0) throw new InstructionError(`missing a value on flag: ${name}`);
      strings.set(name, [...(strings.get(name) ?? []), value]);
    }
    list.push({ name, value: eq >= 0 ? value : true });
  }
  return {
    list,
    string: (name) => strings.get(name)?.[0],
    strings: (name) => strings.get(name) ?? [],
    bool: (name) => bools.get(name),
  };
}
