// Containers' mounts of issue 9: named and anonymous volumes through -v and --mount, an image's
// VOLUMEs copied up with their owners, rm -v, --volumes-from with :ro, read-only binds, tmpfs
// limits, bind propagation as seen in the container's mountinfo, inspect and ps of mounts, a
// volume in use refused removal, and a kill -9 of berthd while a tmpfs volume is mounted.
// Real berthd, real runc, through the real docker CLI and berth's own.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { BUSYBOX_TAR, startDaemonWithBusybox, waitFor, type Daemon, type RunResult } from './harness.ts';

const execFileP = promisify(execFile);

let d: Daemon;
let host: string;
/** Host mounts this file made (the shared tmpfs for propagation), removed in after(). */
const hostMounts: string[] = [];

/**
 * An image from busybox's layer plus /data (owned 1000:1000, mode 0750) holding a file, a
 * symlink, a hard link and a root-owned subdirectory, with `VOLUME /data`.
 */
async function makeVolumeImage(dir: string): Promise<string> {
  const out = join(dir, 'volimg.tar');
  const script = `
import io, json, sys, tarfile
src = tarfile.open(sys.argv[1])
manifest = json.load(src.extractfile('manifest.json'))
layer = tarfile.open(fileobj=io.BytesIO(src.extractfile(manifest[0]['Layers'][0]).read()))
out = tarfile.open(sys.argv[2], 'w', format=tarfile.GNU_FORMAT)
for m in layer.getmembers():
    out.addfile(m, layer.extractfile(m) if m.isfile() else None)
def add(name, kind, mode, uid, gid, data=b'', target=''):
    t = tarfile.TarInfo(name); t.type = kind; t.mode = mode; t.uid = uid; t.gid = gid; t.mtime = 1000000000
    if kind == tarfile.REGTYPE: t.size = len(data)
    t.linkname = target
    out.addfile(t, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
add('data', tarfile.DIRTYPE, 0o750, 1000, 1000)
add('data/owned.txt', tarfile.REGTYPE, 0o640, 1000, 1000, b'from the image\\n')
add('data/link', tarfile.SYMTYPE, 0o777, 1000, 1000, target='owned.txt')
add('data/hard', tarfile.LNKTYPE, 0o640, 1000, 1000, target='data/owned.txt')
add('data/sub', tarfile.DIRTYPE, 0o700, 0, 0)
add('data/sub/deep', tarfile.REGTYPE, 0o600, 0, 0, b'deep\\n')
out.close()
`;
  await execFileP('python3', ['-c', script, BUSYBOX_TAR, out]);
  return out;
}

async function ok(r: Promise<RunResult>, what: string): Promise<string> {
  const res = await r;
  assert.equal(res.code, 0, `${what}: ${res.stdout}${res.stderr}`);
  return res.stdout;
}

/** Our data root's mounts on the host (none may stay after a container stops). */
async function hostMountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dir));
}

before(async () => {
  d = await startDaemonWithBusybox();
  host = await mkdtemp('/tmp/bt-vm-');
  await writeFile(join(host, 'hello'), 'from the host\n');
  const tar = await makeVolumeImage(host);
  await ok(d.docker(['import', '-c', 'VOLUME /data', '-c', 'CMD ["sh"]', tar, 'volimg']), 'import');
});

after(async () => {
  await d?.cleanup();
  for (const m of hostMounts.reverse()) await execFileP('umount', ['-l', m]).catch(() => {});
  if (host) await rm(host, { recursive: true, force: true });
});

