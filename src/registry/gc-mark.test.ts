import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mark, manifestRefs, type ManifestRefs, type RepoGraph } from './gc-mark.ts';

const refs = (blobs: string[], manifests: string[] = [], subject?: string): ManifestRefs => ({ blobs, manifests, subject });

function repo(name: string, revisions: Record<string, ManifestRefs>, tagged: string[]): RepoGraph {
  return { name, revisions: new Map(Object.entries(revisions)), tagged: new Set(tagged) };
}

test('every revision is a root without deleteUntagged', () => {
  const r = mark([repo('a', { m1: refs(['c1', 'l1']), m2: refs(['c2', 'l2']) }, ['m1'])], false);
  assert.deepEqual([...r.marked].sort(), ['c1', 'c2', 'l1', 'l2', 'm1', 'm2']);
  assert.deepEqual(r.deleteRevisions, []);
});

test('deleteUntagged keeps tagged manifests, their index children and referrers', () => {
  const r = mark(
    [
      repo(
        'a',
        {
          idx: refs([], ['arm', 'amd']),
          arm: refs(['c1', 'l1']),
          amd: refs(['c2', 'l2']),
          sig: refs(['sc', 'sl'], [], 'idx'),
          sigsig: refs(['ssc'], [], 'sig'),
          old: refs(['oc', 'l1']),
          oldsig: refs(['osc'], [], 'old'),
        },
        ['idx'],
      ),
    ],
    true,
  );
  assert.deepEqual(
    [...r.marked].sort(),
    ['amd', 'arm', 'c1', 'c2', 'idx', 'l1', 'l2', 'sc', 'sig', 'sigsig', 'sl', 'ssc'].sort(),
  );
  assert.deepEqual(r.deleteRevisions.map((d) => d.digest).sort(), ['old', 'oldsig']);
});

test('a blob shared by two repositories stays while either references it', () => {
  const r = mark([repo('a', { m1: refs(['shared']) }, []), repo('b', { m2: refs(['shared', 'x']) }, ['m2'])], true);
  assert.equal(r.marked.has('shared'), true);
  assert.equal(r.marked.has('m1'), false);
  assert.deepEqual(r.deleteRevisions, [{ name: 'a', digest: 'm1' }]);
});

test('a subject is marked even when it is not stored', () => {
  const r = mark([repo('a', { s: refs(['c'], [], 'elsewhere') }, ['s'])], true);
  assert.equal(r.marked.has('elsewhere'), true);
});

test('manifestRefs reads every schema, schema1 included', () => {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v));
  assert.deepEqual(
    manifestRefs(enc({ config: { digest: 'c' }, layers: [{ digest: 'l1' }, { digest: 'l2' }], subject: { digest: 's' } })),
    { blobs: ['l1', 'l2', 'c'], manifests: [], subject: 's' },
  );
  assert.deepEqual(manifestRefs(enc({ manifests: [{ digest: 'a' }, { digest: 'b' }] })), { blobs: [], manifests: ['a', 'b'], subject: undefined });
  assert.deepEqual(manifestRefs(enc({ schemaVersion: 1, fsLayers: [{ blobSum: 'x' }] })), { blobs: ['x'], manifests: [], subject: undefined });
  assert.equal(manifestRefs(Buffer.from('not json')), undefined);
  assert.equal(manifestRefs(Buffer.from('[1]')), undefined);
});
