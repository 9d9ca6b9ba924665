import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient, CommandContext, RequestOptions } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { FlagError, parseFlags } from '../../framework/flags.ts';
import { containerRow, displayablePorts, lsCommand } from './ls.ts';

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

/** Runs `ps` with these arguments against a fake daemon that lists `containers`; records the calls. */
async function ps(argv: string[], containers: object[] = []) {
  const calls: Array<{ path: string; opts?: RequestOptions }> = [];
  const client = {
    json: async (_m: string, path: string, opts?: RequestOptions) => {
      calls.push({ path, opts });
      return containers;
    },
  } as unknown as ApiClient;
  let out = '';
  const stdout = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  const ctx = { client, stdout, stderr: stdout, config: {}, programName: 'berth' } as unknown as CommandContext;
  const parsed = parseFlags(lsCommand.flags ?? [], argv, { interspersed: true });
  try {
    await lsCommand.run!(ctx, parsed.flags, parsed.args);
    return { code: 0, out, err: '', calls };
  } catch (e) {
    if (e instanceof FlagError) return { code: 125, out, err: e.message, calls };
    if (e instanceof StatusError) return { code: e.code, out, err: e.message, calls };
    throw e;
  }
}

test('ps checks --format on an empty container first, with docker 28 messages', async () => {
  const nope = await ps(['--format', '{{.Nope}}']);
  assert.deepEqual(nope, { code: 1, out: '', calls: [],
    err: 'failed to execute template: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext' });
  const unclosed = await ps(['--format', 'table {{.ID']);
  assert.deepEqual([unclosed.code, unclosed.err, unclosed.calls.length], [1, 'failed to parse template: template: :1: unclosed action', 0]);
  const good = await ps(['--format', '{{.Names}} {{.Label "a"}}'], [{ Id: 'f'.repeat(64), Names: ['/x'], Labels: { a: '1' } }]);
  assert.deepEqual([good.code, good.out], [0, 'x 1\n']);
});

test('ps filters: an empty -f is ignored, name=value is required', async () => {
  const r = await ps(['-f', '', '-f', ' Status = exited ', '-f', 'name=b', '-f', 'name=a']);
  assert.deepEqual(r.calls[0]!.opts!.query!.filters, { name: { a: true, b: true }, status: { exited: true } });
  const empty = await ps(['-f', '']);
  assert.equal(empty.calls[0]!.opts!.query!.filters, undefined);
  const bad = await ps(['-f', 'bad']);
  assert.deepEqual([bad.code, bad.err, bad.calls.length], [125, 'invalid argument "bad" for "-f, --filter" flag: bad format of filter (expected name=value)', 0]);
});
