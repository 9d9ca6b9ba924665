// Legacy links, MAC addresses, network names and options, link-local addresses: through the
// real docker CLI and raw HTTP against berthd, and where it helps against a private dockerd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Daemon, run, startDaemonWithBusybox, waitFor } from './harness.ts';
import { dockerdMissing, freeSubnet, startPrivateDockerd } from './dockerd.test-helpers.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

const ipOn = (name: string, net = 'bridge') => ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, name]);

describe('--link on the default bridge', () => {
  it('gives the linking container Docker\'s variables and /etc/hosts lines', async () => {
    await ok(['run', '-d', '--name', 'web', '-e', 'FOO=bar', '-e', 'HOME=/x', '--expose', '80', '--expose', '8080/udp', '--expose', '90-92', 'busybox', 'sleep', '1000']);
    const ip = await ipOn('web');
    const webHost = await ok(['inspect', '-f', '{{.Config.Hostname}}', 'web']);
    await ok(['run', '-d', '--name', 'me', '--link', 'web:db-1', '--link', 'web', 'busybox', 'sleep', '1000']);
    const env = (await ok(['exec', 'me', 'sh', '-c', 'tr "\\0" "\\n" < /proc/1/environ'])).split('\n');
    const db = env.filter((e) => e.startsWith('DB_1_'));
    assert.deepEqual(db, [
      `DB_1_PORT=tcp://${ip}:80`,
      `DB_1_PORT_80_TCP=tcp://${ip}:80`, `DB_1_PORT_80_TCP_ADDR=${ip}`, 'DB_1_PORT_80_TCP_PORT=80', 'DB_1_PORT_80_TCP_PROTO=tcp',
      `DB_1_PORT_90_TCP=tcp://${ip}:90`, `DB_1_PORT_90_TCP_ADDR=${ip}`, 'DB_1_PORT_90_TCP_PORT=90', 'DB_1_PORT_90_TCP_PROTO=tcp',
      `DB_1_PORT_91_TCP=tcp://${ip}:91`, `DB_1_PORT_91_TCP_ADDR=${ip}`, 'DB_1_PORT_91_TCP_PORT=91', 'DB_1_PORT_91_TCP_PROTO=tcp',
      `DB_1_PORT_92_TCP=tcp://${ip}:92`, `DB_1_PORT_92_TCP_ADDR=${ip}`, 'DB_1_PORT_92_TCP_PORT=92', 'DB_1_PORT_92_TCP_PROTO=tcp',
      `DB_1_PORT_8080_UDP=udp://${ip}:8080`, `DB_1_PORT_8080_UDP_ADDR=${ip}`, 'DB_1_PORT_8080_UDP_PORT=8080', 'DB_1_PORT_8080_UDP_PROTO=udp',
      // The run 90-92 is closed when the next port (8080/udp) does not continue it (moby links.ToEnv).
      `DB_1_PORT_90_TCP_START=tcp://${ip}:90`, 'DB_1_PORT_90_TCP_PORT_START=90', `DB_1_PORT_90_TCP_END=tcp://${ip}:92`, 'DB_1_PORT_90_TCP_PORT_END=92',
      'DB_1_NAME=/me/db-1', 'DB_1_ENV_FOO=bar',
    ]);
    assert.ok(env.includes('WEB_NAME=/me/web'), env.join('\n'));
    assert.ok(!env.some((e) => e.startsWith('DB_1_ENV_HOME') || e.startsWith('DB_1_ENV_PATH')));
    // The links' variables come after PATH and HOSTNAME, as Docker orders them.
    assert.match(env[0], /^PATH=/);
    assert.match(env[1], /^HOSTNAME=/);
    assert.match(env[2], /^(DB_1|WEB)_PORT=/);
    // exec gets them too.
    assert.equal(await ok(['exec', 'me', 'sh', '-c', 'echo $DB_1_PORT_80_TCP_ADDR']), ip);
    const hosts = await ok(['exec', 'me', 'cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${ip.replaceAll('.', '\\.')}\\tdb-1 ${webHost} web$`, 'm'));
    assert.match(hosts, new RegExp(`^${ip.replaceAll('.', '\\.')}\\tweb ${webHost}$`, 'm'));
    // The links come before the container's own line (libnetwork's extra hosts).
    assert.ok(hosts.indexOf('db-1') < hosts.indexOf(await ipOn('me')), hosts);
    assert.equal((await d.docker(['exec', 'me', 'ping', '-c1', '-W2', 'db-1'])).code, 0);
  });

  it('shows the links as Docker does: HostConfig.Links and the linked container\'s names', async () => {
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'me']), '["/web:/me/db-1","/web:/me/web"]');
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'web']), 'null');
    const list = await d.api('GET', '/containers/json');
    const web = list.json.find((c: { Names: string[] }) => c.Names.includes('/web'));
    assert.deepEqual(web.Names, ['/me/db-1', '/me/web', '/web']);
    assert.equal(await ok(['ps', '--filter', 'name=web', '--format', '{{.Names}}']), 'web');
    assert.equal(await ok(['ps', '--no-trunc', '--filter', 'id=' + (await ok(['inspect', '-f', '{{.Id}}', 'web'])), '--format', '{{.Names}}']), 'me/db-1,me/web,web');
    // Renaming the linking container moves its links' names (moby rename.go).
    await ok(['rename', 'me', 'parent']);
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'parent']), '["/web:/parent/db-1","/web:/parent/web"]');
    assert.deepEqual((await d.api('GET', '/containers/json')).json.find((c: { Names: string[] }) => c.Names.includes('/web')).Names, ['/parent/db-1', '/parent/web', '/web']);
    await ok(['rename', 'parent', 'me']);
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'me']), '["/web:/me/db-1","/web:/me/web"]');
  });

  it('follows the linked container to its new address after a restart', async () => {
    await ok(['stop', '-t', '0', 'web']);
    await ok(['run', '-d', '--name', 'squatter', 'busybox', 'sleep', '1000']);
    await ok(['start', 'web']);
    const ip = await ipOn('web');
    const hosts = await ok(['exec', 'me', 'cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${ip.replaceAll('.', '\\.')}\\tdb-1 `, 'm'));
    await ok(['rm', '-f', 'squatter']);
  });

  it('refuses links to missing or stopped containers with dockerd\'s messages', async () => {
    let r = await d.docker(['run', '--rm', '--link', 'missing:x', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Error response from daemon: could not get container for missing: No such container: missing/);
    await ok(['create', '--name', 'stopped', 'busybox', 'true']);
    r = await d.docker(['run', '--name', 'linker', '--link', 'stopped:x', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Error response from daemon: Cannot link to a non running container: \/stopped AS \/linker\/x/);
    r = await d.docker(['start', 'linker']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Cannot link to a non running container: \/stopped AS \/linker\/x/);
    await ok(['network', 'create', 'elsewhere']);
    await ok(['run', '-d', '--name', 'away', '--network', 'elsewhere', 'busybox', 'sleep', '1000']);
    r = await d.docker(['run', '--rm', '--link', 'away:x', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Cannot link to \/away, as it does not belong to the default network/);
    await ok(['rm', '-f', 'away']);
    await ok(['network', 'rm', 'elsewhere']);
    r = await d.docker(['run', '--rm', '--network', 'host', '--link', 'web:x', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /conflicting options: host type networking can't be used with links/);
    r = await d.docker(['create', '--link', 'a:b:c', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    for (const link of ['web:..', 'web:', 'web:x\ny']) {
      const bad = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { Links: [link] } });
      assert.equal(bad.status, 400, `${link}: ${bad.text}`);
    }
    const up = await d.api('POST', '/containers/create?name=up', { Image: 'busybox', HostConfig: { Links: ['/web:/up/../../etc'] } });
    assert.equal(up.status, 201, up.text);
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'up']), '["/web:/up/etc"]');
    await ok(['rm', 'up']);
    await ok(['rm', 'linker', 'stopped']);
  });

  it('rm --link removes a link, with dockerd\'s errors for what is not a link', async () => {
    let r = await d.docker(['rm', '--link', '/me/web']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '/me/web');
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'me']), '["/web:/me/db-1"]');
    assert.equal(await ok(['inspect', '-f', '{{.State.Running}}', 'web']), 'true');
    const hosts = await ok(['exec', 'me', 'cat', '/etc/hosts']);
    assert.doesNotMatch(hosts, /\tweb /);
    assert.match(hosts, /\tdb-1 /);
    r = await d.docker(['rm', '--link', 'web']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Conflict, cannot remove the default link name of the container/);
    r = await d.docker(['rm', '--link', '/nobody/web']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /No such container: nobody\/web/);
    r = await d.docker(['rm', '--link', '/web/x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /No such container: web\/x/);
  });

  it('links survive a daemon restart; linked containers are restarted first', async () => {
    await ok(['run', '-d', '--name', 'rchild', '--restart', 'always', 'busybox', 'sleep', '1000']);
    await ok(['run', '-d', '--name', 'rparent', '--restart', 'always', '--link', 'rchild:rc', 'busybox', 'sleep', '1000']);
    await d.stopDaemon();
    await d.start();
    await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Running}}', 'rparent'])).stdout.trim() === 'true', 'rparent restarted');
    assert.equal(await ok(['exec', 'rparent', 'sh', '-c', 'echo $RC_NAME $RC_ENV_X']), '/rparent/rc');
    assert.match(await ok(['exec', 'rparent', 'cat', '/etc/hosts']), new RegExp(`^${(await ipOn('rchild')).replaceAll('.', '\\.')}\\trc `, 'm'));
    await ok(['rm', '-f', 'rparent', 'rchild']);
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'me']), '["/web:/me/db-1"]');
    const names = async () => (await d.api('GET', '/containers/json?all=1')).json.find((c: { Names: string[] }) => c.Names.includes('/web')).Names;
    assert.deepEqual(await names(), ['/me/db-1', '/web']);
    // A removed linked container leaves its parents without the link.
    await ok(['create', '--name', 'gone', 'busybox', 'true']);
    await ok(['create', '--name', 'kid', '--link', 'gone:g', '--link', 'web:w', 'busybox', 'true']);
    await ok(['rm', 'gone']);
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'kid']), '["/web:/kid/w"]');
    await ok(['rm', 'kid']);
    await ok(['rm', '-f', 'me']);
    // The parent's link names go with it.
    assert.deepEqual(await names(), ['/web']);
  });
});

