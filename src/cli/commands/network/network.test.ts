// The network verbs against a fake daemon: the requests they send (as recorded from docker 28.2
// against a logging server) and docker/cli's client-side checks, plus the Go formatting pieces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import type { ApiClient, ApiResponse, CommandContext, CommandSpec, RequestOptions } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { FlagError, parseFlags } from '../../framework/flags.ts';
import { networkCommands } from './index.ts';
import { consolidateIpam } from './ipam.ts';
import { networkRow } from './ls.ts';
import { goTimeString, mapOption, naturalCompare } from '../shared.ts';

interface Call {
  method: string;
  path: string;
  opts?: RequestOptions;
}

function fakeClient(answer: (c: Call) => unknown): { client: ApiClient; calls: Call[] } {
  const calls: Call[] = [];
  const respond = async (method: string, path: string, opts?: RequestOptions): Promise<ApiResponse> => {
    const c = { method, path, opts };
    calls.push(c);
    const value = answer(c);
    if (value instanceof DaemonError) throw value;
    const text = value === undefined ? '' : JSON.stringify(value);
    return { status: 200, headers: {}, body: Readable.from([text]), json: async () => JSON.parse(text), text: async () => text };
  };
  const client: ApiClient = {
    host: 'unix:///fake.sock',
    call: respond,
    request: respond,
    json: async (m, p, o) => (await respond(m, p, o)).json(),
    hijack: () => Promise.reject(new Error('no hijack')),
    apiVersion: async () => '1.50',
  };
  return { client, calls };
}

async function run(argv: string[], answer: (c: Call) => unknown = () => undefined, input = '', config: Record<string, unknown> = {}) {
  const [verb, ...rest] = argv;
  const spec = networkCommands.find((c) => c.name === verb || c.aliases?.includes(verb!)) as CommandSpec;
  const { client, calls } = fakeClient(answer);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const stdin = Readable.from(input ? [input] : []) as unknown as NodeJS.ReadStream;
  const ctx: CommandContext = {
    client, stdin, stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream,
    programName: 'berth', configDir: '/nonexistent', config, saveConfig: async () => {}, debug: false,
  };
  const parsed = parseFlags(spec.flags ?? [], rest, { interspersed: true });
  let code = 0;
  try {
    code = (await spec.run!(ctx, parsed.flags, parsed.args)) ?? 0;
  } catch (e) {
    // As the framework does: a flag error exits 125 (it adds the usage lines, not shown here).
    if (e instanceof FlagError) {
      code = 125;
      err += e.message;
    } else if (e instanceof StatusError) {
      code = e.code;
      err += e.message;
    } else throw e;
  }
  return { code, out, err, calls };
}

test('create sends the body docker sends, with EnableIPv4/6 only when given', async () => {
  const r = await run(['create', '-d', 'macvlan', '--subnet', '10.1.0.0/16', '--subnet', '10.2.0.0/16', '--gateway', '10.2.0.1',
    '--ip-range', '10.1.1.0/24', '--aux-address', 'a=10.1.0.5', '--aux-address', 'b=10.2.0.9', '--internal', '--attachable',
    '--label', 'x=1', '--label', 'y', '-o', 'com.docker.network.driver.mtu=1400', '-o', 'foo', '--ipam-driver', 'd2',
    '--ipam-opt', 'k=v', '--ipv6', '--ipv4=false', '--scope', 'local', '--config-from', 'base', 'n2'], () => ({ Id: 'f'.repeat(64) }));
  assert.equal(r.out, 'f'.repeat(64) + '\n');
  assert.deepEqual(r.calls.map((c) => [c.method, c.path]), [['POST', '/networks/create']]);
  assert.equal(JSON.stringify(r.calls[0]!.opts!.body), JSON.stringify({
    Driver: 'macvlan', Scope: 'local', EnableIPv4: false, EnableIPv6: true,
    IPAM: {
      Driver: 'd2', Options: { k: 'v' },
      Config: [
        { Subnet: '10.1.0.0/16', IPRange: '10.1.1.0/24', AuxiliaryAddresses: { a: '10.1.0.5' } },
        { Subnet: '10.2.0.0/16', Gateway: '10.2.0.1', AuxiliaryAddresses: { b: '10.2.0.9' } },
      ],
    },
    Internal: true, Attachable: true, Ingress: false, ConfigOnly: false, ConfigFrom: { Network: 'base' },
    Options: { 'com.docker.network.driver.mtu': '1400', foo: '' }, Labels: { x: '1', y: '' }, Name: 'n2',
  }));
  const plain = await run(['create', 'n1'], () => ({ Id: 'e'.repeat(64) }));
  assert.equal(JSON.stringify(plain.calls[0]!.opts!.body), JSON.stringify({
    Driver: 'bridge', Scope: '', IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false,
    Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: 'n1',
  }));
});

