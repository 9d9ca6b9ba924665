import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  toContainerDiskUsage, toContainerInspect, toContainerSummary, toExecInspect, type ContainerInspectEntry, type ContainerRecordView,
} from './containers.ts';
import type { EndpointSettings } from '../types/engine-api.generated.ts';

const ZERO = '0001-01-01T00:00:00Z';
const NOW = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z

function record(over: Partial<ContainerRecordView> = {}): ContainerRecordView {
  return {
    ID: 'a'.repeat(64), Created: '2023-11-14T22:10:20.123456789Z', Path: 'sh', Args: ['-c', 'echo hi there'],
    Image: 'sha256:' + 'b'.repeat(64), Name: '/web', RestartCount: 0, Driver: 'overlay2', Platform: 'linux',
    State: {
      Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 42, ExitCode: 0, Error: '',
      StartedAt: '2023-11-14T22:10:20Z', FinishedAt: ZERO,
    },
    ResolvConfPath: '/r', HostnamePath: '/h', HostsPath: '/hs', LogPath: '/l',
    Config: { Image: 'busybox', Hostname: 'aaaaaaaaaaaa', Labels: { a: 'b' } },
    ...over,
  };
}

function endpoint(over: Partial<EndpointSettings> = {}): EndpointSettings {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '02:42:ac:11:00:02', DriverOpts: null, NetworkID: 'n1', EndpointID: 'e1',
    Gateway: '172.17.0.1', IPAddress: '172.17.0.2', IPPrefixLen: 16, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    DNSNames: null, ...over,
  };
}

function inspectEntry(over: Partial<ContainerInspectEntry> = {}): ContainerInspectEntry {
  return {
    record: record(), hostConfig: { NetworkMode: 'bridge' }, execIds: [], graphDriver: { Name: 'overlay2', Data: null },
    sandboxId: 'sb', sandboxKey: '/var/run/berth/netns/sb', networks: { bridge: endpoint() }, ...over,
  };
}

test('summary: Docker fields, the Command column quoted, Created in seconds, the Status text', () => {
  const s = toContainerSummary({
    record: record(), hostConfig: {}, ports: [{ PrivatePort: 80, Type: 'tcp' }], networks: { bridge: endpoint() },
  }, NOW);
  assert.deepEqual(Object.keys(s), [
    'Id', 'Names', 'Image', 'ImageID', 'Command', 'Created', 'Ports', 'Labels', 'State', 'Status', 'HostConfig', 'NetworkSettings', 'Mounts',
  ]);
  assert.equal(s.Command, "sh -c 'echo hi there'");
  assert.equal(s.Created, 1699999820);
  assert.deepEqual(s.Names, ['/web']);
  assert.equal(s.Status, 'Up 3 minutes');
  assert.deepEqual(s.HostConfig, { NetworkMode: 'default' });
  assert.deepEqual(s.Ports, [{ PrivatePort: 80, Type: 'tcp' }]);
  assert.equal(s.NetworkSettings?.Networks?.bridge?.IPAddress, '172.17.0.2');
});

test('summary: sizes only when asked for', () => {
  const base = { record: record({ Args: [] }), hostConfig: { NetworkMode: 'host' }, ports: [], networks: {} };
  const plain = toContainerSummary(base, NOW);
  assert.equal('SizeRw' in plain, false);
  assert.equal(plain.Command, 'sh');
  const sized = toContainerSummary({ ...base, size: { rw: 10, rootFs: 110 } }, NOW);
  assert.equal(sized.SizeRw, 10);
  assert.equal(sized.SizeRootFs, 110);
});

test('inspect: the record as Docker shows it, with the default bridge in the legacy fields', () => {
  const out = toContainerInspect(inspectEntry());
  assert.equal(out.Id, 'a'.repeat(64));
  assert.equal(out.Name, '/web');
  assert.equal(out.ExecIDs, null);
  assert.deepEqual(out.Mounts, []);
  assert.equal(out.State?.Status, 'running');
  assert.deepEqual(out.NetworkSettings?.Ports, {}, 'no ports given: an empty map');
  assert.equal(out.NetworkSettings?.IPAddress, '172.17.0.2');
  assert.equal(out.NetworkSettings?.Gateway, '172.17.0.1');
  assert.equal(out.NetworkSettings?.SandboxKey, '/var/run/berth/netns/sb');
  assert.equal('SizeRw' in out, false);
});

test('inspect: exec IDs, ports and sizes when there are some', () => {
  const out = toContainerInspect(inspectEntry({
    execIds: ['x1'], ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] }, size: { rw: 1, rootFs: 2 },
  }));
  assert.deepEqual(out.ExecIDs, ['x1']);
  assert.deepEqual(out.NetworkSettings?.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  assert.equal(out.SizeRw, 1);
  assert.equal(out.SizeRootFs, 2);
});