describe('--link on a user-defined network', () => {
  it('is an alias that only the linking container resolves', async () => {
    await ok(['network', 'create', 'lnet']);
    await ok(['run', '-d', '--name', 'target', '--network', 'lnet', 'busybox', 'sleep', '1000']);
    const ip = await ipOn('target', 'lnet');
    await ok(['run', '-d', '--name', 'asker', '--network', 'lnet', '--link', 'target:tgt', 'busybox', 'sleep', '1000']);
    assert.equal(await ok(['inspect', '-f', '{{json (index .NetworkSettings.Networks "lnet").Links}}', 'asker']), '["target:tgt"]');
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'asker']), 'null');
    const r = await d.docker(['exec', 'asker', 'nslookup', 'tgt']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(r.stdout.includes(ip), r.stdout);
    const other = await d.docker(['run', '--rm', '--network', 'lnet', 'busybox', 'nslookup', 'tgt']);
    assert.notEqual(other.code, 0, other.stdout);
    await ok(['rm', '-f', 'asker', 'target']);
    await ok(['network', 'rm', 'lnet']);
  });
});

describe('MAC addresses', () => {
  const inside = (name: string, ifname = 'eth0') => ok(['exec', name, 'cat', `/sys/class/net/${ifname}/address`]);
  const bridgeMac = (name: string) => ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.MacAddress}}', name]);

  it('gives each endpoint a random 02:42 MAC, as dockerd 28 does', async () => {
    await ok(['run', '-d', '--name', 'rnd', 'busybox', 'sleep', '1000']);
    const mac = await bridgeMac('rnd');
    assert.match(mac, /^02:42:([0-9a-f]{2}:){3}[0-9a-f]{2}$/);
    assert.equal(await inside('rnd'), mac);
    assert.ok(!('MacAddress' in (await d.api('GET', '/containers/rnd/json')).json.Config));
    await ok(['rm', '-f', 'rnd']);
  });

  it('--mac-address per endpoint (API 1.44+, what the CLI sends) is the interface\'s, and shown in inspect', async () => {
    await ok(['run', '-d', '--name', 'mnew', '--mac-address', '02:11:22:33:44:55', 'busybox', 'sleep', '1000']);
    assert.equal(await inside('mnew'), '02:11:22:33:44:55');
    assert.equal(await bridgeMac('mnew'), '02:11:22:33:44:55');
    assert.equal(await ok(['inspect', '-f', '{{.Config.MacAddress}}', 'mnew']), '02:11:22:33:44:55');
    // Kept across a restart, and shown while stopped.
    await ok(['stop', '-t', '0', 'mnew']);
    assert.equal(await bridgeMac('mnew'), '02:11:22:33:44:55');
    await ok(['start', 'mnew']);
    assert.equal(await inside('mnew'), '02:11:22:33:44:55');
    await ok(['rm', '-f', 'mnew']);
  });

  it('Config.MacAddress at API 1.43 ends on the endpoint (the CLI refuses --mac-address below 1.44, as docker\'s does)', async () => {
    const cli = await d.docker(['run', '--rm', '--mac-address', '02:aa:bb:cc:dd:01', 'busybox', 'true'], { env: { DOCKER_API_VERSION: '1.43' } });
    assert.equal(cli.code, 125);
    assert.match(cli.stderr, /"specify mac-address per network" requires API version 1\.44/);
    const r = await d.api('POST', '/v1.43/containers/create?name=mold', { Image: 'busybox', Cmd: ['sleep', '1000'], MacAddress: '02:aa:bb:cc:dd:01' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.Warnings, []);
    await ok(['start', 'mold']);
    assert.equal(await inside('mold'), '02:aa:bb:cc:dd:01');
    const old = await d.api('GET', '/v1.43/containers/mold/json');
    assert.equal(old.json.Config.MacAddress, '02:aa:bb:cc:dd:01');
    assert.equal(old.json.NetworkSettings.Networks.bridge.MacAddress, '02:aa:bb:cc:dd:01');
    await ok(['rm', '-f', 'mold']);
  });

  it('the API\'s version rules: old clients\' endpoint MACs ignored, new clients\' container-wide MAC moved with a warning', async () => {
    let r = await d.api('POST', '/v1.43/containers/create?name=m43', {
      Image: 'busybox', Cmd: ['sleep', '1000'], NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:00:00:00:00:43' } } },
    });
    assert.equal(r.status, 201, r.text);
    await ok(['start', 'm43']);
    assert.notEqual(await inside('m43'), '02:00:00:00:00:43');
    r = await d.api('POST', '/v1.50/containers/create?name=m50', { Image: 'busybox', Cmd: ['sleep', '1000'], MacAddress: '02:00:00:00:00:50' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.Warnings, ['The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.']);
    await ok(['start', 'm50']);
    assert.equal(await inside('m50'), '02:00:00:00:00:50');
    r = await d.api('POST', '/v1.50/containers/create', {
      Image: 'busybox', MacAddress: '02:00:00:00:00:51', NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:00:00:00:00:52' } } },
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
    r = await d.api('POST', '/v1.43/containers/create', { Image: 'busybox', MacAddress: '02:00:00:00:00:53', HostConfig: { NetworkMode: 'host' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'conflicting options: mac-address and the network mode');
    await ok(['rm', '-f', 'm43', 'm50']);
  });

  it('refuses an invalid MAC with dockerd\'s message', async () => {
    for (const [path, body] of [
      ['/v1.50/containers/create', { Image: 'busybox', NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: 'zz:11' } } } }],
      ['/v1.43/containers/create', { Image: 'busybox', MacAddress: 'zz:11' }],
    ] as const) {
      const r = await d.api('POST', path, body);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.message, 'invalid MAC address zz:11');
    }
  });

  it('MacAddress on network connect, for a running and a stopped container', async () => {
    await ok(['network', 'create', 'macnet']);
    await ok(['run', '-d', '--name', 'mc', 'busybox', 'sleep', '1000']);
    let r = await d.api('POST', '/networks/macnet/connect', { Container: 'mc', EndpointConfig: { MacAddress: '02:00:00:00:0c:01' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await inside('mc', 'eth1'), '02:00:00:00:0c:01');
    assert.equal(await ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "macnet").MacAddress}}', 'mc']), '02:00:00:00:0c:01');
    const net = JSON.parse(await ok(['network', 'inspect', 'macnet']))[0];
    assert.equal(Object.values(net.Containers as Record<string, { MacAddress: string }>)[0].MacAddress, '02:00:00:00:0c:01');
    r = await d.api('POST', '/networks/macnet/connect', { Container: 'rnd-none', EndpointConfig: { MacAddress: 'bad' } });
    assert.equal(r.status, 404);
    await ok(['create', '--name', 'mc2', 'busybox', 'sleep', '1000']);
    r = await d.api('POST', '/networks/macnet/connect', { Container: 'mc2', EndpointConfig: { MacAddress: 'bad' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'invalid MAC address bad');
    r = await d.api('POST', '/networks/macnet/connect', { Container: 'mc2', EndpointConfig: { MacAddress: '02:00:00:00:0c:02' } });
    assert.equal(r.status, 200, r.text);
    await ok(['start', 'mc2']);
    assert.equal(await inside('mc2', 'eth1'), '02:00:00:00:0c:02');
    await ok(['rm', '-f', 'mc', 'mc2']);
    await ok(['network', 'rm', 'macnet']);
  });
});

describe('link-local addresses', () => {
  it('--link-local-ip is added to the interface and shown in inspect', async () => {
    await ok(['run', '-d', '--name', 'll', '--link-local-ip', '169.254.10.10', 'busybox', 'sleep', '1000']);
    const addrs = await ok(['exec', 'll', 'ip', '-4', 'addr', 'show', 'eth0']);
    assert.match(addrs, /inet 169\.254\.10\.10\/32 /);
    assert.equal(await ok(['inspect', '-f', '{{json .NetworkSettings.Networks.bridge.IPAMConfig}}', 'll']), '{"LinkLocalIPs":["169.254.10.10"]}');
    await ok(['network', 'create', 'llnet']);
    await ok(['network', 'connect', '--link-local-ip', '169.254.20.20', 'llnet', 'll']);
    assert.match(await ok(['exec', 'll', 'ip', '-4', 'addr', 'show', 'eth1']), /inet 169\.254\.20\.20\/32 /);
    assert.equal(await ok(['inspect', '-f', '{{json (index .NetworkSettings.Networks "llnet").IPAMConfig.LinkLocalIPs}}', 'll']), '["169.254.20.20"]');
    await ok(['rm', '-f', 'll']);
    await ok(['network', 'rm', 'llnet']);
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', NetworkingConfig: { EndpointsConfig: { bridge: { IPAMConfig: { LinkLocalIPs: ['nope'] } } } } });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'invalid endpoint settings:\ninvalid link-local IP address: nope');
  });
});

describe('network names and inspect', () => {
  it('a network named with a space (and other characters dockerd allows) works everywhere', async () => {
    const id = await ok(['network', 'create', 'my net']);
    const bridge = `br-${id.slice(0, 12)}`;
    assert.equal(await ok(['network', 'inspect', '-f', '{{.Name}}', 'my net']), 'my net');
    assert.equal(await ok(['network', 'inspect', '-f', '{{.Name}}', id.slice(0, 12)]), 'my net');
    assert.equal(await ok(['network', 'ls', '--filter', 'name=my net', '--format', '{{.Name}}']), 'my net');
    await ok(['run', '-d', '--name', 'spaced', '--network', 'my net', 'busybox', 'sleep', '1000']);
    await ok(['run', '-d', '--name', 'spaced2', 'busybox', 'sleep', '1000']);
    await ok(['network', 'connect', 'my net', 'spaced2']);
    assert.equal((await d.docker(['exec', 'spaced', 'ping', '-c1', '-W2', 'spaced2'])).code, 0);
    const members = JSON.parse(await ok(['network', 'inspect', 'my net']))[0].Containers;
    assert.equal(Object.keys(members).length, 2);
    assert.equal((await d.docker(['exec', 'spaced', 'ip', 'link', 'show', 'eth0'])).code, 0);
    const { code } = await d.docker(['network', 'inspect', bridge]);
    assert.notEqual(code, 0, 'the bridge is named from the ID');
    await ok(['network', 'disconnect', 'my net', 'spaced2']);
    await ok(['rm', '-f', 'spaced', 'spaced2']);
    for (const name of ['a/b', 'über', 'x;y', '.hidden']) {
      await ok(['network', 'create', name]);
      assert.equal(await ok(['network', 'inspect', '-f', '{{.Name}}', name]), name);
    }
    await ok(['network', 'rm', 'my net', 'a/b', 'über', 'x;y', '.hidden']);
    for (const name of ['bridge', 'host', 'none', 'default']) {
      const r = await d.api('POST', '/networks/create', { Name: name });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.message, `operation is not permitted on predefined ${name} network `);
    }
  });

  it('acts on the driver options it supports and keeps the others as given', async () => {
    const bridge = `${d.bridge.slice(0, 12)}o`;
    await ok(['network', 'create', '-o', `com.docker.network.bridge.name=${bridge}`, '-o', 'com.docker.network.driver.mtu=1400',
      '-o', 'com.docker.network.bridge.host_binding_ipv4=127.0.0.1', '-o', 'my.own=thing', 'optnet']);
    assert.equal((await run('ip', ['link', 'show', bridge])).code, 0);
    await ok(['run', '-d', '--name', 'optc', '--network', 'optnet', '-p', '80', 'busybox', 'sleep', '1000']);
    assert.equal(await ok(['exec', 'optc', 'cat', '/sys/class/net/eth0/mtu']), '1400');
    assert.match(await ok(['port', 'optc', '80']), /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(JSON.parse(await ok(['network', 'inspect', '-f', '{{json .Options}}', 'optnet'])), {
      'com.docker.network.bridge.name': bridge, 'com.docker.network.driver.mtu': '1400',
      'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1', 'my.own': 'thing',
    });
    await ok(['rm', '-f', 'optc']);
    await ok(['network', 'rm', 'optnet']);
    assert.notEqual((await run('ip', ['link', 'show', bridge])).code, 0);
  });

  it('inspect ?verbose and ?scope as dockerd answers them for a local network', async () => {
    await ok(['network', 'create', 'vnet']);
    const plain = await d.api('GET', '/networks/vnet');
    const verbose = await d.api('GET', '/networks/vnet?verbose=true');
    assert.equal(verbose.status, 200);
    assert.deepEqual(verbose.json, plain.json);
    assert.equal((await d.api('GET', '/networks/vnet?scope=local')).status, 200);
    const swarm = await d.api('GET', '/networks/vnet?scope=swarm');
    assert.equal(swarm.status, 404);
    assert.equal(swarm.json.message, 'network vnet not found');
    const bad = await d.api('GET', '/networks/vnet?verbose=yes');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'invalid value for verbose: yes');
    assert.equal((await d.docker(['network', 'inspect', '--verbose', 'vnet'])).code, 0);
    await ok(['network', 'rm', 'vnet']);
  });
});

describe('berth\'s CLI does what docker\'s does here', () => {
  /** Runs `args(cli)` through both CLIs against berthd; exit code, stdout and stderr must agree (program name aside). */
  async function same(args: (cli: string) => string[], env?: Record<string, string>): Promise<string> {
    const a = await d.docker(args('docker'), { env });
    const b = await d.berth(args('berth'), { env });
    const norm = (text: string, cli: string) => text.replace(new RegExp(`\\b${cli}\\b(?![- ]net|-p)`, 'g'), 'CLI');
    assert.deepEqual({ code: b.code, out: b.stdout, err: norm(b.stderr, 'berth') }, { code: a.code, out: a.stdout, err: norm(a.stderr, 'docker') }, args('berth').join(' '));
    return b.stdout;
  }

  it('links, names, MACs and odd network names', async () => {
    await ok(['run', '-d', '--name', 'cweb', 'busybox', 'sleep', '1000']);
    const each = async (args: (cli: string) => string[]) => {
      for (const cli of ['docker', 'berth']) {
        const r = await (cli === 'docker' ? d.docker(args(cli)) : d.berth(args(cli)));
        assert.equal(r.code, 0, `${cli}: ${r.stderr}`);
        assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
      }
    };
    await each((cli) => ['run', '-d', '--name', `${cli}-p`, '--link', 'cweb:db', '--mac-address', cli === 'docker' ? '02:00:00:00:00:d1' : '02:00:00:00:00:b1', 'busybox', 'sleep', '1000']);
    for (const cli of ['docker', 'berth']) {
      assert.equal(await ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.MacAddress}}', `${cli}-p`]), cli === 'docker' ? '02:00:00:00:00:d1' : '02:00:00:00:00:b1');
    }
    await same(() => ['ps', '--no-trunc', '--filter', 'name=cweb', '--format', '{{.Names}}']);
    await same(() => ['ps', '--filter', 'name=cweb', '--format', '{{.Names}}']);
    const rd = await d.docker(['rm', '--link', '/docker-p/db']);
    const rb = await d.berth(['rm', '--link', '/berth-p/db']);
    assert.deepEqual([rb.code, rb.stdout, rd.code, rd.stdout], [0, '/berth-p/db\n', 0, '/docker-p/db\n'], rb.stderr);
    await same(() => ['rm', '--link', '/berth-p/db']);
    await same(() => ['rm', '--link', 'cweb']);
    await same(() => ['run', '--rm', '--link', 'nothere:x', 'busybox', 'true']);
    await same(() => ['run', '--rm', '--mac-address', '02:00:00:00:00:01', 'busybox', 'true'], { DOCKER_API_VERSION: '1.43' });
    await each((cli) => ['network', 'create', `${cli} net`]);
    await same(() => ['network', 'inspect', '--verbose', '-f', '{{.Name}} {{.Driver}} {{json .IPAM.Options}}', 'docker net', 'berth net']);
    await same(() => ['network', 'ls', '--filter', 'name= net', '--format', '{{.Name}}']);
    assert.equal((await d.berth(['network', 'rm', 'berth net'])).stdout, 'berth net\n');
    assert.equal((await d.docker(['network', 'rm', 'docker net'])).stdout, 'docker net\n');
    await same(() => ['network', 'create', 'bridge']);
    await ok(['rm', '-f', 'cweb', 'docker-p', 'berth-p']);
  });
});

