// Go text/template's lexer and parser (the subset --format uses: actions, pipelines, variables,
// if/else if/with/range/else/end, break/continue, comments, trim markers, literals, parentheses).
// Errors carry Go's wording: "template: :1: unexpected {{end}}".
import { GoFloat } from './values.ts';

export class TemplateSyntaxError extends Error {}

// ---- nodes -------------------------------------------------------------------------------

export type Arg =
  | { type: 'field'; pos: number; idents: string[] }
  | { type: 'variable'; pos: number; idents: string[] }
  | { type: 'dot'; pos: number }
  | { type: 'identifier'; pos: number; name: string }
  | { type: 'chain'; pos: number; node: Arg; fields: string[] }
  | { type: 'pipe'; pos: number; pipe: Pipe }
  | { type: 'string'; pos: number; quoted: string; value: string }
  | { type: 'number'; pos: number; text: string; value: number | GoFloat }
  | { type: 'bool'; pos: number; value: boolean }
  | { type: 'nil'; pos: number };

export interface Command { pos: number; args: Arg[] }
export interface Pipe { pos: number; decl: string[]; isAssign: boolean; cmds: Command[] }

export interface ControlNode { type: 'if' | 'with' | 'range'; pos: number; pipe: Pipe; list: Node[]; elseList?: Node[] }

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pos: number; pipe: Pipe }
  | ControlNode
  | { type: 'break' | 'continue'; pos: number }
  | { type: 'template'; pos: number; name: string; pipe?: Pipe };

export function argString(a: Arg): string {
  switch (a.type) {
    case 'field': return a.idents.map((i) => `.${i}`).join('');
    case 'variable': return a.idents.join('.');
    case 'dot': return '.';
    case 'identifier': return a.name;
    case 'chain': return (a.node.type === 'pipe' ? `(${pipeString(a.node.pipe)})` : argString(a.node)) + a.fields.map((f) => `.${f}`).join('');
    case 'pipe': return `(${pipeString(a.pipe)})`;
    case 'string': return a.quoted;
    case 'number': return a.text;
    case 'bool': return String(a.value);
    case 'nil': return 'nil';
  }
}

export function commandString(c: Command): string {
  return c.args.map(argString).join(' ');
}

export function pipeString(p: Pipe): string {
  const decl = p.decl.length ? `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} ` : '';
  return decl + p.cmds.map(commandString).join(' | ');
}

// ---- lexer -------------------------------------------------------------------------------

type TokType = 'text' | 'left' | 'right' | 'space' | 'field' | 'variable' | 'dot' | 'identifier' | 'keyword'
  | 'string' | 'rawString' | 'char' | 'number' | 'bool' | 'nil' | 'pipe' | 'leftParen' | 'rightParen'
  | 'declare' | 'assign' | 'comma' | 'eof';

