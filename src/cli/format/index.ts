// The CLI's output formatting: Go text/template (the subset people use in --format), Docker's
// table layout, and human-readable sizes and times. CONTRACT: commands import these names; the
// format helper fills in the bodies (this file is its to rewrite, keeping the signatures).

/** A parsed Go text/template. execute() throws TemplateError with Go's messages. */
export interface Template {
  execute(data: unknown): string;
}

export class TemplateError extends Error {}

/** Parses a Go text/template with Docker's functions (json, join, split, lower, upper, title, pad, truncate, ...). */
export function parseTemplate(text: string): Template {
  throw new TemplateError(`template engine not built yet: ${text}`);
}

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
}

/**
 * Renders rows as Docker's formatter does: 'table ...' goes through a tabwriter with a header
 * line, 'json' prints one JSON object per row, anything else is a template run per row.
 * Rows are plain objects whose keys are the template's fields (in Docker's JSON key order).
 */
export function formatList(rows: readonly object[], opts: ListFormatOptions): string {
  void rows;
  throw new TemplateError(`formatter not built yet: ${opts.format}`);
}

/** Docker's units.HumanSize (decimal, 3 significant digits): '1.23MB', '4.1kB', '0B'. */
export function humanSize(bytes: number): string {
  return `${bytes}B`;
}

/** Docker's units.BytesSize (binary): '1.5MiB'. */
export function binarySize(bytes: number): string {
  return `${bytes}B`;
}

/** Docker's units.HumanDuration: 'Less than a second', 'About a minute', '3 minutes', '2 days', ... */
export function humanDuration(ms: number): string {
  return `${ms}ms`;
}

/** '3 days ago' (HumanDuration + ' ago') for an RFC 3339 string or epoch seconds. */
export function timeAgo(when: string | number, now?: number): string {
  return `${when} ${now ?? ''}`;
}

/** The STATUS column of `docker ps` from inspect's State: 'Up 3 minutes', 'Exited (0) 2 seconds ago', 'Created', ... */
export function containerStatus(state: {
  Status: string; Running?: boolean; Paused?: boolean; Restarting?: boolean; ExitCode?: number;
  StartedAt?: string; FinishedAt?: string; Health?: { Status: string } | null;
}, now?: number): string {
  return `${state.Status} ${now ?? ''}`;
}
