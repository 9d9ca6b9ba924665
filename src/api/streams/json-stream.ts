// Newline-separated JSON messages for pull/push/load/build/events (moby streamformatter).
import type { ServerResponse } from 'node:http';

export interface JsonMessage {
  status?: string;
  stream?: string;
  id?: string;
  progress?: string;
  progressDetail?: object;
  error?: string;
  errorDetail?: { message: string; code?: number };
  aux?: unknown;
}

export class JsonStreamWriter {
  private readonly res: ServerResponse;
  constructor(res: ServerResponse) {
    this.res = res;
  }

  start(): void {
    if (!this.res.headersSent) {
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
    }
  }

  write(msg: JsonMessage | Record<string, unknown>): void {
    this.start();
    this.res.write(goJson(msg) + '\n');
  }

  /** Errors after the stream started go in-band, as Docker does. */
  error(message: string): void {
    this.write({ errorDetail: { message }, error: message });
  }

  end(): void {
    this.start();
    this.res.end();
  }
}

/** JSON as Go's encoding/json writes it: <, >, & and U+2028/9 escaped (the progress bar's ">"). */
function goJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
