// The one error type the formatting box throws: its message is what docker prints.
export class TemplateError extends Error {
  /** Whether the template failed to parse or to execute. */
  readonly phase: 'parse' | 'execute';
  /** Go's own text ("template: :1: unclosed action"), without any command's prefix. */
  readonly detail: string;

  constructor(message: string, phase: 'parse' | 'execute' = 'parse', detail: string = message) {
    super(message);
    this.phase = phase;
    this.detail = detail;
  }
}
