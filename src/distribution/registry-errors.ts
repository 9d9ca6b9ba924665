// Registry error responses read as docker/distribution's client reads them
// (registry/client/errors.go HandleErrorResponse, registry/api/errcode): the first entry of
// `{"errors":[{"code","message","detail"}]}`, OAuth errors from WWW-Authenticate, and Go's
// words for anything else, so that pull and push report what dockerd reports.
import { BerthError } from '../common/index.ts';
import { authenticateLines, parseChallenges } from './auth.ts';
import type { HttpResponse } from './transport.ts';

const KNOWN_CODES = new Set([
  'UNKNOWN', 'UNSUPPORTED', 'UNAUTHORIZED', 'DENIED', 'UNAVAILABLE', 'TOOMANYREQUESTS',
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'MANIFEST_UNVERIFIED', 'NAME_INVALID', 'NAME_UNKNOWN', 'PAGINATION_NUMBER_INVALID',
  'RANGE_INVALID', 'SIZE_INVALID', 'TAG_INVALID',
]);

const DEFAULT_MESSAGE: Record<string, string> = {
  UNKNOWN: 'unknown error',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  TOOMANYREQUESTS: 'too many requests',
  UNAVAILABLE: 'service unavailable',
};

/** An errcode.Error from a registry: `<code in words>: <message>`. */
export class RegistryError extends BerthError {
  readonly status: number;
  readonly code: string;
  readonly detail?: unknown;
  readonly registryMessage: string;

  constructor(status: number, code: string, message: string, detail?: unknown) {
    const c = KNOWN_CODES.has(code) ? code : 'UNKNOWN';
    // dockerd answers registry errors it does not translate with 500 (errdefs.Unknown); only a
    // missing manifest or repository becomes 404 (pull's translatePullError).
    super('System', `${c.toLowerCase().replace(/_/g, ' ')}: ${message}`);
    this.status = status;
    this.code = c;
    this.registryMessage = message;
    this.detail = detail;
  }
}

/** A response that is not an errcode body (client.UnexpectedHTTPResponseError / StatusError). */
export class UnexpectedResponseError extends BerthError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(status === 404 ? 'NotFound' : 'System', message);
    this.status = status;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  416: 'Requested Range Not Satisfiable', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

const ERROR_BODY_LIMIT = 64 * 1024;

/** Reads an error response (body bounded) into the error Docker's client would make. */
export async function registryErrorFromResponse(res: HttpResponse): Promise<Error> {
  const status = res.status;
  let body = Buffer.alloc(0);
  try {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of res.body) {
      n += (c as Buffer).length;
      if (n > ERROR_BODY_LIMIT) break;
      chunks.push(c as Buffer);
    }
    body = Buffer.concat(chunks);
  } catch {
    // a body that breaks off reads as what arrived
  } finally {
    res.body.destroy();
  }
  if (status < 400 || status >= 500) {
    return new UnexpectedResponseError(status, `received unexpected HTTP status: ${status} ${STATUS_TEXT[status] ?? res.body.statusMessage ?? ''}`.trimEnd());
  }
  for (const c of parseChallenges(authenticateLines(res))) {
    if (c.scheme !== 'bearer') continue;
    const code = c.params.error === 'invalid_token' ? 'UNAUTHORIZED' : c.params.error === 'insufficient_scope' ? 'DENIED' : undefined;
    if (code) return new RegistryError(status, code, c.params.error_description || DEFAULT_MESSAGE[code]);
  }
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    if (status === 401) return new RegistryError(401, 'UNAUTHORIZED', DEFAULT_MESSAGE.UNAUTHORIZED);
    return new UnexpectedResponseError(status, `error parsing HTTP ${status} response body: ${goJsonError(err, text)}: ${JSON.stringify(text)}`);
  }
  const o = parsed as { details?: unknown; errors?: unknown };
  if (o && typeof o === 'object' && typeof o.details === 'string' && o.details) {
    const code = status === 401 ? 'UNAUTHORIZED' : status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN';
    return new RegistryError(status, code, o.details);
  }
  const list = o && typeof o === 'object' && Array.isArray(o.errors) ? (o.errors as unknown[]) : [];
  const first = list.find((e) => e && typeof e === 'object') as { code?: unknown; message?: unknown; detail?: unknown } | undefined;
  if (!first) {
    if (status === 401) return new RegistryError(401, 'UNAUTHORIZED', DEFAULT_MESSAGE.UNAUTHORIZED);
    return new UnexpectedResponseError(status, `error parsing HTTP ${status} response body: no error details found in HTTP response body: ${JSON.stringify(text)}`);
  }
  const code = typeof first.code === 'string' ? first.code : 'UNKNOWN';
  const msg = typeof first.message === 'string' && first.message ? first.message : (DEFAULT_MESSAGE[code] ?? code.toLowerCase().replace(/_/g, ' '));
  return new RegistryError(status, code, msg, first.detail);
}

function goJsonError(err: unknown, text: string): string {
  if (text.trim() === '') return 'unexpected end of JSON input';
  const m = /Unexpected token '?(.)'?/.exec((err as Error).message);
  return m ? `invalid character '${m[1]}' looking for beginning of value` : 'invalid character looking for beginning of value';
}
