// User-defined bridge networks: the network API, name resolution through the embedded DNS
// server, isolation, --internal, static --ip, connect/disconnect and events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { type Daemon, run, startDaemonWithBusybox, leftoverRules, waitFor } from './harness.ts';
import { httpdCmd, ipOf } from './network.test-helpers.ts';

let d: Daemon;
let x: number;
before(async () => {
  d = await startDaemonWithBusybox();
  x = Number(d.bip.split('.')[2]);
});
after(async () => {
  await d?.cleanup();
});

const wget = (args: string[], url: string) => d.docker(['run', '--rm', ...args, 'busybox', 'wget', '-qO-', url]);

describe('user-defined networks', () => {
  it('creates a network with a subnet of its own and a bridge, shown by ls and inspect', async () => {
    const r = await d.docker(['network', 'create', '--label', 'team=a', 'front']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const net = JSON.parse((await d.docker(['network', 'inspect', 'front'])).stdout)[0];
    assert.equal(net.Driver, 'bridge');
    assert.equal(net.Labels.team, 'a');
    assert.equal(net.IPAM.Config[0].Subnet, `10.216.${x}.0/28`);
    assert.equal((await run('ip', ['link', 'show', `br-${id.slice(0, 12)}`])).code, 0);
    const ls = await d.docker(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}} {{.Driver}}']);
    assert.equal(ls.stdout.trim(), 'front bridge');
    const dup = await d.docker(['network', 'create', 'front']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /network with name front already exists/);
  });

  it('containers reach each other by name and by alias', async () => {
    let r = await d.docker(['run', '-d', '--name', 'api', '--network', 'front', '--network-alias', 'backend', 'busybox', ...httpdCmd('api here')]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(async () => (await d.docker(['exec', 'api', 'wget', '-qO-', 'http://127.0.0.1/'])).code === 0, 'httpd in api');
    r = await wget(['--network', 'front'], 'http://api/');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'api here');
    r = await wget(['--network', 'front'], 'http://backend/');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'api here');
    const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'api'])).stdout.trim();
    r = await d.docker(['run', '--rm', '--network', 'front', 'busybox', 'nslookup', id.slice(0, 12)]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(await ipOf(d, 'api', 'front')), r.stdout);
    const resolv = await d.docker(['run', '--rm', '--network', 'front', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.match(resolv.stdout, new RegExp(`^nameserver 10\\.216\\.${x}\\.1$`, 'm'));
  });

  it('a container on another network can neither resolve nor reach them', async () => {
    assert.equal((await d.docker(['network', 'create', 'other'])).code, 0);
    let r = await wget(['--network', 'other'], 'http://api/');
    assert.notEqual(r.code, 0);
    const ip = await ipOf(d, 'api', 'front');
    // The same request from the network itself gets through (so a failure below means isolation).
    r = await d.docker(['run', '--rm', '--network', 'front', 'busybox', 'sh', '-c', `echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 ${ip} 80`]);
    assert.ok(r.stdout.includes('api here'), r.stdout + r.stderr);
    r = await d.docker(['run', '--rm', '--network', 'other', 'busybox', 'sh', '-c', `echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 ${ip} 80`]);
    assert.ok(!r.stdout.includes('api here'), r.stdout);
    // And nothing from the default bridge either.
    r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', `echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 ${ip} 80`]);
    assert.ok(!r.stdout.includes('api here'), r.stdout);
  });

  it('static --ip, and an address outside the subnet is refused', async () => {
    let r = await d.docker(['run', '--rm', '--network', 'front', '--ip', `10.216.${x}.9`, 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`inet 10\\.216\\.${x}\\.9/28`));
    r = await d.docker(['run', '--rm', '--network', 'front', '--ip', '10.99.0.9', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no configured subnet or ip-range contain the IP address 10\.99\.0\.9/);
  });

  it('--internal networks have no route out', async () => {
    assert.equal((await d.docker(['network', 'create', '--internal', 'sealed'])).code, 0);
    const r = await d.docker(['run', '--rm', '--network', 'sealed', 'busybox', 'sh', '-c', `ip route; ping -c1 -W1 ${d.bip.split('/')[0]} && echo REACHED`]);
    assert.ok(!/^default/m.test(r.stdout), r.stdout);
    assert.ok(!r.stdout.includes('REACHED'), r.stdout);
  });

  it('enable_icc=false keeps containers of one network apart', async (t) => {
    // Same-bridge traffic meets iptables only through br_netfilter, as with Docker's icc=false.
    const nf = await readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').catch(() => '');
    if (nf.trim() !== '1') return t.skip('needs br_netfilter with net.bridge.bridge-nf-call-iptables=1');
    assert.equal((await d.docker(['network', 'create', '-o', 'com.docker.network.bridge.enable_icc=false', 'quiet'])).code, 0);
    let r = await d.docker(['run', '-d', '--name', 'hushed', '--network', 'quiet', 'busybox', ...httpdCmd('hushed')]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(async () => (await d.docker(['exec', 'hushed', 'wget', '-qO-', 'http://127.0.0.1/'])).code === 0, 'httpd in hushed');
    const ip = await ipOf(d, 'hushed', 'quiet');
    r = await d.docker(['run', '--rm', '--network', 'quiet', 'busybox', 'sh', '-c', `nslookup hushed; echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 ${ip} 80`]);
    assert.ok(r.stdout.includes(ip), `the name still resolves: ${r.stdout}`);
    assert.ok(!r.stdout.includes('200 OK'), r.stdout);
    assert.equal((await d.docker(['rm', '-f', 'hushed'])).code, 0);
    assert.equal((await d.docker(['network', 'rm', 'quiet'])).code, 0);
  });

  it("a network's bridge keeps its MAC as containers come and go (no stale gateway ARP)", async () => {
    assert.equal((await d.docker(['network', 'create', 'steady'])).code, 0);
    const id = (await d.docker(['network', 'inspect', '-f', '{{.Id}}', 'steady'])).stdout.trim();
    const mac = () => readFile(`/sys/class/net/br-${id.slice(0, 12)}/address`, 'utf8');
    const before = await mac();
    for (const name of ['steady1', 'steady2']) assert.equal((await d.docker(['run', '-d', '--name', name, '--network', 'steady', 'busybox', 'sleep', '60'])).code, 0);
    assert.equal(await mac(), before);
    assert.equal((await d.docker(['rm', '-f', 'steady1'])).code, 0);
    assert.equal(await mac(), before);
    assert.equal((await d.docker(['rm', '-f', 'steady2'])).code, 0);
    assert.equal((await d.docker(['network', 'rm', 'steady'])).code, 0);
  });

  it('connects and disconnects a running container', async () => {
    let r = await d.docker(['run', '-d', '--name', 'roamer', '--network', 'other', 'busybox', 'sleep', '120']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['network', 'connect', '--alias', 'wanderer', 'front', 'roamer']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['exec', 'roamer', 'sh', '-c', 'ls /sys/class/net; wget -qO- http://api/']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /eth1/);
    assert.match(r.stdout, /api here/);
    // The others resolve the newcomer by its alias.
    r = await d.docker(['exec', 'api', 'nslookup', 'wanderer']);
    assert.ok(r.stdout.includes(await ipOf(d, 'roamer', 'front')), r.stdout);
    const net = JSON.parse((await d.docker(['network', 'inspect', 'front'])).stdout)[0];
    assert.ok(Object.values(net.Containers).some((c: any) => c.Name === 'roamer'));
    r = await d.docker(['network', 'disconnect', 'front', 'roamer']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['exec', 'roamer', 'ls', '/sys/class/net']);
    assert.ok(!r.stdout.includes('eth1'), r.stdout);
    const ins = JSON.parse((await d.docker(['inspect', 'roamer'])).stdout)[0];
    assert.deepEqual(Object.keys(ins.NetworkSettings.Networks), ['other']);
  });

  it('joins several networks given at run, and fails the start on an unknown one', async () => {
    let r = await d.docker(['run', '--rm', '--network', 'front', '--network', 'other', 'busybox', 'sh', '-c', 'ls /sys/class/net; wget -qO- http://api/']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /eth0\s+eth1/);
    assert.match(r.stdout, /api here/);
    r = await d.docker(['run', '--name', 'lost', '--network', 'nosuch', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /network nosuch not found/);
    assert.equal((await d.docker(['inspect', '-f', '{{.State.Status}}', 'lost'])).stdout.trim(), 'created');
    assert.equal((await d.docker(['rm', 'lost'])).code, 0);
  });

  it('refuses to remove a network in use, removes it once free, and reports events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    let r = await d.docker(['network', 'rm', 'front']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error while removing network: network front id [0-9a-f]{64} has active endpoints/);
    const id = (await d.docker(['network', 'inspect', '-f', '{{.Id}}', 'front'])).stdout.trim();
    assert.equal((await d.docker(['rm', '-f', 'api', 'roamer'])).code, 0);
    r = await d.docker(['network', 'rm', 'front', 'other', 'sealed']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await run('ip', ['link', 'show', `br-${id.slice(0, 12)}`])).code, 1);
    r = await d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    assert.match(r.stdout, /destroy front/);
    assert.match(r.stdout, /disconnect bridge|disconnect front/);
    const left = await d.docker(['network', 'ls', '--format', '{{.Name}}']);
    assert.deepEqual(left.stdout.trim().split('\n').sort(), ['bridge', 'host', 'none']);
  });

  it('prunes unused networks', async () => {
    assert.equal((await d.docker(['network', 'create', 'junk1'])).code, 0);
    const r = await d.docker(['network', 'prune', '-f']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /junk1/);
  });

  it('networks created at the same time get subnets of their own, and one name only once', async () => {
    // docker compose creates a project's networks in parallel: two creates that picked the same
    // free subnet gave containers on both networks one address twice.
    const made = await Promise.all(['par1', 'par2', 'par3', 'par4'].map((Name) => d.api('POST', '/networks/create', { Name })));
    assert.deepEqual(made.map((r) => r.status), [201, 201, 201, 201], made.map((r) => r.text).join());
    const subnets = await Promise.all(['par1', 'par2', 'par3', 'par4'].map(async (n) => (await d.docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', n])).stdout.trim()));
    assert.equal(new Set(subnets).size, 4, subnets.join(' '));
    const same = await Promise.all([1, 2, 3].map(() => d.api('POST', '/networks/create', { Name: 'twice' })));
    assert.deepEqual(same.map((r) => r.status).sort(), [201, 409, 409]);
    assert.match(same.find((r) => r.status === 409)!.json.message, /^network with name twice already exists$/);
    const r = await d.docker(['network', 'rm', 'par1', 'par2', 'par3', 'par4', 'twice']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('refuses hostile or malformed network requests with 400s', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ Name: '' }, /^invalid name: $/],
      [{ Name: 'ok1', Options: { 'com.docker.network.bridge.name': 'br0\nlink del eth0' } }, /invalid bridge name/],
      [{ Name: 'ok1', IPAM: { Config: [{ Subnet: '10.0.0.0/40' }] } }, /invalid CIDR address/],
      // Go's encoding/json wording, as dockerd answers (was berth's own "IPAM.Config must be an array").
      [{ Name: 'ok1', IPAM: { Config: 'nope' } }, /^json: cannot unmarshal string into Go struct field IPAM\.IPAM\.Config of type \[\]IPAMConfig$/],
      [{ Name: 'ok1', IPAM: { Config: [{ Subnet: '10.230.0.0/24', Gateway: '10.231.0.1' }] } }, /not in subnet/],
      [{ Name: 'ok1', Driver: 'macvlan', IPAM: { Config: [{ Subnet: '10.230.0.0/24' }] }, Options: { parent: 'eth0 type dummy' } }, /parent interface was not found/],
      [{ Name: 7 }, /cannot unmarshal number/],
    ];
    for (const [body, message] of bad) {
      const r = await d.api('POST', '/networks/create', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.message, message);
    }
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { NetworkMode: 'bridge' }, NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: [{}] } } } });
    assert.equal(r.status, 400, r.text);
    const left = await d.docker(['network', 'ls', '-q', '--filter', 'name=ok1']);
    assert.equal(left.stdout.trim(), '');
  });

  it('leaves no rule after shutdown', async () => {
    await d.stopDaemon();
    assert.deepEqual(await leftoverRules(d.chainPrefix), []);
  });
});
