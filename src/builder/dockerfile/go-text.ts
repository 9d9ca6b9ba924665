// Go's text rules where Docker's messages or splitting depend on them: %q quoting, and
// unicode.IsSpace (Unicode White_Space: U+0085 is a space, U+FEFF is not, unlike JS `\s`).

/** Go's %q (strconv.Quote), for error messages that quote the source word. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (/^[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]$/u.test(ch)) {
      out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

/** unicode.IsSpace for one character. */
export const isGoSpace = (ch: string): boolean => /^\p{White_Space}$/u.test(ch);

/** strings.TrimLeftFunc(s, unicode.IsSpace). */
export const trimGoSpaceLeft = (s: string): string => s.replace(/^\p{White_Space}+/u, '');

/** strings.TrimSpace. */
export const trimGoSpace = (s: string): string => s.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '');
