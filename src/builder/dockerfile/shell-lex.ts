// Variable expansion and word splitting for Dockerfile words: BuildKit's
// frontend/dockerfile/shell/lex.go, rule for rule. Hand-written because no npm shell parser
// follows Docker's dialect (no command substitution, `${v:-w}` only partly POSIX, the escape
// token can be a backtick, quotes kept or dropped on request, the variables used reported for
// the cache key).

import { ShellLexError } from './errors.ts';
import { goQuote } from './go-text.ts';
import { patternRegex, trimPrefix, trimSuffix } from './shell-pattern.ts';

/**
 * Where the lexer reads variables: a function returning the value or undefined when unset, or
 * a Map. Names are compared exactly (Linux: BuildKit's NormalizeEnvKey is the identity there).
 */
export type EnvLookup = ((name: string) => string | undefined) | ReadonlyMap<string, string>;

export interface ProcessWordResult {
  word: string;
  /** Variables the word used that were set. */
  matched: Set<string>;
  /** Variables the word used that were not set. */
  unmatched: Set<string>;
}

export interface ShellLexOptions {
  /** Keep the quote characters in the result (BuildKit RawQuotes). */
  rawQuotes?: boolean;
  /** Keep escape tokens in the result (BuildKit RawEscapes). */
  rawEscapes?: boolean;
  /** Leave `$v` / `${v...}` as written when v is unset (BuildKit SkipUnsetEnv). */
  skipUnsetEnv?: boolean;
  /**
   * Quotes are ordinary characters (BuildKit SkipProcessQuotes): BuildKit expands heredoc
   * bodies (`COPY <<EOF` with an unquoted delimiter) with `new ShellLex('\\', { skipProcessQuotes: true })`.
   */
  skipProcessQuotes?: boolean;
}

const EOF = -1;

// Go's unicode.IsSpace / IsDigit / IsLetter, with an ASCII fast path (heredoc bodies can be large).
function isSpace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return /^\p{White_Space}$/u.test(String.fromCodePoint(cp));
}
function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return /^\p{Nd}$/u.test(String.fromCodePoint(cp));
}
function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return /^\p{L}$/u.test(String.fromCodePoint(cp));
}
/** POSIX special parameters ($@, $*, $#, $?, $-, $$, $!, $0). */
function isSpecialParam(cp: number): boolean {
  return cp >= 0 && '@*#?-$!0'.includes(String.fromCodePoint(cp));
}

