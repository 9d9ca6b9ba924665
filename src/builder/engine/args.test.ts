// ARG scoping as moby's classic builder (buildargs.go) and BuildKit's automatic platform args.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, harness } from './fakes.test-helpers.ts';
import { hostPlatform } from './platform.ts';

async function withHarness(fn: (h: Awaited<ReturnType<typeof harness>>) => Promise<void>): Promise<void> {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    h.executor.addImage('alpine:3');
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

const runEnv = (h: Awaited<ReturnType<typeof harness>>, i: number) => h.executor.runs[i].config.Env;
const runHistory = (img: { config: { history?: { created_by?: string }[] } }) => img.config.history!.at(-1)!.created_by;

test('meta ARG: used by FROM, invisible in a stage unless redeclared (which takes its value)', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'ARG BASE=alpine\nARG TAG=3\nFROM ${BASE}:${TAG}\nRUN echo $TAG\nARG TAG\nRUN echo $TAG\n');
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(h.executor.resolved, ['alpine:3']);
    assert.ok(!runEnv(h, 0)!.some((e) => e.startsWith('TAG=')));
    assert.ok(runEnv(h, 1)!.includes('TAG=3'));
    assert.match(r.text, /^Step 1\/6 : ARG BASE=alpine\nStep 2\/6 : ARG TAG=3\nStep 3\/6 : FROM \$\{BASE\}:\$\{TAG\}\n/);
  });
});

test('build args override declared defaults; a null one does not; unused ones are warned about', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox\nARG A=1\nARG B=2\nARG C\nRUN true\n', { buildArgs: { A: 'x', B: null, C: 'c', EXTRA: 'e', OTHER: null } });
    assert.equal(r.error, undefined);
    assert.deepEqual(runEnv(h, 0)!.slice(1), ['A=x', 'B=2', 'C=c']);
    assert.equal(runHistory(r.image!), '|3 A=x B=2 C=c /bin/sh -c true');
    assert.match(r.text, /\[Warning\] One or more build-args \[EXTRA OTHER\] were not consumed\nSuccessfully built/);
  });
});

test('an ARG without value and no build arg is not set; ENV shadows an ARG', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox\nARG U\nARG V=1\nENV V=env\nRUN echo $V\n');
    assert.equal(r.error, undefined);
    assert.deepEqual(runEnv(h, 0), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'V=env']);
    assert.equal(runHistory(r.image!), '/bin/sh -c echo $V');
    const hist = r.image!.config.history!.map((e) => e.created_by);
    assert.ok(hist.includes('/bin/sh -c #(nop)  ARG U'));
    assert.ok(hist.includes('/bin/sh -c #(nop)  ARG V=1'));
  });
});

test('args expand in later instructions of the stage, ENV values included', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox\nARG DIR=/opt\nENV HOME_DIR=$DIR/home\nWORKDIR ${DIR:-/x}/app\nLABEL v=${DIR#/}\n', { buildArgs: { DIR: '/srv' } });
    assert.equal(r.error, undefined, r.error?.message);
    const c = r.image!.config.config!;
    assert.ok(c.Env!.includes('HOME_DIR=/srv/home'));
    assert.equal(c.WorkingDir, '/srv/app');
    assert.deepEqual(c.Labels, { v: 'srv' });
  });
});

test('proxy args: passed to RUN without a declaration, kept out of the history unless declared', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox\nRUN a\nARG http_proxy\nRUN b\n', { buildArgs: { HTTP_PROXY: 'http://p:1', http_proxy: 'http://q:2' } });
    assert.equal(r.error, undefined);
    assert.ok(runEnv(h, 0)!.includes('HTTP_PROXY=http://p:1'));
    assert.ok(runEnv(h, 0)!.includes('http_proxy=http://q:2'));
    const hist = r.image!.config.history!.map((e) => e.created_by);
    assert.ok(hist.includes('|0 /bin/sh -c a'), hist.join('\n'));
    assert.ok(hist.includes('|1 http_proxy=http://q:2 /bin/sh -c b'), hist.join('\n'));
    assert.doesNotMatch(r.text, /not consumed/);
  });
});

test('BuildKit platform args: available to FROM, to a stage once declared', async () => {
  await withHarness(async (h) => {
    const host = hostPlatform();
    h.executor.addImage(`img-${host.architecture}`);
    const r = await build(h, 'FROM img-$TARGETARCH\nRUN echo $TARGETOS\nARG TARGETPLATFORM\nARG BUILDARCH\nRUN echo $TARGETPLATFORM\n');
    assert.equal(r.error, undefined, r.error?.message);
    assert.ok(!runEnv(h, 0)!.some((e) => e.startsWith('TARGETOS=')));
    const env = runEnv(h, 1)!;
    assert.ok(env.includes(`TARGETPLATFORM=linux/${host.architecture}${host.variant ? `/${host.variant}` : ''}`), env.join(' '));
    assert.ok(env.includes(`BUILDARCH=${host.architecture}`));
  });
});

test('a meta ARG default may use the platform args and earlier meta args', async () => {
  await withHarness(async (h) => {
    h.executor.addImage('img-arm64-x');
    const r = await build(h, 'ARG A=$TARGETARCH\nARG B=${A}-x\nFROM img-$B\n', { platform: 'linux/arm64' });
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(h.executor.resolved, ['img-arm64-x']);
  });
});

test('--platform option sets TARGETARCH', async () => {
  await withHarness(async (h) => {
    h.executor.addImage('img-arm64');
    const r = await build(h, 'FROM img-$TARGETARCH\nARG TARGETVARIANT\nARG TARGETARCH\nRUN true\n', { platform: 'linux/arm64' });
    assert.equal(r.error, undefined, r.error?.message);
    assert.ok(runEnv(h, 0)!.includes('TARGETARCH=arm64'));
  });
});

test('a blank base name is refused with moby\'s message', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'ARG B\nFROM $B\n');
    assert.equal(r.error?.message, 'base name ($B) should not be blank');
  });
});
