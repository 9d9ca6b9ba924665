// The client side of Docker's credential helper protocol (docker-credential-helpers'
// client package): `docker-credential-<name> store|get|erase|list`, the request on stdin, the
// answer on stdout, a failure as a non-zero exit with its message on stdout. Hand-written
// because it is Docker's wire protocol for secrets and four calls long.
import { spawn } from 'node:child_process';

/** What a helper stores: {"ServerURL","Username","Secret"}. */
export interface HelperCredentials {
  ServerURL: string;
  Username: string;
  Secret: string;
}

/** The helpers' "not found" answer (credentials.ErrCredentialsNotFound). */
const NOT_FOUND = 'credentials not found in native keychain';

export class CredentialsNotFoundError extends Error {
  constructor() {
    super(NOT_FOUND);
  }
}

interface HelperResult {
  code: number | null;
  stdout: string;
  /** Set when the program could not be started (Go's exec error text). */
  startError?: string;
}

function runHelper(program: string, action: string, input: string, env: NodeJS.ProcessEnv): Promise<HelperResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let settled = false;
    const child = spawn(program, [action], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      const why = err.code === 'ENOENT' ? `exec: ${JSON.stringify(program)}: executable file not found in $PATH` : err.message;
      resolve({ code: null, stdout, startError: why });
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      resolve({ code, stdout });
    });
    child.stdin.on('error', () => { /* the helper may exit without reading */ });
    child.stdin.end(input);
  });
}

function failure(r: HelperResult): string {
  return r.startError ?? `exit status ${r.code ?? 1}`;
}

export class CredentialHelper {
  readonly program: string;
  private readonly env: NodeJS.ProcessEnv;
  constructor(name: string, env: NodeJS.ProcessEnv = process.env) {
    this.program = `docker-credential-${name}`;
    this.env = env;
  }

  async store(creds: HelperCredentials): Promise<void> {
    const r = await runHelper(this.program, 'store', JSON.stringify(creds), this.env);
    if (r.code !== 0) throw new Error(`error storing credentials - err: ${failure(r)}, out: \`${r.stdout.trim()}\``);
  }

  /** The stored credentials, or CredentialsNotFoundError. */
  async get(serverUrl: string): Promise<HelperCredentials> {
    const r = await runHelper(this.program, 'get', serverUrl, this.env);
    if (r.code !== 0) {
      if (r.stdout.trim() === NOT_FOUND) throw new CredentialsNotFoundError();
      throw new Error(`error getting credentials - err: ${failure(r)}, out: \`${r.stdout.trim()}\``);
    }
    let parsed: Partial<HelperCredentials>;
    try {
      parsed = JSON.parse(r.stdout) as Partial<HelperCredentials>;
    } catch (err) {
      throw new Error(`error getting credentials - err: ${(err as Error).message}, out: \`${r.stdout.trim()}\``);
    }
    return { ServerURL: serverUrl, Username: String(parsed.Username ?? ''), Secret: String(parsed.Secret ?? '') };
  }

  async erase(serverUrl: string): Promise<void> {
    const r = await runHelper(this.program, 'erase', serverUrl, this.env);
    if (r.code !== 0) throw new Error(`error erasing credentials - err: ${failure(r)}, out: \`${r.stdout.trim()}\``);
  }

  /** Server URL -> user name for every stored credential. */
  async list(): Promise<Record<string, string>> {
    const r = await runHelper(this.program, 'list', '', this.env);
    if (r.code !== 0) throw new Error(`error listing credentials - err: ${failure(r)}, out: \`${r.stdout.trim()}\``);
    const parsed: unknown = JSON.parse(r.stdout || '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  }
}