describe('network Options, Labels and IPAM as given, against a private dockerd', { skip: dockerdMissing() }, () => {
  it('stores and shows them with dockerd\'s {} and null', async () => {
    const dockerd = (await startPrivateDockerd())!;
    const made: string[] = [];
    try {
      const x = Number(d.poolBase.split('.')[2]);
      const y = await freeSubnet([x]);
      const shape = (n: { Options: unknown; Labels: unknown; IPAM: { Driver: string; Options: unknown; Config: Array<Record<string, unknown>> } }) => ({
        Options: n.Options, Labels: n.Labels, IPAMDriver: n.IPAM.Driver, IPAMOptions: n.IPAM.Options,
        Config: n.IPAM.Config.map((c) => Object.keys(c)),
      });
      type Net = { subnet: string; gateway: string; range: string };
      const net = (prefix: string, start: number): Net => ({ subnet: `${prefix}.${start}/28`, gateway: `${prefix}.${start + 14}`, range: `${prefix}.${start + 8}/29` });
      const cases: Array<(n: Net, bridge: string) => Record<string, unknown>> = [
        (n) => ({ IPAM: { Config: [{ Subnet: n.subnet }] } }),
        (n) => ({ Options: null, Labels: null, IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: n.subnet }] } }),
        (n, bridge) => ({
          Options: { 'com.docker.network.bridge.name': bridge, 'com.docker.network.driver.mtu': '1400', 'x.custom': 'kept' },
          Labels: { a: 'b' }, IPAM: { Options: { x: 'y' }, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
        }),
        (n) => ({ IPAM: { Options: {}, Config: [{ Subnet: n.subnet, IPRange: n.range }] } }),
      ];
      const berthPrefix = d.poolBase.split('.').slice(0, 3).join('.');
      for (const [i, make] of cases.entries()) {
        const berthBody = { Name: `cmp${i}`, ...make(net(berthPrefix, 16 * (i + 8)), `${d.bridge.slice(0, 12)}c${i}`) };
        const dockerBody = { Name: `cmp${i}`, ...make(net(`10.215.${y}`, 16 * i), `${dockerd.bridge}c${i}`) };
        const b = await d.api('POST', '/networks/create', berthBody);
        assert.equal(b.status, 201, b.text);
        made.push(`cmp${i}`);
        const created = await fetchDockerd(dockerd.host, 'POST', '/networks/create', dockerBody);
        assert.equal(created.status, 201, JSON.stringify(created.json));
        const mine = shape((await d.api('GET', `/networks/cmp${i}`)).json);
        const theirs = shape((await fetchDockerd(dockerd.host, 'GET', `/networks/cmp${i}`)).json);
        if (typeof theirs.Options === 'object' && theirs.Options) {
          const o = theirs.Options as Record<string, string>;
          if (o['com.docker.network.bridge.name']) o['com.docker.network.bridge.name'] = (mine.Options as Record<string, string>)['com.docker.network.bridge.name'];
        }
        assert.deepEqual(mine, theirs, `case ${i}`);
        // The list shows the same as inspect.
        const listed = (await d.api('GET', '/networks')).json.find((n: { Name: string }) => n.Name === `cmp${i}`);
        assert.deepEqual(shape(listed), mine);
      }
      // The CLI sends IPAM.Options {} and Labels {}: the same on both.
      await ok(['network', 'create', '--subnet', `${berthPrefix}.240/28`, 'cmpcli']);
      made.push('cmpcli');
      const c = await dockerd.docker(['network', 'create', '--subnet', `10.215.${y}.240/28`, 'cmpcli']);
      assert.equal(c.code, 0, c.stderr);
      const fmt = '{{json .Options}} {{json .Labels}} {{json .IPAM.Options}} {{json .IPAM.Config}}';
      const theirs = (await dockerd.docker(['network', 'inspect', '--format', fmt, 'cmpcli'])).stdout.replaceAll(`10.215.${y}.`, 'NET.');
      const mine = await ok(['network', 'inspect', '--format', fmt, 'cmpcli']);
      assert.equal(mine.replaceAll(`${berthPrefix}.`, 'NET.'), theirs.trim());
      // The default bridge: Options filled in, IPAM.Options null.
      const bridge = (await d.api('GET', '/networks/bridge')).json;
      const theirBridge = (await fetchDockerd(dockerd.host, 'GET', '/networks/bridge')).json;
      assert.deepEqual(Object.keys(bridge.Options).sort(), Object.keys(theirBridge.Options).sort());
      assert.equal(bridge.IPAM.Options, theirBridge.IPAM.Options);
    } finally {
      for (const n of made) await d.docker(['network', 'rm', n]);
      await dockerd.stop();
    }
  });
});

/** One request to the private dockerd's socket. */
async function fetchDockerd(host: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: host.replace(/^unix:\/\//, ''), method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
