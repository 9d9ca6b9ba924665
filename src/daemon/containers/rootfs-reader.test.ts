// rootfsReader reads /etc/passwd and /etc/group of a container's rootfs (for --user and exec -u),
// which a running container can change: a FIFO there made the read block a libuv thread forever
// (and the request with it), and a symlink must never reach the host's files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootfsReader } from './spec-inputs.ts';

test('rootfsReader: a FIFO gives nothing (and does not hang), links stay in the rootfs', { timeout: 10_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'berth-rootfs-reader-'));
  try {
    const rootfs = join(tmp, 'rootfs');
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(join(tmp, 'host-group'), 'host:x:0:\n');
    execFileSync('mkfifo', [join(rootfs, 'etc/passwd')]);
    symlinkSync(join(tmp, 'host-group'), join(rootfs, 'etc/group'));
    writeFileSync(join(rootfs, 'etc/hosts'), '127.0.0.1 localhost\n');
    const read = rootfsReader(rootfs);
    assert.equal(await read('/etc/hosts'), '127.0.0.1 localhost\n');
    assert.equal(await read('/etc/group'), undefined);
    assert.equal(await read('/etc/passwd'), undefined);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
