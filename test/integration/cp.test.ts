// docker cp (issue 9): HEAD/GET/PUT /containers/{id}/archive and `cp` through the real docker CLI
// and berth's own, on running and stopped containers, into tmpfs and bind mounts, and the
// security cases: links to `/` and to host paths inside the container, hostile archives, and a
// directory swapped for a link to a host directory while cp runs. A host canary directory that
// links in the containers point at must stay empty throughout.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { TarWriter } from '../../src/common/index.ts';
import { ROOT, run, startDaemonWithBusybox, type Daemon, type RunResult } from './harness.ts';

let d: Daemon;
let work: string;
let canary: string;
let bindSrc: string;
let roSrc: string;

const CLIS = ['docker', 'berth'] as const;
type Cli = (typeof CLIS)[number];
const cli = (which: Cli, args: string[], opts: { input?: string | Buffer } = {}): Promise<RunResult> => (which === 'docker' ? d.docker(args, opts) : d.berth(args, opts));
const bin = (which: Cli) => (which === 'docker' ? `docker -H ${d.host}` : `${join(ROOT, 'bin/berth')} -H ${d.host}`);
const ok = (r: RunResult, what = '') => assert.equal(r.code, 0, `${what}\n${r.stdout}\n${r.stderr}`);
const exec = async (c: string, script: string) => {
  const r = await d.docker(['exec', c, 'sh', '-c', script]);
  ok(r, script);
  return r.stdout;
};
const canaryEmpty = async (what: string) => assert.deepEqual(await readdir(canary), [], `the host canary stays empty: ${what}`);

async function makeTar(members: { name: string; data?: string; type?: 'dir' | 'symlink'; target?: string }[]): Promise<Buffer> {
  const w = new TarWriter();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of w.readable) chunks.push(c as Buffer);
  })();
  for (const m of members) {
    const h = { name: m.name, mode: m.type === 'dir' ? 0o755 : 0o644, mtime: 1_700_000_000 };
    if (m.type === 'dir') await w.addDir(h);
    else if (m.type === 'symlink') await w.addSymlink(h, m.target!);
    else await w.addFile({ ...h, size: Buffer.byteLength(m.data ?? '') }, Buffer.from(m.data ?? ''));
  }
  await w.finish();
  await done;
  return Buffer.concat(chunks);
}

const putArchive = (c: string, path: string, tar: Buffer, query = '') =>
  d.api('PUT', `/containers/${c}/archive?path=${encodeURIComponent(path)}${query}`, tar, { 'Content-Type': 'application/x-tar' });

before(async () => {
  d = await startDaemonWithBusybox();
  work = await mkdtemp('/tmp/bt-cp-work-');
  canary = await mkdtemp('/tmp/bt-cp-canary-');
  bindSrc = await mkdtemp('/tmp/bt-cp-bind-');
  roSrc = await mkdtemp('/tmp/bt-cp-ro-');
  await mkdir(join(work, 'tree/sub/deeper'), { recursive: true });
  await writeFile(join(work, 'tree/top.txt'), 'top\n');
  await writeFile(join(work, 'tree/sub/deeper/leaf.txt'), 'leaf\n');
  await symlink('sub/deeper/leaf.txt', join(work, 'tree/leaf-link'));
  await writeFile(join(work, 'file.txt'), 'a file\n');
  await chown(join(work, 'file.txt'), 4321, 4321);
  // Running: a tmpfs, a bind, a read-only bind, links to `/` and to the host canary path.
  ok(await d.docker(['run', '-d', '--name', 'run1', '--user', '1000:1000', '--tmpfs', '/scratch', '-v', `${bindSrc}:/bound`, '-v', `${roSrc}:/ro:ro`, 'busybox', 'sh', '-c',
    `ln -s / /tmp/rootlink; ln -s ${canary} /tmp/hostlink; mkdir -p /tmp/dir && echo inside > /tmp/dir/in.txt && ln -s in.txt /tmp/dir/in-link && exec sleep 1000`]), 'run1');
  // Stopped: made and exited, with a bind mount.
  ok(await d.docker(['run', '--name', 'stopped1', '-v', `${bindSrc}:/bound`, 'busybox', 'sh', '-c', 'mkdir -p /data && echo stopped > /data/s.txt && ln -s /data /data-link']), 'stopped1');
  ok(await d.docker(['create', '--name', 'created1', 'busybox', 'true']));
  ok(await d.docker(['run', '-d', '--name', 'rofs', '--read-only', '--tmpfs', '/tmp', 'busybox', 'sleep', '1000']));
});

