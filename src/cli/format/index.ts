// The CLI's output formatting: Go text/template (the subset people use in --format), Docker's
// table layout, and human-readable sizes and times. Commands import these names only.
import { TemplateError } from './errors.ts';
import { TemplateExecError, TemplateSyntaxError, compile, type ExecOptions } from './template/index.ts';
import { bytesSize, humanDurationMs, humanSizeWithPrecision, parseTime } from './units.ts';

export { TemplateError } from './errors.ts';
export { formatList, type ListFormatOptions } from './list.ts';
export { TabWriter } from './tabwriter.ts';
export { goQuote } from './template/printf.ts';

/** A parsed Go text/template. execute() throws TemplateError with Go's messages. */
export interface Template {
  execute(data: unknown): string;
}

export interface TemplateOptions {
  /**
   * Go's missingkey option. 'default' prints <no value> for a missing map key; 'error' fails with
   * `map has no entry for key "X"`. 'inspect' is what `docker inspect -f` does on its JSON: a
   * missing field of a struct fails that way, a missing key of a map (Labels...) prints <no value>.
   */
  missingKey?: ExecOptions['missingKey'];
}

/**
 * Parses a Go text/template with Docker's functions (json, join, split, lower, upper, title, pad,
 * truncate, ...). Errors are Go's text ("template: :1: function \"foo\" not defined"); docker's
 * commands print them after "template parsing error: ".
 */
export function parseTemplate(text: string, options: TemplateOptions = {}): Template {
  let compiled;
  try {
    compiled = compile(text, options);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) throw new TemplateError(e.message, 'parse');
    throw e;
  }
  return {
    execute(data: unknown): string {
      try {
        return compiled.execute(data);
      } catch (e) {
        if (e instanceof TemplateExecError) throw new TemplateError(e.message, 'execute');
        throw e;
      }
    },
  };
}

/** Docker's units.HumanSize as its tables use it (decimal, 3 significant digits): '1.98MB', '4.1kB', '0B'. */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** Docker's units.BytesSize (binary, 4 significant digits): '1.5MiB'. */
export function binarySize(bytes: number): string {
  return bytesSize(bytes);
}

/** '3 days ago' (HumanDuration + ' ago') for an RFC 3339 string or epoch seconds. */
export function timeAgo(when: string | number, now: number = Date.now()): string {
  const t = parseTime(when);
  return `${humanDurationMs(now - (Number.isNaN(t) ? now : t))} ago`;
}
