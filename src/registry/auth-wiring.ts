// Where the config's `auth` section becomes the server's authenticator and extra handler (the
// built-in token endpoint). Without an `auth` section everyone may do everything. The auth box
// part (auth/from-config.ts) reads the section: htpasswd basic auth, or the built-in token
// service, with the access policy of `auth.access`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryConfig } from './config.ts';
import { ConfigError } from './config.ts';
import type { RegistryAuthenticator } from './auth/types.ts';
import { authFromConfig } from './auth/from-config.ts';

export interface AuthWiring {
  authenticator?: RegistryAuthenticator;
  extraHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export async function buildAuth(cfg: RegistryConfig): Promise<AuthWiring> {
  if (cfg.auth === undefined || Object.keys(cfg.auth).length === 0) return {};
  // The token signing key lives in the filesystem storage root; with object storage it is configured.
  const stateDir = 's3' in cfg.storage ? undefined : cfg.rootDirectory;
  // The realm for a request without a usable Host header (the server passes the origin otherwise).
  const defaultRealm = (): string => {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(cfg.addr);
    const host = m?.[1] !== undefined ? `[${m[1]}]` : m?.[2] || 'localhost';
    return `${cfg.tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${m?.[3] ?? '5000'}/auth/token`;
  };
  try {
    const auth = await authFromConfig(cfg.auth, { stateDir, defaultRealm });
    return auth === undefined ? {} : { authenticator: auth.authenticator, extraHandler: auth.handler };
  } catch (err) {
    throw new ConfigError(`configuration error: ${(err as Error).message}`);
  }
}
