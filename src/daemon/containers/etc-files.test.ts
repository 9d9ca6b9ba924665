import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESOLV_CONF_HEADER, buildHostsFile, buildResolvConf, buildResolvConfDetailed, canonicalIp, hostResolvConfPath,
  hostnameFile, parseExtraHost, parseResolvConf,
} from './etc-files.ts';

test('hostnameFile', () => {
  assert.equal(hostnameFile('3f4e5d6c7b8a'), '3f4e5d6c7b8a\n');
});

// ---- /etc/hosts ---------------------------------------------------------------------------

const DEFAULTS = '127.0.0.1\tlocalhost\n'
  + '::1\tlocalhost ip6-localhost ip6-loopback\n'
  + 'fe00::0\tip6-localnet\n'
  + 'ff00::0\tip6-mcastprefix\n'
  + 'ff02::1\tip6-allnodes\n'
  + 'ff02::2\tip6-allrouters\n';

test("hosts: Docker's default file for a bridge container", () => {
  assert.equal(buildHostsFile({ hostname: '3f4e5d6c7b8a', ips: ['172.17.0.2'] }), `${DEFAULTS}172.17.0.2\t3f4e5d6c7b8a\n`);
});

test('hosts: no IP (network none) means no own line', () => {
  assert.equal(buildHostsFile({ hostname: 'abc' }), DEFAULTS);
});

test('hosts: FQDN gets the bare hostname too', () => {
  assert.equal(buildHostsFile({ hostname: 'web', domainname: 'example.com', ips: ['10.0.0.5'] }),
    `${DEFAULTS}10.0.0.5\tweb.example.com web\n`);
  assert.equal(buildHostsFile({ hostname: 'db.internal', ips: ['10.0.0.6'] }), `${DEFAULTS}10.0.0.6\tdb.internal db\n`);
});

test('hosts: ExtraHosts come before the own line, ip then name', () => {
  const out = buildHostsFile({
    hostname: 'c1', ips: ['172.17.0.3', 'fd00::3'],
    extraHosts: ['somehost:162.242.195.82', 'v6host:[2001:db8::1]', 'plainv6:2001:db8::2', 'gw:host-gateway'],
    hostGatewayIps: ['172.17.0.1'],
  });
  assert.equal(out, DEFAULTS
    + '162.242.195.82\tsomehost\n'
    + '2001:db8::1\tv6host\n'
    + '2001:db8::2\tplainv6\n'
    + '172.17.0.1\tgw\n'
    + '172.17.0.3\tc1\n'
    + 'fd00::3\tc1\n');
});

test('hosts: host-gateway with two gateway addresses gives two lines', () => {
  const out = buildHostsFile({ hostname: 'c', extraHosts: ['host.docker.internal:host-gateway'], hostGatewayIps: ['172.17.0.1', 'fd00::1'] });
  assert.ok(out.endsWith('172.17.0.1\thost.docker.internal\nfd00::1\thost.docker.internal\n'));
});

test('hosts: host-gateway without a gateway address is an error', () => {
  assert.throws(() => buildHostsFile({ hostname: 'c', extraHosts: ['gw:host-gateway'] }), {
    message: 'unable to derive the IP value for host-gateway',
  });
});

test('hosts: IPv6 disabled drops every IPv6 line', () => {
  const out = buildHostsFile({ hostname: 'c', ips: ['172.17.0.2', 'fd00::2'], extraHosts: ['a:1.2.3.4', 'b:2001:db8::1'], ipv6: false });
  assert.equal(out, '127.0.0.1\tlocalhost\n1.2.3.4\ta\n172.17.0.2\tc\n');
});

test('hosts: host networking uses the host file as is, unless there are extra hosts', () => {
  const hostHosts = '127.0.0.1 localhost\n192.168.1.5 myhost\n';
  assert.equal(buildHostsFile({ hostname: 'myhost', hostNetwork: { hostHostsFile: hostHosts } }), hostHosts);
  assert.equal(buildHostsFile({ hostname: 'myhost', ips: ['192.168.1.5'], extraHosts: ['x:1.1.1.1'], hostNetwork: { hostHostsFile: hostHosts } }),
    `${DEFAULTS}1.1.1.1\tx\n`);
});

const extraHostCases: [string, { host: string; ip: string } | string][] = [
  ['a:1.2.3.4', { host: 'a', ip: '1.2.3.4' }],
  ['a:[::1]', { host: 'a', ip: '::1' }],
  ['a:::1', { host: 'a', ip: '::1' }],
  ['a:host-gateway', { host: 'a', ip: 'host-gateway' }],
  ['nocolon', 'bad format for add-host: "nocolon"'],
  [':1.2.3.4', 'bad format for add-host: ":1.2.3.4"'],
  ['a:notanip', 'invalid IP address in add-host: "notanip"'],
  ['a:', 'invalid IP address in add-host: ""'],
  ['a b:1.2.3.4', 'bad format for add-host: "a b:1.2.3.4"'],
];
for (const [entry, want] of extraHostCases) {
  test(`parseExtraHost(${JSON.stringify(entry)})`, () => {
    if (typeof want === 'string') assert.throws(() => parseExtraHost(entry), (e: any) => e.kind === 'InvalidParameter' && e.message === want);
    else assert.deepEqual(parseExtraHost(entry), want);
  });
}

