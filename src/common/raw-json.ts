// Integers beyond 2^53 in JSON we write (RLIM_INFINITY, seccomp arguments) or read back exact:
// Node 24's JSON.rawJSON, which TypeScript's lib does not declare yet.

/** A JSON text that JSON.stringify writes verbatim. */
export interface RawJson {
  readonly rawJSON: string;
}

declare global {
  interface JSON {
    rawJSON(text: string): RawJson;
  }
}

/** A value JSON.stringify writes as `text` itself (a number beyond a double's exact range). */
export function rawJson(text: string): RawJson {
  return JSON.rawJSON(text);
}
