// Go's path.Match, which Docker uses for `reference=` filters: `*` and `?` never match
// '/', `[...]` classes with ranges and `^` negation, `\` escapes. A malformed pattern
// is an error with Go's text, as dockerd reports it.
import { invalidParameter } from '../common/index.ts';

const BAD_PATTERN = 'syntax error in pattern';

class BadPattern extends Error {}

export function goPathMatch(pattern: string, name: string): boolean {
  try {
    return match(Array.from(pattern), Array.from(name));
  } catch (err) {
    if (err instanceof BadPattern) throw invalidParameter(BAD_PATTERN);
    throw err;
  }
}

function match(pattern: string[], name: string[]): boolean {
  outer: while (pattern.length > 0) {
    const [star, chunk, rest] = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes('/');
    const t = matchChunk(chunk, name);
    if (t !== undefined && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const t2 = matchChunk(chunk, name.slice(i + 1));
        if (t2 !== undefined) {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue outer;
        }
      }
    }
    // Before answering "no", make sure the rest of the pattern is well formed.
    while (pattern.length > 0) {
      const [, c, r] = scanChunk(pattern);
      pattern = r;
      matchChunk(c, []);
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern: string[]): [boolean, string[], string[]] {
  let star = false;
  while (pattern.length > 0 && pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inrange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inrange = true;
        break;
      case ']':
        inrange = false;
        break;
      case '*':
        if (!inrange) break scan;
        break;
    }
  }
  return [star, pattern.slice(0, i), pattern.slice(i)];
}

/** Returns the rest of s after the chunk matched, or undefined; throws BadPattern. */
function matchChunk(chunk: string[], s: string[]): string[] | undefined {
  let failed = false;
  let c = 0;
  let p = 0;
  while (c < chunk.length) {
    if (!failed && p >= s.length) failed = true;
    const ch = chunk[c];
    if (ch === '[') {
      let r = '';
      if (!failed) r = s[p++];
      c++;
      let negated = false;
      if (c < chunk.length && chunk[c] === '^') {
        negated = true;
        c++;
      }
      let matched = false;
      let nrange = 0;
      for (;;) {
        if (c < chunk.length && chunk[c] === ']' && nrange > 0) {
          c++;
          break;
        }
        let lo: string;
        [lo, c] = getEsc(chunk, c);
        let hi = lo;
        if (chunk[c] === '-') [hi, c] = getEsc(chunk, c + 1);
        if (!failed && cp(lo) <= cp(r) && cp(r) <= cp(hi)) matched = true;
        nrange++;
      }
      if (matched === negated) failed = true;
    } else if (ch === '?') {
      if (!failed) {
        if (s[p] === '/') failed = true;
        p++;
      }
      c++;
    } else {
      if (ch === '\\') {
        c++;
        if (c >= chunk.length) throw new BadPattern();
      }
      if (!failed) {
        if (chunk[c] !== s[p]) failed = true;
        p++;
      }
      c++;
    }
  }
  return failed ? undefined : s.slice(p);
}

function getEsc(chunk: string[], c: number): [string, number] {
  if (c >= chunk.length || chunk[c] === '-' || chunk[c] === ']') throw new BadPattern();
  if (chunk[c] === '\\') {
    c++;
    if (c >= chunk.length) throw new BadPattern();
  }
  const r = chunk[c];
  c++;
  if (c >= chunk.length) throw new BadPattern();
  return [r, c];
}

const cp = (s: string) => s.codePointAt(0) ?? -1;
