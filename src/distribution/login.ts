// POST /auth: moby's registry Service.Auth and loginV2. The registry's /v2/ is asked without
// credentials; its challenge decides: Bearer fetches a token from the realm with the user's
// credentials (offline_token=true, so a token service may hand out a refresh token: the
// identity token the client keeps instead of the password), Basic sends them as they are.
// Then /v2/ again with them: 200 is "Login Succeeded". Mirrors are never tried (they must not
// see the upstream registry's credentials); https then http for an insecure registry.
import { invalidParameter, BerthError } from '../common/index.ts';
import { authenticateLines, credentials, parseChallenges, type AuthConfig, type Challenge } from './auth.ts';
import { readCertsDir } from './certs-dir.ts';
import type { RegistryClient } from './registry-client.ts';
import type { RegistryEndpoint } from './registry-config.ts';
import { RegistryError, registryErrorFromResponse } from './registry-errors.ts';
import { Transport, TransportError, readBody } from './transport.ts';

const INDEX_HOSTNAME = 'index.docker.io';
const TOKEN_BODY_LIMIT = 1 << 20;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

export interface LoginResult {
  Status: string;
  IdentityToken: string;
}

/** The registry host a login's serveraddress names ("https://h:5000/v1/" -> "h:5000"). */
function loginHost(serverAddress: string | undefined): string {
  if (!serverAddress) return INDEX_HOSTNAME;
  const withScheme = /^https?:\/\//.test(serverAddress) ? serverAddress : `https://${serverAddress}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch (err) {
    throw invalidParameter(`unable to parse server address: parse ${JSON.stringify(withScheme)}: ${(err as Error).message}`);
  }
  return u.host;
}

export async function login(client: RegistryClient, auth: AuthConfig): Promise<LoginResult> {
  const host = loginHost(auth.serveraddress);
  const domain = host === INDEX_HOSTNAME ? 'docker.io' : host;
  const endpoints = (await client.endpoints(domain)).filter((e) => !e.mirror);
  let lastErr: unknown;
  for (const ep of endpoints) {
    try {
      const token = await loginV2(client, ep, auth);
      return { Status: 'Login Succeeded', IdentityToken: token };
    } catch (err) {
      // Bad credentials end the login; anything else lets the next endpoint (http) be tried.
      if (err instanceof BerthError && err.kind === 'Unauthorized') throw err;
      lastErr = err;
    }
  }
  throw lastErr ?? invalidParameter(`no endpoints for ${host}`);
}

async function loginV2(client: RegistryClient, ep: RegistryEndpoint, auth: AuthConfig): Promise<string> {
  const tls = ep.certsHost ? await readCertsDir(client.config.certsDir, ep.certsHost) : {};
  const transport = new Transport({ tls, verify: ep.tlsVerify });
  const url = new URL(`${ep.base}/v2/`);
  try {
    const ping = await transport.request(url).catch((err: unknown) => {
      throw goUrlError(url, err);
    });
    ping.body.resume();
    let authorization: string | undefined;
    let identityToken = '';
    if (ping.status === 401) {
      const challenges = parseChallenges(authenticateLines(ping));
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      const basic = challenges.find((c) => c.scheme === 'basic');
      const cred = credentials(auth);
      if (bearer) {
        const t = await fetchToken(transport, bearer, auth).catch((err: unknown) => {
          throw goUrlError(url, err);
        });
        authorization = `Bearer ${t.token}`;
        identityToken = t.refreshToken ?? '';
      } else if (basic) {
        if (!cred) throw new BerthError('System', `Get "${url.href}": no basic auth credentials`);
        authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
      }
    }
    const res = await transport.request(url, authorization ? { headers: { Authorization: authorization } } : {}).catch((err: unknown) => {
      throw goUrlError(url, err);
    });
    res.body.resume();
    if (res.status !== 200) {
      const text = `login attempt to ${url.href} failed with status: ${res.status} ${STATUS_TEXT[res.status] ?? ''}`.trimEnd();
      throw new BerthError(res.status === 401 ? 'Unauthorized' : 'System', text);
    }
    return identityToken;
  } finally {
    transport.close();
  }
}

/** Go's url.Error text: `Get "https://h/v2/": <cause>`; registry refusals keep their kind (401). */
function goUrlError(url: URL, err: unknown): Error {
  const msg = `Get "${url.href}": ${(err as Error).message}`;
  // moby's translateV2AuthError: a registry's errcode from the token exchange is Unauthorized (401).
  if (err instanceof RegistryError) return new BerthError(err.code === 'UNAUTHORIZED' || err.code === 'DENIED' ? 'Unauthorized' : 'System', msg);
  if (err instanceof TransportError) return new TransportError(msg, err.code, err);
  return new BerthError('System', msg);
}

interface TokenResult {
  token: string;
  refreshToken?: string;
}

/** The token for a login: no scope, offline access, client_id docker (distribution's token handler). */
async function fetchToken(transport: Transport, ch: Challenge, auth: AuthConfig): Promise<TokenResult> {
  const realm = ch.params.realm;
  if (!realm) throw new RegistryError(401, 'UNAUTHORIZED', 'no realm specified for token auth challenge');
  let u: URL;
  try {
    u = new URL(realm);
  } catch {
    throw new RegistryError(401, 'UNAUTHORIZED', `invalid token auth challenge realm: ${realm}`);
  }
  const cred = credentials(auth);
  let res;
  if (auth.identitytoken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identitytoken, service: ch.params.service ?? '', client_id: 'docker', access_type: 'offline' });
    res = await transport.request(u, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form.toString() });
  } else {
    if (ch.params.service) u.searchParams.set('service', ch.params.service);
    u.searchParams.set('client_id', 'docker');
    u.searchParams.set('offline_token', 'true');
    if (cred?.username) u.searchParams.set('account', cred.username);
    const headers: Record<string, string> = {};
    if (cred) headers.Authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    res = await transport.request(u, { headers });
  }
  if (res.status !== 200) {
    const err = await registryErrorFromResponse(res);
    if (res.status === 401 && !(err instanceof RegistryError && err.code !== 'UNKNOWN')) throw new RegistryError(401, 'UNAUTHORIZED', 'authentication required');
    throw err;
  }
  let body: { token?: unknown; access_token?: unknown; refresh_token?: unknown };
  try {
    body = JSON.parse((await readBody(res, TOKEN_BODY_LIMIT)).toString('utf8')) as typeof body;
  } catch {
    throw new RegistryError(401, 'UNAUTHORIZED', 'unable to decode token response');
  }
  const token = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
  if (!token) throw new RegistryError(401, 'UNAUTHORIZED', 'authorization server did not include a token in the response');
  return { token, ...(typeof body.refresh_token === 'string' && body.refresh_token ? { refreshToken: body.refresh_token } : {}) };
}
