import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileInRoot } from './read-file.ts';
import { setResolverImpl } from './open-in-root.ts';

let tmp: string;
let root: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-readfile-'));
  root = join(tmp, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(tmp, 'secret'), 'host secret');
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(root, 'big'), 'x'.repeat(100));
  symlinkSync(join(tmp, 'secret'), join(root, 'abs'));
  symlinkSync('../secret', join(root, 'rel'));
  symlinkSync('/etc/passwd', join(root, 'pw'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const impl of ['openat2', 'walk'] as const) {
  test(`readFileInRoot (${impl}): files inside, links resolved inside, FIFOs and dirs skipped, size bounded`, async () => {
    setResolverImpl(impl);
    try {
      assert.equal((await readFileInRoot(root, '/etc/passwd', 1000))?.toString(), 'root:x:0:0::/root:/bin/sh\n');
      assert.equal((await readFileInRoot(root, 'pw', 1000))?.toString(), 'root:x:0:0::/root:/bin/sh\n');
      assert.equal(await readFileInRoot(root, 'abs', 1000), undefined); // the host's file is never read
      assert.equal(await readFileInRoot(root, 'rel', 1000), undefined);
      assert.equal(await readFileInRoot(root, 'fifo', 1000), undefined); // and this does not hang
      assert.equal(await readFileInRoot(root, 'etc', 1000), undefined);
      assert.equal(await readFileInRoot(root, 'etc/passwd/x', 1000), undefined);
      assert.equal((await readFileInRoot(root, 'big', 100))?.length, 100);
      await assert.rejects(readFileInRoot(root, 'big', 99), { kind: 'InvalidParameter' });
    } finally {
      setResolverImpl('auto');
    }
  });
}
