import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, FakeContext, harness, normalized } from './fakes.test-helpers.ts';

test('stream: a simple build reads as moby classic builder', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const ctx = new FakeContext('FROM busybox\nENV A=1\nWORKDIR /app\nCOPY f.txt .\nRUN echo hi\nCMD ["sh"]\n', { 'f.txt': 'x' });
    h.executor.runScript = () => ({ output: 'hi\n' });
    const r = await build(h, ctx, { tags: ['app'] });
    assert.equal(r.error, undefined, r.error?.stack);
    assert.equal(
      normalized(r.text),
      [
        'Step 1/6 : FROM busybox',
        ' ---> <id>',
        'Step 2/6 : ENV A=1',
        ' ---> Running in <id>',
        ' ---> Removed intermediate container <id>',
        ' ---> <id>',
        'Step 3/6 : WORKDIR /app',
        ' ---> Running in <id>',
        ' ---> Removed intermediate container <id>',
        ' ---> <id>',
        'Step 4/6 : COPY f.txt .',
        ' ---> <id>',
        'Step 5/6 : RUN echo hi',
        ' ---> Running in <id>',
        'hi',
        ' ---> Removed intermediate container <id>',
        ' ---> <id>',
        'Step 6/6 : CMD ["sh"]',
        ' ---> Running in <id>',
        ' ---> Removed intermediate container <id>',
        ' ---> <id>',
        'Successfully built <id>',
        'Successfully tagged app:latest',
        '',
      ].join('\n'),
    );
    const hist = r.image!.config.history!.map((e) => e.created_by);
    assert.deepEqual(hist.slice(1), [
      '/bin/sh -c #(nop)  ENV A=1',
      '/bin/sh -c #(nop) WORKDIR /app',
      hist[3],
      '/bin/sh -c echo hi',
      '/bin/sh -c #(nop)  CMD ["sh"]',
    ]);
    assert.match(hist[3]!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \. $/);
    const aux = r.messages.filter((m) => 'aux' in m);
    assert.deepEqual(aux, [{ aux: { ID: r.imageId } }]);
  } finally {
    await h.cleanup();
  }
});

test('stream: parser warnings and RUN stderr come as moby\'s stderr stream, in red', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    h.executor.runScript = (req) => {
      req.onStderr?.(new TextEncoder().encode('oops\n'));
      return {};
    };
    const r = await build(h, 'FROM busybox\nRUN echo a && \\\n\n  echo b\n');
    assert.equal(r.error, undefined, r.error?.message);
    const streams = r.messages.map((m) => ('stream' in m ? m.stream : ''));
    assert.match(streams[0], /^\x1b\[91m\[WARNING\]: Empty continuation line found in: .*\n\x1b\[0m$/);
    assert.equal(streams[1], '\x1b[91m[WARNING]: Empty continuation lines will become errors in a future release.\n\x1b[0m');
    assert.ok(streams.includes('\x1b[91moops\n\x1b[0m'));
  } finally {
    await h.cleanup();
  }
});
