import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventJson, eventLine } from './events.ts';
import { summaryRows } from './df.ts';
import { pruneWarning, shownFilters } from './prune.ts';

const ev = {
  status: 'die', id: 'abc', from: 'busybox', Type: 'container', Action: 'die',
  Actor: { ID: 'abc', Attributes: { name: 'x<y', exitCode: '3', image: 'busybox' } }, scope: 'local', time: 1795354184, timeNano: 1795354184837796515,
};

test("events print as docker's default line and as its JSON", () => {
  assert.equal(eventLine(ev, '1795354184837796515'), '2026-11-22T13:29:44.837796515Z container die abc (exitCode=3, image=busybox, name=x<y)\n');
  assert.equal(eventLine({ ...ev, Actor: { ID: 'abc' } }), '2026-11-22T13:29:44.000000000Z container die abc\n');
  assert.equal(eventJson(ev, '1795354184837796515'),
    '{"status":"die","id":"abc","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3","image":"busybox","name":"x\\u003cy"}},"scope":"local","time":1795354184,"timeNano":1795354184837796515}');
});

test('df summary rows', () => {
  const rows = summaryRows({
    LayersSize: 2000, Images: [{ Id: 'i', Created: 0, Size: 2000, SharedSize: 0, Containers: 1 }, { Id: 'j', Created: 0, Size: 500, SharedSize: 0, Containers: 0 }],
    Containers: [{ Id: 'a', State: 'running', SizeRw: 100 }, { Id: 'b', State: 'exited', SizeRw: 50 }], Volumes: [], BuildCache: [],
  }) as Array<Record<string, string>>;
  assert.deepEqual(rows[0], { Active: '1', Reclaimable: '0B (0%)', Size: '2kB', TotalCount: '2', Type: 'Images' });
  assert.deepEqual(rows[1], { Active: '1', Reclaimable: '50B (33%)', Size: '150B', TotalCount: '2', Type: 'Containers' });
  assert.deepEqual(rows[2], { Active: '0', Reclaimable: '0B', Size: '0B', TotalCount: '0', Type: 'Local Volumes' });
  assert.deepEqual(rows[3], { Active: '0', Reclaimable: '0B', Size: '0B', TotalCount: '0', Type: 'Build Cache' });
});

test('system prune lists what it will remove', () => {
  assert.equal(pruneWarning(false, false, []), 'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue?');
  assert.match(pruneWarning(true, true, ['label=x']), /anonymous volumes[\s\S]*without at least one container[\s\S]*filtered with:\n  - label=x\n\nAre you sure you want to continue\?$/);
  // only label, label! and until filters are listed, in natural order
  assert.deepEqual(shownFilters({ until: { '24h': true }, label: { 'x=10': true, 'x=9': true }, dangling: { true: true }, 'label!': { k: true } }),
    ['label!=k', 'label=x=9', 'label=x=10', 'until=24h']);
});
