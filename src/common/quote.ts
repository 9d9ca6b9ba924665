// Error messages quote client input; a client must never get an unbounded value echoed back.

const DEFAULT_LIMIT = 256;

/** The text itself when short, else its start and how much was left out. */
export function truncate(text: string, limit = DEFAULT_LIMIT): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}... (${text.length - limit} more characters)`;
}
