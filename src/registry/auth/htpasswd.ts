// Accounts from an htpasswd file, as distribution's auth/htpasswd reads it: one `user:hash`
// a line, blank lines and `#` comments skipped, bcrypt hashes only ($2a$, $2b$, $2y$; other
// htpasswd formats such as MD5 `$apr1$` or SHA `{SHA}` are refused, as distribution does). The
// file is read again when its size or mtime changes, so adding a user needs no restart.
// Hashing is bcryptjs (pure JS, maintained, no native build): bcrypt is the format htpasswd and
// distribution share, and node:crypto has no bcrypt.
import { createHash } from 'node:crypto';
import { stat, readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
/** Go's bcrypt.DefaultCost, which distribution's docs and `htpasswd -B -C 10` use. */
export const DEFAULT_BCRYPT_COST = 10;
/** A hash of a password nobody has, checked for unknown users so that they take as long as known ones. */
const DUMMY_HASH = '$2y$10$s.h.sh7daWZawk3fP7FizeVRWUme3MPJ/I8Ie0cQneiF6dT2rmzl2';

export class HtpasswdError extends Error {}

/** Parses an htpasswd text; throws HtpasswdError naming the line of a malformed entry. */
export function parseHtpasswd(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HtpasswdError(`htpasswd line ${i + 1}: expected user:hash`);
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (!BCRYPT.test(hash)) {
      throw new HtpasswdError(`htpasswd line ${i + 1}: user ${JSON.stringify(user)}: only bcrypt hashes are supported (htpasswd -B)`);
    }
    entries.set(user, hash);
  }
  return entries;
}

/** One `user:hash` line (bcrypt, `$2y$` as Apache's htpasswd -B writes it). */
export async function htpasswdLine(user: string, password: string, cost = DEFAULT_BCRYPT_COST): Promise<string> {
  if (user === '' || user.includes(':') || /[\s]/.test(user)) throw new HtpasswdError(`invalid user name: ${JSON.stringify(user)}`);
  if (!Number.isInteger(cost) || cost < 4 || cost > 17) throw new HtpasswdError('bcrypt cost must be between 4 and 17');
  // bcrypt reads at most 72 bytes: refuse longer passwords rather than silently cut them.
  if (Buffer.byteLength(password) > 72) throw new HtpasswdError('password is longer than 72 bytes (bcrypt limit)');
  const hash = await bcrypt.hash(password, cost);
  return `${user}:${hash.replace(/^\$2b\$/, '$2y$')}`;
}

/**
 * The accounts of one htpasswd file, reloaded when it changes. Verified passwords are
 * remembered (a digest of user, password and hash; not the password) so a pull's many
 * requests do not each pay a bcrypt.
 */
export class HtpasswdFile {
  readonly path: string;
  #entries = new Map<string, string>();
  #stamp = '';
  #verified = new Set<string>();
  #loading: Promise<void> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** Loads the file; throws when it is missing or malformed (a start-up error). */
  async load(): Promise<void> {
    const st = await stat(this.path);
    const stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (stamp === this.#stamp) return;
    this.#entries = parseHtpasswd(await readFile(this.path, 'utf8'));
    this.#stamp = stamp;
    this.#verified.clear();
  }

  /** Reloads when changed; a file that became unreadable or malformed keeps the last good accounts. */
  async #refresh(): Promise<void> {
    this.#loading ??= this.load()
      .catch(() => {})
      .finally(() => {
        this.#loading = undefined;
      });
    await this.#loading;
  }

  async has(user: string): Promise<boolean> {
    await this.#refresh();
    return this.#entries.has(user);
  }

  /**
   * A short digest of the user's current entry, or undefined for no such user: refresh tokens
   * carry it, so a changed password (or a removed user) ends them.
   */
  async fingerprint(user: string): Promise<string | undefined> {
    await this.#refresh();
    const hash = this.#entries.get(user);
    return hash === undefined ? undefined : createHash('sha256').update(`${user}\0${hash}`).digest('base64url').slice(0, 22);
  }

  /** True when `user` exists and `password` matches its bcrypt hash. */
  async verify(user: string, password: string): Promise<boolean> {
    await this.#refresh();
    const hash = this.#entries.get(user);
    if (hash === undefined || Buffer.byteLength(password) > 72) {
      await bcrypt.compare(password.slice(0, 72), DUMMY_HASH);
      return false;
    }
    const key = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('base64');
    if (this.#verified.has(key)) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) {
      if (this.#verified.size >= 1024) this.#verified.clear();
      this.#verified.add(key);
    }
    return ok;
  }
}

/** Splits a `Basic` Authorization header into user and password; undefined when absent or not Basic. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