interface Token { type: TokType; val: string; pos: number; line: number }

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function lex(text: string): Token[] {
  const toks: Token[] = [];
  let pos = 0;
  const newlines: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines.push(i);
  const lineAt = (p: number): number => {
    let n = 1;
    while (n - 1 < newlines.length && newlines[n - 1] < p) n++;
    return n;
  };
  const fail = (msg: string, p: number): never => {
    throw new TemplateSyntaxError(`template: :${lineAt(p)}: ${msg}`);
  };
  while (pos < text.length) {
    const open = text.indexOf('{{', pos);
    let textEnd = open < 0 ? text.length : open;
    // "{{- " trims the text before it (the dash needs a space after it, else it is a number)
    const trimLeft = open >= 0 && /^\{\{-[\t\n\r ]/.test(text.slice(open, open + 4));
    let chunk = text.slice(pos, textEnd);
    if (trimLeft) chunk = chunk.replace(/[\t\n\r ]+$/, '');
    if (chunk) toks.push({ type: 'text', val: chunk, pos, line: lineAt(pos) });
    if (open < 0) break;
    // inside an action
    let p = open + 2 + (trimLeft ? 2 : 0);
    textEnd = open;
    // comment
    if (text.startsWith('/*', p)) {
      const close = text.indexOf('*/', p);
      if (close < 0) fail('unclosed comment', p);
      let q = close + 2;
      let trimRight = false;
      if (/^[\t\n\r ]-\}\}/.test(text.slice(q, q + 4))) {
        trimRight = true;
        q += 4;
      } else if (text.startsWith('}}', q)) q += 2;
      else fail('comment ends before closing delimiter', p);
      pos = q;
      if (trimRight) pos = skipSpace(text, pos);
      continue;
    }
    toks.push({ type: 'left', val: '{{', pos: open, line: lineAt(open) });
    let parenDepth = 0;
    for (;;) {
      if (p >= text.length) fail('unclosed action', p);
      const rest = text.slice(p);
      if (/^[\t\n\r ]-\}\}/.test(rest) || rest.startsWith('}}')) {
        const trimRight = !rest.startsWith('}}');
        if (parenDepth > 0) fail('unclosed left paren', p);
        toks.push({ type: 'right', val: '}}', pos: p, line: lineAt(p) });
        pos = p + (trimRight ? 4 : 2);
        if (trimRight) pos = skipSpace(text, pos);
        break;
      }
      const c = text[p];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        const start = p;
        while (p < text.length && /[\t\n\r ]/.test(text[p]) && !/^[\t\n\r ]-\}\}/.test(text.slice(p))) p++;
        if (p === start) {
          // the space belongs to a " -}}" right trim marker
          continue;
        }
        toks.push({ type: 'space', val: text.slice(start, p), pos: start, line: lineAt(start) });
        continue;
      }
      if (c === '|') { toks.push({ type: 'pipe', val: c, pos: p, line: lineAt(p) }); p++; continue; }
      if (c === '(') { parenDepth++; toks.push({ type: 'leftParen', val: c, pos: p, line: lineAt(p) }); p++; continue; }
      if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) fail(`unexpected right paren`, p);
        toks.push({ type: 'rightParen', val: c, pos: p, line: lineAt(p) }); p++; continue;
      }
      if (c === ',') { toks.push({ type: 'comma', val: c, pos: p, line: lineAt(p) }); p++; continue; }
      if (c === ':') {
        if (text[p + 1] !== '=') fail('expected :=', p);
        toks.push({ type: 'declare', val: ':=', pos: p, line: lineAt(p) }); p += 2; continue;
      }
      if (c === '=') { toks.push({ type: 'assign', val: c, pos: p, line: lineAt(p) }); p++; continue; }
      if (c === '"') {
        let q = p + 1;
        for (; q < text.length && text[q] !== '"'; q++) {
          if (text[q] === '\\') q++;
          if (text[q] === '\n' || q >= text.length) fail('unterminated quoted string', p);
        }
        if (q >= text.length) fail('unterminated quoted string', p);
        toks.push({ type: 'string', val: text.slice(p, q + 1), pos: p, line: lineAt(p) });
        p = q + 1;
        continue;
      }
      if (c === '`') {
        const q = text.indexOf('`', p + 1);
        if (q < 0) fail('unterminated raw quoted string', p);
        toks.push({ type: 'rawString', val: text.slice(p, q + 1), pos: p, line: lineAt(p) });
        p = q + 1;
        continue;
      }
      if (c === "'") {
        let q = p + 1;
        for (; q < text.length && text[q] !== "'"; q++) {
          if (text[q] === '\\') q++;
          if (text[q] === '\n' || q >= text.length) fail('unterminated character constant', p);
        }
        if (q >= text.length) fail('unterminated character constant', p);
        toks.push({ type: 'char', val: text.slice(p, q + 1), pos: p, line: lineAt(p) });
        p = q + 1;
        continue;
      }
      if (c === '$') {
        const m = /^\$[\p{L}\p{N}_]*/u.exec(rest)!;
        toks.push({ type: 'variable', val: m[0], pos: p, line: lineAt(p) });
        p += m[0].length;
        continue;
      }
      if (c === '.') {
        if (/^\.\d/.test(rest)) {
          p = lexNumber(text, p, toks, lineAt, fail);
          continue;
        }
        const m = /^\.[\p{L}\p{N}_]*/u.exec(rest)!;
        if (m[0] === '.') toks.push({ type: 'dot', val: '.', pos: p, line: lineAt(p) });
        else toks.push({ type: 'field', val: m[0], pos: p, line: lineAt(p) });
        p += m[0].length;
        continue;
      }
      if (/[0-9+-]/.test(c)) {
        p = lexNumber(text, p, toks, lineAt, fail);
        continue;
      }
      const m = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(rest);
      if (m) {
        const w = m[0];
        const type: TokType = KEYWORDS.has(w) ? 'keyword' : w === 'true' || w === 'false' ? 'bool' : w === 'nil' ? 'nil' : 'identifier';
        toks.push({ type, val: w, pos: p, line: lineAt(p) });
        p += w.length;
        continue;
      }
      fail(`unrecognized character in action: ${JSON.stringify(c).slice(1, -1)}`, p);
    }
  }
  toks.push({ type: 'eof', val: '', pos: text.length, line: lineAt(text.length) });
  return toks;
}

