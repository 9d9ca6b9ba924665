// The default bridge and published ports, driven by the real docker CLI against a berthd that
// uses its own test bridge, subnet and iptables chain prefix (see harness.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { type Daemon, run, startDaemonWithBusybox, leftoverRules } from './harness.ts';
import { fetchFails, fetchText, httpdCmd, ipOf, pidOf, udpAsk, udpEchoInNetns } from './network.test-helpers.ts';
import { freePort } from './harness.ts';

let d: Daemon;
let gateway: string;
before(async () => {
  d = await startDaemonWithBusybox();
  gateway = d.bip.split('/')[0];
});
after(async () => {
  await d?.cleanup();
});

const bridgePorts = () => readdirSync(`/sys/class/net/${d.bridge}/brif`);

describe('default bridge', () => {
  it('gives a container eth0 with an address, a Docker MAC and default route', async () => {
    const r = await d.docker(['run', '--name', 'plain', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/address; ip -o link show lo; echo v6=$(ip -o -6 addr show eth0 | wc -l); ip -o -6 addr show lo']);
    assert.equal(r.code, 0, r.stderr);
    const ip = /inet (\S+)\//.exec(r.stdout)?.[1];
    assert.ok(ip, r.stdout);
    const prefix = d.bip.split('.').slice(0, 3).join('.');
    assert.ok(ip!.startsWith(`${prefix}.`), `${ip} in ${d.bip}`);
    assert.match(r.stdout, new RegExp(`default via ${gateway.replaceAll('.', '\\.')} dev eth0`));
    // dockerd 28: a random MAC in Docker's 02:42 prefix.
    assert.match(r.stdout, /^02:42:([0-9a-f]{2}:){3}[0-9a-f]{2}$/m);
    assert.match(r.stdout, /lo: <LOOPBACK,UP/);
    // IPv4-only network: eth0 has no IPv6 at all (as Docker's), lo keeps ::1.
    assert.match(r.stdout, /^v6=0$/m);
    assert.match(r.stdout, /inet6 ::1\/128/);
    // Once it exited: no address in inspect, the host veth is gone.
    const ins = JSON.parse((await d.docker(['inspect', 'plain'])).stdout)[0];
    assert.equal(ins.NetworkSettings.Networks.bridge.IPAddress, '');
    assert.equal(bridgePorts().length, 0);
    await d.docker(['rm', 'plain']);
  });

  it('shows the endpoint in container and network inspect while running', async () => {
    const r = await d.docker(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    const ins = JSON.parse((await d.docker(['inspect', 'sleeper'])).stdout)[0];
    const ep = ins.NetworkSettings.Networks.bridge;
    assert.equal(ep.Gateway, gateway);
    assert.equal(ep.IPPrefixLen, 24);
    assert.equal(ins.NetworkSettings.IPAddress, ep.IPAddress);
    assert.equal(ins.NetworkSettings.MacAddress, ep.MacAddress);
    assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
    const net = JSON.parse((await d.docker(['network', 'inspect', 'bridge'])).stdout)[0];
    assert.equal(ep.NetworkID, net.Id);
    assert.equal(net.Options['com.docker.network.bridge.name'], d.bridge);
    assert.deepEqual(net.IPAM.Config[0], { Subnet: `${d.bip.split('.').slice(0, 3).join('.')}.0/24`, Gateway: gateway });
    assert.equal(net.Containers[ins.Id].IPv4Address, `${ep.IPAddress}/24`);
    assert.equal(bridgePorts().length, 1);
    await d.docker(['rm', '-f', 'sleeper']);
    assert.equal(bridgePorts().length, 0);
  });

  it('--network none has only lo', async () => {
    const r = await d.docker(['run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split(/\s+/), ['lo']);
  });

  it('refuses a static --ip on the default bridge', async () => {
    const r = await d.docker(['run', '--rm', '--ip', '10.213.0.50', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /user specified IP address is supported on user defined networks only/);
  });
});

describe('published ports', () => {
  it('-p 127.0.0.1:PORT:80 and -p PORT:80 serve httpd to the host', async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    let r = await d.docker(['run', '-d', '--name', 'web1', '-p', `127.0.0.1:${p1}:80`, 'busybox', ...httpdCmd('hello one')]);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['run', '-d', '--name', 'web2', '-p', `${p2}:80`, 'busybox', ...httpdCmd('hello two')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await fetchText(`http://127.0.0.1:${p1}/`)).trim(), 'hello one');
    assert.equal((await fetchText(`http://127.0.0.1:${p2}/`)).trim(), 'hello two');
    // 0.0.0.0 also answers on the host's own address (the bridge gateway is one of them).
    assert.equal((await fetchText(`http://${gateway}:${p2}/`)).trim(), 'hello two');
    // The 127.0.0.1 binding is not published on other addresses.
    assert.ok(await fetchFails(`http://${gateway}:${p1}/`));
    r = await d.docker(['port', 'web1']);
    assert.equal(r.stdout.trim(), `80/tcp -> 127.0.0.1:${p1}`);
    r = await d.docker(['ps', '--filter', 'name=web2', '--format', '{{.Ports}}']);
    // With IPv6 on the host the binding is on [::] too, as dockerd 27+ shows it.
    assert.equal(r.stdout.trim(), `0.0.0.0:${p2}->80/tcp${existsSync('/proc/sys/net/ipv6') ? `, [::]:${p2}->80/tcp` : ''}`);
  });

  it('hairpin: a container reaches another one through the host address and its own published port', async () => {
    const p2 = Number((await d.docker(['port', 'web2', '80/tcp'])).stdout.trim().split(':').pop());
    let r = await d.docker(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${gateway}:${p2}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hello two');
    r = await d.docker(['exec', 'web2', 'wget', '-qO-', `http://${gateway}:${p2}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hello two');
  });

  it('a port already allocated fails the start cleanly', async () => {
    const p1 = Number((await d.docker(['port', 'web1', '80/tcp'])).stdout.trim().split(':').pop());
    const before = (await leftoverRules(d.chainPrefix)).length;
    const portsBefore = bridgePorts().length;
    const r = await d.docker(['run', '-d', '--name', 'clash', '-p', `127.0.0.1:${p1}:80`, 'busybox', 'sleep', '60']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`driver failed programming external connectivity on endpoint clash \\([0-9a-f]{64}\\): Bind for 127\\.0\\.0\\.1:${p1} failed: port is already allocated`));
    const st = JSON.parse((await d.docker(['inspect', 'clash'])).stdout)[0].State;
    assert.equal(st.Running, false);
    assert.equal(st.Status, 'created');
    assert.equal((await leftoverRules(d.chainPrefix)).length, before);
    assert.equal(bridgePorts().length, portsBefore);
    assert.equal((await d.docker(['rm', 'clash'])).code, 0);
  });

  it('-P publishes exposed ports on ephemeral host ports, shown by docker port', async () => {
    const r = await d.docker(['run', '-d', '--name', 'webp', '--expose', '80', '-P', 'busybox', ...httpdCmd('hello P')]);
    assert.equal(r.code, 0, r.stderr);
    const out = (await d.docker(['port', 'webp', '80'])).stdout.trim();
    const m = /^0\.0\.0\.0:(\d+)$/m.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m![1]) > 1024);
    assert.equal((await fetchText(`http://127.0.0.1:${m![1]}/`)).trim(), 'hello P');
  });

  it('-p ip::port takes an ephemeral port', async () => {
    const r = await d.docker(['run', '-d', '--name', 'webe', '-p', '127.0.0.1::80', 'busybox', ...httpdCmd('hello e')]);
    assert.equal(r.code, 0, r.stderr);
    const out = (await d.docker(['port', 'webe'])).stdout.trim();
    const m = /^80\/tcp -> 127\.0\.0\.1:(\d+)$/.exec(out);
    assert.ok(m, out);
    assert.equal((await fetchText(`http://127.0.0.1:${m![1]}/`)).trim(), 'hello e');
  });

  it('publishes UDP ports', async () => {
    const hostPort = await freePort();
    const r = await d.docker(['run', '-d', '--name', 'udp', '-p', `127.0.0.1:${hostPort}:5353/udp`, 'busybox', 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    const echo = udpEchoInNetns(await pidOf(d, 'udp'), 5353);
    try {
      await new Promise((res) => echo.stdout!.once('data', res));
      assert.equal(await udpAsk('127.0.0.1', hostPort, 'ping'), 'echo:ping');
    } finally {
      echo.kill('SIGKILL');
    }
    assert.equal((await d.docker(['port', 'udp'])).stdout.trim(), `5353/udp -> 127.0.0.1:${hostPort}`);
  });

  it('is reachable from another host (a netns joined by a veth pair) through DNAT', async () => {
    const p2 = Number((await d.docker(['port', 'web2', '80/tcp'])).stdout.trim().split(':').pop());
    const tag = d.chainPrefix.slice(2).toLowerCase();
    const ns = `bt-rm-${tag}`;
    const hostIf = `btrh${tag}`;
    const x = Number(d.bip.split('.')[2]);
    d.netnsToRemove.add(ns);
    d.linksToRemove.add(hostIf);
    const batch = async (args: string[]) => {
      const r = await run('ip', args);
      assert.equal(r.code, 0, `ip ${args.join(' ')}: ${r.stderr}`);
    };
    await batch(['netns', 'add', ns]);
    await batch(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await batch(['addr', 'add', `10.214.${x}.1/30`, 'dev', hostIf]);
    await batch(['link', 'set', hostIf, 'up']);
    await batch(['-n', ns, 'addr', 'add', `10.214.${x}.2/30`, 'dev', 'eth0']);
    await batch(['-n', ns, 'link', 'set', 'eth0', 'up']);
    const r = await run('ip', ['netns', 'exec', ns, 'busybox', 'wget', '-qO-', `http://10.214.${x}.1:${p2}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hello two');
    await run('ip', ['link', 'del', hostIf]);
    await run('ip', ['netns', 'del', ns]);
  });

  it('container:<name> mode shares the network namespace, lo included', async () => {
    const r = await d.docker(['run', '--rm', '--network', 'container:web1', 'busybox', 'wget', '-qO-', 'http://127.0.0.1:80/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hello one');
    const c = await d.docker(['create', '--network', 'container:web1', 'busybox', 'true']);
    const id = c.stdout.trim();
    const web1 = (await d.docker(['inspect', '-f', '{{.Id}}', 'web1'])).stdout.trim();
    assert.equal((await d.docker(['inspect', '-f', '{{.HostConfig.NetworkMode}}', id])).stdout.trim(), `container:${web1}`);
    await d.docker(['rm', id]);
  });

  it('--link writes the alias into /etc/hosts on the default bridge', async () => {
    const ip = await ipOf(d, 'web1');
    const r = await d.docker(['run', '--rm', '--link', 'web1:linked', 'busybox', 'sh', '-c', 'grep linked /etc/hosts; wget -qO- http://linked/']);
    assert.equal(r.code, 0, r.stderr);
    // moby's order: alias, the linked container's hostname, its name.
    assert.match(r.stdout, new RegExp(`^${ip.replaceAll('.', '\\.')}\\s+linked [0-9a-f]{12} web1$`, 'm'));
    assert.match(r.stdout, /hello one/);
  });

  it('removes the port rules when the containers go', async () => {
    const rules = await leftoverRules(d.chainPrefix);
    assert.ok(rules.some((l) => l.includes('DNAT')), rules.join('\n'));
    const r = await d.docker(['rm', '-f', 'web1', 'web2', 'webp', 'webe', 'udp']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!(await leftoverRules(d.chainPrefix)).some((l) => l.includes('DNAT')));
    assert.equal(bridgePorts().length, 0);
  });

  it('leaves no rule, chain or bridge after a daemon shutdown', async () => {
    await d.stopDaemon();
    assert.deepEqual(await leftoverRules(d.chainPrefix), []);
    assert.equal((await run('ip', ['link', 'show', d.bridge])).code, 1);
  });
});