after(async () => {
  await d?.cleanup();
  for (const p of [work, canary, bindSrc, roSrc]) if (p) await rm(p, { recursive: true, force: true });
});

describe('both CLIs', () => {
  for (const which of CLIS) {
    test(`${which}: files and directories into and out of a running container`, async () => {
      const c = 'run1';
      ok(await cli(which, ['cp', join(work, 'file.txt'), `${c}:/tmp/`]));
      assert.equal(await exec(c, 'cat /tmp/file.txt'), 'a file\n');
      ok(await cli(which, ['cp', join(work, 'file.txt'), `${c}:/tmp/renamed-${which}.txt`]));
      assert.equal(await exec(c, `cat /tmp/renamed-${which}.txt`), 'a file\n');
      ok(await cli(which, ['cp', join(work, 'tree'), `${c}:/tmp/tree-${which}`])); // missing: made with this name
      assert.equal(await exec(c, `cat /tmp/tree-${which}/sub/deeper/leaf.txt; readlink /tmp/tree-${which}/leaf-link`), 'leaf\nsub/deeper/leaf.txt\n');
      ok(await cli(which, ['cp', join(work, 'tree'), `${c}:/tmp/tree-${which}`])); // exists: goes inside
      assert.equal(await exec(c, `cat /tmp/tree-${which}/tree/top.txt`), 'top\n');
      ok(await cli(which, ['cp', `${join(work, 'tree')}/.`, `${c}:/tmp/contents-${which}`]));
      assert.equal(await exec(c, `cat /tmp/contents-${which}/top.txt`), 'top\n');
      // Out: a directory to a new name, a file into a directory, `/.` for the contents.
      const out = join(work, `out-${which}`);
      await mkdir(out);
      ok(await cli(which, ['cp', `${c}:/tmp/dir`, join(out, 'copied')]));
      assert.equal(await readFile(join(out, 'copied/in.txt'), 'utf8'), 'inside\n');
      assert.equal(await readlink(join(out, 'copied/in-link')), 'in.txt');
      ok(await cli(which, ['cp', `${c}:/tmp/dir/in.txt`, `${out}/`]));
      assert.equal(await readFile(join(out, 'in.txt'), 'utf8'), 'inside\n');
      ok(await cli(which, ['cp', `${c}:/tmp/dir/.`, join(out, 'dot')]));
      assert.deepEqual((await readdir(join(out, 'dot'))).sort(), ['in-link', 'in.txt']);
      // Errors: docker's words and exit codes.
      const missing = await cli(which, ['cp', `${c}:/no/such/file`, out]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Error response from daemon: Could not find the file \/no\/such\/file in container run1/);
      const both = await cli(which, ['cp', `${c}:/a`, `${c}:/b`]);
      assert.deepEqual([both.code, both.stderr.trim()], [1, 'copying between containers is not supported']);
      const none = await cli(which, ['cp', 'a', 'b']);
      assert.deepEqual([none.code, none.stderr.trim()], [1, 'must specify at least one container source']);
      const fileToDir = await cli(which, ['cp', join(work, 'tree'), `${c}:/tmp/file.txt`]);
      assert.equal(fileToDir.code, 1);
      assert.match(fileToDir.stderr, /cannot copy directory/);
      const notDir = await cli(which, ['cp', join(work, 'file.txt'), `${c}:/tmp/nodir/`]);
      assert.equal(notDir.code, 1, notDir.stderr);
      await canaryEmpty(which);
    });

    test(`${which}: stopped and created containers, their bind mounts too`, async () => {
      ok(await cli(which, ['cp', join(work, 'file.txt'), `stopped1:/data/in-${which}.txt`]));
      ok(await cli(which, ['cp', join(work, 'file.txt'), `stopped1:/bound/stopped-${which}.txt`]));
      assert.equal(await readFile(join(bindSrc, `stopped-${which}.txt`), 'utf8'), 'a file\n', 'the bind source, not the layer under it');
      ok(await cli(which, ['cp', join(work, 'tree'), `created1:/srv-${which}`]));
      const out = join(work, `stopped-out-${which}`);
      ok(await cli(which, ['cp', `stopped1:/data-link/`, out])); // a link to a directory, with a trailing slash
      const got = await readdir(out);
      assert.ok(got.includes(`in-${which}.txt`) && got.includes('s.txt'), got.join());
      ok(await cli(which, ['cp', `created1:/srv-${which}/sub/deeper/leaf.txt`, join(work, `leaf-${which}`)]));
      assert.equal(await readFile(join(work, `leaf-${which}`), 'utf8'), 'leaf\n');
      ok(await cli(which, ['cp', `stopped1:/bound/stopped-${which}.txt`, join(work, `bound-${which}`)]));
      ok(await cli(which, ['cp', 'stopped1:/bound', join(work, `bound-dir-${which}`)])); // the mount itself, from its source
      assert.ok((await readdir(join(work, `bound-dir-${which}`))).includes(`stopped-${which}.txt`));
      // The whole root: to a new directory of that name, and into an existing one.
      ok(await cli(which, ['cp', 'created1:/', join(work, `root-${which}`)]));
      assert.equal(await readFile(join(work, `root-${which}/srv-${which}/top.txt`), 'utf8'), 'top\n');
      assert.ok((await lstat(join(work, `root-${which}/bin/busybox`))).isFile());
      await mkdir(join(work, `into-${which}`));
      ok(await cli(which, ['cp', 'created1:/', join(work, `into-${which}`)]));
      assert.ok((await lstat(join(work, `into-${which}/bin/busybox`))).isFile());
      assert.equal(await readFile(join(work, `bound-${which}`), 'utf8'), 'a file\n');
      // Nothing of the stopped container stays mounted.
      const mounts = await readFile('/proc/self/mountinfo', 'utf8');
      const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'stopped1'])).stdout.trim();
      const upper = (await d.docker(['inspect', '-f', '{{.GraphDriver.Data.MergedDir}}', 'stopped1'])).stdout.trim();
      assert.ok(id && !mounts.includes(upper || `/nonexistent/${id}`), 'the RW layer is unmounted after cp');
      ok(await d.docker(['start', 'stopped1'])); // still starts
      ok(await d.docker(['wait', 'stopped1']));
    });

    test(`${which}: symlinks, with and without -L`, async () => {
      const out = join(work, `links-${which}`);
      await mkdir(out);
      ok(await cli(which, ['cp', 'run1:/tmp/dir/in-link', join(out, 'plain')]));
      assert.equal(await readlink(join(out, 'plain')), 'in.txt');
      ok(await cli(which, ['cp', '-L', 'run1:/tmp/dir/in-link', join(out, 'followed')]));
      assert.equal(await readFile(join(out, 'followed'), 'utf8'), 'inside\n');
      ok(await cli(which, ['cp', '-L', 'run1:/tmp/dir/in-link', `${out}/`]));
      assert.equal(await readFile(join(out, 'in-link'), 'utf8'), 'inside\n', '-L keeps the link name');
      ok(await cli(which, ['cp', join(work, 'tree/leaf-link'), `run1:/tmp/leaf-link-${which}`]));
      assert.equal(await exec('run1', `readlink /tmp/leaf-link-${which}`), 'sub/deeper/leaf.txt\n');
      ok(await cli(which, ['cp', '-L', join(work, 'tree/leaf-link'), `run1:/tmp/leaf-followed-${which}`]));
      assert.equal(await exec('run1', `cat /tmp/leaf-followed-${which}`), 'leaf\n');
      // Onto a dangling link: its target is made (and the link kept), as with docker.
      await exec('run1', `ln -s made-through-${which} /tmp/dangling-${which}`);
      ok(await cli(which, ['cp', join(work, 'file.txt'), `run1:/tmp/dangling-${which}`]));
      assert.equal(await exec('run1', `cat /tmp/made-through-${which}; readlink /tmp/dangling-${which}`), `a file\nmade-through-${which}\n`);
    });

    test(`${which}: '-' reads a tar on stdin and writes one to stdout`, async () => {
      const tar = await makeTar([{ name: `from-stdin-${which}/`, type: 'dir' }, { name: `from-stdin-${which}/x`, data: 'piped\n' }]);
      ok(await cli(which, ['cp', '-', 'run1:/tmp'], { input: tar }));
      assert.equal(await exec('run1', `cat /tmp/from-stdin-${which}/x`), 'piped\n');
      const notDir = await cli(which, ['cp', '-', 'run1:/tmp/file.txt'], { input: tar });
      assert.deepEqual([notDir.code, notDir.stderr.trim()], [1, 'destination "run1:/tmp/file.txt" must be a directory']);
      const listed = await run('sh', ['-c', `${bin(which)} cp run1:/tmp/dir - | tar -tvf -`]);
      ok(listed);
      assert.match(listed.stdout, /^d.* dir\/$/m);
      assert.match(listed.stdout, /^-.* dir\/in\.txt$/m);
      assert.match(listed.stdout, /^l.* dir\/in-link -> in\.txt$/m);
    });

    test(`${which}: -a gives the container user's ownership, else the archive's`, async () => {
      ok(await cli(which, ['cp', '-a', join(work, 'file.txt'), `run1:/tmp/owned-a-${which}`]));
      ok(await cli(which, ['cp', join(work, 'file.txt'), `run1:/tmp/owned-${which}`]));
      assert.equal(await exec('run1', `stat -c %u:%g /tmp/owned-a-${which} /tmp/owned-${which}`), '1000:1000\n4321:4321\n');
    });

    test(`${which}: into a tmpfs and a bind mount of a running container, the path goes to the mount`, async () => {
      ok(await cli(which, ['cp', join(work, 'tree'), `run1:/scratch/t-${which}`]));
      assert.equal(await exec('run1', `cat /scratch/t-${which}/top.txt; grep ' /scratch ' /proc/mounts | cut -d' ' -f3`), 'top\ntmpfs\n');
      ok(await cli(which, ['cp', join(work, 'file.txt'), `run1:/bound/running-${which}.txt`]));
      assert.equal(await readFile(join(bindSrc, `running-${which}.txt`), 'utf8'), 'a file\n');
      const ro = await cli(which, ['cp', join(work, 'file.txt'), 'run1:/ro/']);
      assert.equal(ro.code, 1);
      assert.match(ro.stderr, /Error response from daemon: mounted volume is marked read-only/);
      assert.deepEqual(await readdir(roSrc), []);
      const rofs = await cli(which, ['cp', join(work, 'file.txt'), 'rofs:/etc/']);
      assert.equal(rofs.code, 1);
      assert.match(rofs.stderr, /Error response from daemon: container rootfs is marked read-only/);
      ok(await cli(which, ['cp', join(work, 'file.txt'), 'rofs:/tmp/'])); // its tmpfs is writable
      assert.equal((await putArchive('rofs', '/etc', await makeTar([{ name: 'x', data: 'x' }]))).status, 403, 'the swagger\'s status for read-only');
    });
  }
});

