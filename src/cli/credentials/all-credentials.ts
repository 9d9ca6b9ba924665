// The X-Registry-Config header of POST /build: every registry's credentials the CLI knows, as
// docker/cli's configfile.GetAllCredentials (config.json "auths" and the registries with a
// credential helper), marshalled as Go does (keys sorted, empty fields left out) and encoded
// base64url; "e30=" ({}) when there are none.
import type { CommandContext } from '../framework/types.ts';
import { authConfigJson, type AuthConfig } from './auth-config.ts';
import { storeContext } from './resolve.ts';
import { credentialStore } from './store.ts';

export async function registryConfigHeader(ctx: CommandContext): Promise<string> {
  const keys = new Set<string>();
  const auths = ctx.config.auths;
  if (auths && typeof auths === 'object') for (const k of Object.keys(auths)) keys.add(k);
  const helpers = ctx.config.credHelpers;
  if (helpers && typeof helpers === 'object') for (const k of Object.keys(helpers as object)) keys.add(k);
  const all: Record<string, AuthConfig> = {};
  const sctx = storeContext(ctx);
  for (const key of [...keys].sort()) {
    try {
      const a = await credentialStore(sctx, key).get(key);
      all[key] = { username: a.username, password: a.password, email: a.email, serveraddress: a.serveraddress, identitytoken: a.identitytoken, registrytoken: a.registrytoken };
    } catch {
      // docker ignores a store that fails (a broken helper): that registry is left out.
    }
  }
  const json = '{' + Object.keys(all).map((k) => `${JSON.stringify(k)}:${authConfigJson(all[k]!)}`).join(',') + '}';
  return Buffer.from(json).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
