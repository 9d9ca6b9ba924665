// docker build (the classic POST /build: the docker CLI here has no buildx and berthd says
// Builder-Version 1) against a private berthd: every instruction, ARG scoping, multi-stage
// with --target and COPY --from, .dockerignore with exceptions, the cache (hits, a one-file
// change, --no-cache), ONBUILD, a failing RUN, syntax errors, -f outside the context and on
// stdin, escape attempts, heredocs, and docker-compose build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startDaemonWithBusybox, type Daemon } from './harness.ts';
import { makeContext, removeContexts } from './build.test-helpers.ts';

let d: Daemon;

before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
  await removeContexts();
});

async function build(dir: string, args: string[] = [], opts: { input?: string } = {}) {
  return d.docker(['build', ...args, dir], { ...opts, timeoutMs: 120_000 });
}

async function inspect(ref: string): Promise<any> {
  const r = await d.docker(['image', 'inspect', ref]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0];
}

async function runIn(image: string, cmd: string[]): Promise<string> {
  const r = await d.docker(['run', '--rm', image, ...cmd]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const usingCache = (out: string) => (out.match(/---> Using cache/g) ?? []).length;

test('every instruction: the stream as the classic builder writes it, the config and the files', async () => {
  const dir = await makeContext({
    'Dockerfile': [
      'FROM busybox',
      'MAINTAINER someone <someone@example.com>',
      'LABEL org.example.a="one two" b=2',
      'ENV GREETING="hello world" EMPTY=',
      'ARG VERSION=1.0',
      'WORKDIR /app',
      'COPY hello.txt ./',
      'ADD files.tar /unpacked/',
      'RUN echo "$GREETING $VERSION" > /app/run.txt',
      'RUN ["/bin/sh", "-c", "echo exec-form > /app/exec.txt"]',
      'VOLUME /data',
      'RUN echo discarded > /data/after-volume',
      'SHELL ["/bin/sh", "-c"]',
      'USER 1000:1000',
      'EXPOSE 80 53/udp',
      'STOPSIGNAL SIGUSR1',
      'HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD true',
      'ONBUILD RUN echo child',
      'ENTRYPOINT ["/bin/echo"]',
      'CMD ["default"]',
      '',
    ].join('\n'),
    'hello.txt': 'hi there\n',
  });
  // files.tar: one file, unpacked by ADD.
  await mkdtemp('/tmp/bt-addsrc-').then(async (src) => {
    await writeFile(join(src, 'inside.txt'), 'from the tar\n');
    const r = await run('tar', ['-C', src, '-cf', join(dir, 'files.tar'), 'inside.txt']);
    assert.equal(r.code, 0, r.stderr);
    await rm(src, { recursive: true, force: true });
  });
  const r = await build(dir, ['-t', 'every:1', '-t', 'every:2']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^Step 1\/20 : FROM busybox$/m);
  assert.match(r.stdout, /^Step 9\/20 : RUN echo "\$GREETING \$VERSION" > \/app\/run.txt$/m);
  assert.match(r.stdout, /^ ---> Running in [0-9a-f]{12}$/m);
  assert.match(r.stdout, /^Successfully built [0-9a-f]{12}$/m);
  assert.match(r.stdout, /^Successfully tagged every:1$/m);
  assert.match(r.stdout, /^Successfully tagged every:2$/m);
  const img = await inspect('every:1');
  const c = img.Config;
  assert.equal(img.Author, 'someone <someone@example.com>');
  assert.deepEqual(c.Labels, { 'org.example.a': 'one two', b: '2' });
  assert.ok(c.Env.includes('GREETING=hello world') && c.Env.includes('EMPTY='), JSON.stringify(c.Env));
  assert.ok(!c.Env.some((e: string) => e.startsWith('VERSION=')), 'an ARG is not in the image config');
  assert.equal(c.WorkingDir, '/app');
  assert.equal(c.User, '1000:1000');
  assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.StopSignal, 'SIGUSR1');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 3e9, Retries: 2 });
  assert.deepEqual(c.OnBuild, ['RUN echo child']);
  assert.deepEqual(c.Entrypoint, ['/bin/echo']);
  assert.deepEqual(c.Cmd, ['default']);
  assert.deepEqual(c.Shell, ['/bin/sh', '-c']);
  assert.equal(await runIn('every:1', ['extra']), 'extra\n');
  const files = await d.docker(['run', '--rm', '--entrypoint', 'cat', 'every:1', '/app/hello.txt', '/app/run.txt', '/app/exec.txt', '/unpacked/inside.txt']);
  assert.equal(files.stdout, 'hi there\nhello world 1.0\nexec-form\nfrom the tar\n', files.stderr);
  // Every RUN container is gone (rm defaults to true), with the anonymous volume VOLUME gave
  // them; what a RUN wrote below a VOLUME is discarded, as with dockerd.
  const ps = await d.docker(['ps', '-aq']);
  assert.equal(ps.stdout.trim(), '');
  assert.equal((await d.docker(['volume', 'ls', '-q'])).stdout.trim(), '');
  const ls = await d.docker(['run', '--rm', '--entrypoint', 'ls', 'every:1', '-A', '/data']);
  assert.equal(ls.stdout, '');
  // History: one line per step, newest first, RUN lines as the classic builder writes them.
  const h = await d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'every:1']);
  assert.match(h.stdout, /\|1 VERSION=1.0 \/bin\/sh -c echo "\$GREETING \$VERSION" > \/app\/run.txt/);
  assert.match(h.stdout, /#\(nop\) WORKDIR \/app/);
});

