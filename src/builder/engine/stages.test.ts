// Multi-stage builds: the stage graph, --target, parallel stages and the ordered stream,
// COPY --from, ONBUILD triggers, cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, FakeContext, harness, normalized } from './fakes.test-helpers.ts';

async function withHarness(fn: (h: Awaited<ReturnType<typeof harness>>) => Promise<void>): Promise<void> {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

const MULTI = [
  'FROM busybox AS a',
  'RUN make-a',
  'FROM busybox AS unused',
  'RUN make-unused',
  'FROM busybox AS b',
  'RUN make-b',
  'FROM busybox',
  'COPY --from=a /a /a',
  'COPY --from=2 /b /b',
  '',
].join('\n');

test('--target builds only what the target needs; steps are numbered over the stages built', async () => {
  await withHarness(async (h) => {
    const r = await build(h, MULTI.replace('--from=2', '--from=b'), { target: 'B' });
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(h.executor.runs.map((x) => x.config.Cmd!.at(-1)), ['make-b']);
    assert.match(r.text, /^Step 1\/2 : FROM busybox AS b\n/);
    const missing = await build(h, MULTI, { target: 'nope' });
    assert.equal(missing.error?.message, 'failed to reach build target nope in Dockerfile');
  });
});

test('the last stage pulls in the stages it copies from (by name and index), not the others', async () => {
  await withHarness(async (h) => {
    const r = await build(h, MULTI);
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(h.executor.runs.map((x) => x.config.Cmd!.at(-1)).sort(), ['make-a', 'make-b']);
    const copies = h.executor.copies.map((c) => (c.from.kind === 'image' ? c.from.image.id : 'context'));
    assert.equal(copies.length, 2);
    assert.notEqual(copies[0], copies[1]);
    assert.match(r.text, /Step 7\/7 : COPY --from=2 \/b \/b\n/);
    assert.doesNotMatch(r.text, /unused/);
  });
});

test('COPY --from: the current stage and a later index are refused with moby\'s words; an unknown name is an image', async () => {
  await withHarness(async (h) => {
    const cur = await build(h, 'FROM busybox\nCOPY --from=0 /a /a\n');
    assert.equal(cur.error?.message, 'invalid from flag value 0: refers to current build stage');
    const oob = await build(h, 'FROM busybox\nCOPY --from=5 /a /a\n');
    assert.equal(oob.error?.message, 'invalid from flag value 5: index out of bounds');
    h.executor.addImage('tools:1');
    const img = await build(h, 'FROM busybox\nCOPY --from=tools:1 /t /t\n');
    assert.equal(img.error, undefined, img.error?.message);
    assert.equal(h.executor.copies.at(-1)!.from.kind, 'image');
    assert.ok(h.executor.resolved.includes('tools:1'));
  });
});

test('FROM <stage> builds on the stage\'s image', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox AS base\nENV BASE=1\nFROM base\nRUN true\n');
    assert.equal(r.error, undefined);
    assert.ok(r.image!.config.config!.Env!.includes('BASE=1'));
    assert.deepEqual(h.executor.resolved, ['busybox']);
  });
});

test('independent stages run in parallel; the stream reads in Dockerfile order', async () => {
  await withHarness(async (h) => {
    h.executor.runScript = (req) => {
      const cmd = req.config.Cmd!.at(-1)!;
      return cmd.startsWith('sleep') ? { delayMs: 2000, output: `out of ${cmd}\n` } : {};
    };
    const df = 'FROM busybox AS one\nRUN sleep-one\nFROM busybox AS two\nRUN sleep-two\nFROM busybox\nCOPY --from=one /1 /1\nCOPY --from=two /2 /2\n';
    const started = Date.now();
    const r = await build(h, df);
    assert.equal(r.error, undefined, r.error?.message);
    const ev = (what: string) => h.executor.events.find((e) => e.what === what)!.at;
    // overlap: each stage started before the other ended
    assert.ok(ev('start /bin/sh -c sleep-two') < ev('end /bin/sh -c sleep-one'));
    assert.ok(ev('start /bin/sh -c sleep-one') < ev('end /bin/sh -c sleep-two'));
    assert.ok(Date.now() - started >= 2000);
    assert.equal(
      normalized(r.text).split('Step 5/7')[0],
      [
        'Step 1/7 : FROM busybox AS one',
        ' ---> <id>',
        'Step 2/7 : RUN sleep-one',
        ' ---> Running in <id>',
        'out of sleep-one',
        ' ---> Removed intermediate container <id>',
        ' ---> <id>',
        'Step 3/7 : FROM busybox AS two',
        ' ---> <id>',
        'Step 4/7 : RUN sleep-two',
        ' ---> Running in <id>',
        'out of sleep-two',
        ' ---> Removed intermediate container <id>',
        ' ---> <id>',
        '',
      ].join('\n'),
    );
    assert.equal(r.messages.filter((m) => 'aux' in m).length, 3);
  });
});

