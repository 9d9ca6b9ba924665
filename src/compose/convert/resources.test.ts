import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkCreateBody, volumeCreateBody, checkExistingNetwork, checkExistingVolume } from './resources.ts';
import { makeProject } from './fixtures.test-helpers.ts';
import { ComposeError } from '../errors.ts';

const project = makeProject({}, {
  networks: {
    default: { name: 'demo_default' },
    back: {
      name: 'demo_back', driver: 'bridge', driver_opts: { 'com.docker.network.bridge.name': 'br-back' }, internal: true, attachable: true, enable_ipv6: true,
      ipam: { driver: 'default', config: [{ subnet: '172.28.0.0/16', ip_range: '172.28.5.0/24', gateway: '172.28.5.254', aux_addresses: { host1: '172.28.1.5' } }] },
      labels: { 'com.example.team': 'db' },
    },
    outside: { name: 'shared', external: true },
  },
  volumes: { data: { name: 'demo_data' }, tuned: { name: 'custom', driver: 'local', driver_opts: { type: 'tmpfs', device: 'tmpfs' }, labels: { tier: 'fast' } }, ext: { name: 'ext', external: true } },
});

// create_test.go TestPrepareNetworkLabels.
test('a network: name and compose labels (network, project, version)', () => {
  assert.deepEqual(networkCreateBody(project, 'default'), {
    Name: 'demo_default',
    Labels: { 'com.docker.compose.network': 'default', 'com.docker.compose.project': 'demo', 'com.docker.compose.version': '2.29.7' },
  });
});

test('a network with driver, options, internal, attachable, IPv6, IPAM and user labels', () => {
  assert.deepEqual(networkCreateBody(project, 'back'), {
    Name: 'demo_back',
    Driver: 'bridge',
    Options: { 'com.docker.network.bridge.name': 'br-back' },
    Internal: true,
    Attachable: true,
    EnableIPv6: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.5.254', AuxiliaryAddresses: { host1: '172.28.1.5' } }] },
    Labels: { 'com.example.team': 'db', 'com.docker.compose.network': 'back', 'com.docker.compose.project': 'demo', 'com.docker.compose.version': '2.29.7' },
  });
});

test('volumes: name, driver, options and labels (volume, project, version)', () => {
  assert.deepEqual(volumeCreateBody(project, 'data'), {
    Name: 'demo_data',
    Labels: { 'com.docker.compose.volume': 'data', 'com.docker.compose.project': 'demo', 'com.docker.compose.version': '2.29.7' },
  });
  assert.deepEqual(volumeCreateBody(project, 'tuned'), {
    Name: 'custom',
    Driver: 'local',
    DriverOpts: { type: 'tmpfs', device: 'tmpfs' },
    Labels: { tier: 'fast', 'com.docker.compose.volume': 'tuned', 'com.docker.compose.project': 'demo', 'com.docker.compose.version': '2.29.7' },
  });
});

test('bad input: unknown or external networks and volumes are not created', () => {
  assert.throws(() => networkCreateBody(project, 'nope'), ComposeError);
  assert.throws(() => networkCreateBody(project, 'outside'), /external/);
  assert.throws(() => volumeCreateBody(project, 'nope'), ComposeError);
  assert.throws(() => volumeCreateBody(project, 'ext'), /external/);
});

test('an existing network of the project is used silently', () => {
  assert.deepEqual(checkExistingNetwork(project, 'default', { Name: 'demo_default', Labels: { 'com.docker.compose.project': 'demo', 'com.docker.compose.network': 'default' } }), []);
});

test('an existing network not made by compose, or for another project: a warning; a wrong network label: an error', () => {
  assert.throws(() => checkExistingNetwork(project, 'default', { Name: 'demo_default', Labels: {} }),
    (e: unknown) => e instanceof ComposeError && e.message === 'network demo_default was found but has incorrect label com.docker.compose.network set to ""');
  assert.throws(() => checkExistingNetwork(project, 'back', { Name: 'demo_back', Labels: { 'com.docker.compose.project': 'demo', 'com.docker.compose.network': 'front' } }),
    /network demo_back was found but has incorrect label com.docker.compose.network set to "front"/);
  assert.deepEqual(checkExistingNetwork(project, 'default', { Name: 'demo_default', Labels: { 'com.docker.compose.network': 'default' } }),
    ['a network with name demo_default exists but was not created by compose.\nSet `external: true` to use an existing network']);
  assert.deepEqual(checkExistingNetwork(project, 'default', { Name: 'demo_default', Labels: { 'com.docker.compose.project': 'other', 'com.docker.compose.network': 'default' } }),
    ['a network with name demo_default exists but was not created for project "demo".\nSet `external: true` to use an existing network']);
});

test('an existing volume: silent for the project, warned otherwise', () => {
  assert.deepEqual(checkExistingVolume(project, 'data', { Name: 'demo_data', Labels: { 'com.docker.compose.project': 'demo' } }), []);
  assert.deepEqual(checkExistingVolume(project, 'data', { Name: 'demo_data', Labels: null }),
    ['volume "demo_data" already exists but was not created by Docker Compose. Use `external: true` to use an existing volume']);
  assert.deepEqual(checkExistingVolume(project, 'data', { Name: 'demo_data', Labels: { 'com.docker.compose.project': 'other' } }),
    ['volume "demo_data" already exists but was created for project "other" (expected "demo"). Use `external: true` to use an existing volume']);
});
