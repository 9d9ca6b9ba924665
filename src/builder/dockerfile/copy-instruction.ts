// COPY and ADD: sources (heredocs among them), destination and flags, as BuildKit's
// instructions.parseCopy / parseAdd / parseSourcesAndDest read them.

import { errBadHeredoc, errNoDestinationArgument } from './errors.ts';
import type { FlagKind } from './flags.ts';
import { heredocOf, parseHeredocWord, type RawHeredoc } from './heredoc.ts';
import type { FlagsFn, InstructionBase } from './instructions.ts';
import type { Node } from './node.ts';
import type { Heredoc, Instruction } from './types.ts';

const COPY_FLAGS: Record<string, FlagKind> = { chown: 'string', from: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'strings' };
const ADD_FLAGS: Record<string, FlagKind> = {
  chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', unpack: 'bool', exclude: 'strings',
};

/** BuildKit MustParseHeredoc: a word that fails to lex is not a heredoc. */
function mustParseHeredoc(word: string): RawHeredoc | undefined {
  try {
    return parseHeredocWord(word);
  } catch {
    return undefined;
  }
}

export function copyInstruction(node: Node, name: 'COPY' | 'ADD', base: InstructionBase, flags: FlagsFn): Instruction {
  const args = node.args;
  if (args.length < 2) throw errNoDestinationArgument(name);
  const f = flags(name === 'COPY' ? COPY_FLAGS : ADD_FLAGS);
  const dest = args[args.length - 1];
  if (mustParseHeredoc(dest)) throw errBadHeredoc(name, 'a destination');
  const byName = new Map(node.heredocs.map((d) => [d.name, d]));
  const sources: string[] = [];
  const heredocs: Heredoc[] = [];
  for (const src of args.slice(0, -1)) {
    const doc = mustParseHeredoc(src);
    if (!doc) {
      sources.push(src);
      continue;
    }
    heredocs.push(heredocOf({ ...doc, content: byName.get(doc.name)?.content ?? '' }));
  }
  const opt = <K extends string, V>(key: K, v: V | undefined) => (v !== undefined ? { [key]: v } as Record<K, V> : {});
  return {
    ...base,
    kind: name,
    sources,
    heredocs,
    dest,
    ...opt('from', f.string('from')),
    ...opt('chown', f.string('chown')),
    ...opt('chmod', f.string('chmod')),
    link: f.bool('link') ?? false,
    parents: f.bool('parents') ?? false,
    exclude: f.strings('exclude'),
    ...opt('checksum', f.string('checksum')),
    ...opt('keepGitDir', f.bool('keep-git-dir')),
    ...opt('unpack', f.bool('unpack')),
  };
}