function skipSpace(text: string, pos: number): number {
  while (pos < text.length && /[\t\n\r ]/.test(text[pos])) pos++;
  return pos;
}

function lexNumber(text: string, p: number, toks: Token[], lineAt: (p: number) => number, fail: (m: string, p: number) => never): number {
  const m = /^[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?\d+)?|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?[\d_]*([eE][+-]?\d+)?)i?/.exec(text.slice(p));
  const s = m ? m[0] : '';
  if (!s || s === '+' || s === '-' || /[\p{L}\p{N}_.]/u.test(text[p + s.length] ?? '')) {
    const bad = /^[^\s)|}]*/.exec(text.slice(p))![0];
    fail(`bad number syntax: "${bad}"`, p);
  }
  toks.push({ type: 'number', val: s, pos: p, line: lineAt(p) });
  return p + s.length;
}

// ---- parser ------------------------------------------------------------------------------

export interface Tree {
  root: Node[];
  /** Templates named by {{define}} and {{block}}. */
  defs: Map<string, Node[]>;
}

export function parse(text: string): Tree {
  const p = new Parser(text);
  const root = p.parseTemplate();
  return { root, defs: p.defs };
}

class Parser {
  private readonly toks: Token[];
  private i = 0;
  private vars: string[][] = [['$']];
  private rangeDepth = 0;
  readonly defs = new Map<string, Node[]>();

  constructor(text: string) {
    this.toks = lex(text);
  }

  parseTemplate(): Node[] {
    const { list, end } = this.itemList();
    if (end !== 'eof') this.fail(`unexpected {{${end}}}`, this.toks[this.i - 1]);
    return list;
  }

  private fail(msg: string, tok: Token = this.toks[Math.min(this.i, this.toks.length - 1)]): never {
    throw new TemplateSyntaxError(`template: :${tok.line}: ${msg}`);
  }

  private next(): Token {
    return this.toks[this.i++];
  }

  private peek(): Token {
    return this.toks[this.i];
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }

