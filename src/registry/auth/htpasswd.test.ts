import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHtpasswd, htpasswdLine, HtpasswdFile, HtpasswdError, parseBasicAuthorization } from './htpasswd.ts';

// Recorded from `htpasswd -nbB alice secret` (Apache 2.4.57, Debian 12), so the format is the real tool's.
const APACHE_LINE = 'alice:$2y$05$yWXaj9CJxJacwPmz.yk2geZhH/CMcacharn9MLCuYWufldtHA.rv6';

test('htpasswd lines parse; comments and blanks skip; non-bcrypt entries are refused', () => {
  const m = parseHtpasswd(`# users\n\n${APACHE_LINE}\r\nbob:$2a$04$abcdefghijklmnopqrstuu0123456789abcdefghijklmnopqrstu\n`);
  assert.deepEqual([...m.keys()], ['alice', 'bob']);
  assert.throws(() => parseHtpasswd('carol:$apr1$xyz$abcdefghijklmnopqrstuv'), { message: /line 1: user "carol": only bcrypt/ });
  assert.throws(() => parseHtpasswd('carol:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g='), HtpasswdError);
  assert.throws(() => parseHtpasswd('ok:' + APACHE_LINE.slice(6) + '\nno-colon-here'), { message: /line 2: expected user:hash/ });
  assert.throws(() => parseHtpasswd(':$2y$05$yWXaj9CJxJacwPmz.yk2geZhH/CMcacharn9MLCuYWufldtHA.rv6'), HtpasswdError);
});

test('htpasswdLine writes $2y$ bcrypt that verifies; bad users, costs and long passwords are refused', async () => {
  const line = await htpasswdLine('dave', 'pässword', 4);
  assert.match(line, /^dave:\$2y\$04\$/);
  const dir = await mkdtemp(join(tmpdir(), 'htpasswd-'));
  try {
    const path = join(dir, 'htpasswd');
    await writeFile(path, `${line}\n${APACHE_LINE}\n`);
    const file = new HtpasswdFile(path);
    await file.load();
    assert.equal(await file.verify('dave', 'pässword'), true);
    assert.equal(await file.verify('dave', 'pässword'), true, 'cached verification answers the same');
    assert.equal(await file.verify('dave', 'password'), false);
    assert.equal(await file.verify('nobody', 'pässword'), false);
    assert.equal(await file.verify('dave', 'x'.repeat(100)), false);
  } finally {
    await rm(dir, { recursive: true });
  }
  await assert.rejects(htpasswdLine('a:b', 'x', 4), HtpasswdError);
  await assert.rejects(htpasswdLine('', 'x', 4), HtpasswdError);
  await assert.rejects(htpasswdLine('a', 'x', 3), HtpasswdError);
  await assert.rejects(htpasswdLine('a', 'x'.repeat(73), 4), { message: /72 bytes/ });
});

test('the real htpasswd -B output verifies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'htpasswd-'));
  try {
    await writeFile(join(dir, 'h'), APACHE_LINE + '\n');
    const file = new HtpasswdFile(join(dir, 'h'));
    await file.load();
    assert.equal(await file.verify('alice', 'secret'), true);
    assert.equal(await file.verify('alice', 'Secret'), false);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('the file is read again when it changes; a broken rewrite keeps the last good accounts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'htpasswd-'));
  try {
    const path = join(dir, 'htpasswd');
    await writeFile(path, (await htpasswdLine('a', 'pa', 4)) + '\n');
    const file = new HtpasswdFile(path);
    await file.load();
    assert.equal(await file.verify('b', 'pb'), false);
    await writeFile(path, (await htpasswdLine('a', 'pa', 4)) + '\n' + (await htpasswdLine('b', 'pb', 4)) + '\n');
    assert.equal(await file.verify('b', 'pb'), true);
    assert.equal(await file.has('b'), true);
    await writeFile(path, (await htpasswdLine('b', 'pb2', 4)) + '\n');
    assert.equal(await file.verify('b', 'pb'), false, 'a changed password no longer verifies (cache dropped)');
    assert.equal(await file.has('a'), false, 'a removed user is gone');
    await writeFile(path, 'garbage line without a colon but long enough\n');
    assert.equal(await file.verify('b', 'pb2'), true);
    await assert.rejects(new HtpasswdFile(join(dir, 'missing')).load(), { code: 'ENOENT' });
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('Basic Authorization headers split at the first colon; other schemes are not Basic', () => {
  const b = (s: string): string => 'Basic ' + Buffer.from(s).toString('base64');
  assert.deepEqual(parseBasicAuthorization(b('u:p:q')), { user: 'u', password: 'p:q' });
  assert.deepEqual(parseBasicAuthorization(b('u:')), { user: 'u', password: '' });
  assert.equal(parseBasicAuthorization(b('nocolon')), undefined);
  assert.equal(parseBasicAuthorization('Bearer abc'), undefined);
  assert.equal(parseBasicAuthorization('Basic !!!'), undefined);
  assert.equal(parseBasicAuthorization(undefined), undefined);
});
