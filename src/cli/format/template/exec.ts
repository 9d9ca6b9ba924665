// Executes a parsed template the way Go's text/template does, over JSON-like data. Errors read
// like Go's: `template: :1:7: executing "" at <.Name.Foo>: can't evaluate field Foo in type interface {}`.
import { CallError, FUNCS, type Func, type ParamType } from './funcs.ts';
import { argString, commandString, pipeString, type Arg, type Command, type ControlNode, type Node, type Pipe, type Tree } from './parse.ts';
import { formatValue, goTypeName, hasKey, isTrue, kindOf, mapKeys, NO_VALUE } from './values.ts';

export class TemplateExecError extends Error {
  /** What the template had written before it failed (docker prints table headers up to the error). */
  readonly partial: string;
  constructor(message: string, partial: string) {
    super(message);
    this.partial = partial;
  }
}

export interface ExecOptions {
  /**
   * Go's missingkey option: 'default' prints <no value>, 'error' fails ("map has no entry for
   * key"). 'inspect' is docker inspect's view of JSON: a missing field of a struct-like object
   * fails, a missing key of a map (Labels, Options, ...) prints <no value>.
   */
  missingKey?: 'default' | 'error' | 'inspect';
  /**
   * The Go type docker's formatter executes list rows on (e.g. '*formatter.ContainerContext'):
   * a missing field then fails as "can't evaluate field X in type <rowType>".
   */
  rowType?: string;
  funcs?: Record<string, Func>;
}

/** Fields whose values docker's types declare as maps: their keys are data, not field names. */
const MAP_FIELDS = new Set(['Labels', 'Options', 'Networks', 'Ports', 'ExposedPorts', 'Volumes', 'Data', 'DriverOpts',
  'Sysctls', 'StorageOpt', 'Tmpfs', 'Annotations', 'PortBindings', 'Containers', 'Peers']);

/** JSON objects whose keys all look like Go exported field names stand for structs. */
function structLike(obj: object): boolean {
  const keys = Object.keys(obj);
  return keys.length > 0 && keys.every((k) => /^[A-Z][A-Za-z0-9]*$/.test(k));
}

const MISSING: unique symbol = Symbol('missing final argument');
class BreakSignal {}
class ContinueSignal {}

interface Variable { name: string; value: unknown }

export function execute(text: string, tree: Tree, data: unknown, opts: ExecOptions = {}): string {
  return new State(text, tree.defs, data, opts).run(tree.root);
}

class State {
  private readonly text: string;
  private readonly missingKey: 'default' | 'error' | 'inspect';
  private readonly rowType: string | undefined;
  private readonly funcs: Record<string, Func>;
  private vars: Variable[];
  private out: string[] = [];
  private atPos = 0;
  // the node an error would point at; turned into text only when there is an error
  private atContext: string | Arg | Command = '';

  private readonly defs: Map<string, Node[]>;

  constructor(text: string, defs: Map<string, Node[]>, data: unknown, opts: ExecOptions) {
    this.text = text;
    this.defs = defs;
    this.missingKey = opts.missingKey ?? 'default';
    this.rowType = opts.rowType;
    this.funcs = opts.funcs ?? FUNCS;
    this.vars = [{ name: '$', value: data }];
  }

  run(nodes: Node[]): string {
    this.walkList(this.vars[0].value, nodes);
    return this.out.join('');
  }

  private at(pos: number, context: string | Arg | Command): void {
    this.atPos = pos;
    this.atContext = context;
  }

