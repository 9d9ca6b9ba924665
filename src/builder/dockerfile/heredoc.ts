// Heredoc words (`<<EOF`, `<<-EOF`, `<<'EOF'`, `3<<EOF`) as BuildKit's parser finds them:
// parser.go heredocsFromLine / ParseHeredoc. Only RUN, COPY and ADD (also under ONBUILD) in
// shell form take heredocs; the body lines follow the instruction, one heredoc after another.

import { ShellLex } from './shell-lex.ts';
import type { Heredoc } from './types.ts';

export interface RawHeredoc {
  name: string;
  /** False when any part of the delimiter word was quoted. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the body and the terminator. */
  chomp: boolean;
  fileDescriptor?: number;
  /** The body as read, line endings kept, tabs not yet stripped. */
  content: string;
}

const HEREDOC = /^(\d*)<<(-?)([^<]*)$/;
const NO_ENV = () => undefined;

/** The heredoc a word opens (`<<EOF`), or undefined when it is not one. */
export function parseHeredocWord(word: string): RawHeredoc | undefined {
  const m = HEREDOC.exec(word);
  if (!m || m[3] === '') return undefined;
  const rest = m[3];
  // lexed with and without quotes: a difference in quote count means part of it was quoted
  const words = new ShellLex('\\', { skipUnsetEnv: true }).processWords(rest, NO_ENV);
  if (words.length !== 1) return undefined;
  const raw = new ShellLex('\\', { skipUnsetEnv: true, rawQuotes: true }).processWords(rest, NO_ENV);
  if (raw.length !== 1) throw new Error(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  const quotes = (s: string) => s.split('').filter((c) => c === '"' || c === "'").length;
  const fd = m[1] === '' ? 0 : Number(m[1]);
  return {
    name: words[0],
    expand: quotes(words[0]) === quotes(raw[0]),
    chomp: m[2] === '-',
    ...(fd !== 0 ? { fileDescriptor: fd } : {}),
    content: '',
  };
}

/** The heredocs an instruction line opens, in order. */
export function heredocsFromLine(line: string): RawHeredoc[] {
  let words: string[];
  try {
    words = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).processWords(line, NO_ENV);
  } catch {
    words = []; // BuildKit ignores this lexing error: a line it cannot lex opens no heredoc
  }
  const docs: RawHeredoc[] = [];
  for (const w of words) {
    const doc = parseHeredocWord(w);
    if (doc) docs.push(doc);
  }
  return docs;
}

/** `<<-`: strips the leading tabs of every line (parser.ChompHeredocContent). */
function chompHeredocContent(src: string): string {
  return src.replace(/^\t+/gm, '');
}

/** The syntax tree's heredoc: the body with its tabs stripped for `<<-`. */
export function heredocOf(doc: RawHeredoc): Heredoc {
  return {
    name: doc.name,
    content: doc.chomp ? chompHeredocContent(doc.content) : doc.content,
    expand: doc.expand,
    ...(doc.fileDescriptor !== undefined ? { fileDescriptor: doc.fileDescriptor } : {}),
  };
}