test('create refuses what docker/cli refuses, before asking the daemon', async () => {
  const label = await run(['create', '--label', '=x', 'n']);
  assert.equal(label.code, 125);
  assert.equal(label.err, `invalid argument "=x" for "--label" flag: invalid label '=x': empty name`);
  assert.equal(label.calls.length, 0);
  const gw = await run(['create', '--subnet', '10.0.0.0/8', '--gateway', '11.0.0.1', 'n']);
  assert.deepEqual([gw.code, gw.err, gw.calls.length], [1, 'no matching subnet for gateway 11.0.0.1', 0]);
});

test('consolidateIpam: docker/cli messages', () => {
  const bad = (s: string[], r: string[], g: string[], aux: Record<string, string>, msg: string) =>
    assert.throws(() => consolidateIpam(s, r, g, aux), { message: msg });
  bad([], [], ['10.0.0.1'], {}, 'every ip-range or gateway must have a corresponding subnet');
  bad(['10.0.0.0/8', '10.1.0.0/16'], [], [], {}, 'multiple overlapping subnet configuration is not supported');
  bad(['10.0.0.0/8', 'bad'], [], [], {}, 'invalid subnet: invalid CIDR address: bad');
  bad(['10.0.0.0/8'], ['10.1.1.1'], [], {}, 'invalid CIDR address: 10.1.1.1');
  bad(['10.0.0.0/8'], ['11.0.0.0/8'], [], {}, 'no matching subnet for range 11.0.0.0/8');
  bad(['10.0.0.0/8', '11.0.0.0/8'], ['10.1.0.0/16', '10.2.0.0/16'], [], {},
    'cannot configure multiple ranges (10.2.0.0/16, 10.1.0.0/16) on the same subnet (10.0.0.0/8)');
  bad(['10.0.0.0/8', '11.0.0.0/8'], [], ['10.0.0.1', '10.0.0.2'], {},
    'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/8)');
  bad(['10.0.0.0/8'], [], ['10.0.0.1/99'], {}, 'invalid CIDR address: 10.0.0.1/99');
  bad(['10.0.0.0/8'], [], ['bad'], {}, 'no matching subnet for gateway bad');
  bad(['10.0.0.0/8'], [], [], { x: 'bad' }, 'no matching subnet for aux-address bad');
  bad(['10.0.0.0/8'], [], ['fd00::1'], {}, 'no matching subnet for gateway fd00::1');
  // A lone subnet is not parsed by the client (the daemon judges it), as in docker/cli.
  assert.deepEqual(consolidateIpam(['foo'], [], [], {}), [{ Subnet: 'foo' }]);
  assert.deepEqual(consolidateIpam(['fd00::/64', '::ffff:10.0.0.0/104'], [], ['fd00::1', '10.0.0.1'], {}),
    [{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }, { Subnet: '::ffff:10.0.0.0/104', Gateway: '10.0.0.1' }]);
});

test('connect sends docker/cli EndpointSettings; bad links and driver options are refused', async () => {
  const r = await run(['connect', '--alias', 'a1,a2', '--alias', 'a3', '--ip', '10.1.0.5', '--ip6', '2001:db8::33', '--link', 'c2:al',
    '--link-local-ip', '169.254.1.1,fe80::1', '--driver-opt', ' k = v ,k2=', '--gw-priority', '5', 'n1', 'c1']);
  assert.equal(r.code, 0);
  assert.equal(r.calls[0]!.path, '/networks/n1/connect');
  assert.equal(JSON.stringify(r.calls[0]!.opts!.body), JSON.stringify({
    Container: 'c1',
    EndpointConfig: {
      IPAMConfig: { IPv4Address: '10.1.0.5', IPv6Address: '2001:db8::33', LinkLocalIPs: ['169.254.1.1', 'fe80::1'] },
      Links: ['c2:al'], Aliases: ['a1', 'a2', 'a3'], MacAddress: '', DriverOpts: { k: 'v', k2: '' }, GwPriority: 5,
      NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0, DNSNames: null,
    },
  }));
  const link = await run(['connect', '--link', 'a:b:c', 'n', 'c']);
  assert.equal(link.code, 125);
  assert.deepEqual([link.err, link.calls.length], ['invalid argument "a:b:c" for "--link" flag: bad format for links: a:b:c', 0]);
  const opt = await run(['connect', '--driver-opt', 'novalue', 'n', 'c']);
  assert.deepEqual([opt.code, opt.err, opt.calls.length], [1, 'invalid key/value pair format in driver options', 0]);
  const dis = await run(['disconnect', '-f', 'n/x', 'c']);
  assert.deepEqual([dis.calls[0]!.path, dis.calls[0]!.opts!.body], ['/networks/n%2Fx/disconnect', { Container: 'c', Force: true }]);
});

