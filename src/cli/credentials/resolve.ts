// The credentials of one registry for a request: the X-Registry-Auth header docker's CLI sends
// with pull, push and search (command.ResolveAuthConfig + registry.EncodeAuthConfig).
import { join } from 'node:path';
import type { CommandContext } from '../framework/types.ts';
import { encodeAuthConfig } from './auth-config.ts';
import type { StoreContext } from './store.ts';
import { credentialStore } from './store.ts';

export function storeContext(ctx: CommandContext): StoreContext {
  return { config: ctx.config, saveConfig: ctx.saveConfig, configFile: join(ctx.configDir, 'config.json'), stderr: ctx.stderr };
}

/**
 * X-Registry-Auth for the registry keyed `key` (INDEX_SERVER or host:port). A store that fails
 * (a broken helper) yields no credentials, as docker's ResolveAuthConfig ignores the error.
 */
export async function registryAuthHeader(ctx: CommandContext, key: string): Promise<string> {
  try {
    const a = await credentialStore(storeContext(ctx), key).get(key);
    return encodeAuthConfig({ username: a.username, password: a.password, email: a.email, serveraddress: a.serveraddress, identitytoken: a.identitytoken, registrytoken: a.registrytoken });
  } catch {
    return encodeAuthConfig({});
  }
}
