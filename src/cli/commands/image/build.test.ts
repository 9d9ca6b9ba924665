// `berth build` against golden texts recorded from the real docker CLI 28.2 (legacy builder):
// testdata/record-build-golden.sh (help, flag and context errors) and
// testdata/record-build-stream.mjs (the POST /build query docker sends and how it prints the
// daemon's stream, through a fake daemon). The same cases run here through runCli and a fake
// daemon, plus berth's own parts: stdin contexts, --secret's header, -o tar and local.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../framework/run-cli.ts';
import { buildCommandTree, findPath } from '../../framework/command-tree.ts';
import { renderHelp } from '../../framework/help.ts';
import { registry } from '../index.ts';
import { TarWriter, readTar } from '../../../common/index.ts';
import { startFakeDaemon, type FakeDaemon, type SeenRequest } from '../fake-daemon.test-helpers.ts';
import { buildCommand, isRemoteContext, progressMode } from './build.ts';
import { buildSettings } from './build-options.ts';
import { parseOutputSpec } from './build-output.ts';
import { isArchive } from './build-stdin.ts';
import { flagsFromArgv } from '../../opts/flags.test-helpers.ts';

const testdata = join(import.meta.dirname, 'testdata');
const GOLDEN_DIR = '/tmp/berth-build-golden';
const ctxDir = join(GOLDEN_DIR, 'ctx');

interface Golden {
  name: string;
  stream: string;
  args: string[];
  request: { path: string; query: Record<string, string[]>; headers: Record<string, string>; bodyLength: number };
  code: number;
  stdout: string;
  stderr: string;
}

function sink(isTTY = false): { stream: NodeJS.WriteStream; text(): string; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY: boolean }).isTTY = isTTY;
  return { stream, text: () => Buffer.concat(chunks).toString(), bytes: () => Buffer.concat(chunks) };
}

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-build-test-'));
  // The fixture the recordings were made with (record-build-*.{sh,mjs}).
  await mkdir(ctxDir, { recursive: true });
  await writeFile(join(ctxDir, 'Dockerfile'), 'FROM busybox\nRUN echo hi\n');
  await writeFile(join(ctxDir, 'a.txt'), 'data\n');
  process.env.HOME = GOLDEN_DIR;
});
after(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(GOLDEN_DIR, { recursive: true, force: true });
});

