// `berth login [OPTIONS] [SERVER]`: docker/cli's registry/login.go. Tries the stored credentials
// first when no user or password was given, otherwise asks for them (on a terminal only), checks
// them with POST /auth and stores what the daemon accepted (an identity token instead of the
// password when the registry hands one out).
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { INDEX_SERVER, convertToHostname, credentialStore, storeContext } from '../../credentials/index.ts';
import type { AuthConfig } from '../../credentials/index.ts';
import { readAll, readPassword, readPromptLine } from './prompt.ts';

interface AuthenticateOk {
  Status?: string;
  IdentityToken?: string;
}

async function postAuth(ctx: CommandContext, a: AuthConfig): Promise<AuthenticateOk> {
  const body: Record<string, string> = {};
  if (a.username) body.username = a.username;
  if (a.password) body.password = a.password;
  if (a.serveraddress) body.serveraddress = a.serveraddress;
  if (a.identitytoken) body.identitytoken = a.identitytoken;
  return ctx.client.json<AuthenticateOk>('POST', '/auth', { body });
}

async function storeCredentials(ctx: CommandContext, a: AuthConfig, res: AuthenticateOk): Promise<void> {
  const stored: AuthConfig = { ...a };
  if (res.IdentityToken) {
    stored.password = '';
    stored.identitytoken = res.IdentityToken;
  }
  try {
    await credentialStore(storeContext(ctx), stored.serveraddress ?? '').store(stored);
  } catch (err) {
    throw new StatusError(1, `Error saving credentials: ${(err as Error).message}`);
  }
}

export const loginCommand: CommandSpec = {
  name: 'login',
  usage: '[OPTIONS] [SERVER]',
  short: 'Authenticate to a registry',
  long: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
  flags: [
    { name: 'password', short: 'p', type: 'string', usage: 'Password or Personal Access Token (PAT)' },
    { name: 'password-stdin', type: 'bool', usage: 'Take the Password or Personal Access Token (PAT) from stdin' },
    { name: 'username', short: 'u', type: 'string', usage: 'Username' },
  ],
  args: { max: 1 },
  async run(ctx, flags, args) {
    let user = flags.string('username');
    let password = flags.string('password');
    if (flags.changed('password-stdin')) {
      if (flags.changed('password')) throw new StatusError(1, 'conflicting options: cannot specify both --password and --password-stdin');
      if (!flags.changed('username')) throw new StatusError(1, 'the --password-stdin option requires --username to be set');
    }
    if (flags.changed('username') && user === '') throw new StatusError(1, 'username is empty');
    if (flags.changed('password') && password === '') throw new StatusError(1, 'password is empty');
    if (password) ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (flags.bool('password-stdin')) {
      password = (await readAll(ctx.stdin)).replace(/\n$/, '').replace(/\r$/, '');
    }

    const given = args[0] ?? '';
    const isDefault = given === '' || given === 'docker.io' || given === INDEX_SERVER;
    const serverAddress = isDefault ? INDEX_SERVER : convertToHostname(given);
    const store = credentialStore(storeContext(ctx), serverAddress);

    // Stored credentials first, when the command line names no user or password.
    let stored: AuthConfig = {};
    if (user === '' && password === '') {
      try {
        stored = await store.get(serverAddress);
      } catch {
        stored = {};
      }
    }
    if (stored.username && stored.password) {
      ctx.stderr.write(`Authenticating with existing credentials... [Username: ${stored.username}]\n`);
      // docker/cli's tui note, as it prints it off a terminal.
      ctx.stderr.write(`\n Info -> To login with a different account, run '${ctx.programName} logout' followed by '${ctx.programName} login'\n\n\n`);
      const a: AuthConfig = { username: stored.username, password: stored.password, serveraddress: serverAddress };
      try {
        const res = await postAuth(ctx, a);
        // The stored credentials are kept as they are unless the registry handed out a token
        // (docker says nothing about unencrypted storage here).
        if (res.IdentityToken) await storeCredentials(ctx, a, res);
        if (res.Status) ctx.stdout.write(`${res.Status}\n`);
        return 0;
      } catch (err) {
        if (err instanceof DaemonError && err.status === 401) ctx.stderr.write('Stored credentials invalid or expired\n');
        else if (err instanceof DaemonError) ctx.stderr.write(`Login did not succeed, error: Error response from daemon: ${err.message}\n`);
        else throw err;
      }
    }

    if ((user === '' || password === '') && !ctx.stdin.isTTY) {
      throw new StatusError(1, 'Error: Cannot perform an interactive login from a non TTY device');
    }
    user = user.trim();
    if (user === '') {
      const def = (stored.username ?? '').trim();
      user = (await readPromptLine(ctx.stdin, ctx.stdout, def ? `Username (${def}): ` : 'Username: ')).trim() || def;
      if (user === '') throw new StatusError(1, 'Error: Non-null Username Required');
    }
    password = password.trim();
    if (password === '') {
      password = (await readPassword(ctx.stdin, ctx.stdout, 'Password: ')).trim();
      ctx.stdout.write('\n');
      if (password === '') throw new StatusError(1, 'Error: Password Required');
    }
    const a: AuthConfig = { username: user, password, serveraddress: serverAddress };
    const res = await postAuth(ctx, a);
    await storeCredentials(ctx, a, res);
    if (res.Status) ctx.stdout.write(`${res.Status}\n`);
    return 0;
  },
};
