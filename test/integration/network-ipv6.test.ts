// IPv6 as dockerd does it: --ipv6 networks (given subnet or a ULA /64), addresses, routes and
// sysctls in the container, --ip6, the inspect fields, AAAA/PTR from the embedded DNS, published
// ports on [::1] and [::] (ip6tables DNAT, the proxy for loopback), the default bridge with
// "ipv6"/"fixed-cidr-v6" in daemon.json, Docker's validation errors, and no ip6tables rule left.
// Subnets are 2001:db8:<octet>::/64 and below, from the documentation range, unique per daemon
// (the harness's claimed octet); traffic goes only to loopback and this test's containers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUSYBOX_TAR, Daemon, leftoverRules, run, startDaemonWithBusybox, waitFor } from './harness.ts';
import { fetchFails, fetchText, httpdCmd, pidOf, udpAsk, udpEchoInNetns } from './network.test-helpers.ts';
import { freePort } from './harness.ts';
import { dockerdMissing, freeSubnet, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';

let d: Daemon;
let x: number;
/** This daemon's IPv6 prefix: 2001:db8:<x>::/48, cut into /64s per network. */
let p6: string;
before(async () => {
  d = await startDaemonWithBusybox();
  x = Number(d.bip.split('.')[2]);
  p6 = `2001:db8:${x.toString(16)}`;
});
after(async () => {
  await d?.cleanup();
});

/** One UDP question to [host]:port over IPv6, with retries; the reply or undefined. */
const inspect = async (what: string[]) => JSON.parse((await d.docker(['inspect', ...what])).stdout);

describe('IPv6 networks', () => {
  it('creates a dual-stack network: EnableIPv6, both IPAM configs, the gateway on the bridge', async () => {
    const r = await d.docker(['network', 'create', '--ipv6', '--subnet', `${p6}:1::/64`, 'six']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const [net] = await inspect(['--type', 'network', 'six']);
    assert.equal(net.EnableIPv6, true);
    assert.equal(net.EnableIPv4, true);
    assert.deepEqual(net.IPAM.Config[1], { Subnet: `${p6}:1::/64`, Gateway: `${p6}:1::1` });
    assert.match(net.IPAM.Config[0].Subnet, /^10\.216\./);
    const addr = await run('ip', ['-6', '-o', 'addr', 'show', 'dev', `br-${id.slice(0, 12)}`, 'scope', 'global']);
    assert.match(addr.stdout, new RegExp(`inet6 ${p6}:1::1/64`));
    // The subnet's MASQUERADE and the bridge's isolation rules, in ip6tables.
    const saved = (await leftoverRules(d.chainPrefix, 'ip6tables')).join('\n');
    assert.match(saved, new RegExp(`-A ${d.chainPrefix}-POSTROUTING -s ${p6}:1::/64 ! -o br-${id.slice(0, 12)} -j MASQUERADE`));
    assert.match(saved, new RegExp(`-A ${d.chainPrefix}-ISOLATION-STAGE-2 -o br-${id.slice(0, 12)} -j DROP`));
  });

  it('gives containers an address, a default route and IPv6 on their interface; they reach each other by address and name', async () => {
    let r = await d.docker(['run', '-d', '--name', 'web6', '--network', 'six', '--ip6', `${p6}:1::80`, 'busybox', ...httpdCmd('hello over v6')]);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['exec', 'web6', 'ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']);
    assert.match(r.stdout, new RegExp(`inet6 ${p6}:1::80/64`));
    r = await d.docker(['exec', 'web6', 'ip', '-6', 'route', 'show', 'default']);
    assert.match(r.stdout, new RegExp(`default via ${p6}:1::1 dev eth0`));
    r = await d.docker(['exec', 'web6', 'cat', '/proc/sys/net/ipv6/conf/eth0/disable_ipv6', '/proc/sys/net/ipv6/conf/eth0/accept_ra']);
    assert.deepEqual(r.stdout.trim().split('\n'), ['0', '0']);
    await waitFor(async () => (await d.docker(['exec', 'web6', 'wget', '-qO-', `http://[${p6}:1::80]/`])).code === 0, 'httpd in web6');
    // Another container: by address, then by name through the embedded DNS's AAAA answer.
    r = await d.docker(['run', '--rm', '--network', 'six', 'busybox', 'wget', '-qO-', `http://[${p6}:1::80]/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hello over v6');
    r = await d.docker(['run', '--rm', '--network', 'six', 'busybox', 'ping', '-6', '-c1', '-W5', 'web6']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`PING web6 \\(${p6}:1::80\\)`));
    r = await d.docker(['run', '--rm', '--network', 'six', 'busybox', 'nslookup', '-type=AAAA', 'web6']);
    assert.match(r.stdout, new RegExp(`Address: ${p6}:1::80`), r.stdout);
    // PTR for the IPv6 address, as for IPv4.
    r = await d.docker(['run', '--rm', '--network', 'six', 'busybox', 'nslookup', `${p6}:1::80`]);
    assert.match(r.stdout, /name = web6\.six/, r.stdout);
    // /etc/hosts has both addresses for the container's own name.
    r = await d.docker(['exec', 'web6', 'cat', '/etc/hosts']);
    assert.match(r.stdout, new RegExp(`^${p6}:1::80\\s`, 'm'));
  });

  it('shows GlobalIPv6Address, GlobalIPv6PrefixLen, IPv6Gateway and IPAMConfig.IPv6Address; network inspect shows IPv6Address', async () => {
    const [c] = await inspect(['web6']);
    const ep = c.NetworkSettings.Networks.six;
    assert.equal(ep.GlobalIPv6Address, `${p6}:1::80`);
    assert.equal(ep.GlobalIPv6PrefixLen, 64);
    assert.equal(ep.IPv6Gateway, `${p6}:1::1`);
    assert.deepEqual(ep.IPAMConfig, { IPv6Address: `${p6}:1::80` });
    // Only the default bridge fills the legacy top-level fields.
    assert.equal(c.NetworkSettings.GlobalIPv6Address, '');
    const [net] = await inspect(['--type', 'network', 'six']);
    assert.equal(net.Containers[c.Id].IPv6Address, `${p6}:1::80/64`);
    assert.match(net.Containers[c.Id].IPv4Address, /^10\.216\.\d+\.\d+\/28$/);
    const f = await d.docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}{{end}}', 'web6']);
    assert.equal(f.stdout.trim(), `${p6}:1::80`);
  });

  it('an --internal IPv6 network is isolated and not masqueraded, and its containers get no default route', async () => {
    let r = await d.docker(['network', 'create', '--internal', '--ipv6', '--subnet', `${p6}:8::/64`, 'in6']);
    assert.equal(r.code, 0, r.stderr);
    const br = `br-${r.stdout.trim().slice(0, 12)}`;
    const saved = (await leftoverRules(d.chainPrefix, 'ip6tables')).join('\n');
    assert.match(saved, new RegExp(`-A ${d.chainPrefix}-FORWARD -i ${br} ! -o ${br} -j DROP`));
    assert.match(saved, new RegExp(`-A ${d.chainPrefix}-FORWARD ! -i ${br} -o ${br} -j DROP`));
    assert.doesNotMatch(saved, new RegExp(`-s ${p6}:8::/64 .*MASQUERADE`));
    r = await d.docker(['run', '--rm', '--network', 'in6', 'busybox', 'ip', '-6', 'route', 'show', 'default']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '');
    assert.equal((await d.docker(['network', 'rm', 'in6'])).code, 0);
  });

  it('connect --ip6 on a stopped container is recorded, and the address is its at start', async () => {
    let r = await d.docker(['create', '--name', 'later6', 'busybox', 'ip', '-6', '-o', 'addr', 'show', 'dev', 'eth1', 'scope', 'global']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['network', 'connect', '--ip6', `${p6}:1::f00d`, 'six', 'later6']);
    assert.equal(r.code, 0, r.stderr);
    const [c] = await inspect(['later6']);
    assert.deepEqual(c.NetworkSettings.Networks.six.IPAMConfig, { IPv6Address: `${p6}:1::f00d` });
    r = await d.docker(['start', '-a', 'later6']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`inet6 ${p6}:1::f00d/64`));
    assert.equal((await d.docker(['rm', 'later6'])).code, 0);
  });

  it('works the same through berth\'s own CLI (network create --ipv6, run --ip6, inspect)', async () => {
    let r = await d.berth(['network', 'create', '--ipv6', '--subnet', `${p6}:5::/64`, '--gateway', `${p6}:5::fe`, 'bsix']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.berth(['run', '--rm', '--network', 'bsix', '--ip6', `${p6}:5::7`, 'busybox', 'ip', '-6', 'route', 'show', 'default']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`default via ${p6}:5::fe dev eth0`));
    r = await d.berth(['network', 'inspect', '-f', '{{.EnableIPv6}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{end}}', 'bsix']);
    assert.match(r.stdout.trim(), new RegExp(`^true 10\\.216\\.\\d+\\.\\d+/28 10\\.216\\.\\d+\\.\\d+ ${p6}:5::/64 ${p6}:5::fe$`));
    assert.equal((await d.berth(['network', 'rm', 'bsix'])).code, 0);
  });

  it('answers AAAA for a name with only IPv4 with an empty answer (NODATA), not NXDOMAIN', async () => {
    assert.equal((await d.docker(['network', 'create', 'four'])).code, 0);
    let r = await d.docker(['run', '-d', '--name', 'only4', '--network', 'four', 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['run', '--rm', '--network', 'four', 'busybox', 'nslookup', '-type=AAAA', 'only4']);
    assert.doesNotMatch(r.stdout + r.stderr, /NXDOMAIN/);
    r = await d.docker(['run', '--rm', '--network', 'four', 'busybox', 'nslookup', '-type=AAAA', 'nobody-here']);
    assert.match(r.stdout + r.stderr, /NXDOMAIN/, 'an unknown name still is NXDOMAIN (upstream)');
  });

  it('without --subnet, --ipv6 takes a /64 of a ULA prefix; --ip6 there is refused as by dockerd', async () => {
    let r = await d.docker(['network', 'create', '--ipv6', 'ula']);
    assert.equal(r.code, 0, r.stderr);
    const [net] = await inspect(['--type', 'network', 'ula']);
    const v6 = net.IPAM.Config.find((c: { Subnet: string }) => c.Subnet.includes(':'));
    assert.match(v6.Subnet, /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{0,4}:*\/64$/);
    r = await d.docker(['run', '--rm', '--network', 'ula', 'busybox', 'ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /inet6 fd[0-9a-f]{2}:/);
    r = await d.docker(['run', '--rm', '--network', 'ula', '--ip6', v6.Subnet.replace('::/64', '::9'), 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets/);
    assert.equal((await d.docker(['network', 'rm', 'ula'])).code, 0);
  });

  it('refuses what dockerd refuses, with its messages', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['network', 'create', '--ipv6', '--subnet', `${p6}:1:0:0:0:1/64`, 'bad1'], /invalid network config:\ninvalid subnet 2001:db8:[0-9a-f]+:1::1\/64: it should be 2001:db8:[0-9a-f]+:1::\/64/],
      [['network', 'create', '--ipv6', '--subnet', `${p6}:1::/80`, 'bad2'], /Pool overlaps with other one on this address space/],
      [['network', 'create', '--ipv6', '--subnet', `${p6}:2::/64`, '--ip-range', `${p6}:2::/48`, 'bad3'], /invalid ip-range 2001:db8:[0-9a-f]+:2::\/48: CIDR block is bigger than its parent subnet/],
      [['network', 'create', '--ipv6', '--subnet', 'fe80::/48', 'bad6'], /'fe80::1\/48' clashes with the Link-Local prefix 'fe80::\/64'/],
      [['network', 'create', '--ipv6', '--subnet', 'ff05::/64', 'bad7'], /multicast subnet 'ff05::1\/64' is not allowed/],
      [['run', '--rm', '--network', 'six', '--ip6', `${p6}:99::5`, 'busybox', 'true'], new RegExp(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${p6}:99::5`)],
      [['run', '--rm', '--network', 'four', '--ip6', `${p6}:1::5`, 'busybox', 'true'], /user specified IP address is supported only when connecting to networks with user configured subnets/],
      [['run', '--rm', '--ip6', `${p6}:1::5`, 'busybox', 'true'], /user specified IP address is supported on user defined networks only/],
      [['run', '--rm', '--network', 'six', '--ip6', `${p6}:1::80`, 'busybox', 'true'], /Address already in use/],
    ];
    for (const [args, want] of cases) {
      const r = await d.docker(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, want, args.join(' '));
    }
    // Raw API: the driver option, and a gateway of the wrong family.
    let res = await d.api('POST', '/networks/create', { Name: 'bad4', Options: { 'com.docker.network.enable_ipv6': 'maybe' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.message, 'driver-opt "com.docker.network.enable_ipv6" is not a valid bool');
    res = await d.api('POST', '/networks/create', { Name: 'bad5', EnableIPv6: true, IPAM: { Config: [{ Subnet: `${p6}:3::/64`, Gateway: '10.0.0.1' }] } });
    assert.equal(res.status, 400);
    assert.equal(res.json.message, `invalid network config:\ninvalid gateway 10.0.0.1: parent subnet is an IPv6 block`);
    res = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { NetworkMode: 'six' }, NetworkingConfig: { EndpointsConfig: { six: { IPAMConfig: { IPv6Address: 'nope' } } } } });
    assert.equal(res.status, 400);
    assert.equal(res.json.message, 'invalid endpoint settings:\ninvalid IPv6 address: nope');
    // The option form of --ipv6 works too, and nothing of the refused ones was made.
    res = await d.api('POST', '/networks/create', { Name: 'byopt', Options: { 'com.docker.network.enable_ipv6': 'true' } });
    assert.equal(res.status, 201, res.text);
    const [net] = await inspect(['--type', 'network', 'byopt']);
    assert.equal(net.EnableIPv6, true);
    assert.equal((await d.docker(['network', 'rm', 'byopt'])).code, 0);
    const ls = await d.docker(['network', 'ls', '--format', '{{.Name}}']);
    assert.doesNotMatch(ls.stdout, /bad\d/);
  });
});