for (const cli of ['docker', 'berth'] as const) {
  const run = (args: string[]) => d[cli](args);

  describe(`through ${cli}`, () => {
    test('a named volume survives rm of its container and is shared by two running containers', async () => {
      const vol = `${cli}-shared`;
      await ok(run(['run', '--name', `${cli}-w`, '-v', `${vol}:/v`, 'busybox', 'sh', '-c', 'echo kept > /v/f']), 'write');
      await ok(run(['rm', `${cli}-w`]), 'rm');
      assert.equal(await ok(run(['run', '--rm', '--mount', `type=volume,src=${vol},dst=/w`, 'busybox', 'cat', '/w/f']), 'read'), 'kept\n');
      await ok(run(['run', '-d', '--name', `${cli}-a`, '-v', `${vol}:/v`, 'busybox', 'sleep', '300']), 'a');
      await ok(run(['run', '-d', '--name', `${cli}-b`, '-v', `${vol}:/v`, 'busybox', 'sleep', '300']), 'b');
      await ok(run(['exec', `${cli}-a`, 'sh', '-c', 'echo from-a > /v/shared']), 'exec a');
      assert.equal(await ok(run(['exec', `${cli}-b`, 'cat', '/v/shared']), 'exec b'), 'from-a\n');
      // In use: refused (409), named in the message.
      const busy = await run(['volume', 'rm', vol]);
      assert.notEqual(busy.code, 0);
      assert.match(busy.stderr, /volume is in use/);
      const api = await d.api('DELETE', `/volumes/${vol}`);
      assert.equal(api.status, 409, api.text);
      // inspect Mounts in Docker's shape, ps --filter volume= by name and destination.
      const mounts = JSON.parse(await ok(run(['inspect', '-f', '{{json .Mounts}}', `${cli}-a`]), 'inspect'));
      const data = (await d.api('GET', `/volumes/${vol}`)).json;
      assert.deepEqual(mounts, [{ Type: 'volume', Name: vol, Source: data.Mountpoint, Destination: '/v', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }]);
      const byName = await ok(run(['ps', '--filter', `volume=${vol}`, '--format', '{{.Names}}']), 'ps');
      assert.deepEqual(byName.trim().split('\n').sort(), [`${cli}-a`, `${cli}-b`]);
      assert.equal((await ok(run(['ps', '--filter', 'volume=/v', '-q']), 'ps dest')).trim().split('\n').length, 2);
      assert.equal(await ok(run(['ps', '--filter', 'volume=nothing-like-it', '-q']), 'ps none'), '');
      assert.equal((await ok(run(['ps', '--filter', `name=${cli}-a`, '--format', '{{.Mounts}}']), 'ps mounts')).trim(), vol.length > 15 ? `${vol.slice(0, 14)}…` : vol);
      await ok(run(['rm', '-f', `${cli}-a`, `${cli}-b`]), 'rm -f');
      await ok(run(['volume', 'rm', vol]), 'volume rm after');
    });

    test('an image VOLUME becomes an anonymous volume with the image\'s files, owners and links', async () => {
      const out = await ok(run(['run', '--name', `${cli}-anon`, 'volimg', 'sh', '-c',
        'stat -c "%n %u:%g %a %h" /data /data/owned.txt /data/sub /data/sub/deep; readlink /data/link; cat /data/hard; grep " /data " /proc/mounts | cut -d" " -f2']), 'run');
      assert.equal(out, [
        '/data 1000:1000 750 3', '/data/owned.txt 1000:1000 640 2', '/data/sub 0:0 700 2', '/data/sub/deep 0:0 600 1',
        'owned.txt', 'from the image', '/data', '',
      ].join('\n'));
      const [m] = JSON.parse(await ok(run(['inspect', '-f', '{{json .Mounts}}', `${cli}-anon`]), 'inspect'));
      assert.equal(m.Type, 'volume');
      assert.match(m.Name, /^[0-9a-f]{64}$/);
      assert.equal(m.Mode, '');
      const vols = await ok(run(['volume', 'ls', '-q']), 'ls');
      assert.ok(vols.includes(m.Name));
      // Without -v the anonymous volume stays (dangling) after rm; with rm -v it goes.
      await ok(run(['rm', `${cli}-anon`]), 'rm');
      assert.ok((await ok(run(['volume', 'ls', '-q', '--filter', 'dangling=true']), 'dangling')).includes(m.Name));
      await ok(run(['run', '--name', `${cli}-anon2`, '-v', '/scratch', 'volimg', 'true']), 'run 2');
      const [m2] = JSON.parse(await ok(run(['inspect', '-f', '{{json .Mounts}}', `${cli}-anon2`]), 'inspect 2'))
        .filter((x: { Destination: string }) => x.Destination === '/scratch');
      await ok(run(['rm', '-v', `${cli}-anon2`]), 'rm -v');
      assert.ok(!(await ok(run(['volume', 'ls', '-q']), 'ls 2')).includes(m2.Name), 'rm -v removed the anonymous volume');
      await ok(run(['volume', 'rm', m.Name]), 'cleanup');
      // --rm takes the container's anonymous volumes with it (Docker's auto-remove removes them).
      const before = (await ok(run(['volume', 'ls', '-q']), 'ls 3')).trim();
      await ok(run(['run', '--rm', '-v', '/scratch', 'volimg', 'ls', '/data/owned.txt']), '--rm');
      assert.equal((await ok(run(['volume', 'ls', '-q']), 'ls 4')).trim(), before, '--rm left no volume');
    });

    test('nocopy and a mount over the VOLUME: nothing is copied, no anonymous volume made', async () => {
      const before = (await ok(run(['volume', 'ls', '-q']), 'ls')).trim();
      const out = await ok(run(['run', '--rm', '-v', `${cli}-nc:/data:nocopy`, 'volimg', 'ls', '-A', '/data']), 'nocopy');
      assert.equal(out, '');
      assert.equal((await ok(run(['volume', 'ls', '-q']), 'ls after')).trim().split('\n').filter((n) => n && !before.includes(n)).join(), `${cli}-nc`);
      await ok(run(['volume', 'rm', `${cli}-nc`]), 'rm');
    });

    test('--volumes-from with :ro takes the other container\'s volumes and binds read-only', async () => {
      await ok(run(['create', '--name', `${cli}-src`, '-v', `${cli}-vf:/v`, '-v', `${host}:/h`, 'busybox']), 'create');
      const ro = await run(['run', '--rm', '--volumes-from', `${cli}-src:ro`, 'busybox', 'sh', '-c', 'cat /h/hello; touch /v/x']);
      assert.equal(ro.stdout, 'from the host\n');
      assert.notEqual(ro.code, 0);
      assert.match(ro.stderr, /Read-only file system/);
      await ok(run(['run', '--rm', '--volumes-from', `${cli}-src`, 'busybox', 'touch', '/v/x']), 'rw');
      const bad = await run(['run', '--rm', '--volumes-from', 'no-such-container-x', 'busybox', 'true']);
      assert.equal(bad.code, 125);
      assert.match(bad.stderr, /No such container: no-such-container-x/);
      await ok(run(['rm', `${cli}-src`]), 'rm');
      await ok(run(['volume', 'rm', `${cli}-vf`]), 'volume rm');
    });

    test('a read-only bind refuses writes; a tmpfs size limit is enforced', async () => {
      const ro = await run(['run', '--rm', '-v', `${host}:/h:ro`, 'busybox', 'sh', '-c', 'cat /h/hello; echo x > /h/nope']);
      assert.equal(ro.stdout, 'from the host\n');
      assert.match(ro.stderr, /Read-only file system/);
      const big = await run(['run', '--rm', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/t/f bs=1k count=2048 2>&1; wc -c < /t/f']);
      assert.match(big.stdout, /No space left on device/);
      assert.ok(Number(big.stdout.trim().split('\n').at(-1)) <= 1024 * 1024);
    });
  });
}

test('--mount volume-subpath: only that directory of the volume, its symlinks resolved inside the volume', async () => {
  await ok(d.docker(['run', '--rm', '-v', 'subv:/v', 'busybox', 'sh', '-c', 'mkdir -p /v/app/conf && echo cfg > /v/app/conf/a && ln -s / /v/escape && ln -s /app /v/rel']), 'fill');
  for (const cli of ['docker', 'berth'] as const) {
    assert.equal(await ok(d[cli](['run', '--rm', '--mount', 'type=volume,src=subv,dst=/c,volume-subpath=app/conf', 'busybox', 'cat', '/c/a']), `${cli} subpath`), 'cfg\n');
  }
  // "/" seen from inside the volume is the volume's own root, not the host's.
  assert.equal(await ok(d.docker(['run', '--rm', '--mount', 'type=volume,src=subv,dst=/c,volume-subpath=escape', 'busybox', 'ls', '/c']), 'escape'), 'app\nescape\nrel\n');
  assert.equal(await ok(d.docker(['run', '--rm', '--mount', 'type=volume,src=subv,dst=/c,volume-subpath=rel/conf', 'busybox', 'cat', '/c/a']), 'rel'), 'cfg\n');
  const missing = await d.docker(['run', '--rm', '--mount', 'type=volume,src=subv,dst=/c,volume-subpath=nope', 'busybox', 'true']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /cannot access path "nope" in volume/);
  const up = await d.docker(['run', '--rm', '--mount', 'type=volume,src=subv,dst=/c,volume-subpath=../x', 'busybox', 'true']);
  assert.match(up.stderr, /subpath must be a relative path within the volume/);
  // The staging binds (under the exec root) went once runc had made the mounts.
  assert.deepEqual(await hostMountsUnder(join(d.execRoot, 'subpaths')), []);
  assert.deepEqual(await readdir(join(d.execRoot, 'subpaths')), []);
  await ok(d.docker(['volume', 'rm', 'subv']), 'rm');
});

test('-v and --mount errors are Docker\'s', async () => {
  const cases: [string[], RegExp][] = [
    [['-v', 'rel/dir:/data'], /create rel\/dir: "rel\/dir" includes invalid characters for a local volume name/],
    [['-v', 'vx:/data:rshared'], /invalid volume specification: 'vx:\/data:rshared': invalid mount config for type "volume": field BindOptions must not be specified/],
    [['-v', `${host}:/`], /destination can't be '\/'/],
    [['-v', `${host}:/x`, '-v', 'vv:/x'], /Duplicate mount point: \/x/],
    [['--mount', `type=bind,src=${join(host, 'absent')},dst=/x`], /invalid mount config for type "bind": bind source path does not exist/],
    [['--mount', 'type=volume,dst=/x,readonly'], /must not set ReadOnly mode when using anonymous volumes/],
    [['-v', 'vv:/x', '--volume-driver', 'nfs'], /error looking up volume plugin nfs: plugin "nfs" not found/],
    [['--volumes-from', 'c:nocopy'], /invalid mode: nocopy/],
  ];
  const before = (await ok(d.docker(['volume', 'ls', '-q']), 'ls')).trim();
  for (const [flags, message] of cases) {
    for (const cli of ['docker', 'berth'] as const) {
      const r = await d[cli](['run', '--rm', ...flags, 'busybox', 'true']);
      assert.notEqual(r.code, 0, `${cli} ${flags.join(' ')}`);
      assert.match(r.stderr, message, `${cli} ${flags.join(' ')}`);
    }
  }
  assert.equal((await ok(d.docker(['ps', '-aq']), 'ps')).trim(), '', 'no container was left');
  assert.equal((await ok(d.docker(['volume', 'ls', '-q']), 'ls')).trim(), before, 'no volume was left');
  const missing = join(host, 'made-by-v');
  await ok(d.docker(['run', '--rm', '-v', `${missing}:/m`, 'busybox', 'true']), '-v creates');
  assert.ok((await stat(missing)).isDirectory());
});

test('propagation: shared and slave binds show in the container\'s mountinfo; a private source is refused', async () => {
  const shared = join(host, 'shared');
  await mkdir(shared);
  await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'berth-prop', shared]);
  hostMounts.push(shared);
  await execFileP('mount', ['--make-shared', shared]);
  const info = (flag: string) => d.docker(['run', '--rm', '-v', `${shared}:/p:${flag}`, 'busybox', 'sh', '-c', 'grep " /p " /proc/self/mountinfo']);
  assert.match(await ok(info('shared'), 'shared'), / \/p \S+ shared:\d+/);
  assert.match(await ok(info('slave'), 'slave'), / \/p \S+ master:\d+/);
  assert.doesNotMatch(await ok(info('rprivate'), 'private'), /shared:|master:/);
  assert.match(await ok(d.berth(['run', '--rm', '--mount', `type=bind,src=${shared},dst=/p,bind-propagation=rshared`, 'busybox', 'grep', ' /p ', '/proc/self/mountinfo']), 'berth'), /shared:\d+/);
  // A mount made on the host under a shared bind appears in the running container.
  await ok(d.docker(['run', '-d', '--name', 'prop', '-v', `${shared}:/p:rslave`, 'busybox', 'sleep', '300']), 'run -d');
  await mkdir(join(shared, 'late'));
  await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'berth-late', join(shared, 'late')]);
  hostMounts.push(join(shared, 'late'));
  assert.match(await ok(d.docker(['exec', 'prop', 'grep', ' /p/late ', '/proc/self/mountinfo']), 'late'), /berth-late/);
  await ok(d.docker(['rm', '-f', 'prop']), 'rm');
  const priv = await d.docker(['run', '--rm', '-v', `${host}:/p:shared`, 'busybox', 'true']);
  assert.notEqual(priv.code, 0);
  assert.match(priv.stderr, new RegExp(`Error response from daemon: path ${host} is mounted on / but it is not a shared mount`));
  assert.doesNotMatch(priv.stderr, /OCI runtime/);
});

