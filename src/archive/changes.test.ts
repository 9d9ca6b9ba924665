import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar } from '../common/index.ts';
import { naiveChanges, overlayChanges, tarChanges, type Change } from './index.ts';

const isRoot = process.getuid?.() === 0;
const lines = (c: Change[]) => c.map((x) => `${'CAD'[x.Kind]} ${x.Path}`);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'changes-'));
  try {
    await fn(dir);
  } finally {
    execFileSync('sh', ['-c', `grep -q " ${dir}/" /proc/self/mountinfo && umount -l ${dir}/merged || true`]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The lower layer every test starts from. */
async function base(lower: string): Promise<void> {
  await mkdir(join(lower, 'etc', 'conf.d'), { recursive: true });
  await writeFile(join(lower, 'etc', 'passwd'), 'root:x:0:0\n');
  await writeFile(join(lower, 'etc', 'conf.d', 'a'), 'a');
  await writeFile(join(lower, 'etc', 'conf.d', 'b'), 'b');
  await mkdir(join(lower, 'var', 'lib'), { recursive: true });
  await writeFile(join(lower, 'var', 'lib', 'gone'), 'g');
  await writeFile(join(lower, 'keep'), 'k');
  await mkdir(join(lower, 'tmp'));
  for (const p of ['etc', 'etc/conf.d', 'var', 'var/lib', 'tmp', '']) await utimes(join(lower, p), 1_600_000_000, 1_600_000_000);
}

test('overlay: add, change, delete, a whiteout and an opaque dir, as moby reports them', { skip: !isRoot }, async () => {
  await withDir(async (dir) => {
    const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(dir, d));
    for (const d of [lower, upper, work, merged]) await mkdir(d);
    await base(lower);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
    try {
      await appendFile(join(merged, 'etc', 'passwd'), 'x:x:1:1\n'); // change (copy-up of /etc too)
      await writeFile(join(merged, 'tmp', 'new'), 'n'); // add
      await unlink(join(merged, 'var', 'lib', 'gone')); // delete: a whiteout
      await rm(join(merged, 'etc', 'conf.d'), { recursive: true }); // rm -rf dir && mkdir dir: opaque
      await mkdir(join(merged, 'etc', 'conf.d'));
      await writeFile(join(merged, 'etc', 'conf.d', 'c'), 'c');
    } finally {
      execFileSync('umount', [merged]);
    }
    // /var keeps its mtime (only copied up): not reported; /var/lib got the whiteout.
    assert.deepEqual(lines(await overlayChanges(upper, [lower])), [
      'C /etc', 'D /etc/conf.d', 'A /etc/conf.d/c', 'C /etc/passwd', 'C /tmp', 'A /tmp/new', 'C /var/lib', 'D /var/lib/gone',
    ]);
  });
});

test('overlay: an upper dir made by hand (no mount): a whiteout char 0/0 and unchanged parent dirs', { skip: !isRoot }, async () => {
  await withDir(async (dir) => {
    const [lower, upper] = [join(dir, 'lower'), join(dir, 'upper')];
    await mkdir(lower);
    await base(lower);
    await mkdir(join(upper, 'var', 'lib'), { recursive: true });
    for (const p of ['var', 'var/lib']) await utimes(join(upper, p), 1_600_000_000, 1_600_000_000);
    execFileSync('mknod', [join(upper, 'var', 'lib', 'gone'), 'c', '0', '0']);
    await utimes(join(upper, 'var', 'lib'), 1_600_000_000, 1_600_000_000);
    await utimes(join(upper, 'var'), 1_600_000_000, 1_600_000_000);
    await writeFile(join(upper, 'brand-new'), 'x');
    assert.deepEqual(lines(await overlayChanges(upper, [lower])), ['A /brand-new', 'C /var/lib', 'D /var/lib/gone']);
    // No lower layer: everything is an add.
    assert.deepEqual(lines(await overlayChanges(lower, [])).slice(0, 3), ['A /etc', 'A /etc/conf.d', 'A /etc/conf.d/a']);
  });
});

test('overlay: a symlink in the upper dir is looked up inside the lower layer, never on the host', async () => {
  await withDir(async (dir) => {
    const [lower, upper] = [join(dir, 'lower'), join(dir, 'upper')];
    await mkdir(lower);
    await mkdir(upper);
    // /tmp exists on the host but not in the layer: resolving /x/tmp through an absolute link
    // to `/` must stay in the layer and find nothing, so this is an add, not a change.
    await symlink('/', join(lower, 'x'));
    await mkdir(join(upper, 'x'));
    await rm(join(upper, 'x'), { recursive: true });
    await symlink('/', join(upper, 'x'));
    await mkdir(join(upper, 'y'));
    await symlink('/', join(upper, 'y', 'root'));
    const got = lines(await overlayChanges(upper, [lower]));
    assert.deepEqual(got, ['C /x', 'A /y', 'A /y/root']);
  });
});

test('naive (vfs): add, change, delete and the directories around them', async () => {
  await withDir(async (dir) => {
    const [parent, child] = [join(dir, 'parent'), join(dir, 'child')];
    await mkdir(parent);
    await base(parent);
    execFileSync('cp', ['-a', parent, child]);
    await appendFile(join(child, 'etc', 'passwd'), 'more');
    await writeFile(join(child, 'tmp', 'new'), 'n');
    await unlink(join(child, 'var', 'lib', 'gone'));
    await chmod(join(child, 'keep'), 0o600);
    await mkdir(join(child, 'opt', 'x'), { recursive: true });
    assert.deepEqual(lines(await naiveChanges(child, parent)), [
      'C /etc', 'C /etc/passwd', 'C /keep', 'A /opt', 'A /opt/x', 'C /tmp', 'A /tmp/new', 'C /var', 'C /var/lib', 'D /var/lib/gone',
    ]);
    assert.deepEqual(lines(await naiveChanges(parent, null)).slice(0, 2), ['A /etc', 'A /etc/conf.d']);
    assert.deepEqual(lines(await naiveChanges(parent, parent)), []);
  });
});

test('tarChanges: sorted entries, deletes as .wh. files, directories without their contents', async () => {
  await withDir(async (dir) => {
    await mkdir(join(dir, 'etc', 'sub'), { recursive: true });
    await writeFile(join(dir, 'etc', 'passwd'), 'p');
    await writeFile(join(dir, 'etc', 'sub', 'not-listed'), 'x');
    const changes: Change[] = [
      { Path: '/etc/passwd', Kind: 0 }, { Path: '/etc', Kind: 0 }, { Path: '/var/lib/gone', Kind: 2 }, { Path: '/vanished', Kind: 1 },
    ];
    const names: string[] = [];
    for await (const e of readTar(tarChanges(dir, changes))) {
      names.push(`${e.type} ${e.name}`);
      for await (const _ of e.body()) { /* drain */ }
    }
    assert.deepEqual(names, ['dir etc/', 'file etc/passwd', 'file var/lib/.wh.gone']);
  });
});
