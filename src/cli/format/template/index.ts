// A Go text/template engine for --format: parse once, execute per row.
import './funcs.ts';
import { execute, type ExecOptions } from './exec.ts';
import { parse } from './parse.ts';

export { TemplateExecError, type ExecOptions } from './exec.ts';
export { TemplateSyntaxError } from './parse.ts';
export { HEADER_FUNCS, markHtmlEscapedJson } from './funcs.ts';

export interface CompiledTemplate {
  execute(data: unknown, opts?: ExecOptions): string;
}

/** Parses `text`; throws TemplateSyntaxError with Go's message. */
export function compile(text: string, defaults: ExecOptions = {}): CompiledTemplate {
  const tree = parse(text);
  return { execute: (data, opts) => execute(text, tree, data, { ...defaults, ...opts }) };
}
