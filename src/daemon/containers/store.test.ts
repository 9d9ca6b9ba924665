import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerStore } from './store.ts';
import { newContainer } from './container.ts';
import { initialState, type ContainerRecord } from './record.ts';

function container(id: string, name: string) {
  const rec = { ID: id, Name: name, RestartCount: 0, State: initialState(), Config: {} } as unknown as ContainerRecord;
  return newContainer(rec, {});
}

test('lookup in Docker\'s order: full ID, name, unique prefix', () => {
  const store = new ContainerStore();
  const a = container('abc123' + '0'.repeat(58), '/web');
  const b = container('abd456' + '0'.repeat(58), '/abc123');
  store.add(a);
  store.add(b);
  assert.equal(store.get(a.rec.ID), a);
  assert.equal(store.get('web'), a);
  assert.equal(store.get('/web'), a);
  assert.equal(store.get('abc123'), b, 'an exact name wins over an ID prefix');
  assert.equal(store.get('abd'), b);
  assert.throws(() => store.get('ab'), { kind: 'InvalidParameter', message: 'Multiple IDs found with provided prefix: ab' });
  assert.throws(() => store.get('nope'), { kind: 'NotFound', message: 'No such container: nope' });
  assert.equal(store.find(''), undefined);
  assert.equal(store.find('zz'), undefined);
});

test('names: reserved once, conflict text, freed on delete', () => {
  const store = new ContainerStore();
  const a = container('a'.repeat(64), '/web');
  store.add(a);
  assert.throws(() => store.reserveName('web', 'b'.repeat(64)), { kind: 'Conflict', message: /The container name "\/web" is already in use by container "a{64}"/ });
  assert.equal(store.reserveName('web', a.rec.ID), '/web', 'idempotent for the holder');
  assert.match(store.freeName(), /^\/[a-z]+_[a-z]+\d*$/);
  assert.ok(store.has(a));
  store.delete(a);
  assert.equal(store.has(a), false);
  assert.equal(store.find('web'), undefined);
  assert.equal(store.reserveName('/web', 'b'.repeat(64)), '/web');
});