test('ARG scoping: before FROM only in FROM lines unless declared again, --build-arg, ENV wins over ARG', async () => {
  const dir = await makeContext({
    'Dockerfile': [
      'ARG BASE=busybox',
      'ARG OUTER=outer-default',
      'FROM ${BASE}',
      'RUN echo "outer=[$OUTER]" > /out.txt',
      'ARG OUTER',
      'RUN echo "redeclared=[$OUTER]" >> /out.txt',
      'ARG LOCAL=local-default',
      'ENV LOCAL=from-env',
      'RUN echo "local=[$LOCAL]" >> /out.txt',
      'ARG GIVEN',
      'RUN echo "given=[$GIVEN]" >> /out.txt',
      '',
    ].join('\n'),
  });
  const r = await build(dir, ['-t', 'args:1', '--build-arg', 'GIVEN=cli', '--build-arg', 'UNUSED=x']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('args:1', ['cat', '/out.txt']), 'outer=[]\nredeclared=[outer-default]\nlocal=[from-env]\ngiven=[cli]\n');
  assert.match(r.stdout + r.stderr, /\[Warning\] One or more build-args \[UNUSED\] were not consumed/);
});

test('multi-stage: --target builds up to that stage, COPY --from by name and by index', async () => {
  const dir = await makeContext({
    'Dockerfile': [
      'FROM busybox AS first',
      'RUN echo one > /one.txt',
      'FROM busybox AS second',
      'RUN echo two > /two.txt',
      'FROM busybox',
      'COPY --from=first /one.txt /got/one.txt',
      'COPY --from=1 /two.txt /got/two.txt',
      '',
    ].join('\n'),
  });
  const all = await build(dir, ['-t', 'multi:final']);
  assert.equal(all.code, 0, all.stderr + all.stdout);
  assert.equal(await runIn('multi:final', ['cat', '/got/one.txt', '/got/two.txt']), 'one\ntwo\n');
  const target = await build(dir, ['-t', 'multi:first', '--target', 'first']);
  assert.equal(target.code, 0, target.stderr + target.stdout);
  assert.equal(await runIn('multi:first', ['cat', '/one.txt']), 'one\n');
  const ls = await d.docker(['run', '--rm', 'multi:first', 'ls', '/']);
  assert.ok(!ls.stdout.split('\n').includes('two.txt'));
  const bad = await build(dir, ['--target', 'nope']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /failed to reach build target nope in Dockerfile/);
});