describe('the container never reaches the host', () => {
  test('cp into a path that is a link to `/` writes inside the container', async () => {
    const name = `bt-cp-rootlink-${Date.now()}`;
    for (const which of CLIS) ok(await cli(which, ['cp', join(work, 'file.txt'), `run1:/tmp/rootlink/etc/${name}-${which}`]));
    assert.equal(await exec('run1', `cat /etc/${name}-docker /etc/${name}-berth`), 'a file\na file\n');
    assert.ok(!existsSync(`/etc/${name}-docker`) && !existsSync(`/etc/${name}-berth`), 'not in the host /etc');
    // Out of it too: the container's /etc/passwd, not the host's.
    ok(await d.docker(['cp', 'run1:/tmp/rootlink/etc/passwd', join(work, 'their-passwd')]));
    assert.equal(await readFile(join(work, 'their-passwd'), 'utf8'), await exec('run1', 'cat /etc/passwd'));
  });

  test('the root of a running container: its /proc and /sys come out empty, as docker copies them', async () => {
    for (const which of CLIS) {
      const out = join(work, `running-root-${which}`);
      ok(await cli(which, ['cp', 'run1:/', out]));
      assert.deepEqual(await readdir(join(out, 'proc')), []);
      assert.deepEqual(await readdir(join(out, 'sys')), []);
      assert.equal(await readFile(join(out, 'tmp/dir/in.txt'), 'utf8'), 'inside\n');
      assert.ok((await lstat(join(out, 'bin/busybox'))).isFile());
    }
  });

  test('a link to a host path inside the container resolves in the container', async () => {
    for (const which of CLIS) {
      const r = await cli(which, ['cp', join(work, 'file.txt'), `run1:/tmp/hostlink/x-${which}`]);
      assert.equal(r.code, 1, 'the host path does not exist inside the container'); // parent missing
      const r2 = await cli(which, ['cp', join(work, 'tree'), 'run1:/tmp/hostlink/']);
      assert.notEqual(r2.code, 0);
    }
    await exec('run1', `mkdir -p ${canary}`);
    ok(await d.berth(['cp', join(work, 'file.txt'), 'run1:/tmp/hostlink/']));
    assert.equal(await exec('run1', `cat ${canary}/file.txt`), 'a file\n', 'it went to the container\'s own directory of that name');
    await canaryEmpty('hostlink');
  });

  test("a container whose /etc is a link to a host path cannot make cp touch the host", async () => {
    // Made while the container is stopped (a running one cannot move /etc: its mounts are in it),
    // by cp itself: the canary path with a passwd, then /etc replaced by a link to it.
    ok(await d.docker(['create', '--name', 'etclink', '--user', 'nobody', 'busybox', 'sleep', '1000']));
    const passwd = await readFile(join(work, 'their-passwd'), 'utf8');
    const rel = canary.slice(1);
    const put = await putArchive('etclink', '/', await makeTar([
      { name: `${rel}/`, type: 'dir' }, { name: `${rel}/passwd`, data: passwd }, { name: `${rel}/group`, data: 'root:x:0:\nnogroup:x:65534:\n' },
      { name: 'etc', type: 'symlink', target: canary },
    ]));
    assert.equal(put.status, 200, put.text);
    ok(await d.docker(['start', 'etclink']));
    await exec('etclink', `test -L /etc && test -f ${canary}/passwd`);
    for (const which of CLIS) {
      ok(await cli(which, ['cp', '-a', join(work, 'file.txt'), `etclink:/etc/from-${which}`]));
      assert.equal(await exec('etclink', `stat -c %u /etc/from-${which}`), '65534\n', '-a read the container\'s own passwd');
      ok(await cli(which, ['cp', `etclink:/etc/passwd`, join(work, `etc-passwd-${which}`)]));
    }
    await canaryEmpty('running /etc link');
    ok(await d.docker(['stop', '-t', '0', 'etclink']));
    for (const which of CLIS) {
      const r = await cli(which, ['cp', join(work, 'file.txt'), `etclink:/etc/stopped-${which}`]);
      ok(r, 'stopped: into the layer\'s own directory of that name');
      ok(await cli(which, ['cp', `etclink:/etc/stopped-${which}`, join(work, `back-${which}`)]));
    }
    await canaryEmpty('stopped /etc link');
    ok(await d.docker(['rm', '-f', 'etclink']));
  });

  test('hostile archives are refused with 400 and write nothing', async () => {
    await exec('run1', 'mkdir -p /tmp/target && echo keep > /tmp/target/keep');
    const before = await exec('run1', 'find /tmp/target /tmp/rootlink/tmp/target | sort; ls /');
    const cases: [string, Buffer, RegExp][] = [
      ['dotdot', await makeTar([{ name: 'fine', data: 'x' }, { name: '../escape', data: 'x' }]), /is outside of/],
      ['deep dotdot', await makeTar([{ name: 'fine', data: 'x' }, { name: 'a/../../../../etc/evil', data: 'x' }]), /is outside of/],
      ['absolute', await makeTar([{ name: 'fine', data: 'x' }, { name: '/etc/evil', data: 'x' }]), /absolute path not allowed/],
      ['through a link', await makeTar([{ name: 'l', type: 'symlink', target: '/' }, { name: 'l/etc/evil', data: 'x' }]), /through the link "l"/],
      ['link to host', await makeTar([{ name: 'h', type: 'symlink', target: canary }, { name: 'h/evil', data: 'x' }]), /through the link "h"/],
      ['link climbing out', await makeTar([{ name: 'fine', data: 'x' }, { name: 'up', type: 'symlink', target: '../../../../..' }]), /invalid symlink/],
      ['garbage', Buffer.from('not a tar at all '.repeat(100)), /invalid tar header/],
      ['truncated', (await makeTar([{ name: 'big', data: 'y'.repeat(10_000) }])).subarray(0, 2048), /unexpected EOF|truncated/i],
    ];
    for (const [what, tar, re] of cases) {
      const r = await putArchive('run1', '/tmp/target', tar);
      assert.equal(r.status, 400, `${what}: ${r.text}`);
      assert.match(JSON.parse(r.text).message, re, what);
      const stopped = await putArchive('stopped1', '/data', tar);
      assert.equal(stopped.status, 400, `${what} (stopped): ${stopped.text}`);
    }
    assert.equal(await exec('run1', 'find /tmp/target /tmp/rootlink/tmp/target | sort; ls /'), before, 'nothing written');
    assert.ok(!existsSync('/etc/evil') && !existsSync('/escape'));
    // Through the CLIs too, with the daemon's message and exit 1.
    for (const which of CLIS) {
      const r = await cli(which, ['cp', '-', 'run1:/tmp/target'], { input: cases[0][1] });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Error response from daemon: .*is outside of/);
    }
    await canaryEmpty('hostile archives');
  });

  test('the archive API: stat header, errors, compressed bodies, noOverwriteDirNonDir', async () => {
    const head = await d.api('HEAD', '/containers/run1/archive?path=/tmp/dir');
    assert.equal(head.status, 200);
    const stat = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString());
    assert.deepEqual(Object.keys(stat), ['name', 'size', 'mode', 'mtime', 'linkTarget']);
    assert.equal(stat.name, 'dir');
    assert.equal(stat.mode, 2 ** 31 + 0o755, 'Go FileMode: ModeDir | 0755');
    assert.match(stat.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const link = await d.api('HEAD', '/containers/run1/archive?path=/tmp/rootlink');
    const linkStat = JSON.parse(Buffer.from(String(link.headers['x-docker-container-path-stat']), 'base64').toString());
    assert.deepEqual([linkStat.mode, linkStat.linkTarget], [2 ** 27 + 0o777, '/']);
    assert.equal((await d.api('HEAD', '/containers/run1/archive?path=/nope')).status, 404);
    const missing = await d.api('GET', '/containers/run1/archive?path=/nope');
    assert.deepEqual([missing.status, missing.json?.message], [404, 'Could not find the file /nope in container run1']);
    const noPath = await d.api('GET', '/containers/run1/archive');
    assert.equal(noPath.status, 400, noPath.text);
    assert.equal((await d.api('PUT', '/containers/run1/archive?path=', Buffer.alloc(0))).status, 400);
    assert.equal((await d.api('GET', '/containers/nosuch/archive?path=/')).status, 404);
    const notDir = await putArchive('run1', '/tmp/file.txt', await makeTar([{ name: 'x', data: 'x' }]));
    assert.deepEqual([notDir.status, JSON.parse(notDir.text).message], [400, 'extraction point is not a directory']);
    const gone = await putArchive('run1', '/tmp/nowhere', await makeTar([{ name: 'x', data: 'x' }]));
    assert.deepEqual([gone.status, JSON.parse(gone.text).message], [404, 'Could not find the file /tmp/nowhere in container run1']);
    const { gzipSync } = await import('node:zlib');
    assert.equal((await putArchive('run1', '/tmp', gzipSync(await makeTar([{ name: 'gz.txt', data: 'gz\n' }])))).status, 200);
    assert.equal(await exec('run1', 'cat /tmp/gz.txt'), 'gz\n');
    const conflict = await putArchive('run1', '/tmp', await makeTar([{ name: 'dir', data: 'a file over a directory' }]), '&noOverwriteDirNonDir=true');
    assert.equal(conflict.status, 400);
    assert.match(JSON.parse(conflict.text).message, /^cannot overwrite directory "\/tmp\/dir" with non-directory "\/tmp"$/);
    assert.equal(await exec('run1', 'cat /tmp/dir/in.txt'), 'inside\n');
  });

  test('a directory swapped for a link to a host directory while cp runs never lets a write out', async () => {
    // Inside the container: /race/d is a directory, then a link to the canary path (which
    // exists in the container too) or through /proc/self/root, then a directory again.
    ok(await d.docker(['run', '-d', '--name', 'racer', 'busybox', 'sh', '-c',
      `mkdir -p /race/d ${canary}; while :; do rm -rf /race/d; ln -s ${canary} /race/d; rm -f /race/d; mkdir /race/d; rm -rf /race/d; ln -s /proc/self/root${canary} /race/d; rm -f /race/d; mkdir /race/d; done`]));
    const tar = await makeTar([{ name: 'sub/', type: 'dir' }, { name: 'sub/f', data: 'race' }, { name: 'g', data: 'race' }]);
    let okCount = 0;
    let refusedCount = 0;
    for (let i = 0; i < 150; i++) {
      const r = await putArchive('racer', '/race/d', tar);
      if (r.status === 200) okCount++;
      else refusedCount++;
      assert.ok([200, 400, 404, 500].includes(r.status), r.text);
      if (i % 10 === 0) {
        const got = await d.api('GET', '/containers/racer/archive?path=/race/d/');
        assert.ok([200, 400, 404, 500].includes(got.status), got.text);
      }
    }
    for (let i = 0; i < 10; i++) {
      const r = await d.berth(['cp', join(work, 'tree'), 'racer:/race/d/']);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
    }
    await canaryEmpty(`race: ${okCount} extracted, ${refusedCount} refused`);
    assert.ok(okCount > 0 && refusedCount > 0, `not vacuous: ${okCount} copies went into the container, ${refusedCount} met the link or nothing`);
    ok(await d.docker(['rm', '-f', 'racer']));
  });
});

test('cleanup: no spool files left, no RW layer of a stopped container mounted', async () => {
  const tmpDir = join(d.dataRoot, 'tmp');
  if (existsSync(tmpDir)) assert.deepEqual((await readdir(tmpDir)).filter((n) => n.startsWith('cp-')), []);
  const st = await lstat(work);
  assert.ok(st.isDirectory());
});
