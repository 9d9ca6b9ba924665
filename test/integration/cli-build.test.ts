// `berth build` (berth's own CLI) against a private berthd, beside `docker build` through the same
// daemon: tags, build args, --target, -q, --iidfile, -f - and a Dockerfile outside the context, a
// tar and a Dockerfile on stdin, .dockerignore, --secret (absent from the image and its history),
// -o local and tar, the plain output against docker's, the tty view, a failing RUN, Ctrl-C, and
// `builder prune`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';

let d: Daemon;
let work: string;

before(async () => {
  d = await startDaemonWithBusybox();
  work = await mkdtemp('/tmp/bt-clibuild-');
});
after(async () => {
  await d?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

let n = 0;
/** A context directory under the test's work dir. */
async function context(files: Record<string, string>): Promise<string> {
  const dir = join(work, `ctx${++n}`);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

const berth = (args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}) => d.berth(args, { timeoutMs: 120_000, ...opts });
const docker = (args: string[], opts: { input?: string | Buffer } = {}) => d.docker(args, { timeoutMs: 120_000, ...opts });

async function inspect(ref: string): Promise<any> {
  const r = await berth(['image', 'inspect', ref]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0];
}

async function runIn(image: string, cmd: string[]): Promise<string> {
  const r = await berth(['run', '--rm', image, ...cmd]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('tags, build args (k=v and from the environment), labels, --iidfile; -q prints only the ID', async () => {
  const dir = await context({
    Dockerfile: 'FROM busybox\nARG A\nARG FROM_ENV\nARG UNSET=dflt\nRUN echo "$A $FROM_ENV $UNSET" > /args.txt\n',
  });
  const iid = join(work, 'iid');
  const r = await berth(['build', '--progress=plain', '-t', 'cb-args:1', '-t', 'cb-args:2', '--build-arg', 'A=one', '--build-arg', 'FROM_ENV', '--build-arg', 'UNSET',
    '--label', 'k=v', '--iidfile', iid, dir], { env: { FROM_ENV: 'two' } });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^Sending build context to Docker daemon  \d+(\.\d+)?k?B\r\r\n/);
  assert.match(r.stdout, /^Successfully tagged cb-args:1$/m);
  assert.match(r.stdout, /^Successfully tagged cb-args:2$/m);
  const id = await readFile(iid, 'utf8');
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const img = await inspect('cb-args:1');
  assert.equal(img.Id, id);
  assert.equal(img.Config.Labels.k, 'v');
  // An ARG given bare and unset in the environment keeps its Dockerfile default (null build arg).
  assert.equal(await runIn('cb-args:2', ['cat', '/args.txt']), 'one two dflt\n');

  // The same build, all cache hits: the same image.
  const q = await berth(['build', '-q', '--build-arg', 'A=one', '--build-arg', 'FROM_ENV=two', '--build-arg', 'UNSET', '--label', 'k=v', dir]);
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout, `${id}\n`);
  assert.equal(q.stderr, '');
});

test('--target builds the stage asked for', async () => {
  const dir = await context({
    Dockerfile: 'FROM busybox AS base\nRUN echo base > /stage\nFROM base AS dev\nRUN echo dev > /stage\nFROM base AS prod\nRUN echo prod > /stage\n',
  });
  const r = await berth(['build', '--target', 'dev', '-t', 'cb-target', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('cb-target', ['cat', '/stage']), 'dev\n');
});

test('-f - takes the Dockerfile from stdin; -f names one outside the context', async () => {
  const dir = await context({ 'data.txt': 'payload\n' });
  let r = await berth(['build', '-f', '-', '-t', 'cb-stdin-df', dir], { input: 'FROM busybox\nCOPY data.txt /\n' });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('cb-stdin-df', ['cat', '/data.txt']), 'payload\n');
  const outside = join(work, 'outside.Dockerfile');
  await writeFile(outside, 'FROM busybox\nCOPY data.txt /copied.txt\n');
  r = await berth(['build', '-f', outside, '-t', 'cb-outside', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('cb-outside', ['cat', '/copied.txt']), 'payload\n');
  // The Dockerfile sent inside the context is not in the image.
  assert.equal(await runIn('cb-outside', ['sh', '-c', 'ls -a / | grep -c dockerfile || true']), '0\n');
});

test('a tar on stdin is the context; a plain Dockerfile on stdin is a context of its own', async () => {
  const dir = await context({ 'Dockerfile.alt': 'FROM busybox\nCOPY f.txt /\n', 'f.txt': 'from tar\n' });
  const tar = execFileSync('tar', ['-C', dir, '-cf', '-', '.']);
  let r = await berth(['build', '-f', 'Dockerfile.alt', '-t', 'cb-tar', '-'], { input: tar });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('cb-tar', ['cat', '/f.txt']), 'from tar\n');
  r = await berth(['build', '-t', 'cb-plain', '-'], { input: 'FROM busybox\nRUN echo plain > /p\n' });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('cb-plain', ['cat', '/p']), 'plain\n');
  r = await berth(['build', '-f', '-', '-'], { input: 'FROM busybox\n' });
  assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: 1, stderr: "invalid argument: can't use stdin for both build context and dockerfile\n" });
});

