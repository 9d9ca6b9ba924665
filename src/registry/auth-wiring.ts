// Where the config's `auth` section becomes the server's authenticator and extra handler (the
// built-in token endpoint). Without an `auth` section everyone may do everything. The auth box
// (reg-auth) fills this in: htpasswd, token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryConfig } from './config.ts';
import { ConfigError } from './config.ts';
import type { RegistryAuthenticator } from './auth/types.ts';

export interface AuthWiring {
  authenticator?: RegistryAuthenticator;
  extraHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export async function buildAuth(cfg: RegistryConfig): Promise<AuthWiring> {
  if (cfg.auth === undefined || Object.keys(cfg.auth).length === 0) return {};
  throw new ConfigError(`configuration error: auth: ${Object.keys(cfg.auth)[0]} is not supported by this build`);
}
