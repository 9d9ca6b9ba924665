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
    this.res.write(JSON.stringify(msg) + '\n');
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