  private fail(msg: string): never {
    const before = this.text.slice(0, this.atPos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = nl < 0 ? Buffer.byteLength(before) : Buffer.byteLength(before.slice(nl + 1));
    const c = this.atContext;
    const context = typeof c === 'string' ? c : 'args' in c ? commandString(c) : argString(c);
    throw new TemplateExecError(`template: :${line}:${col}: executing "" at <${context}>: ${msg}`, this.out.join(''));
  }

  private walkList(dot: unknown, nodes: Node[]): void {
    for (const n of nodes) this.walk(dot, n);
  }

  private walk(dot: unknown, node: Node): void {
    switch (node.type) {
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out.push(printable(v));
        return;
      }
      case 'if': case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        if (isTrue(v)) this.walkList(node.type === 'with' ? v : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'break': throw new BreakSignal();
      case 'continue': throw new ContinueSignal();
      case 'template': {
        this.at(node.pos, `{{template ${JSON.stringify(node.name)}${node.pipe ? ` ${pipeString(node.pipe)}` : ''}}}`);
        const body = this.defs.get(node.name);
        if (!body) this.fail(`template ${JSON.stringify(node.name)} not defined`);
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : NO_VALUE;
        const saved = this.vars;
        this.vars = [{ name: '$', value: newDot }];
        try {
          this.walkList(newDot, body);
        } finally {
          this.vars = saved;
        }
        return;
      }
    }
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe);
    const items: [unknown, unknown][] = [];
    switch (kindOf(val)) {
      case 'slice':
        (val as unknown[]).forEach((e, i) => items.push([i, e]));
        break;
      case 'map':
        for (const k of mapKeys(val as object)) items.push([k, (val as Record<string, unknown>)[k]]);
        break;
      case 'int':
        if (node.pipe.decl.length > 1) {
          this.at(node.pipe.pos, pipeString(node.pipe));
          this.fail(`can't use ${formatValue(val)} to iterate over more than one variable`);
        }
        for (let i = 0; i < (val as number); i++) items.push([i, i]);
        break;
      case 'invalid': case 'nil':
        break;
      default:
        this.at(node.pipe.pos, pipeString(node.pipe));
        this.fail(`range can't iterate over ${formatValue(val)}`);
    }
    const loopMark = this.vars.length;
    const decl = node.pipe.decl;
    for (const [key, elem] of items) {
      // the pipeline pushed its variables; each iteration overwrites them (Go's setTopVar)
      if (node.pipe.isAssign) {
        if (decl.length === 1) this.setVar(decl[0], elem);
        if (decl.length === 2) {
          this.setVar(decl[0], key);
          this.setVar(decl[1], elem);
        }
      } else {
        if (decl.length >= 1) this.vars[loopMark - 1].value = elem;
        if (decl.length === 2) this.vars[loopMark - 2].value = key;
      }
      try {
        this.walkList(elem, node.list);
      } catch (e) {
        if (e instanceof BreakSignal) break;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.vars.length = loopMark;
      }
    }
    if (items.length === 0 && node.elseList) this.walkList(dot, node.elseList);
    this.vars.length = mark;
  }