test('kill -9 of berthd while a tmpfs volume is mounted: intact after restart, unmounted when its container stops', async () => {
  // live-restore: the container keeps running across the daemon's death (without it, restore kills it).
  const lr = await startDaemonWithBusybox(['--live-restore']);
  try {
    await ok(lr.docker(['volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=2m', 'tv']), 'create');
    await ok(lr.berth(['run', '-d', '--name', 'tvc', '-v', 'tv:/t', 'busybox', 'sh', '-c', 'echo alive > /t/f; sleep 300']), 'run');
    const mountpoint = (await lr.api('GET', '/volumes/tv')).json.Mountpoint as string;
    await waitFor(async () => (await hostMountsUnder(mountpoint)).length === 1, 'the tmpfs volume mounted on the host');
    await lr.kill9();
    await lr.start();
    assert.equal((await hostMountsUnder(mountpoint)).length, 1, 'still mounted for its running container');
    assert.equal(await ok(lr.docker(['exec', 'tvc', 'cat', '/t/f']), 'exec'), 'alive\n');
    assert.equal(await readFile(join(mountpoint, 'f'), 'utf8'), 'alive\n');
    const rm = await lr.docker(['volume', 'rm', 'tv']);
    assert.match(rm.stderr, /volume is in use/);
    await ok(lr.berth(['stop', '-t', '0', 'tvc']), 'stop');
    await waitFor(async () => (await hostMountsUnder(mountpoint)).length === 0, 'the volume unmounted after its container stopped');
    await ok(lr.docker(['rm', 'tvc']), 'rm');
    await ok(lr.docker(['volume', 'rm', 'tv']), 'volume rm');
    assert.deepEqual(await hostMountsUnder(lr.dataRoot), []);
  } finally {
    await lr.cleanup();
  }
});

