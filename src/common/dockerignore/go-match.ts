// Go's path/filepath.Match on Linux, which COPY/ADD wildcards and .dockerignore's syntax check
// use in Docker: `*` (no `/`), `?`, `[...]` classes with ranges and `^` negation, `\` escapes.
// Hand-written (a port of the Go function's logic) because the exact syntax, including which
// patterns are malformed (ErrBadPattern), is Docker's behaviour; minimatch/picomatch differ
// (braces, extglobs, `!` negation, dotfiles).

/** Go's filepath.ErrBadPattern. */
export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

const SEP = 47; // '/'

/** Whether `name` matches the shell pattern `pattern` (Go filepath.Match); throws BadPatternError. */
export function goMatch(pattern: string, name: string): boolean {
  return matchRunes(toRunes(pattern), toRunes(name));
}

/** Whether `s` holds characters filepath.Match treats specially (moby's containsWildcards). */
export function hasWildcards(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

const toRunes = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);

function matchRunes(pattern: number[], name: number[]): boolean {
  let p = pattern;
  let n = name;
  outer: while (p.length > 0) {
    const { star, chunk, rest } = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) return !n.includes(SEP); // trailing * matches the rest without a /
    const first = matchChunk(chunk, n);
    if (first.ok && (first.rest.length === 0 || p.length > 0)) {
      n = first.rest;
      continue;
    }
    if (star) {
      for (let i = 0; i < n.length && n[i] !== SEP; i++) {
        const t = matchChunk(chunk, n.slice(i + 1));
        if (t.ok) {
          if (p.length === 0 && t.rest.length > 0) continue;
          n = t.rest;
          continue outer;
        }
      }
    }
    // Before answering false, the rest of the pattern must be well-formed (as Go checks).
    while (p.length > 0) {
      const s = scanChunk(p);
      p = s.rest;
      matchChunk(s.chunk, []);
    }
    return false;
  }
  return n.length === 0;
}

function scanChunk(pattern: number[]): { star: boolean; chunk: number[]; rest: number[] } {
  let p = pattern;
  let star = false;
  while (p.length > 0 && p[0] === 42) {
    p = p.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < p.length; i++) {
    switch (p[i]) {
      case 92: // '\\'
        if (i + 1 < p.length) i++;
        break;
      case 91: inRange = true; break; // '['
      case 93: inRange = false; break; // ']'
      case 42: if (!inRange) break scan; break; // '*'
      default: break;
    }
  }
  return { star, chunk: p.slice(0, i), rest: p.slice(i) };
}

function matchChunk(chunkIn: number[], sIn: number[]): { rest: number[]; ok: boolean } {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    switch (chunk[0]) {
      case 91: { // '['
        let r = -1;
        if (!failed) {
          r = s[0];
          s = s.slice(1);
        }
        chunk = chunk.slice(1);
        let negated = false;
        if (chunk.length > 0 && chunk[0] === 94) { // '^'
          negated = true;
          chunk = chunk.slice(1);
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === 93 && nrange > 0) {
            chunk = chunk.slice(1);
            break;
          }
          const lo = getEsc(chunk);
          chunk = lo.rest;
          let hi = lo.r;
          if (chunk[0] === 45) { // '-'
            const h = getEsc(chunk.slice(1));
            hi = h.r;
            chunk = h.rest;
          }
          if (lo.r <= r && r <= hi) match = true;
          nrange++;
        }
        if (match === negated) failed = true;
        break;
      }
      case 63: // '?'
        if (!failed) {
          if (s[0] === SEP) failed = true;
          s = s.slice(1);
        }
        chunk = chunk.slice(1);
        break;
      default:
        if (chunk[0] === 92) { // '\\' escapes the next character
          chunk = chunk.slice(1);
          if (chunk.length === 0) throw new BadPatternError();
        }
        if (!failed) {
          if (chunk[0] !== s[0]) failed = true;
          s = s.slice(1);
        }
        chunk = chunk.slice(1);
    }
  }
  return failed ? { rest: [], ok: false } : { rest: s, ok: true };
}

function getEsc(chunkIn: number[]): { r: number; rest: number[] } {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === 45 || chunk[0] === 93) throw new BadPatternError();
  if (chunk[0] === 92) {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPatternError();
  }
  const r = chunk[0];
  const rest = chunk.slice(1);
  if (rest.length === 0) throw new BadPatternError();
  return { r, rest };
}
