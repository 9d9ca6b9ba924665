// The same Dockerfile and context built by berthd and by a PRIVATE dockerd (Debian's 20.10,
// classic builder, its own data root and socket; never the system's), both with the real docker
// CLI: the image configs' fields, the history lines and every layer's content (names, types,
// modes, owners, sizes, file digests, link targets) must be the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { BUSYBOX_TAR, run, startDaemonWithBusybox, type Daemon } from './harness.ts';
import { dockerdMissing, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';
import { makeContext, removeContexts } from './build.test-helpers.ts';
import { startRegistry } from './distribution.test-helpers.ts';

const missing = dockerdMissing();
let berth: Daemon;
let dockerd: PrivateDockerd | undefined;
let work: string;

before(async () => {
  work = await mkdtemp('/tmp/bt-bcmp-');
  berth = await startDaemonWithBusybox();
  if (missing) return;
  dockerd = await startPrivateDockerd();
  const loaded = await dockerd!.docker(['load', '-i', BUSYBOX_TAR]);
  assert.equal(loaded.code, 0, loaded.stderr);
});

after(async () => {
  if (dockerd) {
    await dockerd.stop();
    assert.deepEqual(await dockerd.leftovers(), [], 'the private dockerd left traces');
  }
  await berth?.cleanup();
  await removeContexts();
  await rm(work, { recursive: true, force: true });
});

/** `docker build` (classic) against a daemon. */
function dockerBuild(host: string, dir: string, tag: string) {
  return run('docker', ['-H', host, 'build', '-t', tag, dir], { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 180_000 });
}

interface Saved {
  config: any;
  /** Per layer: one line per entry. */
  layers: string[][];
}

/** `docker save` of an image, its config and a description of each layer's entries (no times). */
async function saved(host: string, ref: string, name: string): Promise<Saved> {
  const dir = join(work, name);
  execFileSync('mkdir', ['-p', dir]);
  const r = await run('docker', ['-H', host, 'save', '-o', join(dir, 'img.tar'), ref]);
  assert.equal(r.code, 0, r.stderr);
  execFileSync('tar', ['-C', dir, '-xf', join(dir, 'img.tar')]);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))[0];
  const config = JSON.parse(await readFile(join(dir, manifest.Config), 'utf8'));
  const layers: string[][] = [];
  for (const layer of manifest.Layers as string[]) {
    const out = execFileSync('python3', ['-c', LIST_LAYER, join(dir, layer)]).toString();
    layers.push(out.split('\n').filter(Boolean));
  }
  return { config, layers };
}

/**
 * Each entry of a layer tar: name, type, permission bits, uid:gid, size, sha256 of a file, link
 * target. (dockerd 20.10 also writes the file type into the header's mode, moby's
 * fillGo18FileTypeBits; the type is compared through the typeflag.)
 */
const LIST_LAYER = `
import sys, tarfile, hashlib
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        digest = hashlib.sha256(t.extractfile(m).read()).hexdigest()[:16] if m.isfile() else ''
        print(m.name.rstrip('/'), m.type.decode(), oct(m.mode & 0o7777), f'{m.uid}:{m.gid}', m.size if m.isfile() else 0, digest, m.linkname)
`;

const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'Labels', 'ExposedPorts', 'Volumes', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell', 'ArgsEscaped'];

