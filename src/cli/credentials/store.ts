// Where the CLI keeps registry credentials, as docker/cli's configfile does: config.json
// "auths" (the file store: base64 "auth", "identitytoken"), or a credential helper named by
// "credHelpers" for that registry or by "credsStore" for all (the native store, which keeps an
// empty "auths" entry in the file so the registry shows up in the list).
import type { CliConfigFile } from '../framework/types.ts';
import type { AuthConfig } from './auth-config.ts';
import { convertToHostname, decodeAuthField, encodeAuthField } from './auth-config.ts';
import { CredentialHelper, CredentialsNotFoundError } from './helper-client.ts';

/** A helper's user name meaning "the secret is an identity token" (credentials' tokenUsername). */
const TOKEN_USERNAME = '<token>';

export interface CredentialStore {
  get(serverAddress: string): Promise<AuthConfig>;
  store(auth: AuthConfig): Promise<void>;
  erase(serverAddress: string): Promise<void>;
}

/** What the stores need from the CLI: the config, how to save it, and where warnings go. */
export interface StoreContext {
  config: CliConfigFile;
  saveConfig(config: CliConfigFile): Promise<void>;
  /** The config file's path, for docker's warning about passwords stored in it. */
  configFile: string;
  stderr: { write(s: string): unknown };
  env?: NodeJS.ProcessEnv;
}

type FileEntry = NonNullable<CliConfigFile['auths']>[string] & { email?: string; registrytoken?: string; username?: string; password?: string };

function entryToAuth(key: string, e: FileEntry): AuthConfig {
  let username = e.username ?? '';
  let password = e.password ?? '';
  if (e.auth) ({ username, password } = decodeAuthField(e.auth));
  return { username, password, email: e.email, serveraddress: key, identitytoken: e.identitytoken, registrytoken: e.registrytoken };
}

function authToEntry(a: AuthConfig): FileEntry {
  const e: FileEntry = {};
  const auth = encodeAuthField(a.username ?? '', a.password ?? '');
  if (auth) e.auth = auth;
  if (a.email) e.email = a.email;
  if (a.identitytoken) e.identitytoken = a.identitytoken;
  if (a.registrytoken) e.registrytoken = a.registrytoken;
  return e;
}

let warnedUnencrypted = false;

class FileStore implements CredentialStore {
  private readonly ctx: StoreContext;
  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  private auths(): Record<string, FileEntry> {
    const a = this.ctx.config.auths;
    if (a && typeof a === 'object' && !Array.isArray(a)) return a as Record<string, FileEntry>;
    this.ctx.config.auths = {};
    return this.ctx.config.auths as Record<string, FileEntry>;
  }

  async get(serverAddress: string): Promise<AuthConfig> {
    const auths = this.auths();
    const exact = auths[serverAddress];
    if (exact) return entryToAuth(serverAddress, exact);
    // A legacy config file may key the registry as a URL ("https://host/v1/").
    for (const [k, e] of Object.entries(auths)) if (convertToHostname(k) === serverAddress) return entryToAuth(k, e);
    return {};
  }

  async store(a: AuthConfig): Promise<void> {
    this.auths()[a.serveraddress ?? ''] = authToEntry(a);
    await this.ctx.saveConfig(this.ctx.config);
    if (a.password && !warnedUnencrypted) {
      warnedUnencrypted = true;
      this.ctx.stderr.write(`\nWARNING! Your credentials are stored unencrypted in '${this.ctx.configFile}'.\n` +
        'Configure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n');
    }
  }

  async erase(serverAddress: string): Promise<void> {
    delete this.auths()[serverAddress];
    await this.ctx.saveConfig(this.ctx.config);
  }
}

class NativeStore implements CredentialStore {
  private readonly helper: CredentialHelper;
  private readonly file: FileStore;
  constructor(helper: CredentialHelper, file: FileStore) {
    this.helper = helper;
    this.file = file;
  }

  async get(serverAddress: string): Promise<AuthConfig> {
    // The file keeps only the email; the helper has the secret.
    const auth = await this.file.get(serverAddress);
    let creds;
    try {
      creds = await this.helper.get(serverAddress);
    } catch (err) {
      if (err instanceof CredentialsNotFoundError) return { ...auth, username: undefined, password: undefined, identitytoken: undefined, serveraddress: serverAddress };
      throw err;
    }
    const out: AuthConfig = { email: auth.email, serveraddress: serverAddress };
    if (creds.Username === TOKEN_USERNAME) out.identitytoken = creds.Secret;
    else {
      out.username = creds.Username;
      out.password = creds.Secret;
    }
    return out;
  }

  async store(a: AuthConfig): Promise<void> {
    const token = Boolean(a.identitytoken);
    await this.helper.store({
      ServerURL: a.serveraddress ?? '',
      Username: token ? TOKEN_USERNAME : a.username ?? '',
      Secret: token ? a.identitytoken! : a.password ?? '',
    });
    await this.file.store({ serveraddress: a.serveraddress, email: a.email });
  }

  async erase(serverAddress: string): Promise<void> {
    await this.helper.erase(serverAddress);
    await this.file.erase(serverAddress);
  }
}

/** The helper configured for a registry: credHelpers[host], else credsStore, else none. */
function helperName(config: CliConfigFile, serverAddress: string): string {
  const helpers = config.credHelpers;
  if (helpers && typeof helpers === 'object') {
    const h = (helpers as Record<string, unknown>)[convertToHostname(serverAddress)];
    if (typeof h === 'string' && h) return h;
  }
  return typeof config.credsStore === 'string' ? config.credsStore : '';
}

/** configfile.GetCredentialsStore. */
export function credentialStore(ctx: StoreContext, serverAddress: string): CredentialStore {
  const file = new FileStore(ctx);
  const name = helperName(ctx.config, serverAddress);
  return name ? new NativeStore(new CredentialHelper(name, ctx.env), file) : file;
}