test('.dockerignore leaves files out of the context, with exceptions', async () => {
  const dir = await context({
    Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
    '.dockerignore': '*.log\nsecret/\n!keep.log\n',
    'a.txt': 'a', 'debug.log': 'no', 'keep.log': 'yes', 'secret/key': 'no',
  });
  const r = await berth(['build', '-t', 'cb-ignore', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('cb-ignore', ['ls', '-A', '/ctx']), '.dockerignore\nDockerfile\na.txt\nkeep.log\n');
});

test('--secret reaches RUN --mount=type=secret and is absent from the layers and the history', async () => {
  const dir = await context({
    Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=tok wc -c < /run/secrets/tok > /len\nRUN --mount=type=secret,id=pw,env=PW sh -c \'echo ${#PW} > /pwlen\'\n',
  });
  const tok = join(work, 'tok.txt');
  await writeFile(tok, 'TOPSECRET-123\n');
  await chmod(tok, 0o600);
  const r = await berth(['build', '--secret', `id=tok,src=${tok}`, '--secret', 'id=pw,env=MY_PW', '-t', 'cb-secret', dir], { env: { MY_PW: 'hunter2hunter2' } });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal((await runIn('cb-secret', ['cat', '/len'])).trim(), '14');
  assert.equal((await runIn('cb-secret', ['cat', '/pwlen'])).trim(), '14');
  assert.equal(await runIn('cb-secret', ['sh', '-c', 'test -e /run/secrets/tok && echo present || echo absent']), 'absent\n');
  const history = await berth(['history', '--no-trunc', 'cb-secret']);
  assert.ok(!history.stdout.includes('TOPSECRET') && !history.stdout.includes('hunter2'), history.stdout);
  // The image's files (a container's export: every layer applied) hold neither secret.
  const created = await berth(['create', 'cb-secret']);
  assert.equal(created.code, 0, created.stderr);
  const exported = await berth(['export', created.stdout.trim()]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(exported.stdout.includes('pwlen'));
  assert.ok(!exported.stdout.includes('TOPSECRET') && !exported.stdout.includes('hunter2'));
  assert.equal((await berth(['rm', created.stdout.trim()])).code, 0);
  // Nor does any blob of the saved image (compressed layers opened).
  const savedTar = join(work, 'secret-save.tar');
  assert.equal((await berth(['save', '-o', savedTar, 'cb-secret'])).code, 0);
  const savedDir = join(work, 'secret-save');
  await mkdir(savedDir);
  execFileSync('tar', ['-C', savedDir, '-xf', savedTar]);
  const files = execFileSync('find', [savedDir, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n');
  assert.ok(files.length > 2);
  for (const f of files) {
    let bytes = await readFile(f);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    assert.ok(!bytes.includes('TOPSECRET') && !bytes.includes('hunter2'), f);
  }
  assert.ok(!r.stdout.includes('TOPSECRET') && !d.daemonLog().includes('TOPSECRET') && !d.daemonLog().includes('hunter2'));
  // A 200 KB secret: far past node:http's default 16 KiB of headers, within dockerd's (Go's) 1 MiB.
  const big = join(work, 'big.bin');
  await writeFile(big, Buffer.alloc(200_000, 'x'));
  const bigDir = await context({ Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=big wc -c < /run/secrets/big > /biglen\n' });
  const rb = await berth(['build', '--secret', `id=big,src=${big}`, '-t', 'cb-secret-big', bigDir]);
  assert.equal(rb.code, 0, rb.stderr + rb.stdout);
  assert.equal((await runIn('cb-secret-big', ['cat', '/biglen'])).trim(), '200000');
});

test('-o type=local writes the image\'s files to a directory, -o type=tar to a tar; no image is left untagged', async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nRUN mkdir -p /out && echo result > /out/r.txt\n' });
  const dangling = async () => (await berth(['images', '-q', '--filter', 'dangling=true'])).stdout;
  const danglingBefore = await dangling();
  const containersBefore = (await berth(['ps', '-aq'])).stdout;
  const dest = join(work, 'local-out');
  let r = await berth(['build', '-o', `type=local,dest=${dest}`, dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await readFile(join(dest, 'out/r.txt'), 'utf8'), 'result\n');
  assert.ok((await readdir(join(dest, 'bin'))).includes('busybox'));
  const file = join(work, 'out.tar');
  r = await berth(['build', '-o', `type=tar,dest=${file}`, dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const list = execFileSync('tar', ['-tf', file], { encoding: 'utf8' });
  assert.match(list, /^out\/r\.txt$/m);
  r = await berth(['build', '-o', '-', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Successfully built/);
  assert.ok(r.stdout.length > 1024);
  // No container left from the export.
  assert.equal((await berth(['ps', '-aq'])).stdout, containersBefore);
  assert.equal(await dangling(), danglingBefore);
  // The usual use (its first stage stays as an untagged image, as with docker's classic builder): a scratch stage holding only what was built.
  const scratch = await context({ Dockerfile: 'FROM busybox AS b\nRUN echo artifact > /artifact\nFROM scratch\nCOPY --from=b /artifact /\n' });
  const only = join(work, 'scratch-out');
  r = await berth(['build', '-o', only, scratch]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await readFile(join(only, 'artifact'), 'utf8'), 'artifact\n');
});

/** The output with what differs between two runs (container IDs, the context size) left out. */
const normalize = (s: string) => s.replace(/Running in [0-9a-f]{12}/g, 'Running in X').replace(/intermediate container [0-9a-f]{12}/g, 'intermediate container X');

test('--progress=plain prints what docker build prints, through the same daemon', async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nCOPY a.txt /\nRUN cat /a.txt\nCMD ["sh"]\n', 'a.txt': 'hello\n' });
  const dk = await docker(['build', '-t', 'cb-cmp', dir]);
  assert.equal(dk.code, 0, dk.stderr + dk.stdout);
  // The second build is all cache hits: both print the same steps and IDs.
  const b = await berth(['build', '--progress=plain', '-t', 'cb-cmp', dir]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  const dk2 = await docker(['build', '-t', 'cb-cmp', dir]);
  assert.equal(normalize(b.stdout), normalize(dk2.stdout));
  assert.match(b.stdout, / ---> Using cache\n/);
});

test('a build from scratch (--no-cache) prints what docker build prints, IDs aside', async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nENV A=1\nCOPY a.txt /\nRUN echo out; echo err >&2\nWORKDIR /w\n', 'a.txt': 'x\n' });
  const ids = (s: string) => s.replace(/\b[0-9a-f]{12}\b/g, '<id>');
  const dk = await docker(['build', '--no-cache', dir]);
  const b = await berth(['build', '--no-cache', '--progress=plain', dir]);
  assert.equal(dk.code, 0, dk.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(ids(b.stdout), ids(dk.stdout));
  assert.match(b.stdout, /^Sending build context to Docker daemon  3\.072kB\r\r\n/);
});

test('--progress=tty draws the BuildKit-like view', async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo one && echo two\n' });
  const r = await berth(['build', '--progress=tty', '--no-cache', '-t', 'cb-tty', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /\[\+\] Building \d+\.\ds \(3\/3\) FINISHED\x1b\[K\n/);
  assert.match(r.stderr, / => \[2\/2\] RUN echo one && echo two +\d+\.\ds\x1b\[K\n/);
  assert.match(r.stderr, /Successfully tagged cb-tty:latest\n$/);
});

test('a failing RUN: docker\'s message, its exit code, and no tag', async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo failing; exit 3\n' });
  const b = await berth(['build', '-t', 'cb-fail', dir]);
  const dk = await docker(['build', '-t', 'cb-fail', dir]);
  assert.equal(b.stderr, "The command '/bin/sh -c echo failing; exit 3' returned a non-zero code: 3\n");
  assert.equal(b.code, dk.code);
  assert.ok(dk.stderr.endsWith(b.stderr));
  assert.equal((await berth(['image', 'inspect', 'cb-fail'])).code, 1);
  const t = await berth(['build', '--progress=tty', dir]);
  assert.match(t.stderr, / => ERROR \[2\/2\] RUN echo failing; exit 3/);
  assert.match(t.stderr, /------\n > \[2\/2\] RUN echo failing; exit 3:\nfailing\n------\nThe command/);
});

test('Ctrl-C cancels the build: the daemon removes the running step\'s container', async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo started; sleep 60\n' });
  // (a failed build keeps its step's container, as docker's classic builder does without --force-rm)
  const containersBefore = (await berth(['ps', '-aq'])).stdout;
  const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'build', '--progress=plain', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 130 : null))));
  await waitFor(async () => out.includes('started'), 'the RUN step to start', 60_000);
  child.kill('SIGINT');
  assert.notEqual(await exited, 0);
  await waitFor(async () => (await berth(['ps', '-aq'])).stdout === containersBefore, 'the step container to go', 30_000);
});

test('builder prune removes the build cache; system df counts it', async () => {
  const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo cached > /c\n' });
  assert.equal((await berth(['build', dir])).code, 0);
  const df = await berth(['system', 'df']);
  assert.match(df.stdout, /^Build Cache +\d+ +\d+ +\S+ +\S+$/m);
  const p = await berth(['builder', 'prune', '-a', '-f']);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /Total reclaimed space: \S+\n$/);
  // With nothing left, both CLIs print the same.
  const dkEmpty = await docker(['builder', 'prune', '-a', '-f']);
  const bEmpty = await berth(['builder', 'prune', '-a', '-f']);
  assert.deepEqual({ code: bEmpty.code, stdout: bEmpty.stdout }, { code: dkEmpty.code, stdout: dkEmpty.stdout });
  const again = await berth(['build', dir]);
  assert.equal(again.code, 0);
  assert.doesNotMatch(again.stdout, /Using cache/);
  const no = await berth(['builder', 'prune'], { input: 'n\n' });
  assert.deepEqual({ code: no.code, stdout: no.stdout }, { code: 0, stdout: 'WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] ' });
});
