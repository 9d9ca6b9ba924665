// .dockerignore: moby/patternmatcher (the matcher, with `**`, `!` exceptions and parent-directory
// matching) and its ignorefile.ReadAll (comments, trailing spaces, leading `/` and `./` cleaned),
// used on both sides: by the daemon on a received context and by the CLI's context packer.
//
// Hand-written rather than @balena/dockerignore: that package follows an older moby fileutils
// (its matching of parents and of exceptions below an excluded directory differs from
// patternmatcher's MatchesOrParentMatches / MatchesUsingParentResults, which today's docker CLI
// and daemon use), and the exact semantics are Docker's own. The syntax check of each pattern is
// Go's filepath.Match (go-match.ts), the matching the regexp patternmatcher compiles.
import { posix } from 'node:path';
import { BadPatternError, goMatch } from './go-match.ts';

/** Go's filepath.Clean for '/'-separated paths ('' → '.', no trailing '/'). */
export function goClean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** The patterns of a .dockerignore file (moby/patternmatcher/ignorefile.ReadAll). */
export function parseDockerignore(text: string | Uint8Array): string[] {
  let s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  if (s.startsWith('\ufeff')) s = s.slice(1); // UTF-8 BOM on the first line
  const out: string[] = [];
  for (const line of s.split(/\r?\n/)) {
    if (line.startsWith('#')) continue; // comments only at the very start of a line
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern[0] === '!';
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern[0] === '/') pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

class Pattern {
  readonly cleaned: string;
  readonly exclusion: boolean;
  #type: MatchType;
  #regexp?: RegExp;

  constructor(cleaned: string, exclusion: boolean) {
    this.cleaned = cleaned;
    this.exclusion = exclusion;
    const { type, source } = compile(cleaned);
    this.#type = type;
    if (type === 'regexp') {
      try {
        this.#regexp = new RegExp(source);
      } catch {
        throw new BadPatternError();
      }
    }
  }

  match(path: string): boolean {
    switch (this.#type) {
      case 'exact': return path === this.cleaned;
      case 'prefix': return path.startsWith(this.cleaned.slice(0, -2));
      case 'suffix': {
        const suffix = this.cleaned.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix[0] === '/' && path === suffix.slice(1); // **/foo matches "foo"
      }
      default: return this.#regexp!.test(path);
    }
  }
}

/** patternmatcher's Pattern.compile: the regexp source and which shortcut applies. */
function compile(pattern: string): { type: MatchType; source: string } {
  let re = '^';
  let type: MatchType = 'exact';
  const ch = Array.from(pattern);
  for (let i = 0, k = 0; k < ch.length; i++) {
    const c = ch[k++];
    if (c === '*') {
      if (ch[k] === '*') {
        k++;
        if (ch[k] === '/') k++; // treat **/ as **
        if (k >= ch.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (i === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (c === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if ('.+()|{}$'.includes(c)) {
      re += `\\${c}`;
    } else if (c === '\\') {
      if (k < ch.length) {
        re += `\\${ch[k++]}`;
        type = 'regexp';
      } else re += '\\\\';
    } else if (c === '[' || c === ']') {
      re += c;
      type = 'regexp';
    } else re += c;
  }
  return { type, source: `${re}$` };
}

/** Per-pattern results of a directory, handed to its children (patternmatcher MatchInfo). */
export type MatchInfo = readonly boolean[];

/** moby/patternmatcher.PatternMatcher. Throws on a malformed pattern (Go's errors). */
export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  /** Whether any pattern is an exception (`!`). */
  readonly exclusions: boolean;

  constructor(patterns: readonly string[]) {
    const list: Pattern[] = [];
    let exclusions = false;
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p[0] === '!') {
        if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      goMatch(p, '.'); // Go's syntax check: throws BadPatternError ("syntax error in pattern")
      list.push(new Pattern(p, exclusion));
    }
    this.patterns = list;
    this.exclusions = exclusions;
  }

  /** MatchesOrParentMatches: `file` ('/'-separated, relative) or one of its parents is excluded, and not re-included. */
  matches(file: string): boolean {
    let matched = false;
    const parent = posix.dirname(file);
    const parentDirs = parent === '.' ? [] : parent.split('/');
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let match = p.match(file);
      for (let i = 0; !match && i < parentDirs.length; i++) match = p.match(parentDirs.slice(0, i + 1).join('/'));
      if (match) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * MatchesUsingParentResults: as matches(), given the results of the parent directory (from a
   * walk; undefined for a top-level entry or when unknown). Returns this entry's results for its children.
   */
  matchesWithParent(file: string, parent?: MatchInfo): { matched: boolean; info: MatchInfo } {
    let matched = false;
    const info: boolean[] = new Array<boolean>(this.patterns.length).fill(false);
    this.patterns.forEach((p, i) => {
      let match = parent !== undefined && parent.length > 0 ? parent[i] : false;
      if (!match) {
        if (p.exclusion !== matched) return;
        match = p.match(file);
        if (!match && (parent === undefined || parent.length === 0)) {
          const dir = posix.dirname(file);
          const dirs = dir === '.' ? [] : dir.split('/');
          for (let k = 0; !match && k < dirs.length; k++) match = p.match(dirs.slice(0, k + 1).join('/'));
        }
      }
      info[i] = match;
      if (match) matched = !p.exclusion;
    });
    return { matched, info };
  }

  /**
   * Whether a walk must still enter the excluded directory `dir` because an exception may
   * re-include something below it (moby pkg/archive TarWithOptions: an exception pattern that
   * starts with `dir/`).
   */
  mayIncludeBelow(dir: string): boolean {
    if (!this.exclusions) return false;
    const prefix = `${dir}/`;
    return this.patterns.some((p) => p.exclusion && `${p.cleaned}/`.startsWith(prefix));
  }
}

/** A .dockerignore's text as a matcher, with Docker's error wording for a bad pattern. */
export function dockerignoreMatcher(patterns: readonly string[]): PatternMatcher {
  try {
    return new PatternMatcher(patterns);
  } catch (err) {
    throw new Error(`failed to parse dockerignore: ${(err as Error).message}`, { cause: err });
  }
}