test('inspect: the legacy fields are empty without the default bridge', () => {
  const out = toContainerInspect(inspectEntry({ networks: { mynet: endpoint({ IPAddress: '10.0.0.2' }) } }));
  assert.equal(out.NetworkSettings?.IPAddress, '');
  assert.equal(out.NetworkSettings?.IPPrefixLen, 0);
  assert.equal(out.NetworkSettings?.Networks?.mynet?.IPAddress, '10.0.0.2');
});

test('inspect before API 1.45: user-defined networks list the short ID and the hostname among the Aliases', () => {
  const entry = inspectEntry({
    networks: { bridge: endpoint(), mynet: endpoint({ Aliases: ['db', 'aaaaaaaaaaaa'] }) },
  });
  const old = toContainerInspect(entry, '1.44');
  assert.deepEqual(old.NetworkSettings?.Networks?.mynet?.Aliases, ['db', 'aaaaaaaaaaaa'], 'deduplicated');
  assert.equal(old.NetworkSettings?.Networks?.bridge?.Aliases, null, 'the default bridge is left alone');
  const other = toContainerInspect(inspectEntry({
    record: record({ Config: { Image: 'busybox', Hostname: 'box' } }), networks: { mynet: endpoint() },
  }), '1.43');
  assert.deepEqual(other.NetworkSettings?.Networks?.mynet?.Aliases, ['aaaaaaaaaaaa', 'box']);
  for (const version of ['1.45', '1.50']) {
    assert.deepEqual(toContainerInspect(entry, version).NetworkSettings?.Networks?.mynet?.Aliases, ['db', 'aaaaaaaaaaaa']);
    assert.deepEqual(toContainerInspect(inspectEntry({ networks: { mynet: endpoint() } }), version).NetworkSettings?.Networks?.mynet?.Aliases, null);
  }
});

test('exec inspect: the process config from Cmd', () => {
  const out = toExecInspect({
    id: 'e', containerId: 'c', running: false, exitCode: 3, pid: 0, canRemove: false,
    config: { Cmd: ['ls', '-l'], AttachStdout: true, Tty: true, User: 'nobody' },
  });
  assert.deepEqual(out, {
    CanRemove: false, ContainerID: 'c', DetachKeys: '', ExitCode: 3, ID: 'e', OpenStderr: false, OpenStdin: false, OpenStdout: true,
    ProcessConfig: { arguments: ['-l'], entrypoint: 'ls', privileged: false, tty: true, user: 'nobody' }, Running: false, Pid: 0,
  });
  assert.deepEqual(toExecInspect({ id: 'e', containerId: 'c', running: true, exitCode: null, pid: 7, canRemove: false, config: {} }).ProcessConfig,
    { arguments: [], entrypoint: '', privileged: false, tty: false }); // user is omitempty, as in dockerd
});

test('df rows: the command joined, the state as the status, no ports or networks', () => {
  const row = toContainerDiskUsage({ record: record(), hostConfig: {}, sizeRw: 5 });
  assert.equal(row.Command, 'sh -c echo hi there');
  assert.equal(row.Status, 'running');
  assert.equal(row.SizeRw, 5);
  assert.equal(row.SizeRootFs, 0);
  assert.deepEqual(row.Ports, []);
  assert.deepEqual(row.NetworkSettings, { Networks: {} });
  assert.deepEqual(row.HostConfig, { NetworkMode: 'default' });
});

test('inspect and list Mounts: moby types.MountPoint per type (Name and Driver only when set), in destination order', () => {
  const MountPoints = {
    '/v': { Type: 'volume', Source: '/var/lib/berth/volumes/db/_data', Destination: '/v', RW: true, Name: 'db', Driver: 'local', Relabel: 'z', Propagation: '' },
    '/b': { Type: 'bind', Source: '/host', Destination: '/b', RW: false, Name: '', Driver: '', Relabel: 'ro', Propagation: 'rprivate' },
    '/t': { Type: 'tmpfs', Source: '', Destination: '/t', RW: true, Name: '', Driver: '', Relabel: '', Propagation: '' },
  };
  const expected = [
    { Type: 'bind', Source: '/host', Destination: '/b', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
    { Type: 'volume', Name: 'db', Source: '/var/lib/berth/volumes/db/_data', Destination: '/v', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
  ];
  const inspected = toContainerInspect(inspectEntry({ record: record({ MountPoints }) })).Mounts!;
  assert.deepEqual(inspected, expected);
  assert.deepEqual(Object.keys(inspected[2]!), ['Type', 'Name', 'Source', 'Destination', 'Driver', 'Mode', 'RW', 'Propagation']);
  assert.deepEqual(toContainerSummary({ record: record({ MountPoints }), hostConfig: {}, ports: [], networks: {} }, NOW).Mounts, expected);
});
