// One logical line to a raw node: the instruction word, its `--flags`, its arguments split the
// way that instruction splits them (BuildKit parser/split_command.go and line_parsers.go).
// Arguments stay unexpanded, quotes kept where BuildKit keeps them.

import type { RawHeredoc } from './heredoc.ts';
import { goQuote, isGoSpace, trimGoSpaceLeft } from './go-text.ts';
import { splitCommand } from './split-command.ts';

export interface Node {
  /** The instruction word as written (`run`, `RUN`). */
  cmd: string;
  /** `--name=value` words as written, quotes and escapes removed. */
  flags: string[];
  /** The arguments as the instruction's line parser split them. */
  args: string[];
  /** The arguments came from a JSON array. */
  json: boolean;
  /** The logical line (continuations joined). */
  original: string;
  heredocs: RawHeredoc[];
  /** ONBUILD's trigger. */
  sub?: Node;
  startLine: number;
  endLine: number;
}

/** A node-level error (BuildKit's parser package); scanner adds the location. */
export class NodeError extends Error {}

const isSpace = isGoSpace;

/** Words split on whitespace, quotes and escapes kept (parseWords, for ENV/LABEL/ARG). */
function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = pos < chars.length ? chars[pos] : '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue; // an escape token at the end is dropped
        word += ch; // escape and escaped character are both kept, even a quote
        ch = chars[++pos];
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = chars[++pos];
    }
    word += ch;
  }
  return words;
}

const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

/**
 * The JSON array at the start of `rest`, or undefined when it is not one (then the
 * instruction falls back to its non-JSON form). Like Go's json.Decoder, only the first value
 * is read: text after the closing bracket is ignored.
 */
function parseJSON(rest: string): string[] | undefined {
  const text = trimGoSpaceLeft(rest);
  if (!text.startsWith('[')) return undefined;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = 0; i < text.length && end < 0; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) end = i;
    }
  }
  if (end < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(0, end + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) throw new NodeError(NOT_STRING_ARRAY);
  return value as string[];
}

type LineParser = (rest: string, escapeToken: string) => { args: string[]; json?: boolean; sub?: Node };

const maybeJSON: LineParser = (rest) => {
  if (rest === '') return { args: [] };
  const json = parseJSON(rest);
  return json ? { args: json, json: true } : { args: [rest] };
};

const whitespaceDelimited: LineParser = (rest) => ({ args: rest === '' ? [] : rest.split(/[\t\v\f\r ]+/) });

const maybeJSONToList: LineParser = (rest, esc) => {
  const json = parseJSON(rest);
  return json ? { args: json, json: true } : whitespaceDelimited(rest, esc);
};

const single: LineParser = (rest) => ({ args: rest === '' ? [] : [rest] });

/** ENV/LABEL: `k=v ...`, or the legacy `k v` (everything after the first blank is the value). */
function nameVal(key: string): LineParser {
  return (rest, esc) => {
    const words = parseWords(rest, esc);
    if (words.length === 0) return { args: [] };
    if (!words[0].includes('=')) {
      const m = /[\t\v\f\r ]+/.exec(rest);
      if (!m) throw new NodeError(`${key} must have two arguments`);
      return { args: [rest.slice(0, m.index), rest.slice(m.index + m[0].length)] };
    }
    const args: string[] = [];
    for (const w of words) {
      const i = w.indexOf('=');
      if (i < 0) throw new NodeError(`Syntax error - can't find = in ${goQuote(w)}. Must be of the form: name=value`);
      args.push(w.slice(0, i), w.slice(i + 1));
    }
    return { args };
  };
}

/** HEALTHCHECK: the type word, then a command like CMD's. */
const healthConfig: LineParser = (rest, esc) => {
  const m = /^(\P{White_Space}+)\p{White_Space}*/u.exec(rest);
  if (!m) return { args: [] };
  const cmd = maybeJSON(rest.slice(m[0].length), esc);
  return { args: [m[1], ...cmd.args], json: cmd.json };
};

const subCommand: LineParser = (rest, esc) => {
  if (rest === '') return { args: [] };
  const sub = buildNode(rest, esc);
  return { args: [sub.cmd, ...sub.args], sub };
};

const DISPATCH: Record<string, LineParser> = {
  add: maybeJSONToList,
  arg: (rest, esc) => ({ args: parseWords(rest, esc) }),
  cmd: maybeJSON,
  copy: maybeJSONToList,
  entrypoint: maybeJSON,
  env: nameVal('ENV'),
  expose: whitespaceDelimited,
  from: whitespaceDelimited,
  healthcheck: healthConfig,
  label: nameVal('LABEL'),
  maintainer: single,
  onbuild: subCommand,
  run: maybeJSON,
  shell: maybeJSON,
  stopsignal: single,
  user: single,
  volume: maybeJSONToList,
  workdir: single,
};

/** The node of one logical line; unknown instructions get no arguments (refused later). */
export function buildNode(line: string, escapeToken: string): Node {
  const { cmd, flags, rest } = splitCommand(line);
  const fn = DISPATCH[cmd.toLowerCase()];
  const parsed = fn ? fn(rest, escapeToken) : { args: [] };
  return {
    cmd,
    flags,
    args: parsed.args,
    json: parsed.json ?? false,
    original: line,
    heredocs: [],
    ...(parsed.sub ? { sub: parsed.sub } : {}),
    startLine: 0,
    endLine: 0,
  };
}

const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);

/** RUN/COPY/ADD in shell form, also as an ONBUILD trigger (canContainHeredoc). */
export function canContainHeredoc(node: Node): boolean {
  const n = node.cmd.toLowerCase() === 'onbuild' && node.sub ? node.sub : node;
  return HEREDOC_INSTRUCTIONS.has(n.cmd.toLowerCase()) && !n.json;
}
