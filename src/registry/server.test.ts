import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessesFor, parseByteRange } from './server.ts';

test('byte ranges: single ranges are served, others are the whole blob', () => {
  assert.deepEqual(parseByteRange('bytes=0-9', 100), [0, 9]);
  assert.deepEqual(parseByteRange('bytes=90-', 100), [90, 99]);
  assert.deepEqual(parseByteRange('bytes=90-200', 100), [90, 99]);
  assert.deepEqual(parseByteRange('bytes=-10', 100), [90, 99]);
  assert.deepEqual(parseByteRange('bytes=-1000', 100), [0, 99]);
  assert.equal(parseByteRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseByteRange('bytes=5-4', 100), 'unsatisfiable');
  assert.equal(parseByteRange('bytes=-0', 100), 'unsatisfiable');
  assert.equal(parseByteRange(undefined, 100), undefined);
  assert.equal(parseByteRange('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseByteRange('items=0-1', 100), undefined);
});

test('accesses: reads pull, writes pull+push, deletes delete, mounts pull the source', () => {
  const repo = (name: string, ...actions: string[]) => ({ type: 'repository', name, actions });
  assert.deepEqual(accessesFor({ kind: 'base' }, 'GET', undefined), []);
  assert.deepEqual(accessesFor({ kind: 'catalog' }, 'GET', undefined), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  assert.deepEqual(accessesFor({ kind: 'manifest', name: 'a', reference: 't' }, 'HEAD', undefined), [repo('a', 'pull')]);
  assert.deepEqual(accessesFor({ kind: 'manifest', name: 'a', reference: 't' }, 'PUT', undefined), [repo('a', 'pull', 'push')]);
  assert.deepEqual(accessesFor({ kind: 'manifest', name: 'a', reference: 't' }, 'DELETE', undefined), [repo('a', 'delete')]);
  assert.deepEqual(accessesFor({ kind: 'blob', name: 'a', digest: 'd' }, 'DELETE', undefined), [repo('a', 'delete')]);
  assert.deepEqual(accessesFor({ kind: 'upload', name: 'a', id: 'u' }, 'PATCH', undefined), [repo('a', 'pull', 'push')]);
  assert.deepEqual(accessesFor({ kind: 'upload-start', name: 'a' }, 'POST', 'b/c'), [repo('a', 'pull', 'push'), repo('b/c', 'pull')]);
  assert.deepEqual(accessesFor({ kind: 'upload-start', name: 'a' }, 'POST', 'BAD'), [repo('a', 'pull', 'push')]);
  assert.deepEqual(accessesFor({ kind: 'referrers', name: 'a', digest: 'd' }, 'GET', undefined), [repo('a', 'pull')]);
});
