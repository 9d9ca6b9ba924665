import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, parseNormalizedNamed } from './reference.ts';
import { StatusError } from '../../framework/types.ts';
import { renderList } from '../shared.ts';
import { IMAGE_HEADERS, IMAGE_TABLE_FORMAT, imageRows } from './ls.ts';

test('references are normalised and checked as distribution/reference does', () => {
  assert.deepEqual(parseNormalizedNamed('busybox'), { name: 'docker.io/library/busybox', tag: undefined, digest: undefined });
  assert.deepEqual(parseNormalizedNamed('me/app:1.0'), { name: 'docker.io/me/app', tag: '1.0', digest: undefined });
  assert.equal(parseNormalizedNamed('localhost:5000/app:v').name, 'localhost:5000/app');
  assert.equal(parseNormalizedNamed('example.com/team/bb:v1').name, 'example.com/team/bb');
  assert.throws(() => parseNormalizedNamed('Bad'), /repository name \(library\/Bad\) must be lowercase/);
  assert.throws(() => parseNormalizedNamed('a b'), /^Error: invalid reference format$/);
  assert.equal(familiarName('docker.io/library/busybox'), 'busybox');
  assert.equal(familiarName('docker.io/me/app'), 'me/app');
  assert.equal(familiarName('example.com/x'), 'example.com/x');
});

test('image rows: one per repository and tag, <none> for dangling', () => {
  const img = { Id: 'sha256:' + 'a'.repeat(64), Created: 0, Size: 1982405, SharedSize: -1, Containers: -1 };
  const rows = imageRows([
    { ...img, RepoTags: ['busybox:latest', 'busybox:1', 'me/x:2'], RepoDigests: ['busybox@sha256:' + 'b'.repeat(64)] },
    { ...img, RepoTags: [], RepoDigests: [] },
  ], { trunc: true, digests: false, now: 0 }) as Array<Record<string, string>>;
  assert.deepEqual(rows.map((r) => `${r.Repository}:${r.Tag}:${r.Digest}:${r.ID}`), [
    'busybox:latest:<none>:aaaaaaaaaaaa', 'busybox:1:<none>:aaaaaaaaaaaa', 'me/x:2:<none>:aaaaaaaaaaaa', '<none>:<none>:<none>:aaaaaaaaaaaa',
  ]);
  assert.equal(rows[0].Size, '1.98MB');
  assert.equal(rows[0].VirtualSize, '1.982MB');
  assert.equal(rows[0].Containers, 'N/A');
  const withDigests = imageRows([{ ...img, RepoTags: ['busybox:latest'], RepoDigests: ['busybox@sha256:' + 'b'.repeat(64)] }], { trunc: true, digests: true }) as Array<Record<string, string>>;
  assert.equal(withDigests[0].Digest, 'sha256:' + 'b'.repeat(64));
});

test("images: a bad --format fails once with docker's own message", () => {
  const rows = imageRows([{ Id: 'sha256:' + 'a'.repeat(64), Created: 0, Size: 1, RepoTags: ['busybox:latest'] }], { trunc: true, digests: false });
  const opts = { defaultFormat: IMAGE_TABLE_FORMAT, headers: IMAGE_HEADERS, rowType: '*formatter.imageContext' };
  assert.throws(() => renderList(rows, { ...opts, format: '{{.Nope}}' }), (e: unknown) => e instanceof StatusError && e.code === 1 &&
    e.message === 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.imageContext');
  assert.throws(() => renderList(rows, { ...opts, format: '{{.Bad' }), { message: 'template parsing error: template: :1: unclosed action' });
  assert.equal(renderList(rows, { ...opts, format: '{{.Repository}}:{{.Tag}}' }), 'busybox:latest\n');
});
