// docker/cli's formatter.Context: 'table ...' formats go through a tabwriter under a header line
// (the template run on the column titles with HeaderFunctions), 'json' prints {{json .}} per row,
// any other format is a template run per row; every row ends with "\n".
import { TemplateError } from './errors.ts';
import { TabWriter } from './tabwriter.ts';
import { HEADER_FUNCS, TemplateExecError, TemplateSyntaxError, compile, markHtmlEscapedJson } from './template/index.ts';

export interface ListFormatOptions {
  /** The user's --format ('' = default, 'table', 'table {{.ID}}\t{{.Names}}', 'json', or a template). */
  format: string;
  /** Docker's default table for this command, e.g. 'table {{.ID}}\t{{.Image}}\t...'. */
  defaultFormat: string;
  /** Column titles by field name: { ID: 'CONTAINER ID', Names: 'NAMES' }. */
  headers: Record<string, string>;
  /** -q: print only this field of each row. */
  quietField?: string;
  quiet?: boolean;
  /**
   * The Go type docker executes rows on, for its "can't evaluate field X in type T" error:
   * '*formatter.ContainerContext' for ps, '*formatter.imageContext' for images. Without it a
   * missing field fails with `map has no entry for key "X"`.
   */
  rowType?: string;
  /**
   * `docker ps` first parses the user's --format as typed (with its "table " prefix and literal
   * \t) and runs it once on an empty row, failing with "failed to parse template: ..." or
   * "failed to execute template: ...", before formatting anything. Pass that empty row to get
   * the same checks and messages (positions count from the start of the user's text).
   */
  preflightRow?: object;
}

const FORMATTER_PREFIXES = { parse: 'template parsing error', execute: 'template parsing error' };
const PS_PREFIXES = { parse: 'failed to parse template', execute: 'failed to execute template' };

/**
 * The data a table header is executed on: the column titles, plus docker's SubHeaderContext.Label,
 * which titles {{.Label "com.example.some-name"}} as "some name".
 */
function headerData(headers: Record<string, string>): Record<string, unknown> {
  return { ...headers, Label: (name: string) => name.split('.').pop()!.replace(/[-_]/g, ' ') };
}

export function formatList(rows: readonly object[], opts: ListFormatOptions): string {
  if (opts.preflightRow && opts.format !== '') {
    try {
      compile(opts.format).execute(opts.preflightRow, { missingKey: 'error', rowType: opts.rowType });
    } catch (e) {
      throw wrap(e, PS_PREFIXES);
    }
  }
  // -q wins over --format (docker warns about that; the warning is the command's to print)
  if (opts.quiet) {
    const field = opts.quietField ?? 'ID';
    return rows.map((r) => `${String((r as Record<string, unknown>)[field] ?? '')}\n`).join('');
  }
  let format = opts.format === '' || opts.format === 'table' ? opts.defaultFormat : opts.format;
  const isTable = format.startsWith('table');
  if (isTable) format = format.slice('table'.length);
  else if (format === 'json') format = '{{json .}}';
  // docker: strings.Trim(format, " ") and the escapes \t and \n typed on a shell line
  format = format.replace(/^ +| +$/g, '').replace(/\\t|\\n/g, (m) => (m === '\\t' ? '\t' : '\n'));

  const prefixes = FORMATTER_PREFIXES;
  let tmpl;
  try {
    tmpl = compile(format);
  } catch (e) {
    throw wrap(e, prefixes);
  }
  let body = '';
  for (const row of rows) {
    markHtmlEscapedJson(row);
    try {
      body += tmpl.execute(row, { missingKey: 'error', rowType: opts.rowType });
    } catch (e) {
      throw wrap(e, prefixes);
    }
    body += '\n';
  }
  if (!isTable) return body;

  // the header's errors are ignored, as docker does: what was written before one stays
  let header: string;
  try {
    header = tmpl.execute(headerData(opts.headers), { funcs: HEADER_FUNCS });
  } catch (e) {
    if (!(e instanceof TemplateExecError)) throw e;
    header = e.partial;
  }
  const tw = new TabWriter(10, 1, 3, ' ');
  tw.write(header);
  tw.write('\n');
  tw.write(body);
  return tw.flush();
}

function wrap(e: unknown, prefixes: { parse: string; execute: string }): unknown {
  if (e instanceof TemplateSyntaxError) return new TemplateError(`${prefixes.parse}: ${e.message}`, 'parse', e.message);
  if (e instanceof TemplateExecError) return new TemplateError(`${prefixes.execute}: ${e.message}`, 'execute', e.message);
  return e;
}
