// An instruction line to its word, its leading `--flags` and the rest: BuildKit
// parser/split_command.go. Flags take their value after `=` only (`--mount=...`).

import { isGoSpace, trimGoSpace } from './go-text.ts';

const TOKEN_WS = /[\t\v\f\r ]+/;
const isSpace = isGoSpace;

/** Splits the instruction word, the flags and the rest (splitCommand). */
export function splitCommand(line: string): { cmd: string; flags: string[]; rest: string } {
  const trimmed = trimGoSpace(line);
  const m = TOKEN_WS.exec(trimmed);
  if (!m) return { cmd: trimmed, flags: [], rest: '' };
  const cmd = trimmed.slice(0, m.index);
  const { rest, flags } = extractBuilderFlags(trimmed.slice(m.index + m[0].length));
  return { cmd, flags, rest: trimGoSpace(rest) };
}

/** Leading `--flag[=value]` words; `--` alone ends them (extractBuilderFlags). */
function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const ch = pos < line.length ? line[pos] : '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-') return { rest: line.slice(pos), flags: words };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags: words };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      let c = ch;
      if (c === '\\') {
        if (pos + 1 === line.length) continue;
        c = line[++pos];
      }
      word += c;
      continue;
    }
    // in quotes
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    let c = ch;
    if (c === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      c = line[++pos];
    }
    word += c;
  }
  return { rest: '', flags: words };
}
