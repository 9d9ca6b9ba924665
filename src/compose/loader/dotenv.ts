// `.env` / `--env-file` / `env_file` parsing as compose-go's dotenv package does it (a port of
// godotenv's parser): `KEY=value`, `KEY: value`, `export KEY=value`, `KEY` alone (inherited from
// the lookup), unquoted values cut at ` #`, single quotes literal, double quotes with escapes
// (\n, \t, \", \\, \$, octal) and multiple lines, `${VAR}` interpolation of earlier values and of
// the lookup in unquoted and double-quoted values. Hand-written: no npm dotenv parser has these
// rules (dotenv and dotenv-expand differ on quotes, `export`, inline comments and `:`).
import { substitute, type Lookup } from './template.ts';

const SPACE = new Set(['\t', '\v', '\f', '\r', ' ', '\u0085', '\u00a0']);
const isUnicodeSpace = (c: string): boolean => /\s/u.test(c);

/** Parses `src`; `lookup` answers variables not defined earlier in the file (the process env). */
export function parseDotEnv(src: string, lookup: Lookup = () => undefined, onMissing?: (name: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  let line = 1;
  let s = src.startsWith('\ufeff') ? src.slice(1) : src;
  const expand = (value: string): string => {
    try {
      return substitute(value, (k) => lookup(k) ?? (Object.hasOwn(out, k) ? out[k] : undefined), onMissing);
    } catch (err) {
      throw new Error(`line ${line}: ${(err as Error).message}`);
    }
  };
  for (;;) {
    // Statement start: skip whitespace and comment lines.
    for (;;) {
      let p = 0;
      while (p < s.length && isUnicodeSpace(s[p]!)) {
        if (s[p] === '\n') line++;
        p++;
      }
      s = s.slice(p);
      if (s === '' || s[0] !== '#') break;
      const nl = s.indexOf('\n');
      s = nl < 0 ? '' : s.slice(nl);
    }
    if (s === '') break;
    if (/^export\s+/.test(s)) s = trimLeftSpace(s.slice('export'.length));
    // The key ends at `=`, `:` or a newline (inherited).
    let end = -1;
    let inherited = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (SPACE.has(c)) continue;
      if (c === '=' || c === ':' || c === '\n') {
        end = i;
        inherited = c === '\n';
        break;
      }
      if (c === '_' || c === '.' || c === '-' || c === '[' || c === ']' || /[\p{L}\p{N}]/u.test(c)) continue;
      throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(s.split('\n')[0])}`);
    }
    let key: string;
    let rest: string;
    if (end < 0) {
      // The last line is a bare key with no newline after it.
      key = s;
      rest = '';
      inherited = true;
    } else {
      key = s.slice(0, end);
      rest = trimLeftSpace(s.slice(end + 1));
    }
    if (inherited && !key.includes(' ')) line++;
    key = key.replace(/\s+$/u, '');
    if (key.includes(' ')) throw new Error(`line ${line}: key cannot contain a space`);
    if (inherited) {
      const v = lookup(key);
      if (v !== undefined) out[key] = v;
      s = rest;
      continue;
    }
    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      const nl = rest.indexOf('\n');
      let value = nl < 0 ? rest : rest.slice(0, nl);
      s = nl < 0 ? '' : rest.slice(nl + 1);
      line++;
      const hash = value.indexOf(' #');
      if (hash >= 0) value = value.slice(0, hash);
      out[key] = expand(value.replace(/\s+$/u, ''));
      continue;
    }
    let chars = '';
    let escaped = false;
    let closed = -1;
    for (let i = 1; i < rest.length; i++) {
      const c = rest[i]!;
      if (c === '\n') line++;
      if (escaped) {
        escaped = false;
        if (c !== quote) chars += '\\';
        chars += c;
        continue;
      }
      if (c === '\\') escaped = true;
      else if (c === quote) {
        closed = i;
        break;
      } else chars += c;
    }
    if (closed < 0) {
      const nl = rest.indexOf('\n');
      throw new Error(`line ${line}: unterminated quoted value ${nl < 0 ? rest : rest.slice(0, nl)}`);
    }
    out[key] = quote === '"' ? expand(expandEscapes(chars)) : chars;
    s = rest.slice(closed + 1);
  }
  return out;
}

function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && SPACE.has(s[i]!)) i++;
  return s.slice(i);
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', c: '\\c', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

function expandEscapes(s: string): string {
  return s.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (m) => {
    if (m === '\\$') return '$$';
    if (m.startsWith('\\0')) {
      const digits = m.slice(2);
      // Go's UnquoteChar needs exactly three octal digits after the rewrite `\0ddd` -> `\ddd`.
      if (digits.length === 3 && /^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 255) return String.fromCharCode(parseInt(digits, 8));
      return m;
    }
    const e = ESCAPES[m.slice(1)];
    return e === '\\c' ? m : (e ?? m);
  });
}
