import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspectPorts, listPorts, portRequests } from './port-spec.ts';

describe('portRequests', () => {
  it('turns bindings into requests with defaults, ranges and ephemeral ports', () => {
    const reqs = portRequests({
      '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '' }],
      '53/udp': [{ HostPort: '5300-5310' }],
      '81/tcp': [{ HostIp: '::', HostPort: '81' }],
    }, false, null);
    assert.deepEqual(reqs, [
      { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortFirst: 8080, hostPortLast: 8080 },
      { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPortFirst: 0, hostPortLast: 0 },
      { proto: 'udp', containerPort: 53, hostIp: '0.0.0.0', hostPortFirst: 5300, hostPortLast: 5310 },
      { proto: 'tcp', containerPort: 81, hostIp: '::', hostPortFirst: 81, hostPortLast: 81 },
    ]);
  });
  it('publishes a binding without a host address on 0.0.0.0 and [::] (one port) when the host has IPv6', () => {
    const reqs = portRequests({
      '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '0.0.0.0', HostPort: '81' }, { HostIp: '[::1]', HostPort: '82' }, { HostIp: '0:0::1', HostPort: '83' }],
    }, true, { '443/tcp': {} }, '0.0.0.0', true);
    assert.deepEqual(reqs, [
      { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortFirst: 8080, hostPortLast: 8080 },
      { proto: 'tcp', containerPort: 80, hostIp: '::', hostPortFirst: 8080, hostPortLast: 8080, pairedWith: 0 },
      { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortFirst: 81, hostPortLast: 81 },
      { proto: 'tcp', containerPort: 80, hostIp: '::1', hostPortFirst: 82, hostPortLast: 82 },
      { proto: 'tcp', containerPort: 80, hostIp: '::1', hostPortFirst: 83, hostPortLast: 83 },
      { proto: 'tcp', containerPort: 443, hostIp: '0.0.0.0', hostPortFirst: 0, hostPortLast: 0 },
      { proto: 'tcp', containerPort: 443, hostIp: '::', hostPortFirst: 0, hostPortLast: 0, pairedWith: 5 },
    ]);
    assert.throws(() => portRequests({ '80/tcp': [{ HostIp: '1::2::3', HostPort: '9' }] }, false, null), /invalid host IP address: 1::2::3/);
  });
  it('adds exposed ports not bound for -P, on the network host binding address', () => {
    const reqs = portRequests({ '80/tcp': [{ HostPort: '8080' }] }, true, { '80/tcp': {}, '443/tcp': {} }, '127.0.0.1');
    assert.deepEqual(reqs.map((r) => [r.containerPort, r.hostIp, r.hostPortFirst]), [[80, '127.0.0.1', 8080], [443, '127.0.0.1', 0]]);
  });
  it('rejects bad specifications', () => {
    assert.throws(() => portRequests({ '70000/tcp': [] }, false, null), /invalid port specification/);
    assert.throws(() => portRequests({ '80/xyz': [] }, false, null), /invalid proto/);
    assert.throws(() => portRequests({ '80/tcp': [{ HostPort: '9-3' }] }, false, null), /invalid port specification/);
    assert.throws(() => portRequests({ '80/tcp': [{ HostIp: 'nope', HostPort: '9' }] }, false, null), /invalid host IP/);
  });
});

describe('port shapes', () => {
  it('shows bound and exposed-only ports as Docker does', () => {
    const m = [{ proto: 'tcp' as const, containerPort: 80, hostIp: '0.0.0.0', hostPort: 32768 }];
    assert.deepEqual(inspectPorts(m, { '80/tcp': {}, '443/tcp': {} }), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }], '443/tcp': null });
    assert.deepEqual(listPorts(m, { '443/tcp': {} }), [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 32768, Type: 'tcp' }, { PrivatePort: 443, Type: 'tcp' }]);
  });
});