test('a later stage that finishes first is held until the stages before it have finished', async () => {
  await withHarness(async (h) => {
    h.executor.runScript = (req) => (req.config.Cmd!.at(-1) === 'slow' ? { delayMs: 300, output: 'slow out\n' } : { output: 'fast out\n' });
    const seen: string[] = [];
    const df = 'FROM busybox AS one\nRUN slow\nFROM busybox AS two\nRUN fast\nFROM busybox\nCOPY --from=one /1 /1\nCOPY --from=two /2 /2\n';
    const r = await build(h, df);
    assert.equal(r.error, undefined);
    // the executor ran `fast` first ...
    assert.ok(h.executor.events.findIndex((e) => e.what.endsWith('fast')) < h.executor.events.findIndex((e) => e.what === 'end /bin/sh -c slow'));
    // ... but the stream shows stage one whole, then stage two
    for (const m of r.messages) if ('stream' in m) seen.push(m.stream);
    assert.ok(seen.indexOf('slow out\n') < seen.indexOf('Step 3/7 : FROM busybox AS two\n'));
    assert.ok(seen.indexOf('Step 3/7 : FROM busybox AS two\n') < seen.indexOf('fast out\n'));
  });
});

test('a failing stage stops the others and its error is the build\'s', async () => {
  await withHarness(async (h) => {
    h.executor.runScript = (req) => (req.config.Cmd!.at(-1) === 'slow' ? { delayMs: 5000 } : { exit: 7 });
    const df = 'FROM busybox AS one\nRUN slow\nFROM busybox AS two\nRUN fail\nFROM busybox\nCOPY --from=one /1 /1\nCOPY --from=two /2 /2\n';
    const started = Date.now();
    const r = await build(h, df);
    assert.equal(r.error?.message, "The command '/bin/sh -c fail' returned a non-zero code: 7");
    assert.ok(Date.now() - started < 4000);
    assert.match(r.text, /Step 4\/7 : RUN fail\n/);
  });
});

