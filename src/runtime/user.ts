// Resolves a container's `User` ("name", "uid", "name:group", "uid:gid", ...) and `GroupAdd`
// against the image's /etc/passwd and /etc/group, with the rules and error texts of
// moby/sys/user GetExecUser and GetAdditionalGroups, which is what Docker runs.
// The files are read through an injected function: the caller resolves paths inside the
// rootfs safely; this module never touches the rootfs itself.
import { invalidParameter } from '../common/index.ts';

/** Reads a file by its path inside the container rootfs; undefined when it does not exist. */
export type ReadRootfsFile = (pathInRootfs: string) => Promise<string | undefined>;

export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  password: string;
  gid: number;
  members: string[];
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Primary gid first, then the user's supplementary groups, then GroupAdd (Docker's order). */
  additionalGids: number[];
  /** Home directory from passwd ('' when the user has no entry). */
  home: string;
}

const MAX_ID = 2 ** 31 - 1;
const RANGE_ERROR = `uids and gids must be in range 0-${MAX_ID}`;
const NO_PASSWD_ENTRIES = 'no matching entries in passwd file';
const NO_GROUP_ENTRIES = 'no matching entries in group file';

/** Go's strconv.Atoi: optional sign, decimal digits, must fit in int64. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) return undefined;
  return Number(n);
}

/** Like moby's parseLine: an unparsable number field reads as 0. */
const intField = (s: string | undefined) => atoi(s ?? '') ?? 0;

function lines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).map((line) => {
    const f = line.split(':');
    return {
      name: f[0] ?? '',
      password: f[1] ?? '',
      uid: intField(f[2]),
      gid: intField(f[3]),
      gecos: f[4] ?? '',
      home: f[5] ?? '',
      shell: f[6] ?? '',
    };
  });
}

export function parseGroup(text: string): GroupEntry[] {
  return lines(text).map((line) => {
    const f = line.split(':');
    const list = f[3] ?? '';
    return {
      name: f[0] ?? '',
      password: f[1] ?? '',
      gid: intField(f[2]),
      members: list === '' ? [] : list.split(','),
    };
  });
}

function inRange(id: number): boolean {
  return id >= 0 && id <= MAX_ID;
}

/**
 * Resolves `userSpec` (Config.User) and `groupAdd` (HostConfig.GroupAdd). A missing passwd or
 * group file is fine for numeric ids; a name that matches nothing is Docker's error.
 */
export async function resolveUser(
  userSpec: string | undefined,
  groupAdd: readonly string[] | undefined | null,
  readFile: ReadRootfsFile,
): Promise<ResolvedUser> {
  const passwdText = await readFile('/etc/passwd');
  const groupText = await readFile('/etc/group');
  const passwd = passwdText === undefined ? undefined : parsePasswd(passwdText);
  const groups = groupText === undefined ? undefined : parseGroup(groupText);
  const user = execUser(userSpec ?? '', passwd, groups);
  const added = groupAdd && groupAdd.length > 0 ? additionalGroups(groupAdd, groups) : [];
  return {
    uid: user.uid,
    gid: user.gid,
    additionalGids: [user.gid, ...user.sgids, ...added],
    home: user.home,
  };
}

interface ExecUser {
  uid: number;
  gid: number;
  sgids: number[];
  home: string;
}

/** moby/sys/user GetExecUser with default uid/gid 0. */
function execUser(
  userSpec: string,
  passwd: PasswdEntry[] | undefined,
  groups: GroupEntry[] | undefined,
): ExecUser {
  const user: ExecUser = { uid: 0, gid: 0, sgids: [], home: '' };
  const parts = userSpec.split(':');
  const userArg = parts[0] ?? '';
  const groupArg = parts[1] ?? '';
  const uidArg = atoi(userArg);
  const gidArg = atoi(groupArg);

  const users = (passwd ?? []).filter((u) => {
    if (userArg === '') return u.uid === user.uid;
    if (uidArg !== undefined) return u.uid === uidArg;
    return u.name === userArg;
  });

  let matchedName = '';
  const first = users[0];
  if (first) {
    matchedName = first.name;
    user.uid = first.uid;
    user.gid = first.gid;
    user.home = first.home;
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw invalidParameter(`unable to find user ${userArg}: ${NO_PASSWD_ENTRIES}`);
    }
    user.uid = uidArg;
    if (!inRange(user.uid)) throw invalidParameter(RANGE_ERROR);
  }

  if (groupArg !== '' || matchedName !== '') {
    const found = (groups ?? []).filter((g) => {
      if (groupArg === '') return g.members.includes(matchedName);
      if (gidArg !== undefined) return g.gid === gidArg;
      return g.name === groupArg;
    });
    if (groupArg !== '') {
      const g = found[0];
      if (g) {
        user.gid = g.gid;
      } else {
        if (gidArg === undefined) {
          throw invalidParameter(`unable to find group ${groupArg}: ${NO_GROUP_ENTRIES}`);
        }
        user.gid = gidArg;
        if (!inRange(user.gid)) throw invalidParameter(RANGE_ERROR);
      }
    } else if (found.length > 0) {
      // Supplementary groups only in the implicit form ("name", not "name:group").
      user.sgids = found.map((g) => g.gid);
    }
  }
  return user;
}

/** moby/sys/user GetAdditionalGroups: names or gids; unknown numeric gids are taken as they are. */
function additionalGroups(groupAdd: readonly string[], groups: GroupEntry[] | undefined): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const ag of groupAdd) {
    const match = (groups ?? []).find((g) => g.name === ag || String(g.gid) === ag);
    let gid: number;
    if (match) {
      gid = match.gid;
    } else {
      const n = atoi(ag);
      if (n === undefined) throw invalidParameter(`Unable to find group ${ag}: ${NO_GROUP_ENTRIES}`);
      if (!inRange(n)) throw invalidParameter(RANGE_ERROR);
      gid = n;
    }
    if (!seen.has(gid)) {
      seen.add(gid);
      out.push(gid);
    }
  }
  return out;
}