/** Word splitting as lex.go's wordsStruct does it, each call with its own buffer. */
class Words {
  private buf = '';
  private inWord = false;
  readonly words: string[] = [];
  addChar(cp: number): void {
    if (isSpace(cp) && this.inWord) {
      if (this.buf.length !== 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else if (!isSpace(cp)) {
      this.addRawChar(cp);
    }
  }
  addRawChar(cp: number): void {
    this.buf += String.fromCodePoint(cp);
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch.codePointAt(0)!);
  }
  addRawString(s: string): void {
    this.buf += s;
    this.inWord = true;
  }
  get(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

/** One pass over one word (lex.go shellWord). */
class Scan {
  private readonly cps: number[];
  private pos = 0;
  rawEscapes: boolean;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly lex: ShellLex;
  private readonly env: EnvLookup;
  constructor(text: string, lex: ShellLex, env: EnvLookup) {
    this.lex = lex;
    this.env = env;
    this.cps = Array.from(text, (c) => c.codePointAt(0)!);
    this.rawEscapes = lex.rawEscapes;
  }
  peek(): number {
    return this.pos < this.cps.length ? this.cps[this.pos] : EOF;
  }
  next(): number {
    return this.pos < this.cps.length ? this.cps[this.pos++] : EOF;
  }

  /** Reads up to `stop` (consumed) or the end; EOF as stop means the whole input. */
  processStopOn(stop: number, rawEscapes: boolean): { word: string; words: string[] } {
    let result = '';
    const words = new Words();
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      const esc = this.lex.escapeToken.codePointAt(0)!;
      while (this.peek() !== EOF) {
        let ch = this.peek();
        if (stop !== EOF && ch === stop) {
          this.next();
          return { word: result, words: words.get() };
        }
        if (ch === 0x24 /* $ */) {
          const tmp = this.processDollar();
          result += tmp;
          words.addString(tmp);
          continue;
        }
        if ((ch === 0x27 || ch === 0x22) && !this.lex.skipProcessQuotes) {
          const tmp = ch === 0x27 ? this.processSingleQuote() : this.processDoubleQuote();
          result += tmp;
          words.addRawString(tmp);
          continue;
        }
        ch = this.next();
        if (ch === esc) {
          if (this.rawEscapes) {
            words.addRawChar(ch);
            result += String.fromCodePoint(ch);
          }
          // the escape token escapes the next character, and vanishes at the end of the word
          ch = this.next();
          if (ch === EOF) break;
          words.addRawChar(ch);
        } else {
          words.addChar(ch);
        }
        result += String.fromCodePoint(ch);
      }
      if (stop !== EOF) {
        throw new ShellLexError(`unexpected end of statement while looking for matching ${String.fromCodePoint(stop)}`);
      }
      return { word: result, words: words.get() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    // everything up to the next ' is literal; ' cannot be escaped inside
    let result = '';
    const open = this.next();
    if (this.lex.rawQuotes) result += String.fromCodePoint(open);
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new ShellLexError('unexpected end of statement while looking for matching single-quote');
      if (ch === 0x27) {
        if (this.lex.rawQuotes) result += "'";
        return result;
      }
      result += String.fromCodePoint(ch);
    }
  }

  private processDoubleQuote(): string {
    // literal except $ and the escape token, which escapes only " $ and itself
    let result = '';
    const open = this.next();
    if (this.lex.rawQuotes) result += String.fromCodePoint(open);
    const esc = this.lex.escapeToken.codePointAt(0)!;
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new ShellLexError('unexpected end of statement while looking for matching double-quote');
      if (p === 0x22) {
        this.next();
        if (this.lex.rawQuotes) result += '"';
        return result;
      }
      if (p === 0x24) {
        result += this.processDollar();
        continue;
      }
      let ch = this.next();
      if (ch === esc) {
        if (this.rawEscapes) result += String.fromCodePoint(ch);
        const n = this.peek();
        if (n === EOF) continue; // an escape token at the end of the word is dropped
        if (n === 0x22 || n === 0x24 || n === esc) ch = this.next();
      }
      result += String.fromCodePoint(ch);
    }
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== 0x7b /* { */) {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.lex.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new ShellLexError("syntax error: missing '}'");
    if (first === 0x7b || first === 0x7d || first === 0x3a) throw new ShellLexError('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    if (ch === EOF) throw new ShellLexError("syntax error: missing '}'");
    let chs = String.fromCodePoint(ch);
    let nullIsUnset = false;
    if (ch === 0x7d /* } */) {
      const value = this.getEnv(name);
      if (value === undefined && this.lex.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === 0x3a /* : */) {
      nullIsUnset = true;
      ch = this.next();
      chs += ch === EOF ? '' : String.fromCodePoint(ch);
    } else if (ch === 0x2f /* / */) {
      return this.processReplace(name);
    } else if (!'+-?#%'.includes(chs)) {
      throw new ShellLexError(`unsupported modifier (${chs}) in substitution`);
    }
    const isTrim = ch === 0x23 || ch === 0x25;
    if (nullIsUnset && isTrim) throw new ShellLexError(`unsupported modifier (${chs}) in substitution`);
    let word: string;
    try {
      word = this.processStopOn(0x7d, isTrim).word;
    } catch (err) {
      if (this.peek() === EOF) throw new ShellLexError("syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (this.lex.skipUnsetEnv && value === undefined) return `\${${name}${chs}${word}}`;
    const empty = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case 0x2d /* - */:
        return empty ? word : value!;
      case 0x2b /* + */:
        return empty ? '' : word;
      case 0x3f /* ? */:
        if (value === undefined) throw new ShellLexError(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new ShellLexError(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        return value;
      case 0x25 /* % */:
      case 0x23 /* # */: {
        // % and # take the shortest match, %% and ## the longest
        let greedy = false;
        if (word.length > 0 && word.codePointAt(0) === ch) {
          greedy = true;
          word = word.slice(1);
        }
        return ch === 0x25 ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
      default:
        throw new ShellLexError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** `${v/pattern/replacement}` and `${v//pattern/replacement}`. */
  private processReplace(name: string): string {
    const all = this.peek() === 0x2f;
    if (all) this.next();
    let pattern: string;
    try {
      pattern = this.processStopOn(0x2f, true).word;
    } catch (err) {
      if (this.peek() === EOF) throw new ShellLexError("syntax error: missing '/' in ${}");
      throw err;
    }
    let replacement: string;
    try {
      replacement = this.processStopOn(0x7d, true).word;
    } catch (err) {
      if (this.peek() === EOF) throw new ShellLexError("syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (this.lex.skipUnsetEnv && value === undefined) return `\${${name}/${pattern}/${replacement}}`;
    const re = patternRegex(pattern, true, false, all);
    const v = value ?? '';
    if (all) return v.replace(re, () => replacement);
    const m = re.exec(v);
    return m ? v.slice(0, m.index) + replacement + v.slice(m.index + m[0].length) : v;
  }

  private processName(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name === '' && isDigit(ch)) {
        while (this.peek() !== EOF && isDigit(this.peek())) name += String.fromCodePoint(this.next());
        return name;
      }
      if (name === '' && isSpecialParam(ch)) return String.fromCodePoint(this.next());
      if (!isLetter(ch) && !isDigit(ch) && ch !== 0x5f) break;
      name += String.fromCodePoint(this.next());
    }
    return name;
  }

  private getEnv(name: string): string | undefined {
    const v = typeof this.env === 'function' ? this.env(name) : this.env.get(name);
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }
}

/**
 * BuildKit's shell.Lex. `escapeToken` is `\` or `` ` `` (the Dockerfile's escape directive).
 * Errors are ShellLexError, worded as BuildKit words them.
 */
export class ShellLex {
  readonly escapeToken: string;
  readonly rawQuotes: boolean;
  readonly rawEscapes: boolean;
  readonly skipUnsetEnv: boolean;
  readonly skipProcessQuotes: boolean;

  constructor(escapeToken = '\\', options: ShellLexOptions = {}) {
    this.escapeToken = escapeToken;
    this.rawQuotes = options.rawQuotes ?? false;
    this.rawEscapes = options.rawEscapes ?? false;
    this.skipUnsetEnv = options.skipUnsetEnv ?? false;
    this.skipProcessQuotes = options.skipProcessQuotes ?? false;
  }

  /** Expands variables and removes quotes; spaces between words are kept (ProcessWordWithMatches). */
  processWord(word: string, env: EnvLookup): ProcessWordResult {
    const scan = new Scan(word, this, env);
    const { word: out } = this.run(word, scan);
    return { word: out, matched: scan.matched, unmatched: scan.unmatched };
  }

  /** Expands, then splits into words on unquoted whitespace (ProcessWords). */
  processWords(word: string, env: EnvLookup): string[] {
    return this.run(word, new Scan(word, this, env)).words;
  }

  private run(source: string, scan: Scan): { word: string; words: string[] } {
    try {
      return scan.processStopOn(EOF, this.rawEscapes);
    } catch (err) {
      if (err instanceof ShellLexError) throw new ShellLexError(`failed to process ${goQuote(source)}: ${err.message}`);
      throw err;
    }
  }
}
