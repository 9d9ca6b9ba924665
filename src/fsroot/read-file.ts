// Reading one regular file of a root (an image's /etc/passwd, a live container's files) without
// following anything out of it, and without blocking on a FIFO or opening a device node that a
// container put there: the file is opened O_PATH inside the root, checked, then reopened
// through its own fd (/proc/self/fd/N names that very inode, not a path to look up again).
import { closeSync, fstatSync, openSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { invalidParameter, isErrno } from '../common/index.ts';
import { openInRoot, openRoot } from './open-in-root.ts';
import { O_PATH, O_RDONLY } from './syscalls.linux.ts';

const readAsync = promisify(read);

/**
 * The bytes of the regular file `path` inside `root` (links followed inside the root), or
 * undefined when it is missing or not a regular file. More than `maxBytes` is an error.
 */
export async function readFileInRoot(root: string, path: string, maxBytes: number): Promise<Buffer | undefined> {
  return readRegularFile(() => {
    const rootFd = openRoot(root);
    try {
      return openInRoot(rootFd, path, { flags: O_PATH, followFinal: true });
    } finally {
      closeSync(rootFd);
    }
  }, path, maxBytes);
}

/** readFileInRoot's read, given how to open the file O_PATH (links followed, inside its root). */
export async function readRegularFile(openPath: () => number, path: string, maxBytes: number): Promise<Buffer | undefined> {
  let pathFd: number;
  try {
    pathFd = openPath();
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
  let fd: number;
  try {
    if (!fstatSync(pathFd).isFile()) return undefined;
    fd = openSync(`/proc/self/fd/${pathFd}`, O_RDONLY);
  } finally {
    closeSync(pathFd);
  }
  try {
    const buf = Buffer.alloc(Math.min(fstatSync(fd).size, maxBytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await readAsync(fd, buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > maxBytes) throw invalidParameter(`${path} is too large to read (more than ${maxBytes} bytes)`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
