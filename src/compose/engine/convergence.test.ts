import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL } from '../labels.ts';
import { planService, serviceScale, type ObservedContainer, type Wanted } from './convergence.ts';

function ctr(number: number, hash = 'h1', image = 'sha256:i1', state = 'running'): ObservedContainer {
  return { id: `id${number}`, name: `p-web-${number}`, service: 'web', number, state, created: number, labels: { [LABEL.configHash]: hash, [LABEL.image]: image, [LABEL.containerNumber]: String(number) } };
}
const wanted = (w: Partial<Wanted> = {}): Wanted => ({ scale: 1, configHash: 'h1', imageId: 'sha256:i1', policy: 'diverged', ...w });
const kinds = (actions: ReturnType<typeof planService>) => actions.map((a) => (a.kind === 'create' ? `create:${a.number}` : `${a.kind}:${a.container.number}`));

test('an up-to-date container is kept (idempotent up)', () => {
  assert.deepEqual(kinds(planService([ctr(1)], wanted())), ['keep:1']);
});

test('a changed config hash or image recreates; --no-recreate keeps; --force-recreate recreates', () => {
  assert.deepEqual(kinds(planService([ctr(1, 'old')], wanted())), ['recreate:1']);
  assert.deepEqual(kinds(planService([ctr(1, 'h1', 'sha256:old')], wanted())), ['recreate:1']);
  assert.deepEqual(kinds(planService([ctr(1, 'old')], wanted({ policy: 'never' }))), ['keep:1']);
  assert.deepEqual(kinds(planService([ctr(1)], wanted({ policy: 'force' }))), ['recreate:1']);
});

test('nothing there: containers 1..scale are created', () => {
  assert.deepEqual(kinds(planService([], wanted({ scale: 3 }))), ['create:1', 'create:2', 'create:3']);
});

test('scale up numbers after the highest in use; scale down removes the highest numbers first', () => {
  assert.deepEqual(kinds(planService([ctr(1), ctr(3)], wanted({ scale: 4 }))), ['keep:1', 'keep:3', 'create:4', 'create:5']);
  assert.deepEqual(kinds(planService([ctr(2), ctr(1), ctr(3)], wanted({ scale: 1 }))), ['keep:1', 'remove:2', 'remove:3']);
  assert.deepEqual(kinds(planService([ctr(1), ctr(2)], wanted({ scale: 0 }))), ['remove:1', 'remove:2']);
});

test('scale down removes obsolete containers before up-to-date ones', () => {
  assert.deepEqual(kinds(planService([ctr(1, 'old'), ctr(2)], wanted({ scale: 1 }))), ['keep:2', 'remove:1']);
});

test('the scale: --scale, else deploy.replicas, else scale, else 1', () => {
  assert.equal(serviceScale({}), 1);
  assert.equal(serviceScale({ scale: 2 }), 2);
  assert.equal(serviceScale({ scale: 2, deploy: { replicas: 3 } }), 3);
  assert.equal(serviceScale({ scale: 2 }, 0), 0);
});