// ---- /etc/resolv.conf ---------------------------------------------------------------------

const H = `${RESOLV_CONF_HEADER}\n\n`;

// Outputs from moby's resolvconf golden files (with Docker's header, which the daemon sets).
const resolvCases: [string, Parameters<typeof buildResolvConf>[0], string][] = [
  ['legacy: routable IPv4 only', { hostResolvConf: 'nameserver 10.0.0.1', mode: 'legacy' },
    "nameserver 10.0.0.1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n"],
  ['legacy: IPv4 and IPv6, ipv6 enabled', { hostResolvConf: 'nameserver 10.0.0.1\nnameserver fdb6:b8fe:b528::1', mode: 'legacy', ipv6: true },
    "nameserver 10.0.0.1\nnameserver fdb6:b8fe:b528::1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n"],
  ['legacy: IPv4 and IPv6, ipv6 disabled', { hostResolvConf: 'nameserver 10.0.0.1\nnameserver fdb6:b8fe:b528::1', mode: 'legacy' },
    "nameserver 10.0.0.1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n"],
  ['legacy: localhost only → Google defaults', { hostResolvConf: 'nameserver 127.0.0.53', mode: 'legacy' },
    "nameserver 8.8.8.8\nnameserver 8.8.4.4\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Used default nameservers.\n# Overrides: []\n"],
  ['legacy: localhost only, ipv6 → IPv6 defaults too', { hostResolvConf: 'nameserver 127.0.0.53\nnameserver ::1', mode: 'legacy', ipv6: true },
    "nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Used default nameservers.\n# Overrides: []\n"],
  ['legacy: localhost v4, routable v6, ipv6 enabled', { hostResolvConf: 'nameserver 127.0.0.53\nnameserver fd3e:2d1a:1f5a::1', mode: 'legacy', ipv6: true },
    "nameserver fd3e:2d1a:1f5a::1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n"],
  ['legacy: nameserver override is kept even if loopback', { hostResolvConf: 'nameserver 127.0.0.53', mode: 'legacy', dns: ['127.0.0.1', '::1'] },
    "nameserver 127.0.0.1\nnameserver ::1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: [nameservers]\n"],
  ['legacy: search, options and unknown lines are kept', {
    hostResolvConf: '# comment\n; other comment\n\nsomething unexpected\nnameserver 192.168.1.1\ndomain corp.example\nsearch a.example b.example\noptions ndots:1\noptions edns0\nunrecognised thing\n',
    mode: 'legacy',
  }, 'nameserver 192.168.1.1\nsearch a.example b.example\noptions ndots:1 edns0\nsomething unexpected\nunrecognised thing\n\n'
    + "# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n# Option ndots from: host\n"],
  ['legacy: overrides', { hostResolvConf: 'nameserver 1.2.3.4\nsearch invalid\noptions ndots:0', mode: 'legacy',
    dns: ['2.3.4.5', 'fdba:acdd:587c::53'], dnsSearch: ['com', 'invalid', 'example'], dnsOptions: ['ndots:1', 'edns0', 'trust-ad'] },
  'nameserver 2.3.4.5\nnameserver fdba:acdd:587c::53\nsearch com invalid example\noptions ndots:1 edns0 trust-ad\n\n'
    + "# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: [nameservers search options]\n# Option ndots from: override\n"],
  ['legacy: --dns-search . removes the search list', { hostResolvConf: 'nameserver 10.0.0.1\nsearch corp', mode: 'legacy', dnsSearch: ['.'] },
    "nameserver 10.0.0.1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: [search]\n"],
  ['legacy: invalid nameserver noted', { hostResolvConf: 'nameserver 1.2.3.4.5\nnameserver 10.0.0.1', mode: 'legacy' },
    "nameserver 10.0.0.1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Invalid nameservers: [1.2.3.4.5]\n# Overrides: []\n"],
  ['legacy: no host file at all', { hostResolvConf: undefined, mode: 'legacy' },
    "nameserver 8.8.8.8\nnameserver 8.8.4.4\n\n# Based on host file: '' (legacy)\n# Used default nameservers.\n# Overrides: []\n"],
  ['host: the host settings, loopback included', { hostResolvConf: 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan', mode: 'host' },
    "nameserver 127.0.0.53\nsearch lan\noptions edns0 trust-ad\n\n# Based on host file: '/etc/resolv.conf'\n# Overrides: []\n"],
  ['host: systemd source path', { hostResolvConf: 'nameserver 192.168.1.1', mode: 'host', sourcePath: '/run/systemd/resolve/resolv.conf' },
    "nameserver 192.168.1.1\n\n# Based on host file: '/run/systemd/resolve/resolv.conf'\n# Overrides: []\n"],
  ['internal: host servers are reached from the host namespace', { hostResolvConf: 'nameserver 192.168.65.7', mode: 'internal' },
    "nameserver 127.0.0.11\noptions ndots:0\n\n# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [host(192.168.65.7)]\n# Overrides: []\n# Option ndots from: internal\n"],
  ['internal: --dns servers are reached from the container', { hostResolvConf: 'nameserver 10.0.0.1', mode: 'internal', dns: ['127.0.0.53'] },
    "nameserver 127.0.0.11\noptions ndots:0\n\n# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [127.0.0.53]\n# Overrides: [nameservers]\n# Option ndots from: internal\n"],
  ['internal: a valid host ndots is kept', { hostResolvConf: 'nameserver 127.0.0.53\noptions ndots:1', mode: 'internal' },
    "nameserver 127.0.0.11\noptions ndots:1\n\n# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [host(127.0.0.53)]\n# Overrides: []\n# Option ndots from: host\n"],
  ['internal: invalid ndots values are replaced', { hostResolvConf: 'nameserver 8.8.8.8\noptions ndots:-1 foo:bar ndots ndots:', mode: 'internal' },
    "nameserver 127.0.0.11\noptions foo:bar ndots:0\n\n# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [host(8.8.8.8)]\n# Overrides: []\n# Option ndots from: internal\n"],
  ['internal: no nameservers at all', { hostResolvConf: '', mode: 'internal' },
    "nameserver 127.0.0.11\noptions ndots:0\n\n# Based on host file: '/etc/resolv.conf' (internal resolver)\n# NO EXTERNAL NAMESERVERS DEFINED\n# Overrides: []\n# Option ndots from: internal\n"],
];
for (const [name, opts, body] of resolvCases) {
  test(`resolv.conf ${name}`, () => assert.equal(buildResolvConf(opts), H + body));
}

test('resolv.conf: Docker never writes a loopback nameserver for a bridge container', () => {
  for (const host of ['nameserver 127.0.0.1', 'nameserver 127.1.2.3\nnameserver ::1', 'nameserver ::ffff:127.0.0.1']) {
    const out = buildResolvConf({ hostResolvConf: host, mode: 'legacy', ipv6: true });
    assert.doesNotMatch(out, /^nameserver (127\.|::1$|::ffff:127)/m, host);
  }
});

test('resolv.conf internal: extNameServers are returned for the DNS server', () => {
  const r = buildResolvConfDetailed({ hostResolvConf: 'nameserver 10.0.0.1\nnameserver fdb6:b8fe:b528::1', mode: 'internal' });
  assert.deepEqual(r.extNameServers, [{ addr: '10.0.0.1', hostLoopback: true }, { addr: 'fdb6:b8fe:b528::1', hostLoopback: true }]);
  const o = buildResolvConfDetailed({ hostResolvConf: '', mode: 'internal', dns: ['9.9.9.9'] });
  assert.deepEqual(o.extNameServers, [{ addr: '9.9.9.9', hostLoopback: false }]);
});

test('resolv.conf: a bad --dns address is refused', () => {
  assert.throws(() => buildResolvConf({ hostResolvConf: '', mode: 'legacy', dns: ['not-an-ip'] }), (e: any) => e.kind === 'InvalidParameter');
});

test('resolv.conf: CRLF host files parse like LF ones', () => {
  assert.equal(buildResolvConf({ hostResolvConf: 'nameserver 10.0.0.1\r\nsortlist 10.0.0.0\r\n', mode: 'legacy' }),
    `${H}nameserver 10.0.0.1\nsortlist 10.0.0.0\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n`);
});

test('parseResolvConf: last search wins, options accumulate', () => {
  const rc = parseResolvConf('search a\nsearch b c\noptions x\noptions y:1\nnameserver 1.1.1.1\nnameserver\n');
  assert.deepEqual(rc.search, ['b', 'c']);
  assert.deepEqual(rc.options, ['x', 'y:1']);
  assert.deepEqual(rc.nameServers, ['1.1.1.1']);
});

test('parseResolvConf bounds its input', () => {
  assert.throws(() => parseResolvConf('#'.repeat(2 << 20)), (e: any) => e.kind === 'InvalidParameter');
});

test('canonicalIp prints addresses like Go netip', () => {
  assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIp('2001:4860:4860:0:0:0:0:8888'), '2001:4860:4860::8888');
  assert.equal(canonicalIp('FDB6:B8FE:B528::1'), 'fdb6:b8fe:b528::1');
  assert.equal(canonicalIp('::ffff:127.0.0.1'), '::ffff:127.0.0.1');
  assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1%eth0');
  assert.equal(canonicalIp('1.2.3.4.5'), undefined);
  assert.equal(canonicalIp('010.0.0.1'), undefined);
  assert.equal(canonicalIp('1.2.3.4%eth0'), undefined);
});

test('hostResolvConfPath follows systemd-resolved like Docker', () => {
  assert.equal(hostResolvConfPath('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .'), '/run/systemd/resolve/resolv.conf');
  assert.equal(hostResolvConfPath('nameserver 127.0.0.53\nnameserver 10.0.0.1'), '/etc/resolv.conf');
  assert.equal(hostResolvConfPath('nameserver 10.0.0.1'), '/etc/resolv.conf');
  assert.equal(hostResolvConfPath(undefined), '/etc/resolv.conf');
});
