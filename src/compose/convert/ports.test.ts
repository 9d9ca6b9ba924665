import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposedPorts, portBindings } from './ports.ts';
import { parsePublish } from './run-options.ts';
import type { ServiceConfig } from '../types.ts';

const svc = (s: Partial<ServiceConfig>): ServiceConfig => ({ name: 'web', ...s });

test('ports: exposed as <target>/<proto>, bound to host IP and port; several bindings of one port accumulate', () => {
  const s = svc({
    ports: [
      { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' },
      { mode: 'ingress', target: 80, published: '8081', protocol: 'tcp', host_ip: '127.0.0.1' },
      { mode: 'host', target: 53, published: '5353', protocol: 'udp' },
      { mode: 'ingress', target: 9000, protocol: 'tcp' },
      { mode: 'ingress', target: 3000, published: '3000-3005', protocol: 'tcp' },
    ],
  });
  assert.deepEqual(exposedPorts(s), { '80/tcp': {}, '53/udp': {}, '9000/tcp': {}, '3000/tcp': {} });
  assert.deepEqual(portBindings(s), {
    '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }],
    '53/udp': [{ HostIp: '', HostPort: '5353' }],
    '9000/tcp': [{ HostIp: '', HostPort: '' }],
    '3000/tcp': [{ HostIp: '', HostPort: '3000-3005' }],
  });
  assert.equal(portBindings(svc({})), undefined);
});

test('bad input: a reversed or out-of-range published range, a bad protocol, a bad target, a bad expose', () => {
  const port = (p: object) => svc({ ports: [{ mode: 'ingress', target: 80, protocol: 'tcp', ...p }] });
  assert.throws(() => portBindings(port({ published: '9000-8000' })), /service "web": invalid range specified for hostPort: 9000-8000/);
  assert.throws(() => portBindings(port({ published: '70000' })), /invalid hostPort: 70000/);
  assert.throws(() => portBindings(port({ published: 'http' })), /invalid hostPort: http/);
  assert.throws(() => portBindings(port({ protocol: 'icmp' })), /invalid proto: icmp/);
  assert.throws(() => portBindings(port({ target: 0 })), /invalid containerPort: 0/);
  assert.throws(() => exposedPorts(svc({ expose: ['3000-2000'] })), /invalid port range "3000-2000" in expose/);
  assert.throws(() => exposedPorts(svc({ expose: ['web'] })), /invalid port "web" in expose/);
});

test('run --publish: docker -p syntax with ranges expanded', () => {
  assert.deepEqual(parsePublish('80'), [{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('8080:80/udp'), [{ mode: 'ingress', target: 80, protocol: 'udp', published: '8080' }]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [{ mode: 'ingress', target: 80, protocol: 'tcp', host_ip: '127.0.0.1' }]);
  assert.deepEqual(parsePublish('[::1]:8080:80'), [{ mode: 'ingress', target: 80, protocol: 'tcp', host_ip: '::1', published: '8080' }]);
  assert.deepEqual(parsePublish('8080-8081:80-81'), [
    { mode: 'ingress', target: 80, protocol: 'tcp', published: '8080' },
    { mode: 'ingress', target: 81, protocol: 'tcp', published: '8081' },
  ]);
  assert.deepEqual(parsePublish('8000-8010:80'), [{ mode: 'ingress', target: 80, protocol: 'tcp', published: '8000-8010' }]);
  assert.deepEqual(parsePublish('7000-7001').map((p) => p.target), [7000, 7001]);
});

test('bad input: run --publish with mismatched ranges, a bad IP, a bad protocol, a reversed range', () => {
  assert.throws(() => parsePublish('8080-8081:80-82'), /invalid ranges specified for container and host Ports: 80-82 and 8080-8081/);
  assert.throws(() => parsePublish('1.2.3:80:80'), /invalid IP address: 1.2.3/);
  assert.throws(() => parsePublish('80/icmp'), /invalid proto: icmp/);
  assert.throws(() => parsePublish('90-80'), /invalid range specified for containerPort: 90-80/);
  assert.throws(() => parsePublish('x:80'), /invalid hostPort: x/);
});

test('a published port handed over as a number is sent as the string the API wants', () => {
  const s = svc({ ports: [{ mode: 'ingress', target: 80, published: 8080 as unknown as string, protocol: 'tcp' }] });
  assert.deepEqual(portBindings(s), { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
});
