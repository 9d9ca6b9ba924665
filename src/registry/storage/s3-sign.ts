// AWS Signature Version 4 for S3 (docs.aws.amazon.com "Signature Calculations for the
// Authorization Header" and "Query String Authentication"), header-signed requests and
// presigned URLs. Written on node:crypto rather than the `aws4` package: the algorithm is two
// HMAC chains and a canonical request, the S3 rules (no double path encoding, the payload hash
// header, UNSIGNED-PAYLOAD for presigned URLs) are easy to get subtly wrong through a generic
// signer's options, and the unit tests check it against the examples AWS publishes.
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  accessKey: string;
  secretKey: string;
  region: string;
  sessionToken?: string;
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (and `/` too unless `keepSlash`). */
export function uriEncode(s: string, keepSlash: boolean): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function signingKey(secret: string, day: string, region: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(day).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update('s3').digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** The URL's path as sent: already encoded by the caller with uriEncode(key, true). */
function canonicalPath(url: URL): string {
  return url.pathname === '' ? '/' : url.pathname;
}

function stringToSign(creds: Credentials, date: Date, canonicalRequest: string): string {
  const day = amzDate(date).slice(0, 8);
  return ['AWS4-HMAC-SHA256', amzDate(date), `${day}/${creds.region}/s3/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
}

/**
 * The headers to send with a request: Authorization, x-amz-date, x-amz-content-sha256 (and the
 * caller's own, which are all signed). `payloadHash` is the hex SHA-256 of the body.
 */
export function signRequest(
  creds: Credentials,
  req: { method: string; url: URL; headers?: Record<string, string>; payloadHash: string },
  date = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  headers.host = req.url.host;
  headers['x-amz-date'] = amzDate(date);
  headers['x-amz-content-sha256'] = req.payloadHash;
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] as string).trim().replace(/\s+/g, ' ')}\n`).join('');
  const signed = names.join(';');
  const canonicalRequest = [req.method, canonicalPath(req.url), canonicalQuery(req.url.searchParams), canonicalHeaders, signed, req.payloadHash].join('\n');
  const day = amzDate(date).slice(0, 8);
  const signature = createHmac('sha256', signingKey(creds.secretKey, day, creds.region)).update(stringToSign(creds, date, canonicalRequest)).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKey}/${day}/${creds.region}/s3/aws4_request, SignedHeaders=${signed}, Signature=${signature}`;
  delete headers.host;
  return headers;
}

/** A presigned URL (query-string authentication) valid for `expiresSeconds`, signing the host header only. */
export function presignUrl(creds: Credentials, method: string, url: URL, expiresSeconds: number, date = new Date()): string {
  const day = amzDate(date).slice(0, 8);
  const u = new URL(url);
  u.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
  u.searchParams.set('X-Amz-Credential', `${creds.accessKey}/${day}/${creds.region}/s3/aws4_request`);
  u.searchParams.set('X-Amz-Date', amzDate(date));
  u.searchParams.set('X-Amz-Expires', String(expiresSeconds));
  if (creds.sessionToken) u.searchParams.set('X-Amz-Security-Token', creds.sessionToken);
  u.searchParams.set('X-Amz-SignedHeaders', 'host');
  const canonicalRequest = [method, canonicalPath(u), canonicalQuery(u.searchParams), `host:${u.host}\n`, 'host', UNSIGNED_PAYLOAD].join('\n');
  const signature = createHmac('sha256', signingKey(creds.secretKey, day, creds.region)).update(stringToSign(creds, date, canonicalRequest)).digest('hex');
  // URLSearchParams encodes space as '+' and leaves some characters; rebuild with SigV4's encoding.
  return `${u.origin}${u.pathname}?${canonicalQuery(u.searchParams)}&X-Amz-Signature=${signature}`;
}
