// Shell patterns in `${v#p}`, `${v%p}` and `${v/p/r}`: lex.go convertShellPatternToRegex and
// its prefix/suffix trimming (`*`, `?` and `\` escapes; no bracket expressions, as BuildKit).

import { ShellLexError } from './errors.ts';

/**
 * A shell-like glob (`*`, `?`, `\` escapes; no brackets) as a RegExp: lex.go
 * convertShellPatternToRegex. Unanchored non-greedy `*` is `.*?`.
 */
export function patternRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const cps = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < cps.length; i++) {
    let tok = cps[i];
    if (tok === '*') {
      out += greedy ? '.*' : '.*?';
      continue;
    }
    if (tok === '?') {
      out += '.';
      continue;
    }
    if (tok === '\\') {
      // `\}` and `\/` inside ${} escape the delimiter; the backslash is not part of the pattern
      if (cps[i + 1] === '}' || cps[i + 1] === '/') continue;
      out += '\\';
      tok = cps[++i];
      if (tok !== '*' && tok !== '?' && tok !== '\\') {
        throw new ShellLexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${tok ?? ''}'`);
      }
    } else if ('[]{}.+()|^$'.includes(tok)) {
      out += '\\';
    }
    out += tok;
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = patternRegex(pattern, greedy, true).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** Reverses a pattern but keeps each escape before its character (`a\*c` -> `c\*a`). */
export function reversePattern(pattern: string): string {
  const p = Array.from(pattern);
  const out = new Array<string>(p.length);
  const last = p.length - 1;
  for (let i = 0; i <= last; ) {
    const at = last - i;
    if (p[i] === '\\' && i !== last) {
      out[at - 1] = p[i];
      out[at] = p[i + 1];
      i += 2;
    } else {
      out[at] = p[i];
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

/** The shortest/longest rightmost match is a leftmost match on the reversed strings. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}
