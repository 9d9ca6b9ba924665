// The request validator against the generated schemas: Go's messages and moby's quirks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertBody, BODIES, checkContainerPorts, checkNetworkName, checkQuery, operationFor } from './index.ts';

function refusal(schema: Parameters<typeof assertBody>[0], body: unknown): string {
  try {
    assertBody(schema, body);
  } catch (err) {
    assert.equal((err as { kind?: string }).kind ?? 'InvalidParameter', 'InvalidParameter');
    return (err as Error).message;
  }
  assert.fail(`accepted ${JSON.stringify(body).slice(0, 200)}`);
}

const create = (extra: Record<string, unknown>) => ({ Image: 'busybox', ...extra });

test('wrong JSON types in a create body are refused in Go encoding/json words', () => {
  assert.equal(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { Privileged: 'abc' } })),
    'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Privileged of type bool');
  assert.equal(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { PidMode: 1 } })),
    'json: cannot unmarshal number into Go struct field HostConfig.HostConfig.PidMode of type string');
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { IpcMode: true } })), /HostConfig\.HostConfig\.IpcMode of type string$/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { NetworkMode: [] } })), /cannot unmarshal array .*NetworkMode of type string$/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { LogConfig: 'abc' } })), /cannot unmarshal string into Go struct field HostConfig\.HostConfig\.LogConfig of type LogConfig$/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { Binds: 12345 } })), /cannot unmarshal number .*HostConfig\.Binds of type \[\]string$/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { PortBindings: 'x' } })), /cannot unmarshal string .*HostConfig\.PortBindings of type PortMap$/);
  assert.equal(refusal(BODIES.ContainerCreateRequest, create({ Env: 'A=1' })), 'json: cannot unmarshal string into Go struct field CreateRequest.Env of type []string');
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ Env: ['A=1', 2] })), /cannot unmarshal number into Go struct field CreateRequest\.Env of type string$/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ Cmd: 42 })), /CreateRequest\.Cmd/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ NetworkingConfig: { EndpointsConfig: { n: { Aliases: 'a' } } } })),
    /Go struct field EndpointSettings\.NetworkingConfig\.EndpointsConfig\.Aliases of type \[\]string/);
  assert.equal(refusal(BODIES.ContainerCreateRequest, []), 'json: cannot unmarshal array into Go value of type CreateRequest');
});

test('integers are checked for Go\'s widths and fractions', () => {
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { Memory: 1.5 } })), /cannot unmarshal number 1\.5 into .*Memory of type int64/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { BlkioWeight: -1 } })), /number -1 into Go struct field HostConfig\.HostConfig\.BlkioWeight of type uint$/);
  assert.match(refusal(BODIES.ExecStartConfig, { ConsoleSize: [-1, 80] }), /number -1 into Go struct field ExecStartOptions\.ConsoleSize of type uint$/);
  assert.match(refusal(BODIES.SwarmInitRequest, { DataPathPort: 5e9 }), /number 5000000000 .* of type uint32$/);
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { Memory: 1e30 } })), /number 1e\+30/);
});

test('what Go and moby accept passes: null anywhere, unknown fields, a string Cmd (StrSlice)', () => {
  const ok = [
    create({ Cmd: 'echo hi', Entrypoint: 'sh', Env: null, HostConfig: null }),
    create({ HostConfig: { Privileged: true, Binds: ['/a:/b'], PortBindings: { '80/tcp': [{ HostPort: '8080' }], '81/tcp': null }, LogConfig: { Type: 'json-file', Config: {} } } }),
    create({ SomethingNew: { deep: [1, 'x'] }, ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} }, Labels: { a: 'b' } }),
    create({ HostConfig: { MemorySwappiness: -1, Memory: 9007199254740991, CpuShares: 0 } }),
    // Mount.Type is a lone allOf around the MountType string.
    create({ HostConfig: { Mounts: [{ Type: 'bind', Source: '/a', Target: '/b', BindOptions: { Propagation: 'rprivate' } }] } }),
  ];
  for (const body of ok) assertBody(BODIES.ContainerCreateRequest, body);
});

test('field names match case-insensitively, as in Go', () => {
  assert.match(refusal(BODIES.ContainerCreateRequest, create({ hostconfig: { privileged: 'yes' } })), /HostConfig\.HostConfig\.Privileged of type bool/);
});

test('error messages quote bounded input only', () => {
  const msg = refusal(BODIES.ContainerCreateRequest, create({ HostConfig: { Memory: Number('1'.repeat(400)) } }));
  assert.ok(msg.length < 200, msg);
  assert.throws(() => checkContainerPorts({ ExposedPorts: { ['x'.repeat(1_000_000)]: {} } }), (err: Error) => err.message.length < 300);
});

test('port keys and network names are checked as dockerd does, with a bound', () => {
  assert.throws(() => checkContainerPorts({ ExposedPorts: { a: {} } }), /invalid port specification: "a"/);
  assert.throws(() => checkContainerPorts({ HostConfig: { PortBindings: { '70000/tcp': [] } } }), /invalid port specification/);
  assert.throws(() => checkContainerPorts({ ExposedPorts: { '80/xyz': {} } }), /invalid proto: "xyz"/);
  checkContainerPorts({ ExposedPorts: { '80/tcp': {}, '53/udp': {}, 8080: {} }, HostConfig: { PortBindings: { '80/tcp': null } } });
  assert.throws(() => checkNetworkName('n'.repeat(1024 * 1024)), /network name is too long: 1048576 characters \(at most 255\)/);
  checkNetworkName('n'.repeat(255));
});

test('integer query parameters are parsed as strconv.Atoi does; times and other types are left alone', () => {
  const stop = operationFor('POST', '/containers/{id}/stop')!;
  assert.ok(stop);
  assert.throws(() => checkQuery(stop, new URLSearchParams('t=99999999999999999999999')), /strconv\.Atoi: parsing "99999999999999999999999": value out of range/);
  assert.throws(() => checkQuery(stop, new URLSearchParams('t=abc')), /strconv\.Atoi: parsing "abc": invalid syntax/);
  checkQuery(stop, new URLSearchParams('t=10'));
  checkQuery(stop, new URLSearchParams('t='));
  const logs = operationFor('GET', '/containers/{id}/logs')!;
  checkQuery(logs, new URLSearchParams('since=1700000000.123456789&tail=all'));
  // berth's route spellings (`{name:.*}`) find the swagger operation.
  assert.ok(operationFor('GET', '/images/{name:.*}/json'));
  assert.equal(operationFor('GET', '/berth/own'), undefined);
});
