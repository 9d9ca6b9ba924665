// Parser directives (`# escape=`, `# syntax=`, `# check=`): BuildKit parser/directives.go.
// They are read only from the first lines, up to the first line that is not a directive
// (an empty line, another comment, an instruction); names are case-insensitive, each may
// appear once.

const VALID = new Set(['syntax', 'escape', 'check']);
// Go's RE2 `\s` is ASCII whitespace only
const DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;

export class DirectiveParser {
  private done = false;
  private readonly seen = new Set<string>();
  readonly found: Record<string, string> = {};

  /**
   * The directive on this line (leading whitespace already trimmed), or undefined.
   * Throws the message of BuildKit's error for a repeated directive.
   */
  parseLine(line: string): { name: string; value: string } | undefined {
    if (this.done) return undefined;
    const m = DIRECTIVE.exec(line);
    if (!m) {
      this.done = true;
      return undefined;
    }
    const name = m[1].toLowerCase();
    if (!VALID.has(name)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) throw new Error(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    this.found[name] = m[2];
    return { name, value: m[2] };
  }
}

/** The escape token a directive value names, or BuildKit's error message. */
export function escapeToken(value: string): string {
  if (value !== '`' && value !== '\\') throw new Error(`invalid escape token '${value}' does not match \` or \\`);
  return value;
}
