import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkSettings, networksByPriority } from './networking.ts';
import { containerPlan } from './container.ts';
import { makeProject } from './fixtures.test-helpers.ts';

const base = { serviceName: 'myService', containerName: 'myProject-myService-1', links: [], useNetworkAliases: true, apiVersion: '1.43' };

// create_test.go TestDefaultNetworkSettings.
test('the network with the highest priority is the primary one (API 1.43: only it at create)', () => {
  const p = makeProject(
    { myService: { networks: { myNetwork1: { priority: 10 }, myNetwork2: { priority: 1000 } } } },
    { name: 'myProject', networks: { myNetwork1: { name: 'myProject_myNetwork1' }, myNetwork2: { name: 'myProject_myNetwork2' } } },
  );
  const s = networkSettings(p, p.services.myService, base);
  assert.equal(s.networkMode, 'myProject_myNetwork2');
  assert.deepEqual(Object.keys(s.networkingConfig!.EndpointsConfig), ['myProject_myNetwork2']);
  assert.deepEqual(s.connectAfterCreate, [{ network: 'myProject_myNetwork1', body: { EndpointConfig: { Aliases: ['myProject-myService-1', 'myService'] } } }]);
});

test('the default network when the service lists none; none when the project has no networks; network_mode as is', () => {
  const p = makeProject({ myService: {} }, { networks: { myNetwork1: { name: 'p_myNetwork1' }, default: { name: 'p_default' } } });
  const s = networkSettings(p, p.services.myService, base);
  assert.equal(s.networkMode, 'p_default');
  assert.deepEqual(Object.keys(s.networkingConfig!.EndpointsConfig), ['p_default']);
  const none = makeProject({ myService: {} }, { networks: {} });
  assert.deepEqual(networkSettings(none, none.services.myService, base), { networkMode: 'none', connectAfterCreate: [] });
  const host = makeProject({ myService: { network_mode: 'host' } });
  assert.deepEqual(networkSettings(host, host.services.myService, base), { networkMode: 'host', connectAfterCreate: [] });
});

test('API ≥ 1.44: every network has its endpoint at create, nothing to connect after', () => {
  const p = makeProject(
    { s: { networks: { front: null, back: { aliases: ['db-alias'] } } } },
    { networks: { front: { name: 'demo_front' }, back: { name: 'demo_back' } } },
  );
  const s = networkSettings(p, p.services.s, { ...base, serviceName: 's', containerName: 'demo-s-1', apiVersion: '1.50' });
  assert.equal(s.networkMode, 'demo_back');
  assert.deepEqual(s.networkingConfig, {
    EndpointsConfig: {
      demo_back: { Aliases: ['demo-s-1', 's', 'db-alias'] },
      demo_front: { Aliases: ['demo-s-1', 's'] },
    },
  });
  assert.deepEqual(s.connectAfterCreate, []);
});

// create_test.go TestCreateEndpointSettings.
test('an endpoint: aliases, links, IPAM config, MAC address, driver options, gateway priority', () => {
  const p = makeProject(
    {
      serviceName: {
        container_name: 'containerName',
        networks: {
          netName: {
            priority: 100,
            aliases: ['alias1', 'alias2'],
            ipv4_address: '10.16.17.18',
            ipv6_address: 'fdb4:7a7f:373a:3f0c::42',
            link_local_ips: ['169.254.10.20'],
            mac_address: '10:00:00:00:01',
            driver_opts: { driverOpt1: 'optval1', driverOpt2: 'optval2' },
            gw_priority: 5,
          },
        },
      },
    },
    { name: 'projName', networks: { netName: { name: 'projName_netName' } } },
  );
  const s = networkSettings(p, p.services.serviceName, { ...base, serviceName: 'serviceName', containerName: 'containerName', links: ['link1', 'link2'] });
  assert.deepEqual(s.networkingConfig!.EndpointsConfig.projName_netName, {
    Aliases: ['containerName', 'serviceName', 'alias1', 'alias2'],
    Links: ['link1', 'link2'],
    IPAMConfig: { IPv4Address: '10.16.17.18', IPv6Address: 'fdb4:7a7f:373a:3f0c::42', LinkLocalIPs: ['169.254.10.20'] },
    IPAddress: '10.16.17.18',
    MacAddress: '10:00:00:00:01',
    DriverOpts: { driverOpt1: 'optval1', driverOpt2: 'optval2' },
    GwPriority: 5,
  });
});

test('without network aliases (run): only the container name', () => {
  const p = makeProject({ s: { networks: { default: { aliases: ['x'] } } } });
  const s = networkSettings(p, p.services.s, { ...base, serviceName: 's', containerName: 'demo-s-run-0123', useNetworkAliases: false });
  assert.deepEqual(s.networkingConfig!.EndpointsConfig.demo_default, { Aliases: ['demo-s-run-0123'] });
});

test('networks by priority: highest first, ties by name', () => {
  assert.deepEqual(networksByPriority({ name: 's', networks: { c: null, b: { priority: 5 }, a: null, z: { priority: 5 } } }), ['b', 'z', 'a', 'c']);
});

test('bad input: a service on a network the project does not define', () => {
  const p = makeProject({ s: { image: 'x', networks: { ghost: null } } });
  assert.throws(() => containerPlan(p, p.services.s, { number: 1 }), /service "s" refers to undefined network ghost: invalid compose project/);
});

test('in the plan: connectAfterCreate on API < 1.44, in priority order', () => {
  const p = makeProject(
    { s: { image: 'x', networks: { a: null, b: { priority: 1 }, c: null } } },
    { networks: { a: { name: 'demo_a' }, b: { name: 'demo_b' }, c: { name: 'demo_c' } } },
  );
  const plan = containerPlan(p, p.services.s, { number: 1, apiVersion: '1.41' });
  assert.equal((plan.body as Record<string, any>).HostConfig.NetworkMode, 'demo_b');
  assert.deepEqual(plan.connectAfterCreate.map((c) => c.network), ['demo_a', 'demo_c']);
});
