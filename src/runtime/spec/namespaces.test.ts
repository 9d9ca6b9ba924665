import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withNamespaces } from './namespaces.ts';
import { withHostname } from './hostname.ts';

const ns = (input: Parameters<typeof withNamespaces>[0]) => applySpecOpts(baseSpec('c', '/r'), [withNamespaces(input)]).linux.namespaces;

test('Docker\'s order; the host\'s namespaces left out; a netns joined by path', () => {
  assert.deepEqual(ns({ network: 'new' }).map((n) => n.type), ['mount', 'network', 'uts', 'pid', 'ipc']);
  assert.deepEqual(ns({ network: 'host', hostUts: true, hostPid: true, hostIpc: true }), [{ type: 'mount' }]);
  assert.deepEqual(ns({ network: 'new', privateCgroup: true }).map((n) => n.type), ['mount', 'network', 'uts', 'pid', 'ipc', 'cgroup']);
  assert.deepEqual(ns({ network: { path: '/run/netns/x' } })[1], { type: 'network', path: '/run/netns/x' });
});

test('hostname is the last key of the spec', () => {
  const s = applySpecOpts(baseSpec('c', '/r'), [withHostname('web')]);
  assert.equal(s.hostname, 'web');
  assert.equal(Object.keys(s).at(-1), 'hostname');
});