  /** $x = value: assigns the innermost variable of that name. */
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: unknown, pipe: Pipe): unknown {
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // a nil interface{} is no value at all (Go "digs down" into interfaces)
      if (value === null) value = NO_VALUE;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: Arg[], final: unknown): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${argString(args[0])}`);
  }

  private evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    const first = cmd.args[0];
    this.at(first.pos, cmd);
    switch (first.type) {
      case 'field': return this.evalFieldChain(dot, dot, first, first.idents, cmd.args, final);
      case 'chain': {
        const recv = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, recv, first, first.fields, cmd.args, final);
      }
      case 'identifier': return this.evalFunction(dot, first.name, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case 'variable': {
        const v = this.lookupVar(first.idents[0]);
        if (first.idents.length === 1) {
          this.notAFunction(cmd.args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first, first.idents.slice(1), cmd.args, final);
      }
    }
    this.at(first.pos, first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.fail('nil is not a command');
      case 'number': return first.value;
      case 'string': return first.value;
    }
  }

  private lookupVar(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.fail(`undefined variable: ${name}`);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Arg, idents: string[], args: Arg[], final: unknown): unknown {
    let r = receiver;
    let via = '';
    for (let i = 0; i < idents.length - 1; i++) {
      r = this.evalField(dot, idents[i], node, [], MISSING, r, via);
      via = idents[i];
    }
    return this.evalField(dot, idents[idents.length - 1], node, args, final, r, via);
  }

  /** `via` is the field the receiver came from, which tells a map from a struct in 'inspect' mode. */
  private evalField(dot: unknown, name: string, node: Arg, args: Arg[], final: unknown, receiver: unknown, via: string): unknown {
    const k = kindOf(receiver);
    if (k === 'invalid') {
      if (this.missingKey === 'error') this.failAt(node, `nil data; no entry for key ${JSON.stringify(name)}`);
      return NO_VALUE;
    }
    if (k === 'nil') this.failAt(node, `nil pointer evaluating interface {}.${name}`);
    if (k === 'map') {
      const obj = receiver as Record<string, unknown>;
      const hasArgs = args.length > 1 || final !== MISSING;
      if (hasKey(obj, name)) {
        const v = obj[name];
        if (typeof v === 'function') {
          const params = args.slice(1).map((a) => this.evalArg(dot, a));
          if (final !== MISSING) params.push(final);
          if (params.length !== v.length) this.failAt(node, `wrong number of args for ${name}: want ${v.length} got ${params.length}`);
          try {
            return (v as (...a: unknown[]) => unknown).apply(obj, params);
          } catch (e) {
            this.failAt(node, `error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        if (hasArgs) this.failAt(node, `${name} is not a method but has arguments`);
        return v;
      }
      if (this.rowType !== undefined && via === '') this.failAt(node, `can't evaluate field ${name} in type ${this.rowType}`);
      if (hasArgs) this.failAt(node, `${name} is not a method but has arguments`);
      const isMap = this.missingKey === 'inspect' && (MAP_FIELDS.has(via) || !structLike(obj));
      if (this.missingKey === 'error' || (this.missingKey === 'inspect' && !isMap)) {
        this.failAt(node, `map has no entry for key ${JSON.stringify(name)}`);
      }
      return NO_VALUE;
    }
    // typed rows hold Go values; inspect's fallback sees interface{} values
    return this.failAt(node, `can't evaluate field ${name} in type ${this.rowType !== undefined ? goTypeName(receiver) : 'interface {}'}`);
  }

  private failAt(node: Arg, msg: string): never {
    this.at(node.pos, node);
    return this.fail(msg);
  }

  private evalFunction(dot: unknown, name: string, cmd: Command, args: Arg[], final: unknown): unknown {
    const fn = this.funcs[name];
    if (!fn) return this.fail(`function ${JSON.stringify(name)} not defined`);
    const nArgs = args.length - 1 + (final !== MISSING ? 1 : 0);
    const fixed = fn.params.length;
    if (fn.variadic ? nArgs < fixed : nArgs !== fixed) {
      this.fail(`wrong number of args for ${name}: want ${fn.variadic ? 'at least ' : ''}${fixed} got ${nArgs}`);
    }
    const paramType = (i: number): ParamType => (i < fixed ? fn.params[i] : fn.variadic!);
    // and/or stop at the first argument that decides the result, as Go 1.18+ does
    if (name === 'and' || name === 'or') {
      let v: unknown;
      for (let i = 1; i < args.length; i++) {
        v = this.evalArg(dot, args[i]);
        if (isTrue(v) === (name === 'or')) return v;
      }
      return final !== MISSING ? final : v;
    }
    const values: unknown[] = [];
    for (let i = 1; i < args.length; i++) values.push(this.evalTypedArg(dot, args[i], paramType(i - 1)));
    if (final !== MISSING) {
      this.at(cmd.pos, cmd);
      values.push(this.checkType(final, paramType(values.length)));
    }
    this.at(cmd.pos, cmd);
    try {
      return fn.call(values);
    } catch (e) {
      if (e instanceof CallError) this.fail(`error calling ${name}: ${e.message}`);
      throw e;
    }
  }

  /** An argument for a parameter of a known type, with Go's "expected string; found 1" errors. */
  private evalTypedArg(dot: unknown, arg: Arg, type: ParamType): unknown {
    this.at(arg.pos, arg);
    if (type === 'any') return this.evalArg(dot, arg);
    switch (arg.type) {
      case 'string':
        if (type === 'string') return arg.value;
        return this.fail(`expected ${type === 'int' ? 'integer' : type}; found ${arg.quoted}`);
      case 'number':
        if (type === 'int' && kindOf(arg.value) === 'int') return arg.value;
        return this.fail(`expected ${type === 'int' ? 'integer' : type}; found ${arg.text}`);
      case 'bool':
        return this.fail(`expected ${type === 'int' ? 'integer' : type}; found ${arg.value}`);
      case 'nil':
        return this.fail(`cannot assign nil to ${type}`);
    }
    const v = this.evalArg(dot, arg);
    this.at(arg.pos, arg);
    return this.checkType(v, type);
  }

  private checkType(v: unknown, type: ParamType): unknown {
    if (type === 'any') return v === MISSING ? NO_VALUE : v;
    const k = kindOf(v);
    if (k === 'invalid') return this.fail(`invalid value; expected ${type}`);
    const ok = type === 'string' ? k === 'string'
      : type === 'int' ? k === 'int'
        : k === 'slice' && (v as unknown[]).every((e) => typeof e === 'string');
    if (!ok) this.fail(`wrong type for value; expected ${type}; got ${goTypeName(v)}`);
    return v;
  }

  private evalArg(dot: unknown, arg: Arg): unknown {
    this.at(arg.pos, arg);
    switch (arg.type) {
      case 'dot': return dot;
      case 'nil': return null;
      case 'field': return this.evalFieldChain(dot, dot, arg, arg.idents, [arg], MISSING);
      case 'variable': {
        const v = this.lookupVar(arg.idents[0]);
        return arg.idents.length === 1 ? v : this.evalFieldChain(dot, v, arg, arg.idents.slice(1), [arg], MISSING);
      }
      case 'pipe': return this.evalPipeline(dot, arg.pipe);
      case 'identifier': return this.evalFunction(dot, arg.name, { pos: arg.pos, args: [arg] }, [arg], MISSING);
      case 'chain': {
        const recv = this.evalArg(dot, arg.node);
        return this.evalFieldChain(dot, recv, arg, arg.fields, [arg], MISSING);
      }
      case 'bool': case 'number': case 'string': return arg.value;
    }
  }
}

/** What an action prints for a value: missing and nil values print <no value>. */
function printable(v: unknown): string {
  const k = kindOf(v);
  if (k === 'invalid' || k === 'nil' || v === MISSING) return '<no value>';
  return formatValue(v);
}