test('.dockerignore with exceptions decides what COPY sees', async () => {
  const dir = await makeContext({
    'Dockerfile': 'FROM busybox\nCOPY . /ctx/\n',
    '.dockerignore': '*.log\n!keep.log\nsecret/\n**/*.tmp\n',
    'a.log': 'no',
    'keep.log': 'yes',
    'secret/key': 'no',
    'src/main.c': 'int main;',
    'src/deep/x.tmp': 'no',
  });
  const r = await build(dir, ['-t', 'ignore:1']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const files = (await runIn('ignore:1', ['find', '/ctx', '-type', 'f'])).split('\n').filter(Boolean).sort();
  assert.deepEqual(files, ['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/keep.log', '/ctx/src/main.c']);
});

test('cache: a rebuild uses the cache for every step, one changed file rebuilds from its COPY on, --no-cache none', async () => {
  const dir = await makeContext({
    'Dockerfile': 'FROM busybox\nRUN echo first > /first\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy\nCOPY b.txt /b.txt\nRUN cat /b.txt > /copyb\n',
    'a.txt': 'a1',
    'b.txt': 'b1',
  });
  const first = await build(dir, ['-t', 'cache:1']);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.equal(usingCache(first.stdout), 0);
  const again = await build(dir, ['-t', 'cache:2']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(usingCache(again.stdout), 5, again.stdout);
  assert.equal((await inspect('cache:1')).Id, (await inspect('cache:2')).Id);
  await writeFile(join(dir, 'b.txt'), 'b2');
  const changed = await build(dir, ['-t', 'cache:3']);
  assert.equal(changed.code, 0, changed.stderr);
  assert.equal(usingCache(changed.stdout), 3, changed.stdout);
  assert.equal(await runIn('cache:3', ['cat', '/copyb']), 'b2');
  const none = await build(dir, ['--no-cache', '-t', 'cache:4']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(usingCache(none.stdout), 0);
  // A metadata change in the context (the mode) busts the cache too.
  await run('chmod', ['0600', join(dir, 'a.txt')]);
  const mode = await build(dir, ['-t', 'cache:5']);
  assert.equal(usingCache(mode.stdout), 1, mode.stdout);
});

test('independent stages run at the same time: their RUN steps overlap', async () => {
  // /proc/uptime is the host's clock in every container: each stage records when its RUN began
  // and ended, and the final stage takes both records.
  const stage = (name: string) => [
    `FROM busybox AS ${name}`,
    `RUN cut -d' ' -f1 /proc/uptime > /${name}-start && sleep 2 && cut -d' ' -f1 /proc/uptime > /${name}-end`,
  ];
  const dir = await makeContext({
    'Dockerfile': [...stage('one'), ...stage('two'), 'FROM busybox', 'COPY --from=one /one-start /one-end /t/', 'COPY --from=two /two-start /two-end /t/', ''].join('\n'),
  });
  const r = await build(dir, ['-t', 'parallel-stages']);
  assert.equal(r.code, 0, r.stderr);
  // The stream stays in Dockerfile order: stage one's steps before stage two's.
  assert.ok(r.stdout.indexOf('AS one') < r.stdout.indexOf('AS two'), r.stdout);
  const t = (await runIn('parallel-stages', ['sh', '-c', 'cat /t/one-start /t/one-end /t/two-start /t/two-end'])).trim().split('\n').map(Number);
  const [oneStart, oneEnd, twoStart, twoEnd] = t;
  assert.ok(Math.max(oneStart, twoStart) < Math.min(oneEnd, twoEnd), `stages did not overlap: ${t.join(' ')}`);
  await d.docker(['rmi', 'parallel-stages']);
});

test('ONBUILD triggers run in the child image', async () => {
  const parent = await makeContext({ 'Dockerfile': 'FROM busybox\nONBUILD COPY marker.txt /marker.txt\nONBUILD RUN echo triggered > /triggered\n' });
  assert.equal((await build(parent, ['-t', 'onbuild:parent'])).code, 0);
  const child = await makeContext({ 'Dockerfile': 'FROM onbuild:parent\nRUN cat /triggered\n', 'marker.txt': 'child context\n' });
  const r = await build(child, ['-t', 'onbuild:child']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /# Executing 2 build triggers/);
  assert.equal(await runIn('onbuild:child', ['cat', '/marker.txt', '/triggered']), 'child context\ntriggered\n');
  assert.equal((await inspect('onbuild:child')).Config.OnBuild, null);
});

test('a failing RUN: Docker\'s message and code, no tag; its container kept (rm) or removed (--force-rm)', async () => {
  const dir = await makeContext({ 'Dockerfile': 'FROM busybox\nRUN echo before\nRUN exit 3\nRUN echo never\n' });
  const r = await build(dir, ['-t', 'failing:1']);
  // The docker CLI exits with errorDetail.code: the RUN's own exit code.
  assert.equal(r.code, 3);
  assert.match(r.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
  assert.ok(!r.stdout.includes('never'));
  assert.notEqual((await d.docker(['image', 'inspect', 'failing:1'])).code, 0, 'no tag');
  // moby: a failed step's container stays unless --force-rm.
  const kept = (await d.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
  assert.equal(kept.length, 1);
  await d.docker(['rm', '-f', ...kept]);
  const forced = await build(dir, ['--force-rm', '-t', 'failing:2']);
  assert.equal(forced.code, 3);
  assert.equal((await d.docker(['ps', '-aq'])).stdout.trim(), '');
});

test('syntax errors name the line', async () => {
  const dir = await makeContext({ 'Dockerfile': 'FROM busybox\nRUN true\nFOO bar\n' });
  const r = await build(dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /line 3/);
  assert.match(r.stderr, /unknown instruction: FOO/i);
  const flag = await makeContext({ 'Dockerfile': 'FROM busybox\n\nCOPY --nope=1 a /b\n' });
  const r2 = await build(flag);
  assert.notEqual(r2.code, 0);
  assert.match(r2.stderr, /line 3/);
});

test('-f outside the context and a Dockerfile on stdin', async () => {
  const ctx = await makeContext({ 'data.txt': 'context data\n' });
  const elsewhere = await makeContext({ 'Build.df': 'FROM busybox\nCOPY data.txt /data.txt\n' });
  const r = await build(ctx, ['-f', join(elsewhere, 'Build.df'), '-t', 'outside:1']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('outside:1', ['cat', '/data.txt']), 'context data\n');
  const stdin = await build(ctx, ['-f', '-', '-t', 'stdin:1'], { input: 'FROM busybox\nCOPY data.txt /from-stdin.txt\n' });
  assert.equal(stdin.code, 0, stdin.stderr + stdin.stdout);
  assert.equal(await runIn('stdin:1', ['cat', '/from-stdin.txt']), 'context data\n');
  // No context at all: `docker build -` reads the Dockerfile itself.
  const bare = await d.docker(['build', '-t', 'bare:1', '-'], { input: 'FROM busybox\nRUN echo bare > /bare\n', timeoutMs: 60_000 });
  assert.equal(bare.code, 0, bare.stderr + bare.stdout);
});

test('escape attempts: a symlink to /etc/shadow and ../ sources never reach the host', async () => {
  const link = await makeContext({ 'Dockerfile': 'FROM busybox\nCOPY shadow /got\n', 'shadow': { symlink: '/etc/shadow' } });
  const r = await build(link, ['-t', 'escape:1']);
  if (r.code === 0) {
    // Copied as the link itself (or its in-context target): never the host's file.
    const got = await d.docker(['run', '--rm', 'escape:1', 'sh', '-c', 'cat /got 2>/dev/null; readlink /got; true']);
    assert.ok(!got.stdout.includes('root:'), got.stdout);
  } else {
    assert.match(r.stderr, /not found|no such file|does not exist/i);
  }
  const deref = await makeContext({ 'Dockerfile': 'FROM busybox\nCOPY dir/ /got/\n', 'dir/x': { symlink: '../../../../../../etc/shadow' } });
  const r2 = await build(deref, ['-t', 'escape:2']);
  if (r2.code === 0) {
    const got = await d.docker(['run', '--rm', 'escape:2', 'sh', '-c', 'cat /got/x 2>/dev/null; true']);
    assert.ok(!got.stdout.includes('root:'));
  }
  const up = await makeContext({ 'Dockerfile': 'FROM busybox\nCOPY ../x /x\n' });
  const r3 = await build(up);
  assert.notEqual(r3.code, 0);
  assert.match(r3.stderr, /forbidden path outside the build context: \.\.\/x/);
});

test('heredocs: RUN <<EOF and COPY <<EOF', async () => {
  const dir = await makeContext({
    'Dockerfile': [
      'FROM busybox',
      'RUN <<EOF',
      'echo line one > /heredoc.txt',
      'echo line two >> /heredoc.txt',
      'EOF',
      'COPY <<EOT /etc/greeting',
      'hello from a heredoc',
      'EOT',
      'RUN cat <<EOF > /cat.txt',
      'catted',
      'EOF',
      '',
    ].join('\n'),
  });
  const r = await build(dir, ['-t', 'heredoc:1']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('heredoc:1', ['cat', '/heredoc.txt', '/etc/greeting', '/cat.txt']), 'line one\nline two\nhello from a heredoc\ncatted\n');
});

test('docker-compose build (compose 1.29) builds a service image', async () => {
  const dir = await makeContext({
    'docker-compose.yml': 'version: "3"\nservices:\n  web:\n    build:\n      context: ./web\n      args:\n        WHO: compose\n    image: composed:1\n',
    'web/Dockerfile': 'FROM busybox\nARG WHO\nRUN echo "built by $WHO" > /who\n',
  });
  const r = await run('docker-compose', ['-f', join(dir, 'docker-compose.yml'), 'build'], { env: { DOCKER_HOST: d.host, COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await runIn('composed:1', ['cat', '/who']), 'built by compose\n');
});

test('nothing of the builds is left in the data root\'s builder/tmp', async () => {
  const left = await readdir(join(d.dataRoot, 'builder', 'tmp')).catch(() => []);
  assert.deepEqual(left, []);
});
