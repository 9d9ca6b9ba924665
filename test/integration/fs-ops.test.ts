// export, diff, commit and disk usage through both CLIs (berth's and the real docker CLI) against
// a private berthd: export | import round-trips an equal tree; diff after add, change and delete
// (a whiteout'd file, an opaque dir); commit then run, a deleted file stays deleted, -c changes in
// inspect, the history step; system df figures; system prune --volumes; Docker's errors.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, run, startDaemonWithBusybox, type Daemon, type RunResult } from './harness.ts';

let d: Daemon;
let tmp: string;
before(async () => {
  d = await startDaemonWithBusybox();
  tmp = await mkdtemp('/tmp/bt-fsops-');
});
after(async () => {
  await d?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

type Cli = 'berth' | 'docker';
const CLIS: Cli[] = ['berth', 'docker'];
const cli = (which: Cli, args: string[], opts: { input?: string | Buffer } = {}): Promise<RunResult> =>
  which === 'berth' ? d.berth(args, opts) : d.docker(args, opts);
const binOf = (which: Cli) => (which === 'berth' ? join(ROOT, 'bin/berth') : 'docker');
const ok = (r: RunResult, what: string) => assert.equal(r.code, 0, `${what}: ${r.stderr}`);

/** A tree with every kind of entry, set-id and sticky bits, owners, and a hard link. */
const MAKE_TREE = [
  'mkdir -p /t/sub && echo data > /t/file && echo more > /t/sub/deep',
  'ln /t/file /t/hard && ln -s /t/file /t/abs-link && ln -s ../file /t/sub/rel-link',
  'chown 12:34 /t/file && chmod 4755 /t/file && chmod 1777 /t/sub && chown 7:8 /t/sub/deep',
  'mkfifo /t/fifo && mknod /t/null c 1 3',
].join(' && ');

/** `tar -tv` of an archive, sorted: type, mode, owner, size, time, name, link target. */
async function listing(tarPath: string): Promise<string[]> {
  const r = await run('tar', ['-tvf', tarPath, '--numeric-owner']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/\s+/g, ' ')).sort();
}

describe('export and import', () => {
  for (const which of CLIS) {
    test(`${which}: export | import round-trips an equal tree (modes, owners, symlinks, hard links, devices)`, async () => {
      const name = `exp-${which}`;
      ok(await cli(which, ['run', '--name', name, 'busybox', 'sh', '-c', MAKE_TREE]), 'run');
      const first = join(tmp, `${name}.tar`);
      ok(await cli(which, ['export', '-o', first, name]), 'export -o');
      // Through a pipe into import, as people do it.
      const piped = await run('sh', ['-c', `${binOf(which)} -H ${d.host} export ${name} | ${binOf(which)} -H ${d.host} import - ${name}-img`]);
      ok(piped, 'export | import');
      assert.match(piped.stdout, /^sha256:[0-9a-f]{64}\n$/);
      ok(await cli(which, ['create', '--name', `${name}-2`, `${name}-img`, 'sh']), 'create from the import');
      const second = join(tmp, `${name}-2.tar`);
      ok(await cli(which, ['export', '-o', second, `${name}-2`]), 'export of the copy');
      const [a, b] = [await listing(first), await listing(second)];
      assert.deepEqual(b, a);
      const t = a.filter((l) => / t\//.test(l)).join('\n');
      assert.match(t, /^-rwsr-xr-x 12\/34 5 .* t\/file$/m);
      assert.match(t, /^h\S+ 12\/34 0 .* t\/hard link to t\/file$/m);
      assert.match(t, /^l\S+ 0\/0 0 .* t\/abs-link -> \/t\/file$/m);
      assert.match(t, /^l\S+ 0\/0 0 .* t\/sub\/rel-link -> \.\.\/file$/m);
      assert.match(t, /^drwxrwxrwt 0\/0 0 .* t\/sub\/$/m);
      assert.match(t, /^-\S+ 7\/8 5 .* t\/sub\/deep$/m);
      assert.match(t, /^p\S+ .* t\/fifo$/m);
      assert.match(t, /^c\S+ 0\/0 1,3 .* t\/null$/m);
      // Docker's layout: names relative to the root, no ./ and no root entry; the init files are there.
      assert.ok(a.some((l) => / bin\/$/.test(l)) && !a.some((l) => / \.\/$/.test(l) || / \/$/.test(l)));
      assert.ok(a.some((l) => / \.dockerenv$/.test(l)) && a.some((l) => / etc\/mtab -> \/proc\/mounts$/.test(l)));
      for (const c of [name, `${name}-2`]) await cli(which, ['rm', c]);
      await cli(which, ['rmi', `${name}-img`]);
    });
  }

  test('export streams a running container, never a bind mount\'s contents, to stdout only when not a terminal', async () => {
    const host = join(tmp, 'bind-src');
    await mkdir(host, { recursive: true });
    await writeFile(join(host, 'host-secret'), 'not in the export');
    ok(await d.docker(['run', '-d', '--name', 'exp-run', '-v', `${host}:/mnt/bound`, 'busybox', 'sh', '-c', 'echo live > /live; sleep 600']), 'run -d');
    for (const which of CLIS) {
      const out = join(tmp, `exp-run-${which}.tar`);
      const r = await run('sh', ['-c', `${binOf(which)} -H ${d.host} export exp-run > ${out}`]);
      ok(r, 'export > file');
      const names = (await run('tar', ['-tf', out])).stdout.split('\n');
      assert.ok(names.includes('live'), 'the running container\'s own file');
      assert.ok(!names.some((n) => n.includes('host-secret')), 'nothing from the bind mount');
      // A terminal is refused, as docker does.
      const tty = await run('script', ['-qec', `${binOf(which)} -H ${d.host} export exp-run`, '/dev/null']);
      assert.notEqual(tty.code, 0);
      assert.match(tty.stdout, /cowardly refusing to save to a terminal\. Use the -o flag or redirect/);
    }
    const inspect = await d.docker(['inspect', '-f', '{{.State.Running}}', 'exp-run']);
    assert.equal(inspect.stdout.trim(), 'true');
    await d.docker(['rm', '-f', 'exp-run']);
  });

  test('export of a stopped container mounts its layer for the export only; the export event follows', async () => {
    ok(await d.docker(['create', '--name', 'exp-stopped', 'busybox', 'true']), 'create');
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const res = await d.api('GET', '/containers/exp-stopped/export');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/x-tar');
    // Read to the end, then the layer is unmounted again (nothing runs here).
    assert.ok(res.text.length > 1024);
    const merged = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(`${d.dataRoot}/`) && l.includes('/merged '));
    assert.deepEqual(merged, []);
    const ev = await d.docker(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=export', '--filter', 'container=exp-stopped', '--format', '{{.Actor.Attributes.name}}']);
    assert.equal(ev.stdout, 'exp-stopped\n');
    await d.docker(['rm', 'exp-stopped']);
  });
});

describe('diff', () => {
  for (const which of CLIS) {
    test(`${which}: add, change, delete, a whiteout'd file and an opaque dir`, async () => {
      const name = `diff-${which}`;
      ok(await cli(which, ['run', '--name', name, 'busybox', 'sh', '-c',
        'echo x >> /etc/passwd; touch /newfile; rm /bin/vi; rm -rf /home && mkdir /home && touch /home/n']), 'run');
      const r = await cli(which, ['diff', name]);
      ok(r, 'diff');
      assert.equal(r.stdout, ['C /bin', 'D /bin/vi', 'C /etc/passwd', 'D /home', 'A /home/n', 'A /newfile', ''].join('\n'));
      // A container that changed nothing has no changes (the runtime's mount points live in the init layer).
      ok(await cli(which, ['run', '--name', `${name}-none`, 'busybox', 'true']), 'run true');
      assert.equal((await cli(which, ['diff', `${name}-none`])).stdout, '');
      const api = await d.api('GET', `/containers/${name}-none/changes`);
      assert.equal(api.status, 200);
      assert.equal(api.text.trim(), 'null');
      const kinds = await d.api('GET', `/containers/${name}/changes`);
      assert.deepEqual(kinds.json.slice(0, 2), [{ Path: '/bin', Kind: 0 }, { Path: '/bin/vi', Kind: 2 }]);
      const missing = await cli(which, ['diff', 'no-such-container']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Error response from daemon: No such container: no-such-container/);
      await cli(which, ['rm', name, `${name}-none`]);
    });
  }
});

describe('commit', () => {
  for (const which of CLIS) {
    test(`${which}: commit with -a -m -c, run the image; deleted files stay deleted; history and inspect show it`, async () => {
      const name = `commit-${which}`;
      ok(await cli(which, ['run', '--name', name, 'busybox', 'sh', '-c',
        'echo committed >> /etc/passwd; rm /bin/vi; rm -rf /home && mkdir /home && touch /home/only']), 'run');
      const changes = [
        'CMD ["cat", "/etc/passwd"]', 'ENV FOO=bar', 'LABEL team=fs', 'EXPOSE 8080/udp', 'WORKDIR /home', 'USER 0:0',
        'STOPSIGNAL SIGUSR1', 'VOLUME /vol', 'HEALTHCHECK --interval=5s CMD true', 'ONBUILD RUN echo hi',
      ];
      const r = await cli(which, ['commit', '-a', 'Jane <j@x>', '-m', 'the message', ...changes.flatMap((c) => ['-c', c]), name, `committed-${which}:v1`]);
      ok(r, 'commit');
      assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
      const id = r.stdout.trim();

      const cat = await cli(which, ['run', '--rm', `committed-${which}:v1`]);
      ok(cat, 'run the committed image');
      assert.match(cat.stdout, /committed\n$/);
      const gone = await cli(which, ['run', '--rm', '--entrypoint', 'sh', `committed-${which}:v1`, '-c', 'ls /bin/vi; ls -A /home; pwd']);
      assert.match(gone.stderr, /\/bin\/vi: No such file or directory/);
      assert.equal(gone.stdout, 'only\n/home\n', 'the opaque dir hides what the image had there');

      const fmt = '{{.Id}}|{{json .Config.Cmd}}|{{json .Config.Env}}|{{json .Config.Labels}}|{{json .Config.ExposedPorts}}|{{.Config.WorkingDir}}|{{.Config.User}}|{{.Config.StopSignal}}|{{json .Config.Volumes}}|{{json .Config.Healthcheck}}|{{json .Config.OnBuild}}|{{.Author}}|{{.Comment}}|{{len .RootFS.Layers}}';
      const inspect = await cli(which, ['image', 'inspect', '-f', fmt, `committed-${which}:v1`]);
      ok(inspect, 'inspect');
      const f = inspect.stdout.trim().split('|');
      assert.equal(f[0], id);
      assert.equal(f[1], '["cat","/etc/passwd"]');
      assert.ok(JSON.parse(f[2]).includes('FOO=bar'));
      assert.equal(JSON.parse(f[3]).team, 'fs');
      assert.deepEqual(JSON.parse(f[4]), { '8080/udp': {} });
      assert.deepEqual(f.slice(5, 8), ['/home', '0:0', 'SIGUSR1']);
      assert.deepEqual(JSON.parse(f[8]), { '/vol': {} });
      assert.deepEqual(JSON.parse(f[9]), { Test: ['CMD-SHELL', 'true'], Interval: 5e9 }, 'the shell form');
      assert.deepEqual(JSON.parse(f[10]), ['RUN echo hi']);
      assert.deepEqual(f.slice(11, 14), ['Jane <j@x>', 'the message', '2'], 'one layer more than busybox');

      const hist = await cli(which, ['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', `committed-${which}:v1`]);
      ok(hist, 'history');
      assert.equal(hist.stdout.split('\n')[0], 'sh -c echo committed >> /etc/passwd; rm /bin/vi; rm -rf /home && mkdir /home && touch /home/only|the message');
      await cli(which, ['rm', name]);
      await cli(which, ['rmi', `committed-${which}:v1`]);
    });
  }

  test('commit of a running container pauses it (default) and leaves it running; --pause=false does not pause', async () => {
    ok(await d.docker(['run', '-d', '--name', 'commit-live', 'busybox', 'sh', '-c', 'echo hi > /live; sleep 600']), 'run -d');
    const since = String(Math.floor(Date.now() / 1000) - 1);
    ok(await d.docker(['commit', 'commit-live', 'live:1']), 'commit (pause)');
    ok(await d.berth(['commit', '--pause=false', 'commit-live', 'live:2']), 'commit --pause=false');
    const ev = await d.docker(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=commit-live',
      '--filter', 'event=pause', '--filter', 'event=unpause', '--filter', 'event=commit', '--format', '{{.Action}}']);
    // moby: the commit event is sent before the deferred unpause.
    assert.deepEqual(ev.stdout.trim().split('\n'), ['pause', 'commit', 'unpause', 'commit']);
    const state = await d.docker(['inspect', '-f', '{{.State.Running}} {{.State.Paused}}', 'commit-live']);
    assert.equal(state.stdout.trim(), 'true false');
    for (const tag of ['live:1', 'live:2']) assert.equal((await d.docker(['run', '--rm', tag, 'cat', '/live'])).stdout, 'hi\n');
    await d.docker(['rm', '-f', 'commit-live']);
    await d.docker(['rmi', 'live:1', 'live:2']);
  });

  test('a commit without changes makes an image with no new layer (moby: an empty layer is left out)', async () => {
    ok(await d.docker(['create', '--name', 'commit-empty', 'busybox', 'true']), 'create');
    ok(await d.docker(['commit', '-c', 'ENV X=1', 'commit-empty', 'empty:1']), 'commit');
    const layers = await d.docker(['image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'empty:1']);
    assert.equal(layers.stdout.trim(), '1');
    const hist = await d.api('GET', '/images/empty:1/history');
    assert.equal(hist.json[0].Size, 0);
    await d.docker(['rm', 'commit-empty']);
    await d.docker(['rmi', 'empty:1']);
  });

  test('bad inputs: Docker\'s messages and statuses', async () => {
    ok(await d.docker(['create', '--name', 'commit-bad', 'busybox', 'true']), 'create');
    for (const which of CLIS) {
      const unknown = await cli(which, ['commit', 'nope']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /Error response from daemon: No such container: nope/);
      const change = await cli(which, ['commit', '-c', 'FROM busybox', 'commit-bad']);
      assert.equal(change.code, 1);
      assert.match(change.stderr, /Error response from daemon: from is not a valid change command/);
      const repo = await cli(which, ['commit', 'commit-bad', 'Bad:tag']);
      assert.equal(repo.code, 1);
      assert.match(repo.stderr, /invalid reference format: repository name \(library\/Bad\) must be lowercase/);
      const exp = await cli(which, ['export', '-o', join(tmp, 'x.tar'), 'nope']);
      assert.equal(exp.code, 1);
      assert.match(exp.stderr, /No such container: nope/);
    }
    const api = async (q: string) => d.api('POST', `/commit?${q}`);
    let res = await api('container=nope');
    assert.deepEqual([res.status, res.json.message], [404, 'No such container: nope']);
    res = await api('repo=nocontainer');
    assert.deepEqual([res.status, res.json.message], [400, 'invalid name or ID supplied: ""'], 'never the only container by an empty prefix');
    res = await api('container=commit-bad&repo=Bad');
    assert.equal(res.status, 400);
    assert.match(res.json.message, /invalid reference format/);
    res = await api('container=commit-bad&repo=ok&tag=b@d');
    assert.equal(res.status, 400);
    res = await api('container=commit-bad&changes=EXPOSE%20x');
    assert.deepEqual([res.status, res.json.message], [400, 'invalid containerPort: x']);
    res = await d.api('POST', '/commit?container=commit-bad', { Cmd: 'not an array' });
    assert.equal(res.status, 400);
    res = await d.api('GET', '/containers/nope/export');
    assert.deepEqual([res.status, res.json.message], [404, 'No such container: nope']);
    res = await d.api('GET', '/containers/nope/changes');
    assert.deepEqual([res.status, res.json.message], [404, 'No such container: nope']);
    // A body config is the start of the merge (moby: c.Config, then the changes).
    res = await d.api('POST', '/commit?container=commit-bad&repo=withcfg', { Cmd: ['echo', 'from-body'], Env: ['A=1'] });
    assert.equal(res.status, 201);
    const cfg = await d.api('GET', '/images/withcfg/json');
    assert.deepEqual(cfg.json.Config.Cmd, ['echo', 'from-body']);
    assert.ok(cfg.json.Config.Env.includes('A=1') && cfg.json.Config.Env.some((e: string) => e.startsWith('PATH=')));
    await d.docker(['rm', 'commit-bad']);
    await d.docker(['rmi', 'withcfg']);
  });
});

describe('disk usage and prune', () => {
  test('system df: layers once, container sizes, volumes with usage; both CLIs print the same', async () => {
    ok(await d.docker(['run', '--name', 'df-c', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/blob bs=1k count=300 2>/dev/null']), 'run');
    ok(await d.docker(['commit', 'df-c', 'df:1']), 'commit');
    ok(await d.docker(['tag', 'df:1', 'df:2']), 'tag');
    ok(await d.docker(['volume', 'create', 'df-vol']), 'volume create');
    const mountpoint = (await d.docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'df-vol'])).stdout.trim();
    await writeFile(join(mountpoint, 'data'), Buffer.alloc(50_000));

    const df = (await d.api('GET', '/system/df')).json;
    const sizes = new Map<string, number>();
    for (const img of df.Images) sizes.set(img.Id, img.Size);
    const busybox = df.Images.find((i: { RepoTags: string[] }) => i.RepoTags.includes('busybox:latest'));
    const committed = df.Images.find((i: { RepoTags: string[] }) => i.RepoTags.includes('df:1'));
    assert.ok(committed.Size > busybox.Size + 300_000);
    assert.equal(committed.SharedSize, busybox.Size, 'the busybox layer is shared');
    // Every layer once: busybox's and the committed one.
    assert.equal(df.LayersSize, committed.Size);
    const c = df.Containers.find((x: { Names: string[] }) => x.Names.includes('/df-c'));
    assert.ok(c.SizeRw >= 300 * 1024);
    assert.equal(c.SizeRootFs, c.SizeRw + busybox.Size);
    assert.match(c.Status, /^Exited \(0\)/);
    const vol = df.Volumes.find((v: { Name: string }) => v.Name === 'df-vol');
    assert.deepEqual(vol.UsageData, { Size: 50_000, RefCount: 0 });
    assert.deepEqual(df.BuildCache, []);
    // type= narrows the answer; an unknown type is a 400.
    const only = (await d.api('GET', '/system/df?type=volume')).json;
    assert.deepEqual(Object.keys(only), ['Volumes']);
    const bad = await d.api('GET', '/system/df?type=bogus');
    assert.deepEqual([bad.status, bad.json.message], [400, 'unknown object type: bogus']);
    // Before API 1.42 `type` did not exist: every kind, whatever is sent.
    const old = (await d.api('GET', '/v1.41/system/df?type=bogus')).json;
    assert.deepEqual(Object.keys(old).sort(), ['BuildCache', 'Containers', 'Images', 'LayersSize', 'Volumes']);

    for (const args of [['system', 'df'], ['system', 'df', '-v'], ['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Size}}']]) {
      const [b, k] = [await d.berth(args), await d.docker(args)];
      ok(b, args.join(' '));
      // Only the relative times can differ between the two runs, and with them the width of the
      // time columns ("Less than a second ago" in one, "2 seconds ago" in the other).
      const strip = (s: string) => s.replace(/(\d+|About an?|Less than a) \w+ ago/g, 'ago').replace(/ {2,}/g, '  ');
      assert.equal(strip(b.stdout), strip(k.stdout), args.join(' '));
    }
    const summary = await d.docker(['system', 'df', '--format', '{{.Type}}|{{.TotalCount}}']);
    assert.match(summary.stdout, /^Local Volumes\|1$/m);
    await d.docker(['rm', 'df-c']);
    await d.docker(['rmi', 'df:1', 'df:2']);
    await d.docker(['volume', 'rm', 'df-vol']);
  });

  for (const which of CLIS) {
    test(`${which}: system prune --volumes removes anonymous volumes only`, async () => {
      const anon = `anon-${which}`;
      ok(await cli(which, ['volume', 'create', '--label', 'com.docker.volume.anonymous=', anon]), 'anonymous volume');
      ok(await cli(which, ['volume', 'create', `named-${which}`]), 'named volume');
      const r = await cli(which, ['system', 'prune', '-f', '--volumes']);
      ok(r, 'prune');
      assert.match(r.stdout, new RegExp(`Deleted Volumes:\\n${anon}\\n`));
      const left = (await cli(which, ['volume', 'ls', '-q'])).stdout.split('\n');
      assert.ok(left.includes(`named-${which}`) && !left.includes(anon));
      await cli(which, ['volume', 'rm', `named-${which}`]);
    });
  }
});

test('vfs: diff and commit compare with the parent layer (moby\'s naive diff)', async () => {
  const v = await startDaemonWithBusybox(['--storage-driver', 'vfs']);
  try {
    const info = await v.docker(['info', '-f', '{{.Driver}}']);
    assert.equal(info.stdout.trim(), 'vfs');
    ok(await v.docker(['run', '--name', 'vc', 'busybox', 'sh', '-c', 'echo x >> /etc/passwd; touch /newfile; rm /bin/vi']), 'run');
    const diff = await v.berth(['diff', 'vc']);
    assert.equal(diff.stdout, ['C /bin', 'D /bin/vi', 'C /etc', 'C /etc/passwd', 'A /newfile', ''].join('\n'));
    ok(await v.docker(['commit', 'vc', 'vfsimg']), 'commit');
    const r = await v.docker(['run', '--rm', 'vfsimg', 'sh', '-c', 'tail -1 /etc/passwd; ls /newfile; ls /bin/vi']);
    assert.equal(r.stdout, 'x\n/newfile\n');
    assert.match(r.stderr, /\/bin\/vi: No such file or directory/);
  } finally {
    await v.cleanup();
  }
});
