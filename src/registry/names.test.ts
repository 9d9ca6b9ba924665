import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidName, isValidTag, paginate, parseCount, parseRoute, NAME_MAX_LENGTH } from './names.ts';

test('repository names follow distribution grammar', () => {
  for (const ok of ['a', 'library/busybox', 'a/b/c', 'foo_bar', 'foo__bar', 'foo---bar', 'a.b', '0x/y1']) {
    assert.equal(isValidName(ok), true, ok);
  }
  for (const bad of ['', 'A', 'a//b', '/a', 'a/', 'a..b', '_a', 'a_', 'a___b', 'a/../b', 'a b', 'a:b', 'x'.repeat(NAME_MAX_LENGTH + 1)]) {
    assert.equal(isValidName(bad), false, bad);
  }
});

test('tags follow distribution grammar', () => {
  assert.equal(isValidTag('latest'), true);
  assert.equal(isValidTag('v1.0-rc_1'), true);
  assert.equal(isValidTag('x'.repeat(128)), true);
  assert.equal(isValidTag('x'.repeat(129)), false);
  assert.equal(isValidTag('.hidden'), false);
  assert.equal(isValidTag('-x'), false);
  assert.equal(isValidTag('a/b'), false);
});

test('routes are parsed by their suffix; names keep their slashes', () => {
  assert.deepEqual(parseRoute(''), { kind: 'base' });
  assert.deepEqual(parseRoute('_catalog'), { kind: 'catalog' });
  assert.deepEqual(parseRoute('a/b/tags/list'), { kind: 'tags', name: 'a/b' });
  assert.deepEqual(parseRoute('a/b/manifests/latest'), { kind: 'manifest', name: 'a/b', reference: 'latest' });
  assert.deepEqual(parseRoute('a/blobs/sha256:00'), { kind: 'blob', name: 'a', digest: 'sha256:00' });
  assert.deepEqual(parseRoute('a/blobs/uploads/'), { kind: 'upload-start', name: 'a' });
  assert.deepEqual(parseRoute('a/blobs/uploads'), { kind: 'upload-start', name: 'a' });
  assert.deepEqual(parseRoute('a/blobs/uploads/1234-ab'), { kind: 'upload', name: 'a', id: '1234-ab' });
  assert.deepEqual(parseRoute('x/referrers/sha256:00'), { kind: 'referrers', name: 'x', digest: 'sha256:00' });
  // A repository named like a route keyword: the last keyword decides.
  assert.deepEqual(parseRoute('manifests/blobs/manifests/v1'), { kind: 'manifest', name: 'manifests/blobs', reference: 'v1' });
  assert.deepEqual(parseRoute('x/blobs/uploads/blobs/sha256:ab'), { kind: 'blob', name: 'x/blobs/uploads', digest: 'sha256:ab' });
  assert.deepEqual(parseRoute('x/blobs/uploads/sha256:ab'), { kind: 'upload', name: 'x', id: 'sha256:ab' });
  assert.deepEqual(parseRoute('x/tags/list/tags/list'), { kind: 'tags', name: 'x/tags/list' });
  for (const none of ['x', 'x/y', 'manifests/v1', 'blobs/uploads/', 'x//manifests/v1', 'x/manifests/', 'x/other/thing']) {
    assert.equal(parseRoute(none), undefined, none);
  }
});

test('pagination returns the items after last, n at a time, and where to continue', () => {
  const all = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(paginate(all, undefined, undefined), { items: all, next: undefined });
  assert.deepEqual(paginate(all, 2, undefined), { items: ['a', 'b'], next: 'b' });
  assert.deepEqual(paginate(all, 2, 'b'), { items: ['c', 'd'], next: 'd' });
  assert.deepEqual(paginate(all, 2, 'd'), { items: ['e'], next: undefined });
  assert.deepEqual(paginate(all, 2, 'bb'), { items: ['c', 'd'], next: 'd' });
  assert.deepEqual(paginate(all, 5, undefined), { items: all, next: undefined });
  assert.deepEqual(paginate(all, 0, undefined), { items: [], next: undefined });
  assert.deepEqual(paginate(all, undefined, 'z'), { items: [], next: undefined });
  assert.deepEqual(paginate(all, undefined, undefined, 3), { items: ['a', 'b', 'c'], next: 'c' });
});

test('counts are non-negative integers', () => {
  assert.equal(parseCount(null), undefined);
  assert.equal(parseCount('10'), 10);
  assert.equal(parseCount('0'), 0);
  for (const bad of ['-1', 'x', '1.5', '1e3', '9999999999']) assert.throws(() => parseCount(bad), RangeError, bad);
});
