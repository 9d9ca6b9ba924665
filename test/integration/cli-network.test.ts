// `berth network ...` against the real `docker network ...` on the same berthd: exit codes,
// stdout (IDs normalised) and stderr ("docker" read as "berth") must match. Commands that
// change state run once per CLI on twin objects (dn* for docker, bn* for berth), and the
// resulting networks are compared through inspect.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemonWithBusybox, type Daemon, type RunResult } from './harness.ts';

function normalise(s: string): string {
  return s
    .replace(/docs\.docker\.com/g, 'DOCS')
    .replace(/docker/g, 'berth')
    .replace(/DOCS/g, 'docs.docker.com')
    .replace(/\b[0-9a-f]{64}\b/g, '<ID>')
    .replace(/\b[0-9a-f]{12}\b/g, '<SHORT>');
}

function assertSame(a: RunResult, b: RunResult, what: string): void {
  assert.deepEqual(
    { code: b.code, stdout: normalise(b.stdout), stderr: normalise(b.stderr) },
    { code: a.code, stdout: normalise(a.stdout), stderr: normalise(a.stderr) },
    what,
  );
}

describe('berth network commands match docker network', () => {
  let d: Daemon;
  let net24: string; // "10.216.X" of this daemon's test pool
  const same = async (args: string[], input?: string): Promise<RunResult> => {
    const a = await d.docker(args, { input });
    const b = await d.berth(args, { input });
    assertSame(a, b, args.join(' '));
    return a;
  };
  /** Runs `args(docker-name)` with docker and `args(berth-name)` with berth. */
  const twin = async (args: (name: string) => string[]): Promise<[RunResult, RunResult]> => {
    const a = await d.docker(args('dn'));
    const b = await d.berth(args('bn'));
    return [a, b];
  };

  before(async () => {
    d = await startDaemonWithBusybox();
    net24 = d.poolBase.split('.').slice(0, 3).join('.');
  });

  after(async () => {
    if (!d) return;
    await d.docker(['rm', '-f', 'netc1', 'netprobe', 'nettarget']);
    for (const n of ['dn', 'bn', 'dn2', 'bn2', 'pa', 'pb', 'dnsnet']) await d.docker(['network', 'rm', '-f', n]);
    await d.cleanup();
  });

  test('help texts', async () => {
    for (const verb of ['', 'ls', 'inspect', 'create', 'rm', 'connect', 'disconnect', 'prune']) {
      await same(['network', ...(verb ? [verb] : []), '--help']);
    }
  });

  test('ls and inspect of the predefined networks', async () => {
    await same(['network', 'ls']);
    await same(['network', 'list', '-q']);
    await same(['network', 'ls', '--no-trunc']);
    await same(['network', 'ls', '--format', 'json']);
    await same(['network', 'ls', '--format', '{{.Name}}|{{.Driver}}|{{.Scope}}|{{.Internal}}|{{.IPv4}}|{{.IPv6}}']);
    await same(['network', 'ls', '--format', 'table {{.Name}}\t{{.Driver}}']);
    await same(['network', 'ls', '-f', 'driver=null']);
    await same(['network', 'ls', '-f', 'name=bri', '-q']);
    await same(['network', 'ls', '-f', 'bad']);
    await same(['network', 'ls', 'extra']);
    await same(['network', 'inspect', 'bridge', 'none', 'host']);
    await same(['network', 'inspect', '--format', 'json', 'none']);
    await same(['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{json .IPAM.Config}}', 'bridge', 'host']);
    await same(['network', 'inspect', 'none', 'nosuchnet']);
    await same(['network', 'inspect', 'nosuchnet']);
    await same(['network', 'inspect', '-f', '{{.Name', 'none']);
    await same(['network', 'inspect']);
  });

  test('create: client-side checks and daemon errors', async () => {
    await same(['network', 'create', '--subnet', '10.0.0.0/8', '--gateway', '11.0.0.1', 'x']);
    await same(['network', 'create', '--gateway', '10.0.0.1', 'x']);
    await same(['network', 'create', '--subnet', '10.0.0.0/8', '--subnet', '10.1.0.0/16', 'x']);
    await same(['network', 'create', '--subnet', '10.0.0.0/8', '--ip-range', 'bad', 'x']);
    await same(['network', 'create', '--subnet', 'bad', '--gateway', '10.0.0.1', 'x']);
    await same(['network', 'create', '--subnet', '10.0.0.0/8', '--aux-address', 'a=11.0.0.1', 'x']);
    await same(['network', 'create', '--label', '=x', 'x']);
    await same(['network', 'create', '--ipv6=maybe', 'x']);
    await same(['network', 'create']);
    await same(['network', 'create', 'a', 'b']);
    await same(['network', 'create', 'bridge']);
  });

  test('create gives equivalent networks', async () => {
    // docker's network gets NET.192/28, berth's NET.208/28 (NET is this daemon's test /24).
    const offset = (n: string) => (n === 'dn' ? 192 : 208);
    const ip = (n: string, k: number) => `${net24}.${offset(n) + k}`;
    const [a, b] = await twin((n) => [
      'network', 'create', '--subnet', `${ip(n, 0)}/28`, '--gateway', ip(n, 14), '--ip-range', `${ip(n, 8)}/29`,
      '--aux-address', `host1=${ip(n, 2)}`, '--label', 'team=net', '--label', 'bare',
      '-o', 'com.docker.network.bridge.enable_icc=true', '--attachable', n,
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.match(a.stdout, /^[0-9a-f]{64}\n$/);
    assert.match(b.stdout, /^[0-9a-f]{64}\n$/);
    const [ia, ib] = await twin((n) => ['network', 'inspect', n]);
    // The same network but for its name, ID, creation time and addresses (shifted by the offset).
    const shape = (r: RunResult, n: string): string => {
      const [net] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      const { Id: _id, Created: _created, Name: _name, ...rest } = net;
      const escaped = net24.replaceAll('.', '\\.');
      return JSON.stringify(rest).replace(new RegExp(`${escaped}\\.(\\d+)`, 'g'), (_m, x: string) => `NET+${Number(x) - offset(n)}`);
    };
    assert.equal(shape(ib, 'bn'), shape(ia, 'dn'));
    assert.match(shape(ia, 'dn'), /"Subnet":"NET\+0\/28","IPRange":"NET\+8\/29","Gateway":"NET\+14","AuxiliaryAddresses":\{"host1":"NET\+2"\}/);
    await twin((n) => ['network', 'create', `${n}2`]);
    await same(['network', 'create', 'dn']);
    await same(['network', 'ls', '-f', 'label=team=net']);
    // {{.Labels}} is left out: docker joins a Go map, in random order.
    await same(['network', 'ls', '--format', '{{.Name}} {{.Label "team"}} {{.Label "bare"}}', '-f', 'name=dn']);
    await same(['network', 'inspect', '-f', '{{.Name}} {{.Attachable}} {{json .Labels}} {{json .Options}}', 'dn', 'bn']);
  });

  test('connect and disconnect a running container', async () => {
    const run = await d.docker(['run', '-d', '--name', 'netc1', 'busybox', 'sleep', '300']);
    assert.equal(run.code, 0, run.stderr);
    const [ca, cb] = await twin((n) => ['network', 'connect', '--alias', `${n}-alias`, '--ip', `${net24}.${n === 'dn' ? 201 : 217}`, n, 'netc1']);
    assert.deepEqual([ca.code, ca.stdout, ca.stderr], [0, '', '']);
    assert.deepEqual([cb.code, cb.stdout, cb.stderr], [0, '', '']);
    const nets = JSON.parse((await d.docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'netc1'])).stdout) as Record<string, { IPAddress: string; Aliases: string[] | null }>;
    assert.equal(nets.dn?.IPAddress, `${net24}.201`);
    assert.equal(nets.bn?.IPAddress, `${net24}.217`);
    assert.ok(nets.dn!.Aliases?.includes('dn-alias'));
    assert.ok(nets.bn!.Aliases?.includes('bn-alias'));
    await same(['network', 'connect', 'dn', 'netc1']); // already connected: same daemon error
    await same(['network', 'connect', 'dn', 'nosuchcontainer']);
    await same(['network', 'connect', 'nosuchnet', 'netc1']);
    await same(['network', 'connect', '--link', 'a:b:c', 'dn', 'netc1']);
    await same(['network', 'connect', '--driver-opt', 'novalue', 'dn', 'netc1']);
    await same(['network', 'connect', 'dn']);
    await same(['network', 'rm', 'dn', 'bn']); // both in use
    const [da, db] = await twin((n) => ['network', 'disconnect', n, 'netc1']);
    assert.deepEqual([da.code, da.stdout, da.stderr, db.code, db.stdout, db.stderr], [0, '', '', 0, '', '']);
    const after = JSON.parse((await d.docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'netc1'])).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(after).filter((k) => k === 'dn' || k === 'bn'), []);
    await same(['network', 'disconnect', 'dn', 'netc1']);
    await same(['network', 'disconnect', '-f', 'nosuchnet', 'netc1']);
    assert.equal((await d.docker(['rm', '-f', 'netc1'])).code, 0);
  });

  test('names on a network follow berth network connect and disconnect', async () => {
    // An --internal network: its DNS server has no upstreams, so no query ever leaves the host.
    assert.equal((await d.docker(['network', 'create', '--internal', 'dnsnet'])).code, 0);
    assert.equal((await d.docker(['run', '-d', '--name', 'netprobe', '--network', 'dnsnet', 'busybox', 'sleep', '300'])).code, 0);
    assert.equal((await d.docker(['run', '-d', '--name', 'nettarget', 'busybox', 'sleep', '300'])).code, 0);
    try {
      const c = await d.berth(['network', 'connect', '--alias', 'tgt-alias', 'dnsnet', 'nettarget']);
      assert.deepEqual([c.code, c.stderr], [0, '']);
      const ip = (await d.docker(['inspect', '-f', '{{.NetworkSettings.Networks.dnsnet.IPAddress}}', 'nettarget'])).stdout.trim();
      assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
      for (const name of ['nettarget.', 'TGT-ALIAS.']) {
        const r = await d.docker(['exec', 'netprobe', 'nslookup', name]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`Address: ${ip.replaceAll('.', '\\.')}\\n`), name);
      }
      const ptr = await d.docker(['exec', 'netprobe', 'nslookup', ip]);
      assert.match(ptr.stdout, /name = nettarget\.dnsnet/);
      const dc = await d.berth(['network', 'disconnect', 'dnsnet', 'nettarget']);
      assert.deepEqual([dc.code, dc.stderr], [0, '']);
      const gone = await d.docker(['exec', 'netprobe', 'nslookup', 'nettarget.']);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stdout + gone.stderr, /NXDOMAIN/);
    } finally {
      await d.docker(['rm', '-f', 'netprobe', 'nettarget']);
      await d.docker(['network', 'rm', 'dnsnet']);
    }
  });

  test('rm', async () => {
    await same(['network', 'rm', 'nosuchnet']);
    await same(['network', 'rm', '-f', 'nosuchnet']);
    await same(['network', 'rm']);
    const [a, b] = await twin((n) => ['network', 'rm', n, 'nosuchnet', `${n}2`]);
    assert.equal(normalise(b.stdout), normalise(a.stdout).replaceAll('dn', 'bn'));
    assertSame(a, { ...b, stdout: a.stdout }, 'rm with one missing network');
    assert.equal(a.code, 1);
    await same(['network', 'ls']);
  });

  test('prune', async () => {
    await same(['network', 'prune', '-f']); // nothing to prune
    await same(['network', 'prune', '-f', '--filter', 'bad']);
    for (const n of ['pa', 'pb']) assert.equal((await d.docker(['network', 'create', n])).code, 0);
    await same(['network', 'prune'], 'n\n'); // declined: nothing removed
    await same(['network', 'prune'], 'yes\n'); // docker 28 takes only "y"
    await same(['network', 'prune', '-f', '--filter', 'label=nosuchlabel']);
    const b = await d.berth(['network', 'prune'], { input: 'y\n' });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, 'WARNING! This will remove all custom networks not used by at least one container.\n' +
      'Are you sure you want to continue? [y/N] Deleted Networks:\npa\npb\n\n');
    await same(['network', 'ls']);
  });
});
