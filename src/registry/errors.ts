// distribution's error catalogue (registry/api/errcode and registry/api/v2/errors.go): every
// error the registry answers is one of these codes, with its message and HTTP status, written
// as `{"errors":[{"code","message","detail"}]}`. The store throws RegistryError; only the
// server turns one into a response.

export const REGISTRY_ERRORS = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'The operation is unsupported.' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERRORS;

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly status: number;
  readonly detail: unknown;
  /** Extra response headers (Range on a 416, WWW-Authenticate on a 401). */
  readonly headers: Record<string, string>;

  constructor(
    code: RegistryErrorCode,
    opts: { message?: string; detail?: unknown; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(opts.message ?? REGISTRY_ERRORS[code].message);
    this.code = code;
    this.status = opts.status ?? REGISTRY_ERRORS[code].status;
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
  }
}

export const regError = (code: RegistryErrorCode, detail?: unknown, message?: string) =>
  new RegistryError(code, { detail, message });

/** The wire form of one or more errors. */
export function errorBody(err: RegistryError): string {
  const e: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.detail !== undefined) e.detail = err.detail;
  return JSON.stringify({ errors: [e] });
}
