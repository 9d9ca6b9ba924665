// The stat of a container path that `docker cp` sends base64-encoded in the
// X-Docker-Container-Path-Stat header (moby's container.PathStat): mode in Go's os.FileMode bits
// (type bits high, not st_mode's S_IF*), mtime as Go marshals a time.Time (RFC 3339, ns).

/** Go's os.FileMode type and special bits (io/fs), as numbers: 1 << 31 does not fit a JS int. */
export const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

const S_IFMT = 0o170000;

/** Go's fs.FileMode of a Linux st_mode (syscall.Stat_t to os.FileMode, as os.Lstat does). */
export function goFileMode(stMode: number): number {
  let m = stMode & 0o777;
  switch (stMode & S_IFMT) {
    case 0o060000: m += GO_MODE.device; break;
    case 0o020000: m += GO_MODE.device + GO_MODE.charDevice; break;
    case 0o040000: m += GO_MODE.dir; break;
    case 0o010000: m += GO_MODE.namedPipe; break;
    case 0o120000: m += GO_MODE.symlink; break;
    case 0o140000: m += GO_MODE.socket; break;
    default: break;
  }
  if (stMode & 0o4000) m += GO_MODE.setuid;
  if (stMode & 0o2000) m += GO_MODE.setgid;
  if (stMode & 0o1000) m += GO_MODE.sticky;
  return m;
}

/** Whether a Go FileMode is a directory / a symlink. */
export const goModeIsDir = (mode: number) => mode >= GO_MODE.dir;
export const goModeIsSymlink = (mode: number) => Math.floor(mode / GO_MODE.symlink) % 2 === 1;

/** Go's time.Time JSON: RFC 3339 with nanoseconds, trailing zeros cut, in UTC. */
export function goTimeJson(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n + 1_000_000_000n) % 1_000_000_000n;
  const base = new Date(ms - Number(frac / 1_000_000n)).toISOString().slice(0, 19);
  const digits = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${digits}Z`;
}

/** The wire shape (types.ContainerPathStat). */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Parses the header (client side); undefined when it is missing or not what moby sends. */
export function decodePathStat(header: string | undefined): ContainerPathStat | undefined {
  if (!header) return undefined;
  try {
    const v = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Partial<ContainerPathStat>;
    if (typeof v.name !== 'string' || typeof v.mode !== 'number') return undefined;
    return { name: v.name, size: Number(v.size ?? 0), mode: v.mode, mtime: String(v.mtime ?? ''), linkTarget: String(v.linkTarget ?? '') };
  } catch {
    return undefined;
  }
}
