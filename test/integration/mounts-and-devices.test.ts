// -v, --mount, --tmpfs, --device and --device-cgroup-rule reach the container as Docker applies
// them, or are refused at create with a clear error; nothing is accepted and silently ignored
// (issue 8, robustness bug 9). Volumes themselves: volume-mounts.test.ts. Real berthd, real docker CLI, real runc.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startDaemonWithBusybox, type Daemon } from './harness.ts';

const execFileP = promisify(execFile);

let d: Daemon;
let host: string;
before(async () => {
  d = await startDaemonWithBusybox();
  host = await mkdtemp('/tmp/bt-binds-');
  await writeFile(join(host, 'hello'), 'from the host\n');
});
after(async () => {
  await d?.cleanup();
  if (host) await rm(host, { recursive: true, force: true });
});

/** A script that is executable, written and run inside a mount. */
const execIn = (dir: string) => `printf '#!/bin/sh\\necho ran\\n' > ${dir}/s && chmod +x ${dir}/s && ${dir}/s`;

describe('--tmpfs', () => {
  test('--tmpfs /tmp:noexec: a file there cannot be executed', async () => {
    const r = await d.docker(['run', '--rm', '--tmpfs', '/tmp:noexec', 'busybox', 'sh', '-c', execIn('/tmp')]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /Permission denied/);
    assert.doesNotMatch(r.stdout, /ran/);
  });

  test('a tmpfs is noexec by default (as Docker), exec and size= when asked', async () => {
    const plain = await d.docker(['run', '--rm', '--tmpfs', '/t', 'busybox', 'grep', ' /t ', '/proc/mounts']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^tmpfs \/t tmpfs \S*noexec/);
    const exec = await d.docker(['run', '--rm', '--tmpfs', '/t:exec,size=1m', 'busybox', 'sh', '-c', `${execIn('/t')} && (head -c 2000000 /dev/zero > /t/big) 2>/dev/null; wc -c < /t/big`]);
    assert.equal(exec.code, 0, exec.stderr);
    const [ran, written] = exec.stdout.trim().split('\n');
    assert.equal(ran, 'ran');
    assert.ok(Number(written) > 0 && Number(written) <= 1024 * 1024, `a 1m tmpfs took ${written} bytes`);
  });

  test('--mount type=tmpfs with tmpfs-size and tmpfs-mode', async () => {
    const r = await d.docker(['run', '--rm', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts; stat -c %a /t']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^tmpfs \/t tmpfs \S*size=1024k/m);
    assert.match(r.stdout, /^1770$/m);
  });

  test('bad tmpfs options and destinations are refused at create', async () => {
    const bad = await d.docker(['run', '--rm', '--tmpfs', '/t:bogus', 'busybox']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid tmpfs option "bogus"/);
    const root = await d.docker(['run', '--rm', '--tmpfs', '/', 'busybox']);
    assert.equal(root.code, 125);
    assert.match(root.stderr, /destination can't be '\/'/);
  });
});

describe('-v and --mount type=bind', () => {
  test('a host directory bound read-write: the container sees and writes the host\'s files', async () => {
    const r = await d.docker(['run', '--rm', '-v', `${host}:/data`, 'busybox', 'sh', '-c', 'cat /data/hello && echo back > /data/written']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'from the host\n');
    assert.equal(await readFile(join(host, 'written'), 'utf8'), 'back\n');
  });

  test(':ro and --mount readonly refuse writes', async () => {
    for (const flag of [['-v', `${host}:/data:ro`], ['--mount', `type=bind,src=${host},dst=/data,readonly`]]) {
      const r = await d.docker(['run', '--rm', ...flag, 'busybox', 'sh', '-c', 'cat /data/hello; touch /data/nope']);
      assert.equal(r.stdout, 'from the host\n', flag.join(' '));
      assert.notEqual(r.code, 0, flag.join(' '));
      assert.match(r.stderr, /Read-only file system/, flag.join(' '));
    }
  });

  test(':ro covers the mounts below the bound directory too (recursive read-only, as Docker 25+)', async () => {
    const dir = join(host, 'with-submount');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'berth-test', join(dir, 'sub')]);
    try {
      const r = await d.docker(['run', '--rm', '-v', `${dir}:/data:ro`, 'busybox', 'sh', '-c', 'touch /data/sub/f']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Read-only file system/);
      const top = await d.docker(['run', '--rm', '--mount', `type=bind,src=${dir},dst=/data,readonly,bind-recursive=writable`, 'busybox', 'sh', '-c', 'touch /data/sub/f && echo ok']);
      assert.equal(top.stdout, 'ok\n', top.stderr);
    } finally {
      await execFileP('umount', [join(dir, 'sub')]);
    }
  });

  test('-v creates a missing host directory; --mount refuses a missing source', async () => {
    const created = join(host, 'made', 'by-v');
    const r = await d.docker(['run', '--rm', '-v', `${created}:/x`, 'busybox', 'sh', '-c', 'echo in > /x/f']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await stat(created)).isDirectory());
    const missing = await d.docker(['run', '--rm', '--mount', `type=bind,src=${join(host, 'absent')},dst=/x`, 'busybox']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /bind source path does not exist/);
  });

  test('a duplicate destination is refused, and nothing is created', async () => {
    const r = await d.docker(['run', '--rm', '-v', `${host}:/x`, '--tmpfs', '/x', 'busybox']);
    assert.equal(r.code, 125, `${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /Duplicate mount point: \/x/);
    const ps = await d.docker(['ps', '-aq']);
    assert.equal(ps.stdout, '', 'no container was created');
  });

  test('an anonymous volume (-v /path) is a real volume now: no warning; a relative Volumes key is refused', async () => {
    const r = await d.docker(['run', '--rm', '-v', '/anon/deep', 'busybox', 'sh', '-c', 'echo x > /anon/deep/f && cat /anon/deep/f && grep -c " /anon/deep " /proc/mounts']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'x\n1\n');
    assert.doesNotMatch(r.stderr, /WARNING/);
    const rel = await d.api('POST', '/containers/create', { Image: 'busybox', Volumes: { 'rel/x': {} } });
    assert.equal(rel.status, 400, rel.text);
    assert.match(rel.json.message, /mount path must be absolute/);
  });
});

describe('--device and --device-cgroup-rule', () => {
  test('--device creates the node in the container and the cgroup allows it', async () => {
    const r = await d.docker(['run', '--rm', '--device', '/dev/null:/dev/mynull:rw', 'busybox', 'sh', '-c', 'ls -l /dev/mynull && echo x > /dev/mynull && echo wrote']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^crw\S* .* 1, +3 .*\/dev\/mynull$/m);
    assert.match(r.stdout, /^wrote$/m);
  });

  test('a missing host device is refused at create', async () => {
    const r = await d.docker(['run', '--rm', '--device', '/dev/berth-no-such-device', 'busybox']);
    // The CLI turns a daemon error naming "no such file or directory" into 127, with dockerd too.
    assert.equal(r.code, 127);
    assert.match(r.stderr, /error gathering device information while adding custom device "\/dev\/berth-no-such-device": no such file or directory/);
  });

  test('--device-cgroup-rule lets the container open a device the default rules deny', async () => {
    // 10:229 is /dev/fuse: not on Docker's default allow list, and opening it needs no capability.
    const script = 'mknod /tmp/fuse c 10 229 && (: <> /tmp/fuse) 2>&1; echo done';
    const denied = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', script]);
    assert.match(denied.stdout, /Operation not permitted/, denied.stderr);
    const allowed = await d.docker(['run', '--rm', '--device-cgroup-rule', 'c 10:229 rwm', 'busybox', 'sh', '-c', script]);
    assert.match(allowed.stdout, /^done$/m, allowed.stderr);
    assert.doesNotMatch(allowed.stdout, /Operation not permitted/);
  });
});

test('Docker\'s own create warnings reach the client', async () => {
  const r = await d.docker(['create', '--name', 'oomwarn', '--oom-kill-disable', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WARNING: OOM killer is disabled for the container, but no memory limit is set/);
  await d.docker(['rm', 'oomwarn']);
});

test('berth\'s own CLI gets the same: tmpfs noexec, a read-only bind, a device, a refusal and a warning', async () => {
  const tmpfs = await d.berth(['run', '--rm', '--tmpfs', '/tmp:noexec', 'busybox', 'sh', '-c', execIn('/tmp')]);
  assert.notEqual(tmpfs.code, 0);
  assert.match(tmpfs.stderr, /Permission denied/);
  const ro = await d.berth(['run', '--rm', '-v', `${host}:/data:ro`, 'busybox', 'sh', '-c', 'cat /data/hello; touch /data/nope']);
  assert.equal(ro.stdout, 'from the host\n');
  assert.match(ro.stderr, /Read-only file system/);
  const dev = await d.berth(['run', '--rm', '--device', '/dev/null:/dev/mynull', 'busybox', 'sh', '-c', 'echo x > /dev/mynull && echo wrote']);
  assert.equal(dev.stdout, 'wrote\n', dev.stderr);
  const named = await d.berth(['run', '--rm', '-v', 'named:/data', 'busybox', 'sh', '-c', 'echo v > /data/f && cat /data/f']);
  assert.equal(named.stdout, 'v\n', named.stderr);
  const anon = await d.berth(['run', '--rm', '-v', '/anon', 'busybox', 'true']);
  assert.equal(anon.code, 0, anon.stderr);
  assert.doesNotMatch(anon.stderr, /WARNING/);
  const dup = await d.berth(['run', '--rm', '-v', `${host}:/x`, '--tmpfs', '/x', 'busybox']);
  assert.equal(dup.code, 125);
  assert.match(dup.stderr, /Duplicate mount point: \/x/);
});
