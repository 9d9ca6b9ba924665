// EXPOSE specs, STOPSIGNAL names and platform strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposedPorts } from './ports.ts';
import { checkStopSignal } from './signals.ts';
import { parsePlatform, platformArgs } from './platform.ts';

test('exposedPorts: nat.ParsePortSpec forms, only the container port kept', () => {
  assert.deepEqual(exposedPorts('80'), ['80/tcp']);
  assert.deepEqual(exposedPorts('53/UDP'), ['53/udp']);
  assert.deepEqual(exposedPorts('8080:80'), ['80/tcp']);
  assert.deepEqual(exposedPorts('127.0.0.1:8080:80/sctp'), ['80/sctp']);
  assert.deepEqual(exposedPorts('1000-1002'), ['1000/tcp', '1001/tcp', '1002/tcp']);
  assert.throws(() => exposedPorts('/tcp'), /No port specified: \/tcp<empty>/);
  assert.throws(() => exposedPorts('90-80'), /Invalid containerPort: 90-80/);
  assert.throws(() => exposedPorts('80/icmp'), /Invalid proto: icmp/);
});

test('checkStopSignal: names with or without SIG, numbers 1-64, RT signals', () => {
  for (const ok of ['SIGTERM', 'term', 'KILL', '9', '64', 'SIGRTMIN+3', 'RTMAX-2']) checkStopSignal(ok);
  for (const bad of ['0', '65', 'SIGNOPE', '', 'SIG']) assert.throws(() => checkStopSignal(bad), /Invalid signal/);
});

test('parsePlatform and the platform args', () => {
  assert.deepEqual(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.throws(() => parsePlatform('linux/a/b/c'), /failed to parse platform/);
  const a = platformArgs({ os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'amd64' });
  assert.equal(a.TARGETPLATFORM, 'linux/arm/v7');
  assert.equal(a.TARGETVARIANT, 'v7');
  assert.equal(a.BUILDPLATFORM, 'linux/amd64');
  assert.equal(a.BUILDVARIANT, '');
});
