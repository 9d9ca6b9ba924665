// macvlan networks, on a veth of the test's own: the parent is the host end of a veth pair whose
// other end lives in a network namespace standing in for the LAN.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Daemon, run, startDaemonWithBusybox, waitFor } from './harness.ts';
import { httpdCmd } from './network.test-helpers.ts';

let d: Daemon;
let ns: string;
let parent: string;
let x: number;
before(async () => {
  d = await startDaemonWithBusybox();
  const tag = d.chainPrefix.slice(2).toLowerCase();
  x = Number(d.bip.split('.')[2]);
  ns = `bt-mv-${tag}`;
  parent = `btmv${tag}`;
  d.netnsToRemove.add(ns);
  d.linksToRemove.add(parent);
  for (const args of [
    ['netns', 'add', ns],
    ['link', 'add', parent, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', ns],
    ['link', 'set', parent, 'up'],
    ['-n', ns, 'addr', 'add', `10.217.${x}.1/24`, 'dev', 'lan0'],
    ['-n', ns, 'link', 'set', 'lan0', 'up'],
    ['-n', ns, 'link', 'set', 'lo', 'up'],
  ]) {
    const r = await run('ip', args);
    assert.equal(r.code, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  }
});
after(async () => {
  await d?.cleanup();
});

describe('macvlan', () => {
  it('needs a parent that exists and a subnet', async () => {
    let r = await d.docker(['network', 'create', '-d', 'macvlan', '--subnet', `10.217.${x}.0/24`, '-o', 'parent=btnosuch0', 'mvbad']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /parent interface was not found/);
    r = await d.docker(['network', 'create', '-d', 'macvlan', '-o', `parent=${parent}`, 'mvbad']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /subnet/);
  });

  it('puts the container on the parent\'s segment, reachable from the other side', async () => {
    let r = await d.docker(['network', 'create', '-d', 'macvlan', '--subnet', `10.217.${x}.0/24`, '--gateway', `10.217.${x}.1`, '-o', `parent=${parent}`, 'lan']);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['run', '-d', '--name', 'mv', '--network', 'lan', '--ip', `10.217.${x}.20`, 'busybox', ...httpdCmd('on the lan')]);
    assert.equal(r.code, 0, r.stderr);
    r = await d.docker(['exec', 'mv', 'sh', '-c', 'ip -o -4 addr show eth0; ip route; ping -c1 -W2 10.217.' + x + '.1']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`inet 10\\.217\\.${x}\\.20/24`));
    assert.match(r.stdout, new RegExp(`default via 10\\.217\\.${x}\\.1`));
    await waitFor(async () => (await run('ip', ['netns', 'exec', ns, 'busybox', 'wget', '-qO-', `http://10.217.${x}.20/`])).stdout.includes('on the lan'), 'httpd over macvlan');
    assert.equal((await d.docker(['rm', '-f', 'mv'])).code, 0);
    assert.equal((await d.docker(['network', 'rm', 'lan'])).code, 0);
    assert.equal((await run('ip', ['link', 'show', parent])).code, 0, 'the parent stays');
  });
});