describe('IPv6-only networks (EnableIPv4=false, API 1.48)', () => {
  it('have no IPv4 subnet; containers get only IPv6, resolve each other and publish ports', async () => {
    let r = await d.docker(['network', 'create', '--ipv4=false', '--ipv6', '--subnet', `${p6}:6::/64`, 'only6']);
    assert.equal(r.code, 0, r.stderr);
    const [net] = await inspect(['--type', 'network', 'only6']);
    assert.equal(net.EnableIPv4, false);
    assert.equal(net.EnableIPv6, true);
    assert.deepEqual(net.IPAM.Config, [{ Subnet: `${p6}:6::/64`, Gateway: `${p6}:6::1` }]);
    const port = await freePort();
    r = await d.docker(['run', '-d', '--name', 'srv6', '--network', 'only6', '-p', `127.0.0.1:${port}:80`, '-p', `[::1]:${port}:80`, 'busybox', ...httpdCmd('only six')]);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['exec', 'srv6', 'ip', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.doesNotMatch(r.stdout, /inet /, 'no IPv4 address');
    assert.match(r.stdout, new RegExp(`inet6 ${p6}:6::2/64`));
    const [c] = await inspect(['srv6']);
    assert.equal(c.NetworkSettings.Networks.only6.IPAddress, '');
    assert.equal(c.NetworkSettings.Networks.only6.GlobalIPv6Address, `${p6}:6::2`);
    assert.equal(c.NetworkSettings.Networks.only6.Gateway, '');
    assert.match(c.NetworkSettings.Networks.only6.MacAddress, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    // The embedded DNS listens on the IPv6 gateway.
    r = await d.docker(['run', '--rm', '--network', 'only6', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.match(r.stdout, new RegExp(`^nameserver ${p6}:6::1$`, 'm'));
    // (busybox wget crashes without any IPv4 address in its namespace: nc does the GET by name)
    r = await d.docker(['run', '--rm', '--network', 'only6', 'busybox', 'sh', '-c', 'echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 5 srv6 80']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /only six/);
    // Both loopbacks reach it: [::1] and 127.0.0.1 through the proxy (there is no IPv4 to DNAT to).
    assert.equal(await fetchText(`http://[::1]:${port}/`), 'only six\n');
    assert.equal(await fetchText(`http://127.0.0.1:${port}/`), 'only six\n');
    assert.equal((await d.docker(['rm', '-f', 'srv6'])).code, 0);
    assert.equal((await d.docker(['network', 'rm', 'only6'])).code, 0);
    assert.doesNotMatch((await leftoverRules(d.chainPrefix, 'ip6tables')).join('\n'), new RegExp(`${p6}:6::`));
  });
  it('need IPv6 instead', async () => {
    const r = await d.docker(['network', 'create', '--ipv4=false', 'none4']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /IPv4 or IPv6 must be enabled/);
  });
});

describe('published ports over IPv6', () => {
  it('-p [::1]:PORT:80 is reached from the host on [::1] only', async () => {
    const port = await freePort();
    const r = await d.docker(['run', '-d', '--name', 'loop6', '--network', 'six', '-p', `[::1]:${port}:80`, 'busybox', ...httpdCmd('loopback six')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await fetchText(`http://[::1]:${port}/`), 'loopback six\n');
    assert.ok(await fetchFails(`http://127.0.0.1:${port}/`), 'not published on IPv4');
    const ps = await d.docker(['ps', '--filter', 'name=loop6', '--format', '{{.Ports}}']);
    assert.equal(ps.stdout.trim(), `[::1]:${port}->80/tcp`);
    const port2 = await d.docker(['port', 'loop6', '80']);
    assert.equal(port2.stdout.trim(), `[::1]:${port}`);
    assert.equal((await d.docker(['rm', '-f', 'loop6'])).code, 0);
  });

  it('-p PORT:80 is published on 0.0.0.0 and [::] (one port), reached on 127.0.0.1 and [::1], with an ip6tables DNAT', async () => {
    const port = await freePort();
    let r = await d.docker(['run', '-d', '--name', 'dual', '--network', 'six', '-p', `${port}:80`, 'busybox', ...httpdCmd('dual stack')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await fetchText(`http://127.0.0.1:${port}/`), 'dual stack\n');
    assert.equal(await fetchText(`http://[::1]:${port}/`), 'dual stack\n');
    r = await d.docker(['ps', '--filter', 'name=dual', '--format', '{{.Ports}}']);
    assert.equal(r.stdout.trim(), `0.0.0.0:${port}->80/tcp, [::]:${port}->80/tcp`);
    const [c] = await inspect(['dual']);
    assert.deepEqual(c.NetworkSettings.Ports['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: String(port) }, { HostIp: '::', HostPort: String(port) }]);
    const ip6 = c.NetworkSettings.Networks.six.GlobalIPv6Address;
    const rules = (await leftoverRules(d.chainPrefix, 'ip6tables')).join('\n');
    assert.match(rules, new RegExp(`--dport ${port} -j DNAT --to-destination \\[${ip6}\\]:80`));
    // From another host (a netns joined by a veth pair, IPv6 only): the ip6tables DNAT on a host address.
    const tag = d.chainPrefix.slice(2).toLowerCase();
    const ns = `bt-r6-${tag}`;
    const hostIf = `btr6${tag}`;
    d.netnsToRemove.add(ns);
    d.linksToRemove.add(hostIf);
    for (const args of [
      ['netns', 'add', ns], ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns],
      ['-6', 'addr', 'add', `${p6}:fe::1/64`, 'dev', hostIf, 'nodad'], ['link', 'set', hostIf, 'up'],
      ['-n', ns, '-6', 'addr', 'add', `${p6}:fe::2/64`, 'dev', 'eth0', 'nodad'], ['-n', ns, 'link', 'set', 'eth0', 'up'],
    ]) {
      const res = await run('ip', args);
      assert.equal(res.code, 0, `ip ${args.join(' ')}: ${res.stderr}`);
    }
    // (the host's busybox wget crashes on IPv6 URLs; node's fetch does the GET)
    const get = `fetch('http://[${p6}:fe::1]:${port}/', { signal: AbortSignal.timeout(5000) }).then((x) => x.text()).then((t) => process.stdout.write(t))`;
    r = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', get]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'dual stack');
    // It went through the DNAT rule (the [::] proxy would answer too, so count the rule's packets).
    const counted = (await run('ip6tables-save', ['-c', '-t', 'nat'])).stdout.split('\n').find((l) => l.includes(`--dport ${port} -j DNAT`));
    assert.ok(counted && Number(/^\[(\d+):/.exec(counted)?.[1]) > 0, counted);
    // The container reaches that "outside" host too (routed, masqueraded behind the host's address).
    r = await d.docker(['exec', 'dual', 'ping', '-6', '-c1', '-W5', `${p6}:fe::1`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await run('ip', ['link', 'del', hostIf]);
    await run('ip', ['netns', 'del', ns]);
    // -P on a container without IPv6 (the default bridge): [::] is proxied to its IPv4 address.
    r = await d.docker(['run', '-d', '--name', 'four-p', '--expose', '80', '-P', 'busybox', ...httpdCmd('v4 behind [::]')]);
    assert.equal(r.code, 0, r.stderr);
    const ports = JSON.parse((await d.docker(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'four-p'])).stdout)['80/tcp'];
    assert.equal(ports.length, 2);
    assert.equal(ports[0].HostPort, ports[1].HostPort, 'one ephemeral port for both families');
    assert.equal(await fetchText(`http://[::1]:${ports[1].HostPort}/`), 'v4 behind [::]\n');
    for (const name of ['dual', 'four-p']) assert.equal((await d.docker(['rm', '-f', name])).code, 0);
    assert.doesNotMatch((await leftoverRules(d.chainPrefix, 'ip6tables')).join('\n'), new RegExp(`--dport ${port} `));
    assert.ok(await fetchFails(`http://[::1]:${port}/`), 'the proxy is gone with the container');
  });
});

describe('IPv6 endpoints over time', () => {
  it('network connect gives a running container an IPv6 interface; disconnect takes it', async () => {
    let r = await d.docker(['run', '-d', '--name', 'late', 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['network', 'connect', '--ip6', `${p6}:1::77`, 'six', 'late']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['exec', 'late', 'ip', '-6', '-o', 'addr', 'show', 'scope', 'global']);
    assert.match(r.stdout, new RegExp(`eth1 +inet6 ${p6}:1::77/64`));
    r = await d.docker(['exec', 'late', 'ping', '-6', '-c1', '-W5', `${p6}:1::80`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    r = await d.docker(['network', 'disconnect', 'six', 'late']);
    assert.equal(r.code, 0, r.stderr);
    // The address is free again.
    r = await d.docker(['run', '--rm', '--network', 'six', '--ip6', `${p6}:1::77`, 'busybox', 'true']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await d.docker(['rm', '-f', 'late'])).code, 0);
  });

  it('a published UDP port on [::1] reaches a container without IPv6 through the proxy', async () => {
    const port = await freePort();
    let r = await d.docker(['run', '-d', '--name', 'udp6', '-p', `[::1]:${port}:5353/udp`, 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    const echo = udpEchoInNetns(await pidOf(d, 'udp6'), 5353);
    try {
      await new Promise((resolve) => echo.stdout!.once('data', resolve));
      assert.equal(await udpAsk('::1', port, 'ping6'), 'echo:ping6');
    } finally {
      echo.kill();
    }
    r = await d.docker(['rm', '-f', 'udp6']);
    assert.equal(r.code, 0);
  });

  it('comes back with its IPv6 address, rules and [::1] port after a kill -9 of the daemon (restart=always)', async () => {
    // This daemon runs without --live-restore: a restart=always container comes back.
    const port = await freePort();
    let r = await d.docker(['run', '-d', '--name', 'again6', '--restart', 'always', '--network', 'six', '-p', `[::1]:${port}:80`, 'busybox', ...httpdCmd('v6 again')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await fetchText(`http://[::1]:${port}/`), 'v6 again\n');
    const before = (await inspect(['again6']))[0].NetworkSettings.Networks.six.GlobalIPv6Address;
    await d.kill9();
    await d.start();
    assert.equal(await fetchText(`http://[::1]:${port}/`), 'v6 again\n');
    const after = (await inspect(['again6']))[0].NetworkSettings.Networks.six.GlobalIPv6Address;
    assert.match(after, new RegExp(`^${p6}:1::`));
    // The re-adopted addresses are not handed out twice.
    r = await d.docker(['run', '--rm', '--network', 'six', 'busybox', 'ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']);
    assert.doesNotMatch(r.stdout, new RegExp(`inet6 ${after}/`));
    assert.doesNotMatch(r.stdout, new RegExp(`inet6 ${p6}:1::80/`));
    assert.ok(before);
    assert.equal((await d.docker(['rm', '-f', 'again6'])).code, 0);
  });
});

describe('IPv6 cleanup', () => {
  it('network rm takes its ip6tables rules; the daemon leaves no ip6tables rule when it stops', async () => {
    for (const name of ['web6', 'only4']) assert.equal((await d.docker(['rm', '-f', name])).code, 0);
    const id = (await d.docker(['network', 'inspect', '-f', '{{.Id}}', 'six'])).stdout.trim();
    assert.equal((await d.docker(['network', 'rm', 'six', 'four'])).code, 0);
    const rules = (await leftoverRules(d.chainPrefix, 'ip6tables')).join('\n');
    assert.doesNotMatch(rules, new RegExp(`${p6}:1::/64|br-${id.slice(0, 12)}`));
    assert.equal((await run('ip', ['link', 'show', `br-${id.slice(0, 12)}`])).code, 1);
    assert.equal((await d.docker(['network', 'create', '--ipv6', '--subnet', `${p6}:4::/64`, 'last6'])).code, 0);
    await d.stopDaemon();
    assert.deepEqual(await leftoverRules(d.chainPrefix, 'ip6tables'), []);
    assert.deepEqual(await leftoverRules(d.chainPrefix), []);
  });
});

describe('the default bridge with "ipv6" and "fixed-cidr-v6" in daemon.json', () => {
  let b: Daemon | undefined;
  after(async () => {
    await b?.cleanup();
  });
  it('gives default-bridge containers an IPv6 address, shown in the legacy top-level fields', async () => {
    const dir = await mkdtemp('/tmp/bt-');
    b = new Daemon(dir, []);
    const y = Number(b.bip.split('.')[2]);
    const fixed = `2001:db8:${y.toString(16)}:ff::/64`;
    await writeFile(join(dir, 'daemon.json'), JSON.stringify({ 'default-address-pools': [{ base: b.poolBase, size: 28 }], ipv6: true, 'fixed-cidr-v6': fixed }));
    await b.start();
    assert.equal((await b.docker(['load', '-i', BUSYBOX_TAR])).code, 0);
    const [net] = JSON.parse((await b.docker(['network', 'inspect', 'bridge'])).stdout);
    assert.equal(net.EnableIPv6, true);
    assert.deepEqual(net.IPAM.Config[1], { Subnet: fixed, Gateway: fixed.replace('::/64', '::1') });
    let r = await b.docker(['run', '-d', '--name', 'def6', 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    const [c] = JSON.parse((await b.docker(['inspect', 'def6'])).stdout);
    assert.equal(c.NetworkSettings.GlobalIPv6Address, fixed.replace('::/64', '::2'));
    assert.equal(c.NetworkSettings.GlobalIPv6PrefixLen, 64);
    assert.equal(c.NetworkSettings.IPv6Gateway, fixed.replace('::/64', '::1'));
    assert.equal(c.NetworkSettings.Networks.bridge.GlobalIPv6Address, fixed.replace('::/64', '::2'));
    r = await b.docker(['run', '--rm', 'busybox', 'ping', '-6', '-c1', '-W5', fixed.replace('::/64', '::2')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const gw = await run('ip', ['-6', '-o', 'addr', 'show', 'dev', b.bridge, 'scope', 'global']);
    assert.match(gw.stdout, new RegExp(`inet6 ${fixed.replace('::/64', '::1')}/64`));
    assert.equal((await b.docker(['rm', '-f', 'def6'])).code, 0);
    await b.stopDaemon();
    assert.deepEqual(await leftoverRules(b.chainPrefix, 'ip6tables'), []);
  });
});

describe('IPv6 with --live-restore', () => {
  let b: Daemon | undefined;
  after(async () => {
    await b?.cleanup();
  });
  it('a running container keeps its IPv6 address, and its [::1] port answers again once berthd is back', async () => {
    b = await startDaemonWithBusybox(['--live-restore']);
    const y = Number(b.bip.split('.')[2]);
    const sub = `2001:db8:${y.toString(16)}:9::`;
    assert.equal((await b.docker(['network', 'create', '--ipv6', '--subnet', `${sub}/64`, 'lr6'])).code, 0);
    const port = await freePort();
    let r = await b.docker(['run', '-d', '--name', 'keep6', '--network', 'lr6', '-p', `[::1]:${port}:80`, 'busybox', ...httpdCmd('still here')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await fetchText(`http://[::1]:${port}/`), 'still here\n');
    const pid = (await b.docker(['inspect', '-f', '{{.State.Pid}}', 'keep6'])).stdout.trim();
    await b.kill9();
    await b.start();
    assert.equal((await b.docker(['inspect', '-f', '{{.State.Pid}}', 'keep6'])).stdout.trim(), pid, 'the same process, re-adopted');
    assert.equal(await fetchText(`http://[::1]:${port}/`), 'still here\n');
    const [c] = JSON.parse((await b.docker(['inspect', 'keep6'])).stdout);
    assert.equal(c.NetworkSettings.Networks.lr6.GlobalIPv6Address, `${sub}2`);
    // Its address stays taken: the next container gets another one.
    r = await b.docker(['run', '--rm', '--network', 'lr6', 'busybox', 'ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, new RegExp(`inet6 ${sub}2/`));
    assert.equal((await b.docker(['rm', '-f', 'keep6'])).code, 0);
    // (With --live-restore the chains stay at shutdown, IPv4's and IPv6's alike; cleanup() removes them.)
  });
});

const missing = dockerdMissing();
describe('IPv6 endpoint fields beside a private dockerd', { skip: missing ? `skipped: ${missing}` : false }, () => {
  let real: PrivateDockerd | undefined;
  let b: Daemon | undefined;
  after(async () => {
    await real?.stop();
    await b?.cleanup();
  });
  it('fills the same IPv6 fields with the same values for the same network and --ip6', async () => {
    real = await startPrivateDockerd();
    b = await startDaemonWithBusybox();
    const y = Number(b.bip.split('.')[2]);
    assert.equal((await real!.docker(['load', '-i', BUSYBOX_TAR])).code, 0);
    const subnet6 = `2001:db8:${y.toString(16)}:7::/64`;
    const subnet4 = `10.215.${await freeSubnet()}.0/24`;
    const endpoint = async (cli: (a: string[]) => Promise<{ code: number; stdout: string; stderr: string }>, bridge: string) => {
      let r = await cli(['network', 'create', '--ipv6', '--subnet', subnet6, '--subnet', subnet4, '-o', `com.docker.network.bridge.name=${bridge}`, 'cmp6']);
      assert.equal(r.code, 0, r.stderr);
      r = await cli(['create', '--name', 'cmp6c', '--network', 'cmp6', '--ip6', subnet6.replace('::/64', '::42'), 'busybox', 'sleep', '30']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await cli(['start', 'cmp6c'])).code, 0);
      const [c] = JSON.parse((await cli(['inspect', 'cmp6c'])).stdout);
      const [n] = JSON.parse((await cli(['network', 'inspect', 'cmp6'])).stdout);
      const ep = c.NetworkSettings.Networks.cmp6;
      const member = n.Containers[c.Id];
      await cli(['rm', '-f', 'cmp6c']);
      await cli(['network', 'rm', 'cmp6']);
      return {
        v6: [ep.GlobalIPv6Address, ep.GlobalIPv6PrefixLen, ep.IPv6Gateway, ep.IPAMConfig], member: member.IPv6Address,
        enable: n.EnableIPv6, config: n.IPAM.Config.map((x: { Subnet: string }) => x.Subnet).sort(),
      };
    };
    const ours = await endpoint((a) => b!.docker(a), `${b.bridge}6`.slice(-15));
    const theirs = await endpoint((a) => real!.docker(a), `${real!.bridge}6`);
    assert.deepEqual(ours, theirs);
  });
});