test('an image built by berthd equals dockerd 20.10\'s: config fields, history, layer contents', { skip: missing }, async () => {
  const dir = await makeContext({
    'Dockerfile': [
      'FROM busybox',
      'LABEL org.example.name="compare" version=1',
      'ENV APP_HOME=/srv/app PATH=/srv/app/bin:$PATH',
      'ARG FLAVOR=plain',
      'WORKDIR $APP_HOME',
      'COPY --chown=1000:1000 app/ ./',
      'COPY run.sh bin/',
      'ADD data.tar /srv/data/',
      'RUN mkdir -p /var/lib/app && echo "$FLAVOR" > /var/lib/app/flavor && chmod 0640 /var/lib/app/flavor && ln -s /var/lib/app/flavor /flavor && rm -f /etc/motd',
      'RUN ["/bin/sh", "-c", "echo exec > /srv/app/exec.txt"]',
      'USER 1000',
      'EXPOSE 8080/tcp 9090/udp',
      'VOLUME ["/srv/state"]',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK --interval=30s --timeout=5s CMD ["/bin/true"]',
      'ONBUILD RUN echo onbuild',
      'ENTRYPOINT ["/srv/app/bin/run.sh"]',
      'CMD ["--serve"]',
      '',
    ].join('\n'),
    'app/index.html': '<h1>hi</h1>\n',
    'app/lib/util.js': 'module.exports = 1;\n',
    'run.sh': { content: '#!/bin/sh\necho run "$@"\n', mode: 0o755 },
  });
  // Times in the context are fixed, so copied files carry the same mtime in both builds.
  for (const f of ['app/index.html', 'app/lib/util.js', 'run.sh']) await utimes(join(dir, f), 1_700_000_000, 1_700_000_000);
  const src = await mkdtemp(join(work, 'tarsrc-'));
  await writeFile(join(src, 'a.txt'), 'tar content\n');
  execFileSync('tar', ['-C', src, '--owner=0', '--group=0', '--mtime=@1700000000', '-cf', join(dir, 'data.tar'), 'a.txt']);

  const b = await dockerBuild(berth.host, dir, 'cmp:berth');
  assert.equal(b.code, 0, b.stderr + b.stdout);
  const dd = await dockerBuild(dockerd!.host, dir, 'cmp:dockerd');
  assert.equal(dd.code, 0, dd.stderr + dd.stdout);
  // The stream: the same steps, in the same words.
  const steps = (out: string) => out.split('\n').filter((l) => l.startsWith('Step '));
  assert.deepEqual(steps(b.stdout), steps(dd.stdout));

  const mine = await saved(berth.host, 'cmp:berth', 'berth');
  const theirs = await saved(dockerd!.host, 'cmp:dockerd', 'dockerd');
  // Every difference is collected, so a failure shows them all.
  const diffs: string[] = [];
  const same = (a: unknown, b: unknown, what: string) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${what}: berth ${JSON.stringify(a)} / dockerd ${JSON.stringify(b)}`);
  };
  for (const f of CONFIG_FIELDS) same(mine.config.config[f] ?? null, theirs.config.config[f] ?? null, `config.${f}`);
  for (const f of ['author', 'os', 'architecture']) same(mine.config[f], theirs.config[f], f);
  // COPY/ADD lines name their source by a content hash (moby: a tarsum of the source files);
  // the hash is compared apart from the rest of the line.
  const hist = (c: any) => (c.history as any[]).map((h) => `${(h.created_by ?? '').replace(/(file|dir|multi):[0-9a-f]{64}/g, '$1:<hash>')} | empty=${Boolean(h.empty_layer)} | ${h.comment ?? ''}`);
  const mh = hist(mine.config);
  const th = hist(theirs.config);
  same(mh.length, th.length, 'history length');
  for (let i = 0; i < Math.max(mh.length, th.length); i++) same(mh[i], th[i], `history[${i}]`);
  same(mine.layers.length, theirs.layers.length, 'layer count');
  for (let i = 0; i < Math.min(mine.layers.length, theirs.layers.length); i++) {
    const a = new Set(mine.layers[i]);
    const b = new Set(theirs.layers[i]);
    for (const e of a) if (!b.has(e)) diffs.push(`layer ${i}: only berth: ${e}`);
    for (const e of b) if (!a.has(e)) diffs.push(`layer ${i}: only dockerd: ${e}`);
  }
  same(mine.config.rootfs.diff_ids[0], theirs.config.rootfs.diff_ids[0], 'the base layer');
  assert.deepEqual(diffs, []);
});

test('FROM an image that is neither local nor pullable: the same error as dockerd\'s', { skip: missing }, async () => {
  const reg = await startRegistry();
  try {
    const dir = await makeContext({ 'Dockerfile': `FROM ${reg.addr}/nobody/none:1\nRUN true\n` });
    const b = await dockerBuild(berth.host, dir, 'none:berth');
    const dd = await dockerBuild(dockerd!.host, dir, 'none:dockerd');
    assert.notEqual(b.code, 0);
    assert.equal(b.code, dd.code);
    const errorLine = (s: string) => s.split('\n').filter((l) => l && !/DEPRECATED|buildx|Install the|^\s*$/.test(l)).join('\n');
    assert.equal(errorLine(b.stderr), errorLine(dd.stderr));
    const steps = (out: string) => out.split('\n').filter((l) => l.startsWith('Step '));
    assert.deepEqual(steps(b.stdout), steps(dd.stdout));
  } finally {
    await reg.stop();
  }
});