test('kill -9 of berthd without live-restore: the killed container\'s tmpfs volume is unmounted, mounted again for a restarted one', async () => {
  await ok(d.docker(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', 'tv2']), 'create');
  await ok(d.docker(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', 'tv3']), 'create');
  await ok(d.docker(['run', '-d', '--name', 'once', '-v', 'tv2:/t', 'busybox', 'sleep', '300']), 'run once');
  await ok(d.docker(['run', '-d', '--name', 'always', '--restart', 'always', '-v', 'tv3:/t', 'busybox', 'sleep', '300']), 'run always');
  const mp = async (v: string) => (await d.api('GET', `/volumes/${v}`)).json.Mountpoint as string;
  const [m2, m3] = [await mp('tv2'), await mp('tv3')];
  assert.equal((await hostMountsUnder(m2)).length + (await hostMountsUnder(m3)).length, 2);
  await d.kill9();
  await d.start();
  await waitFor(async () => (await ok(d.docker(['inspect', '-f', '{{.State.Running}}', 'always']), 'inspect')).trim() === 'true', 'the always container restarted');
  assert.deepEqual(await hostMountsUnder(m2), [], 'the killed container\'s volume was unmounted');
  assert.equal((await hostMountsUnder(m3)).length, 1, 'the restarted container\'s volume is mounted');
  await ok(d.docker(['rm', '-f', 'once', 'always']), 'rm');
  await waitFor(async () => (await hostMountsUnder(m3)).length === 0, 'unmounted after rm -f');
  await ok(d.docker(['volume', 'rm', 'tv2', 'tv3']), 'volume rm');
});

test('volume events: mount and unmount with Docker\'s attributes', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await ok(d.docker(['run', '--rm', '-v', 'ev:/e:ro', 'busybox', 'true']), 'run');
  const until = Math.floor(Date.now() / 1000) + 1;
  const out = await ok(d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--filter', 'volume=ev', '--format', '{{json .}}']), 'events');
  const events = out.trim().split('\n').map((l) => JSON.parse(l));
  const mount = events.find((e) => e.Action === 'mount');
  assert.equal(mount?.Actor.ID, 'ev');
  assert.deepEqual(Object.keys(mount.Actor.Attributes).sort(), ['container', 'destination', 'driver', 'propagation', 'read/write']);
  assert.equal(mount.Actor.Attributes['read/write'], 'false');
  assert.ok(events.some((e) => e.Action === 'unmount' && e.Actor.ID === 'ev'));
  await ok(d.docker(['volume', 'rm', 'ev']), 'rm');
});

test('every mount the tests made under the data root is gone', async () => {
  assert.equal((await ok(d.docker(['ps', '-q']), 'ps')).trim(), '', 'no container runs any more');
  await waitFor(async () => (await hostMountsUnder(d.dataRoot)).length === 0, 'nothing mounted under the data root');
  assert.deepEqual(await hostMountsUnder(d.dataRoot), []);
});