test('ONBUILD: a child\'s FROM runs the parent\'s triggers, which are not inherited further', async () => {
  await withHarness(async (h) => {
    const parent = await build(h, 'FROM busybox\nONBUILD RUN echo triggered\nONBUILD ENV T=1\n', { tags: ['parent'] });
    h.executor.names.set('parent', parent.imageId!);
    const r = await build(h, 'FROM parent\nRUN after\n');
    assert.equal(r.error, undefined, r.error?.message);
    assert.match(normalized(r.text), /^Step 1\/2 : FROM parent\n# Executing 2 build triggers\n ---> Running in <id>\n ---> Removed intermediate container <id>\n ---> Running in <id>\n ---> Removed intermediate container <id>\n ---> <id>\nStep 2\/2 : RUN after\n/);
    assert.deepEqual(h.executor.runs.map((x) => x.config.Cmd!.at(-1)), ['echo triggered', 'after']);
    assert.ok(r.image!.config.config!.Env!.includes('T=1'));
    assert.equal(r.image!.config.config!.OnBuild, null);
    const bad = await build(h, 'FROM busybox\nONBUILD ONBUILD RUN x\n');
    assert.ok(bad.error);
  });
});

test('ONBUILD triggers stored in a base image are checked as moby does', async () => {
  await withHarness(async (h) => {
    h.executor.addImage('chained', { config: { OnBuild: ['ONBUILD RUN x'] } });
    assert.equal((await build(h, 'FROM chained\n')).error?.message, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    h.executor.addImage('from-trigger', { config: { OnBuild: ['FROM busybox'] } });
    assert.equal((await build(h, 'FROM from-trigger\n')).error?.message, 'FROM isn\'t allowed as an ONBUILD trigger');
  });
});

test('abort (client gone): the running step is stopped, the build fails with "Build cancelled", nothing is tagged', async () => {
  await withHarness(async (h) => {
    h.executor.runScript = () => ({ delayMs: 10_000 });
    const ctl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctl.abort(), 100);
    const r = await build(h, 'FROM busybox\nRUN long\nRUN never\n', { tags: ['t'] }, ctl.signal);
    assert.equal(r.error?.message, 'Build cancelled');
    assert.ok(Date.now() - started < 5000);
    assert.equal(h.executor.runs.length, 1);
    assert.equal(h.executor.runs[0].signal.aborted, true);
    assert.deepEqual(h.executor.tags, []);
  });
});

test('a cancel seen between steps prints moby\'s "Build cancelled" line', async () => {
  await withHarness(async (h) => {
    const ctl = new AbortController();
    h.executor.runScript = () => {
      ctl.abort();
      return {};
    };
    const r = await build(h, 'FROM busybox\nRUN first\nRUN second\n', {}, ctl.signal);
    assert.equal(r.error?.message, 'Build cancelled');
    assert.match(r.text, /Step 2\/3 : RUN first\n[\s\S]* ---> [0-9a-f]{12}\nBuild cancelled\n$/);
    assert.equal(h.executor.runs.length, 1);
  });
});

test('cancel(buildId) stops a build by its ID; an unknown ID is reported', async () => {
  await withHarness(async (h) => {
    h.executor.runScript = () => ({ delayMs: 10_000 });
    const p = build(h, 'FROM busybox\nRUN long\n', { buildId: 'b1' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.builder.cancel('nope'), false);
    assert.equal(h.builder.cancel('b1'), true);
    assert.equal((await p).error?.message, 'Build cancelled');
    assert.equal(h.builder.cancel('b1'), false);
  });
});

test('labels option: LABEL steps at the end of the target stage, sorted, counted, not expanded', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox AS a\nFROM busybox\nRUN x\n', { labels: { z: '1', a: '$X' } });
    assert.equal(r.error, undefined);
    // stage a is not needed: not built, not counted
    assert.match(r.text, /^Step 1\/4 : FROM busybox\n[\s\S]*Step 3\/4 : LABEL a=\$X\n[\s\S]*Step 4\/4 : LABEL z=1\n/);
    assert.deepEqual(r.image!.config.config!.Labels, { a: '$X', z: '1' });
  });
});

test('quiet: only the image ID is streamed on success; the held lines come out on failure', async () => {
  await withHarness(async (h) => {
    const ok = await build(h, 'FROM busybox\nENV A=1\n', { quiet: true });
    assert.deepEqual(ok.messages.filter((m) => 'stream' in m), [{ stream: `${ok.imageId}\n` }]);
    h.executor.runScript = () => ({ exit: 1 });
    const bad = await build(h, 'FROM busybox\nRUN false\n', { quiet: true });
    assert.match(bad.text, /^Step 1\/2 : FROM busybox\n/);
  });
});

test('tags are normalised and checked before the build', async () => {
  await withHarness(async (h) => {
    const r = await build(h, new FakeContext('FROM busybox\nENV A=1\n'), { tags: ['App'] });
    assert.match(r.error!.message, /must be lowercase/);
    assert.equal(h.executor.resolved.length, 0);
    const ok = await build(h, 'FROM busybox\nENV A=1\n', { tags: ['x/y:1', 'z'] });
    assert.deepEqual(h.executor.tags, [{ id: ok.imageId, tags: ['x/y:1', 'z:latest'] }]);
    assert.match(ok.text, /Successfully tagged x\/y:1\nSuccessfully tagged z:latest\n$/);
  });
});
