// One streamed PATCH of a blob upload (docker's client sends a layer as one PATCH whose body
// is the layer as it is read, then the PUT with the digest). The registry client's transport
// sends whole bodies only; this is the one request that streams, kept apart so the transport
// stays as it is: the endpoint's TLS settings (certs.d, or no verification for an insecure
// registry), the session's Authorization for the push's scopes, the body written with
// backpressure (chunked transfer encoding), no redirects (an upload location is not followed).
import http from 'node:http';
import https from 'node:https';
import { NoCredentialsError } from './auth.ts';
import type { TlsMaterial } from './certs-dir.ts';
import type { RepositorySession } from './registry-client.ts';
import { TransportError, type HttpResponse } from './transport.ts';

/** A response that stalls this long is dropped (as the transport does). */
const IDLE_TIMEOUT_MS = 60_000;

export interface StreamPatch {
  session: RepositorySession;
  /** The push's scopes (the token the session already holds for them is reused). */
  scopes: readonly string[];
  tls: TlsMaterial;
  location: URL;
  body: AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
  userAgent?: string;
}

/** PATCHes `body` to the upload location as one streamed request; resolves to the response. */
export async function streamPatch(p: StreamPatch): Promise<HttpResponse> {
  let authz: string | undefined;
  try {
    authz = await p.session.auth.header(p.scopes);
  } catch (err) {
    if (err instanceof NoCredentialsError) throw new NoCredentialsError(`Patch "${p.location.href}": ${err.message}`);
    throw err;
  }
  const secure = p.location.protocol === 'https:';
  const mod = secure ? https : http;
  const headers: Record<string, string> = { 'User-Agent': p.userAgent ?? 'berth', 'Content-Type': 'application/octet-stream', ...(authz ? { Authorization: authz } : {}) };
  const tlsOpts = secure
    ? { rejectUnauthorized: p.session.endpoint.tlsVerify, ...(p.tls.ca ? { ca: p.tls.ca } : {}), ...(p.tls.cert ? { cert: p.tls.cert, key: p.tls.key } : {}) }
    : {};
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err instanceof TransportError || err instanceof NoCredentialsError ? err : new TransportError(`Patch "${p.location.href}": ${err.message}`, err.code, err));
    };
    const req = mod.request(p.location, { method: 'PATCH', headers, agent: false, signal: p.signal, ...tlsOpts }, (res) => {
      settled = true;
      res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy(new TransportError(`read ${p.location.host}: i/o timeout`, 'ETIMEDOUT')));
      resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, url: p.location, body: res });
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => fail(new TransportError(`Patch "${p.location.href}": i/o timeout`, 'ETIMEDOUT')));
    req.on('error', fail);
    (async () => {
      for await (const chunk of p.body) {
        if (settled) return;
        if (!req.write(chunk)) {
          await new Promise<void>((r) => {
            const done = () => {
              req.off('drain', done);
              req.off('close', done);
              r();
            };
            req.on('drain', done);
            req.on('close', done);
          });
        }
      }
      req.end();
    })().catch((err: Error) => fail(err));
  });
}