async function berth(args: string[], opts: { host?: string; stdin?: Buffer; stdoutTTY?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const out = sink(opts.stdoutTTY);
  const err = sink();
  const stdin = Readable.from(opts.stdin ? [opts.stdin] : []) as unknown as NodeJS.ReadStream;
  (stdin as { isTTY: boolean }).isTTY = false;
  const code = await runCli(args, {
    registry, env: { HOME: home, DOCKER_HOST: opts.host ?? `unix://${home}/none.sock`, ...opts.env }, stdin,
    stdout: out.stream, stderr: err.stream, versionLine: 'berth test',
  });
  return { code, stdout: out.text(), stderr: err.text(), stdoutBytes: out.bytes() };
}

test('berth build --help is docker 28.2\'s legacy build help, plus the BuildKit flags berth adds', () => {
  const tree = buildCommandTree({ ...registry, globalFlags: [] });
  const node = findPath(tree.root, ['build'])!;
  const docker = readFileSync(join(testdata, 'build-help.golden'), 'utf8');
  const withoutBuildKit = { ...node, spec: { ...node.spec, flags: node.spec.flags!.filter((f) => !['secret', 'output', 'progress'].includes(f.name)) } };
  assert.equal(renderHelp(tree, withoutBuildKit, 80), docker);
  const full = renderHelp(tree, node, 80);
  assert.match(full, /\n  -o, --output stringArray      Output destination \(format:\n/);
  assert.match(full, /\n      --secret stringArray      Secret to expose to the build \(format:\n/);
  assert.match(full, /\n      --progress string         Set type of progress output \("auto",\n/);
  // `builder build` is the same command, with the same aliases line.
  assert.equal(findPath(tree.root, ['builder', 'build'])!.spec, buildCommand);
  assert.equal(renderHelp(tree, findPath(tree.root, ['builder', 'build'])!, 80).split('\n').slice(2).join('\n'), full.split('\n').slice(2).join('\n'));
});

test('flag and context errors are docker 28.2\'s (text and exit code)', async () => {
  const cases = JSON.parse(readFileSync(join(testdata, 'build-errors.json'), 'utf8')) as { args: string[]; code: number; stderr: string }[];
  assert.ok(cases.length > 20);
  const prev = process.cwd();
  process.chdir(GOLDEN_DIR); // the recorder ran there (relative -f paths)
  try {
    for (const c of cases) {
      const r = await berth(['build', ...c.args]);
      assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: c.code, stderr: c.stderr }, `berth build ${c.args.join(' ')}`);
    }
  } finally {
    process.chdir(prev);
  }
});

/** The golden cases against a fake daemon that answers with the same recorded stream. */
async function withStream(stream: string, fn: (d: FakeDaemon) => Promise<void>, extra?: (r: SeenRequest) => { body: string } | undefined): Promise<void> {
  const body = readFileSync(join(testdata, stream));
  const d = await startFakeDaemon((r) => extra?.(r) ?? { body });
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

const goldens = JSON.parse(readFileSync(join(testdata, 'build-stream-golden.json'), 'utf8')) as Golden[];
for (const g of goldens) {
  test(`build "${g.name}": the query docker sends, and its output of the daemon's stream`, async () => {
    await withStream(g.stream, async (d) => {
      const r = await berth(['build', ...g.args], { host: d.host });
      assert.equal(r.stdout, g.stdout);
      assert.equal(r.stderr, g.stderr);
      assert.equal(r.code, g.code);
      const req = d.requests.find((x) => x.path === '/build')!;
      assert.deepEqual(req.query, g.request.query);
      assert.equal(req.headers['content-type'], g.request.headers['content-type']);
      assert.equal(req.headers['x-registry-config'], g.request.headers['x-registry-config']);
      assert.equal(req.body.length, g.request.bodyLength);
      assert.equal(req.headers['x-berth-build-secrets'], undefined);
    });
  });
}

test('--iidfile gets the aux ID; a stale file is removed even when the build fails', async () => {
  const iid = join(home, 'iid');
  await withStream('build-ok.stream', async (d) => {
    assert.equal((await berth(['build', '--iidfile', iid, ctxDir], { host: d.host })).code, 0);
    assert.equal(await readFile(iid, 'utf8'), 'sha256:3333333333333333333333333333333333333333333333333333333333333333');
  });
  await withStream('build-fail.stream', async (d) => {
    assert.equal((await berth(['build', '--iidfile', iid, ctxDir], { host: d.host })).code, 3);
    await assert.rejects(lstat(iid), { code: 'ENOENT' });
  });
  // A file that cannot be written: Go's error text, after the build.
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '--iidfile', join(home, 'no/such/dir/iid'), ctxDir], { host: d.host });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `open ${join(home, 'no/such/dir/iid')}: no such file or directory\n`);
  });
  // A stream without an aux ID: docker's error.
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '--iidfile', iid, ctxDir], { host: d.host });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Server did not provide an image ID. Cannot write ${iid}\n`);
  }, (req) => (req.path === '/build' ? { body: '{"stream":"Step 1/1 : FROM busybox\\n"}\n' } : undefined));
});

test('build args: k=v, a bare k from the environment, a bare k that is unset is null', () => {
  const { flags } = flagsFromArgv(buildCommand.flags!, ['--build-arg', 'B=2', '--build-arg', 'FROM_ENV', '--build-arg', 'UNSET', '--build-arg', 'A=x=y']);
  const s = buildSettings(flags, (n) => (n === 'FROM_ENV' ? 'v' : undefined));
  assert.equal(s.query.buildargs, '{"A":"x=y","B":"2","FROM_ENV":"v","UNSET":null}');
  assert.equal(s.query.rm, undefined);
  assert.equal(s.query.version, '1');
  assert.throws(() => buildSettings(flagsFromArgv(buildCommand.flags!, ['--progress', 'fancy']).flags, () => undefined), /invalid progress mode "fancy"/);
});

test('progress mode: quiet wins, plain and tty as asked, auto picks the view only on a terminal', () => {
  const s = (argv: string[]) => buildSettings(flagsFromArgv(buildCommand.flags!, argv).flags, () => undefined);
  assert.equal(progressMode(s(['-q', '--progress', 'tty']), true, true, false), 'quiet');
  assert.equal(progressMode(s(['--progress', 'quiet']), true, true, false), 'quiet');
  assert.equal(progressMode(s(['--progress', 'plain']), true, true, false), 'plain');
  assert.equal(progressMode(s(['--progress', 'tty']), false, false, false), 'tty');
  assert.equal(progressMode(s([]), true, true, false), 'tty');
  assert.equal(progressMode(s([]), true, false, false), 'plain');
  assert.equal(progressMode(s([]), false, true, false), 'plain');
  assert.equal(progressMode(s([]), true, false, true), 'tty');
});

test('remote contexts: http(s) and git URLs go to the daemon as remote, with no body', async () => {
  assert.equal(isRemoteContext('https://127.0.0.1:1/x.tar'), true);
  assert.equal(isRemoteContext('git@github.com:x/y'), true);
  assert.equal(isRemoteContext('./dir'), false);
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '-f', 'sub/Dockerfile', 'http://127.0.0.1:9/ctx.tar'], { host: d.host });
    assert.equal(r.code, 0);
    const req = d.requests.find((x) => x.path === '/build')!;
    assert.deepEqual(req.query.remote, ['http://127.0.0.1:9/ctx.tar']);
    assert.deepEqual(req.query.dockerfile, ['sub/Dockerfile']);
    assert.equal(req.body.length, 0);
    assert.ok(!r.stdout.includes('Sending build context'));
  });
});

async function tarOf(entries: { name: string; data: string }[]): Promise<Buffer> {
  const w = new TarWriter();
  const done = (async () => {
    for (const e of entries) await w.addFile({ name: e.name, mode: 0o644, size: Buffer.byteLength(e.data) }, Buffer.from(e.data));
    await w.finish();
  })();
  const chunks: Buffer[] = [];
  for await (const c of w.readable) chunks.push(c as Buffer);
  await done;
  return Buffer.concat(chunks);
}

async function namesIn(tar: Buffer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of readTar(Readable.from([tar]))) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(Buffer.from(c));
    out.set(e.name, Buffer.concat(parts).toString());
  }
  return out;
}

test('a tar on stdin is sent as it is, with -f naming the Dockerfile in it', async () => {
  const tar = await tarOf([{ name: 'Dockerfile.dev', data: 'FROM busybox\n' }, { name: 'x', data: 'x' }]);
  assert.equal(isArchive(tar.subarray(0, 512)), true);
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '-f', 'Dockerfile.dev', '-'], { host: d.host, stdin: tar });
    assert.equal(r.code, 0);
    const req = d.requests.find((x) => x.path === '/build')!;
    assert.deepEqual(req.body, tar);
    assert.deepEqual(req.query.dockerfile, ['Dockerfile.dev']);
  });
});

test('a plain Dockerfile on stdin becomes a context of one file named Dockerfile', async () => {
  const dockerfile = 'FROM busybox\nRUN true\n';
  assert.equal(isArchive(Buffer.from(dockerfile)), false);
  assert.equal(isArchive(Buffer.from([0x1f, 0x8b, 0x08, 0])), true);
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '-'], { host: d.host, stdin: Buffer.from(dockerfile) });
    assert.equal(r.code, 0);
    const req = d.requests.find((x) => x.path === '/build')!;
    assert.deepEqual(req.query.dockerfile, ['Dockerfile']);
    assert.deepEqual([...(await namesIn(req.body))], [['Dockerfile', dockerfile]]);
    assert.match(r.stdout, /^Sending build context to Docker daemon  2\.048kB\r\r\n/);
  });
});

test('-f - reads the Dockerfile from stdin into the context', async () => {
  const dockerfile = 'FROM busybox\nCOPY a.txt /\n';
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '-f', '-', ctxDir], { host: d.host, stdin: Buffer.from(dockerfile) });
    assert.equal(r.code, 0, r.stderr);
    const req = d.requests.find((x) => x.path === '/build')!;
    const name = req.query.dockerfile![0]!;
    const files = await namesIn(req.body);
    assert.equal(files.get(name), dockerfile);
    assert.equal(files.get('a.txt'), 'data\n');
  });
});

test('a Dockerfile outside the context is sent inside it', async () => {
  const outside = join(home, 'elsewhere.Dockerfile');
  await writeFile(outside, 'FROM busybox\n# outside\n');
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '-f', outside, ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    const req = d.requests.find((x) => x.path === '/build')!;
    const files = await namesIn(req.body);
    assert.equal(files.get(req.query.dockerfile![0]!), 'FROM busybox\n# outside\n');
  });
});

test('--secret: files and variables in the X-Berth-Build-Secrets header, never in the query', async () => {
  const file = join(home, 'token.txt');
  await writeFile(file, 's3cr3t\n');
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '--secret', `id=tok,src=${file}`, '--secret', 'id=pw,env=MY_PW', '--secret', 'type=env,id=e2,src=MY_PW', ctxDir], {
      host: d.host, env: {},
    }).finally(() => undefined);
    // MY_PW is read from the CLI's own environment.
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'secret pw: environment variable MY_PW is not set\n');
  });
  process.env.MY_PW = 'hunter2';
  try {
    await withStream('build-ok.stream', async (d) => {
      const r = await berth(['build', '--secret', `id=tok,src=${file}`, '--secret', 'id=pw,env=MY_PW', '--secret', 'type=env,id=e2,src=MY_PW', ctxDir], { host: d.host });
      assert.equal(r.code, 0, r.stderr);
      const req = d.requests.find((x) => x.path === '/build')!;
      const header = JSON.parse(Buffer.from(String(req.headers['x-berth-build-secrets']), 'base64').toString()) as Record<string, string>;
      assert.deepEqual(Object.keys(header), ['e2', 'pw', 'tok']);
      assert.equal(Buffer.from(header.tok!, 'base64').toString(), 's3cr3t\n');
      assert.equal(Buffer.from(header.pw!, 'base64').toString(), 'hunter2');
      assert.equal(Buffer.from(header.e2!, 'base64').toString(), 'hunter2');
      assert.ok(!JSON.stringify(req.query).includes('hunter2'));
    });
  } finally {
    delete process.env.MY_PW;
  }
  for (const [spec, message] of [
    ['src=/x', 'invalid argument "src=/x" for "--secret" flag: secret missing ID'],
    ['id=a,foo=b', "invalid argument \"id=a,foo=b\" for \"--secret\" flag: unexpected key 'foo' in 'foo=b'"],
    ['id', "invalid argument \"id\" for \"--secret\" flag: invalid field 'id' must be a key=value pair"],
    ['id=a,type=ssh', 'invalid argument "id=a,type=ssh" for "--secret" flag: unsupported secret type "ssh"'],
    [`id=a,src=${home}/missing`, `failed to stat ${home}/missing: no such file or directory`],
  ]) {
    const r = await berth(['build', '--secret', spec!, ctxDir]);
    assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: 1, stderr: message + '\n' }, spec);
  }
});

test('secrets larger than the daemon\'s header limit: a clear error', async () => {
  const big = join(home, 'big-secret');
  await writeFile(big, Buffer.alloc(20_000, 0x61));
  // The fake daemon is a node:http server with node's default 16 KiB header limit.
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '--secret', `id=big,src=${big}`, ctxDir], { host: d.host });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^the build secrets are too large for the daemon's request header limit \(X-Berth-Build-Secrets: \d+ bytes\)\n$/);
  });
});

test('-o values: local and tar, the short forms, and bad ones', () => {
  assert.deepEqual(parseOutputSpec('type=local,dest=out'), { type: 'local', dest: 'out' });
  assert.deepEqual(parseOutputSpec('type=tar,dest=o.tar'), { type: 'tar', dest: 'o.tar' });
  assert.deepEqual(parseOutputSpec('out'), { type: 'local', dest: 'out' });
  assert.deepEqual(parseOutputSpec('-'), { type: 'tar', dest: '-' });
  assert.throws(() => parseOutputSpec('dest=x'), /type is required for output/);
  assert.throws(() => parseOutputSpec('type=local'), /output directory is required for local exporter/);
  assert.throws(() => parseOutputSpec('type=image,name=x'), /unknown output attribute|not supported/);
  assert.throws(() => parseOutputSpec('type=oci,dest=x'), /not supported by berth/);
});

/** A daemon for -o: the build, the image, a container made from it, and its export (hostile). */
async function exportDaemon(exportTar: Buffer, repoTags: string[] = []): Promise<FakeDaemon> {
  const ok = readFileSync(join(testdata, 'build-ok.stream'));
  return startFakeDaemon((r) => {
    if (r.path === '/build') return { body: ok };
    if (r.method === 'GET' && r.path.startsWith('/images/')) return { body: JSON.stringify({ RepoTags: repoTags, Config: { Cmd: null, Entrypoint: null } }) };
    if (r.path === '/containers/create') return { status: 201, body: JSON.stringify({ Id: 'c0ffee', Warnings: [] }) };
    if (r.path === '/containers/c0ffee/export') return { headers: { 'Content-Type': 'application/x-tar' }, body: exportTar };
    if (r.method === 'DELETE') return { status: r.path.startsWith('/images/') ? 200 : 204, body: r.path.startsWith('/images/') ? '[]' : '' };
    return { status: 404, body: '{"message":"not found"}' };
  });
}

async function hostileTar(): Promise<Buffer> {
  const w = new TarWriter();
  const done = (async () => {
    await w.addDir({ name: 'etc', mode: 0o755 });
    await w.addFile({ name: 'etc/hello', mode: 0o640, uid: 1234, gid: 1234, size: 3 }, Buffer.from('hi\n'));
    await w.addSymlink({ name: 'etc/passwd-link', mode: 0o777 }, '/etc/passwd');
    await w.addDir({ name: 'dev', mode: 0o755 });
    await w.addDevice({ name: 'dev/sda', mode: 0o600 }, 'block', 8, 0);
    await w.addDevice({ name: 'dev/null', mode: 0o666 }, 'char', 1, 3);
    await w.finish();
  })();
  const chunks: Buffer[] = [];
  for await (const c of w.readable) chunks.push(c as Buffer);
  await done;
  return Buffer.concat(chunks);
}

test('-o type=local extracts the image inside dest: no device nodes, no chown, links stay links; container and untagged image removed', async () => {
  const d = await exportDaemon(await hostileTar());
  const dest = join(home, 'out-local');
  try {
    const r = await berth(['build', '-o', `type=local,dest=${dest}`, ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(dest, 'etc/hello'), 'utf8'), 'hi\n');
    const st = await lstat(join(dest, 'etc/hello'));
    assert.equal(st.uid, process.getuid!());
    assert.equal(await readlink(join(dest, 'etc/passwd-link')), '/etc/passwd');
    assert.deepEqual(await readdir(join(dest, 'dev')), []);
    const create = d.requests.find((x) => x.path === '/containers/create')!;
    assert.equal(JSON.parse(create.body.toString()).Image, 'sha256:3333333333333333333333333333333333333333333333333333333333333333');
    assert.ok(d.requests.some((x) => x.method === 'DELETE' && x.path === '/containers/c0ffee'));
    const rmi = d.requests.find((x) => x.method === 'DELETE' && x.path.startsWith('/images/'))!;
    assert.deepEqual(rmi.query.noprune, ['1']);
  } finally {
    await d.close();
  }
});

test('-o type=tar writes the export to a file; -o - to stdout, the progress then on stderr; a tagged image stays', async () => {
  const tar = await tarOf([{ name: 'f', data: 'content' }]);
  const d = await exportDaemon(tar, ['app:latest']);
  const file = join(home, 'out.tar');
  try {
    let r = await berth(['build', '-t', 'app', '-o', `type=tar,dest=${file}`, ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await readFile(file), tar);
    r = await berth(['build', '-t', 'app', '-o', '-', ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdoutBytes, tar);
    assert.match(r.stderr, /^Sending build context to Docker daemon/);
    assert.match(r.stderr, /Successfully tagged app:latest\n$/);
    assert.ok(!d.requests.some((x) => x.method === 'DELETE' && x.path.startsWith('/images/')));
    assert.equal(d.requests.filter((x) => x.method === 'DELETE' && x.path === '/containers/c0ffee').length, 2);
  } finally {
    await d.close();
  }
  // A terminal never gets a tar.
  const r = await berth(['build', '-o', '-', ctxDir], { stdoutTTY: true });
  assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: 1, stderr: 'output file is required for tar exporter. refusing to write to console\n' });
  const r2 = await berth(['build', '-o', 'a', '-o', 'b', ctxDir]);
  assert.deepEqual({ code: r2.code, stderr: r2.stderr }, { code: 1, stderr: 'multiple outputs currently unsupported\n' });
});

test('X-Registry-Config carries every stored registry login', async () => {
  const cfgDir = join(home, '.docker-cfg');
  await mkdir(cfgDir, { recursive: true });
  await writeFile(join(cfgDir, 'config.json'), JSON.stringify({ auths: { 'localhost:5000': { auth: Buffer.from('u:p').toString('base64') }, 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') } } }));
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['--config', cfgDir, 'build', ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    const req = d.requests.find((x) => x.path === '/build')!;
    const cfg = JSON.parse(Buffer.from(String(req.headers['x-registry-config']).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString());
    assert.deepEqual(cfg, {
      'https://index.docker.io/v1/': { username: 'hub', password: 'pw', serveraddress: 'https://index.docker.io/v1/' },
      'localhost:5000': { username: 'u', password: 'p', serveraddress: 'localhost:5000' },
    });
  });
});

test('config.json proxies become build args unless the command line sets them', async () => {
  const cfgDir = join(home, '.proxy-cfg');
  await mkdir(cfgDir, { recursive: true });
  await writeFile(join(cfgDir, 'config.json'), JSON.stringify({ proxies: { default: { httpProxy: 'http://p:3128', noProxy: 'localhost' } } }));
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['--config', cfgDir, 'build', '--build-arg', 'http_proxy=mine', ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    const req = d.requests.find((x) => x.path === '/build')!;
    assert.deepEqual(JSON.parse(req.query.buildargs![0]!), { HTTP_PROXY: 'http://p:3128', NO_PROXY: 'localhost', http_proxy: 'mine', no_proxy: 'localhost' });
  });
});

test('--compress sends the context gzipped', async () => {
  const { gunzipSync } = await import('node:zlib');
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '--compress', ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    const req = d.requests.find((x) => x.path === '/build')!;
    assert.deepEqual(req.body.subarray(0, 2), Buffer.from([0x1f, 0x8b]));
    const files = await namesIn(gunzipSync(req.body));
    assert.equal(files.get('a.txt'), 'data\n');
  });
});

test('--progress=tty: the view on stderr, stdout left alone, the Successfully lines after it', async () => {
  await withStream('build-ok.stream', async (d) => {
    const r = await berth(['build', '--progress=tty', '-t', 'app', ctxDir], { host: d.host });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /\[\+\] Building \d+\.\ds \(4\/4\) FINISHED\x1b\[K\n => \[internal\] load build context +\d+\.\ds\x1b\[K\n => => transferring context: 3\.07kB\x1b\[K\n => \[1\/3\] FROM busybox +\d+\.\ds\x1b\[K\n => \[2\/3\] RUN echo hi +\d+\.\ds\x1b\[K\n => CACHED \[3\/3\] CMD \["sh"\] +\d+\.\ds\x1b\[K\nSuccessfully built 333333333333\nSuccessfully tagged app:latest\n$/);
  });
  await withStream('build-fail.stream', async (d) => {
    const r = await berth(['build', '--progress=tty', ctxDir], { host: d.host });
    assert.equal(r.code, 3);
    assert.match(r.stderr, / => ERROR \[2\/2\] RUN exit 3 +\d+\.\ds\x1b\[K\n------\n > \[2\/2\] RUN exit 3:\n------\nThe command '\/bin\/sh -c exit 3' returned a non-zero code: 3\n$/);
  });
});

test('-o type=local refuses an export that climbs out of dest, writing nothing', async () => {
  // A hand-made header: TarWriter itself never writes such a name.
  const { computeChecksum } = await import('../../../common/index.ts');
  const block = Buffer.alloc(512);
  block.write('../escaped', 0);
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write('00000000003\0', 124);
  block.write('00000000000\0', 136);
  block.write('0', 156);
  block.write('ustar\x0000', 257);
  block.write(computeChecksum(block).toString(8).padStart(6, '0') + '\0 ', 148);
  const body = Buffer.alloc(512);
  body.write('bad');
  const tar = Buffer.concat([block, body, Buffer.alloc(1024)]);
  const d = await exportDaemon(tar);
  const parent = join(home, 'esc');
  const dest = join(parent, 'dest');
  try {
    const r = await berth(['build', '-o', dest, ctxDir], { host: d.host });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /"\.\.\/escaped" is outside of "\/"/);
    assert.deepEqual(await readdir(parent), ['dest']);
    assert.deepEqual(await readdir(dest), []);
    // the helper container is removed even so
    assert.ok(d.requests.some((x) => x.method === 'DELETE' && x.path === '/containers/c0ffee'));
  } finally {
    await d.close();
  }
});