  /** Parses nodes until {{end}}, {{else}} or EOF; returns which one stopped it. */
  private itemList(): { list: Node[]; end: 'end' | 'else' | 'eof'; elseTok?: Token } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.type === 'eof') return { list, end: 'eof' };
      if (t.type === 'text') {
        list.push({ type: 'text', text: t.val });
        continue;
      }
      // left delim
      const k = this.peekNonSpace();
      if (k.type === 'keyword' && (k.val === 'end' || k.val === 'else')) {
        this.nextNonSpace();
        if (k.val === 'end') {
          this.expectRight('end');
          return { list, end: 'end' };
        }
        return { list, end: 'else', elseTok: k };
      }
      list.push(this.action());
    }
  }

  private expectRight(context: string): void {
    const t = this.nextNonSpace();
    if (t.type !== 'right') this.fail(`unexpected ${describe(t)} in ${context}`, t);
  }

  private action(): Node {
    const t = this.peekNonSpace();
    if (t.type === 'keyword') {
      this.nextNonSpace();
      switch (t.val) {
        case 'if': case 'with': case 'range':
          return this.control(t.val, t);
        case 'break': case 'continue':
          if (this.rangeDepth === 0) this.fail(`{{${t.val}}} outside {{range}}`, t);
          this.expectRight(t.val);
          return { type: t.val, pos: t.pos };
        case 'template': case 'block': {
          const nameTok = this.nextNonSpace();
          if (nameTok.type !== 'string' && nameTok.type !== 'rawString') this.fail(`unexpected ${describe(nameTok)} in ${t.val} clause`, nameTok);
          const name = unquote(nameTok.val);
          let pipe: Pipe | undefined;
          if (this.peekNonSpace().type !== 'right') pipe = this.pipeline(t.val, 'right');
          else this.nextNonSpace();
          if (t.val === 'block') this.define(name);
          return { type: 'template', pos: nameTok.pos, name, pipe };
        }
        case 'define': {
          const nameTok = this.nextNonSpace();
          if (nameTok.type !== 'string' && nameTok.type !== 'rawString') this.fail(`unexpected ${describe(nameTok)} in define clause`, nameTok);
          this.expectRight('define clause');
          this.define(unquote(nameTok.val));
          return { type: 'text', text: '' };
        }
        default:
          this.fail(`{{${t.val}}} is not supported by this template engine`, t);
      }
    }
    return { type: 'action', pos: t.pos, pipe: this.pipeline('command', 'right') };
  }

  /** The body of {{define}} / {{block}}, up to its {{end}}, with its own variables. */
  private define(name: string): void {
    const saved = this.vars;
    this.vars = [['$']];
    const body = this.itemList();
    this.vars = saved;
    if (body.end !== 'end') this.fail(body.end === 'eof' ? 'unexpected EOF' : 'unexpected {{else}}');
    this.defs.set(name, body.list);
  }

  private control(kind: 'if' | 'with' | 'range', kw: Token): Node {
    this.vars.push([]);
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const body = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.end === 'eof') this.fail('unexpected EOF');
    if (body.end === 'else') {
      // {{else if ...}} / {{else with ...}} nest a new control inside the else branch
      const n = this.peekNonSpace();
      if ((kind === 'if' && n.type === 'keyword' && n.val === 'if') || (kind === 'with' && n.type === 'keyword' && n.val === 'with')) {
        this.nextNonSpace();
        this.vars.pop();
        elseList = [this.control(n.val as 'if' | 'with', n)];
        return { type: kind, pos: kw.pos, pipe, list: body.list, elseList };
      }
      this.expectRight('else');
      const rest = this.itemList();
      if (rest.end === 'eof') this.fail('unexpected EOF');
      if (rest.end === 'else') this.fail('expected end; found {{else}}', rest.elseTok);
      elseList = rest.list;
    }
    this.vars.pop();
    return { type: kind, pos: kw.pos, pipe, list: body.list, elseList };
  }

  private pipeline(context: string, end: 'right' | 'rightParen'): Pipe {
    const start = this.peekNonSpace();
    const pipe: Pipe = { pos: start.pos, decl: [], isAssign: false, cmds: [] };
    // variable declarations: $x := / $x = / $k, $v :=
    const save = this.i;
    const v = this.nextNonSpace();
    if (v.type === 'variable') {
      const op = this.nextNonSpace();
      if (op.type === 'declare' || op.type === 'assign') {
        pipe.decl.push(v.val);
        pipe.isAssign = op.type === 'assign';
        if (op.type === 'declare') this.vars[this.vars.length - 1].push(v.val);
        else if (!this.hasVar(v.val)) this.fail(`undefined variable "${v.val}"`, v);
      } else if (op.type === 'comma' && context === 'range') {
        const v2 = this.nextNonSpace();
        const op2 = this.nextNonSpace();
        if (v2.type !== 'variable' || (op2.type !== 'declare' && op2.type !== 'assign')) this.fail(`range can only initialize variables`, v2);
        pipe.decl.push(v.val, v2.val);
        pipe.isAssign = op2.type === 'assign';
        if (!pipe.isAssign) this.vars[this.vars.length - 1].push(v.val, v2.val);
      } else {
        this.i = save;
      }
    } else {
      this.i = save;
    }
    for (;;) {
      const t = this.peekNonSpace();
      if (t.type === end) {
        this.nextNonSpace();
        if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, t);
        return pipe;
      }
      if (t.type === 'eof' || t.type === 'right' || t.type === 'rightParen') this.fail(`unexpected ${describe(t)} in ${context}`, t);
      pipe.cmds.push(this.command(context, end));
      if (this.toks[this.i - 1].type === 'pipe' && this.peekNonSpace().type === end) this.fail('missing command');
    }
  }

  private command(context: string, end: 'right' | 'rightParen'): Command {
    const cmd: Command = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.skipSpaces();
      const op = this.operand(context);
      if (!op) this.fail(`unexpected ${describe(this.peek())} in operand`);
      cmd.args.push(op);
      // operands are separated by spaces; a pipe or the closing delimiter ends the command
      if (this.peek().type === 'space') this.next();
      const t = this.peek();
      if (t.type === 'pipe') {
        this.next();
        return cmd;
      }
      if (t.type === end || t.type === 'right' || t.type === 'rightParen') return cmd;
      if (this.toks[this.i - 1].type !== 'space') this.fail(`unexpected ${describe(t)} in operand`, t);
    }
  }

  private skipSpaces(): void {
    while (this.peek().type === 'space') this.next();
  }

  private operand(context: string): Arg | undefined {
    const node = this.term(context);
    if (!node) return undefined;
    if (this.peek().type === 'field') {
      const fields: string[] = [];
      const chainPos = this.peek().pos;
      while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field': return { type: 'field', pos: chainPos, idents: [...node.idents, ...fields] };
        case 'variable': return { type: 'variable', pos: chainPos, idents: [...node.idents, ...fields] };
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          this.fail(`unexpected . after term ${JSON.stringify(argString(node))}`);
        // falls through (fail throws)
        default: return { type: 'chain', pos: chainPos, node, fields };
      }
    }
    return node;
  }

  private term(context: string): Arg | undefined {
    const t = this.peek();
    switch (t.type) {
      case 'identifier':
        this.next();
        if (!FUNCTION_NAMES.has(t.val)) this.fail(`function "${t.val}" not defined`, t);
        return { type: 'identifier', pos: t.pos, name: t.val };
      case 'dot': this.next(); return { type: 'dot', pos: t.pos };
      case 'nil': this.next(); return { type: 'nil', pos: t.pos };
      case 'bool': this.next(); return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'variable':
        this.next();
        if (!this.hasVar(t.val)) this.fail(`undefined variable "${t.val}"`, t);
        return { type: 'variable', pos: t.pos, idents: [t.val] };
      case 'field': this.next(); return { type: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case 'string': case 'rawString':
        this.next();
        return { type: 'string', pos: t.pos, quoted: t.val, value: unquote(t.val) };
      case 'char': case 'number': {
        this.next();
        return { type: 'number', pos: t.pos, text: t.val, value: t.type === 'char' ? unquoteChar(t.val).codePointAt(0)! : this.number(t) };
      }
      case 'leftParen': {
        this.next();
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        return { type: 'pipe', pos: t.pos, pipe };
      }
      case 'keyword':
        this.fail(`unexpected <${t.val}> in ${context}`, t);
    }
    return undefined;
  }

  private number(t: Token): number | GoFloat {
    const s = t.val.replace(/_/g, '');
    if (s.endsWith('i')) this.fail(`complex numbers are not supported: ${t.val}`, t);
    const sign = s.startsWith('-') ? -1 : 1;
    const body = s.replace(/^[+-]/, '');
    let n: number;
    let isFloat = false;
    if (/^0[xX]/.test(body) && /[.pP]/.test(body)) {
      n = parseHexFloat(body);
      isFloat = true;
    } else if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
    else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
    else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
    else if (/^0\d+$/.test(body)) n = parseInt(body, 8);
    else {
      n = Number(body);
      isFloat = /[.eE]/.test(body);
    }
    if (Number.isNaN(n)) this.fail(`illegal number syntax: "${t.val}"`, t);
    n *= sign;
    return isFloat && Number.isInteger(n) ? new GoFloat(n) : n;
  }

  private hasVar(name: string): boolean {
    return this.vars.some((scope) => scope.includes(name));
  }
}

function parseHexFloat(s: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(s);
  if (!m) return NaN;
  const frac = m[2] ?? '';
  const mant = parseInt((m[1] || '0') + frac, 16);
  return mant * 2 ** (Number(m[3] ?? 0) - 4 * frac.length);
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof': return 'EOF';
    case 'right': return '"}}"';
    case 'rightParen': return '")"';
    case 'keyword': return `<${t.val}>`;
    default: return `<${t.val}>`;
  }
}

/** Go's strconv.Unquote for "..." and `...` literals. */
function unquote(q: string): string {
  if (q.startsWith('`')) return q.slice(1, -1).replace(/\r/g, '');
  return unescapeGo(q.slice(1, -1));
}

function unquoteChar(q: string): string {
  return unescapeGo(q.slice(1, -1));
}

function unescapeGo(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'v': return '\v';
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'u': case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
        return e;
    }
  });
}

/** Names the parser accepts as functions (Go checks them at parse time). */
export const FUNCTION_NAMES = new Set<string>();