test('rm goes on after a failure and ends with "exit status 1"; -f hides only not-found', async () => {
  const answer = (c: Call) => {
    if (c.path === '/networks/missing') return new DaemonError(404, 'network missing not found');
    if (c.path === '/networks/busy') return new DaemonError(403, 'error while removing network: network busy has active endpoints');
    return undefined;
  };
  const r = await run(['rm', 'a', 'missing', 'busy', 'b'], answer);
  assert.deepEqual([r.code, r.out], [1, 'a\nb\n']);
  assert.equal(r.err, 'Error response from daemon: network missing not found\n' +
    'Error response from daemon: error while removing network: network busy has active endpoints\nexit status 1');
  const f = await run(['remove', '-f', 'missing', 'a'], answer);
  assert.deepEqual([f.code, f.out, f.err], [0, 'a\n', '']);
});

test('prune asks, honours config.json pruneFilters, and prints what went', async () => {
  const report = () => ({ NetworksDeleted: ['n1', 'n2'] });
  const no = await run(['prune'], report, 'n\n');
  assert.deepEqual([no.code, no.calls.length], [0, 0]);
  const yesWord = await run(['prune'], report, 'yes\n'); // docker 28 takes only "y"
  assert.deepEqual([yesWord.code, yesWord.calls.length], [0, 0]);
  const closed = await run(['prune'], report, '');
  assert.deepEqual([closed.code, closed.calls.length], [0, 0]);
  assert.equal(no.out, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
  const yes = await run(['prune', '--filter', 'label!=keep'], report, ' Y \n', { pruneFilters: ['label=keep', 'until=24h', 'junk'] });
  assert.equal(yes.out.split('[y/N] ')[1], 'Deleted Networks:\nn1\nn2\n\n');
  assert.deepEqual(yes.calls[0]!.opts!.query, { filters: { 'label!': { keep: true }, until: { '24h': true } } });
  const bad = await run(['prune', '-f', '--filter', 'oops']);
  assert.equal(bad.code, 125);
  assert.deepEqual([bad.err, bad.calls.length], ['invalid argument "oops" for "--filter" flag: bad format of filter (expected name=value)', 0]);
});

test('ls filters go as sorted JSON; empty filter values are ignored', async () => {
  const r = await run(['ls', '-q', '-f', 'name=b', '-f', ' NAME = a ', '-f', '', '-f', 'driver=bridge'], () => []);
  assert.deepEqual(r.calls[0]!.opts!.query, { filters: { driver: { bridge: true }, name: { a: true, b: true } } });
  const none = await run(['ls', '-q'], () => []);
  assert.deepEqual(none.calls[0]!.opts!.query, { filters: undefined });
});

test('network rows: docker/cli networkContext fields', () => {
  const row = networkRow({
    Name: 'n', Id: 'a'.repeat(64), Created: '2026-11-22T13:00:00.120000000Z', Scope: 'local', Driver: 'bridge',
    EnableIPv4: true, Internal: true, Labels: { a: '1', b: '2' },
  }, true) as Record<string, unknown> & { Label(k: string): string };
  assert.equal(JSON.stringify(row), JSON.stringify({
    CreatedAt: '2026-11-22 13:00:00.12 +0000 UTC', Driver: 'bridge', ID: 'a'.repeat(12), IPv4: 'true', IPv6: 'false',
    Internal: 'true', Labels: 'a=1,b=2', Name: 'n', Scope: 'local',
  }));
  assert.equal(row.Label('b'), '2');
  assert.equal(row.Label('zz'), '');
});

test('Go formatting helpers', () => {
  assert.deepEqual(['net10', 'bridge', 'net2', 'net02', 'Net', 'n1a'].sort(naturalCompare), ['Net', 'bridge', 'n1a', 'net2', 'net02', 'net10']);
  assert.equal(goTimeString('2026-11-22T14:00:00+01:00'), '2026-11-22 14:00:00 +0100 +0100');
  assert.equal(goTimeString('2026-11-22T14:00:00.000Z'), '2026-11-22 14:00:00 +0000 UTC');
  assert.equal(goTimeString(undefined), '0001-01-01 00:00:00 +0000 UTC');
  assert.deepEqual(mapOption(['b=1', 'a', 'b=2', '=x', 'c=d=e']), { '': 'x', a: '', b: '2', c: 'd=e' });
});
