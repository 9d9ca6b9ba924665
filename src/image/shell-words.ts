// The Dockerfile shell lexer subset used by `--change` instructions (buildkit's
// shell.Lex): word splitting that keeps quotes, then per word quote removal, backslash
// escapes and $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} / ${VAR-x} / ${VAR+x} expansion.
import { invalidParameter } from '../common/index.ts';

/** Splits on unquoted whitespace; quotes and escapes stay in the words. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === null && /\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    word += ch;
    if (ch === '\\' && quote !== "'" && i + 1 < text.length) {
      word += text[++i];
      continue;
    }
    if (quote === null && (ch === '"' || ch === "'")) quote = ch;
    else if (quote === ch) quote = null;
  }
  if (inWord) words.push(word);
  return words;
}

/** Processes one word: removes quotes, applies escapes and expands variables from env. */
export function processWord(word: string, env: readonly string[]): string {
  const lookup = (name: string): string | undefined => {
    for (let i = env.length - 1; i >= 0; i--) {
      const e = env[i];
      const eq = e.indexOf('=');
      if ((eq >= 0 ? e.slice(0, eq) : e) === name) return eq >= 0 ? e.slice(eq + 1) : undefined;
    }
    return undefined;
  };
  let out = '';
  let i = 0;
  const expand = (): string => {
    // at '$'
    i++;
    if (word[i] === '{') {
      const end = findBrace(word, i + 1);
      if (end < 0) throw invalidParameter(`missing '}' in ${JSON.stringify(word)}`);
      const body = word.slice(i + 1, end);
      i = end + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
      if (!m) throw invalidParameter(`bad substitution: \${${body}}`);
      const value = lookup(m[1]);
      if (!m[2]) return value ?? '';
      const alt = processWord(m[3], env);
      const colon = m[2].startsWith(':');
      const isSet = value !== undefined && (!colon || value !== '');
      return m[2].endsWith('-') ? (isSet ? value! : alt) : isSet ? alt : '';
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(word.slice(i));
    if (!m) return '$';
    i += m[0].length;
    return lookup(m[0]) ?? '';
  };
  while (i < word.length) {
    const ch = word[i];
    if (ch === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) throw invalidParameter(`unexpected end of statement while looking for matching single-quote`);
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= word.length) throw invalidParameter(`unexpected end of statement while looking for matching double-quote`);
        const c = word[i];
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < word.length && '"\\$'.includes(word[i + 1])) {
          out += word[i + 1];
          i += 2;
        } else if (c === '$') {
          out += expand();
        } else {
          out += c;
          i++;
        }
      }
    } else if (ch === '\\') {
      if (i + 1 < word.length) out += word[i + 1];
      i += 2;
    } else if (ch === '$') {
      out += expand();
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function findBrace(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === '{') depth++;
    else if (s[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
