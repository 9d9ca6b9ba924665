import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerRow, displayablePorts } from './ls.ts';

test('DisplayablePorts groups consecutive ports and lists host mappings last', () => {
  assert.equal(displayablePorts([]), '');
  assert.equal(displayablePorts([{ PrivatePort: 80, Type: 'tcp' }]), '80/tcp');
  assert.equal(displayablePorts([{ PrivatePort: 81, Type: 'tcp' }, { PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 82, Type: 'tcp' }]), '80-82/tcp');
  assert.equal(displayablePorts([{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 90, Type: 'tcp' }]), '80/tcp, 90/tcp');
  assert.equal(displayablePorts([
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 53, Type: 'udp' },
  ]), '0.0.0.0:53->53/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
});

test('a ps row as docker shows it, truncated and not', () => {
  const c = {
    Id: 'f8de338d32999917c690201aff7ae1a63461494d4587a6a7c83232692aeeb63c', Names: ['/done', '/web/link'], Image: 'docker.io/library/busybox:latest',
    ImageID: 'sha256:4c883736c72ed6d1d12fad4dacef115c73a72fcc76cbbae47615625b11592ec6', Command: "sh -c 'echo hi; echo err >&2; exit 3'",
    Created: 1795354184, State: 'exited', Status: 'Exited (3) 2 seconds ago', Labels: { b: '2', a: '1' }, SizeRw: 12, SizeRootFs: 1982405,
    NetworkSettings: { Networks: { none: {}, bridge: {} } },
  };
  const row = containerRow(c, true, 1795354184_000) as Record<string, unknown>;
  assert.equal(row.ID, 'f8de338d3299');
  assert.equal(row.Names, 'done');
  assert.equal(row.Image, 'busybox:latest');
  assert.equal(row.Command, `"sh -c 'echo hi; ech…"`);
  assert.equal(row.CreatedAt, '2026-11-22 13:29:44 +0000 UTC');
  assert.equal(row.Labels, 'a=1,b=2');
  assert.equal(row.Networks, 'bridge,none');
  assert.equal(row.Size, '12B (virtual 1.98MB)');
  assert.equal((row.Label as (k: string) => string)('b'), '2');
  assert.deepEqual(Object.keys(row), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
  const full = containerRow(c, false) as Record<string, unknown>;
  assert.equal(full.ID, c.Id);
  assert.equal(full.Names, 'done,web/link');
  assert.equal(full.Image, 'docker.io/library/busybox:latest');
  assert.equal(full.Command, `"sh -c 'echo hi; echo err >&2; exit 3'"`);
  const byId = containerRow({ ...c, Image: c.ImageID }, true) as Record<string, unknown>;
  assert.equal(byId.Image, '4c883736c72e');
});
