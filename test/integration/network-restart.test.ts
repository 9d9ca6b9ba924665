// Published ports across a kill -9 of berthd: re-adopted with --live-restore, recreated by the
// restart policy without it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { type Daemon, startDaemonWithBusybox, leftoverRules } from './harness.ts';
import { fetchText, httpdCmd } from './network.test-helpers.ts';
import { freePort } from './harness.ts';

const daemons: Daemon[] = [];
after(async () => {
  for (const d of daemons) await d.cleanup();
});

describe('kill -9 of berthd', () => {
  it('with --live-restore the container stays reachable on its published port', async () => {
    const d = await startDaemonWithBusybox(['--live-restore']);
    daemons.push(d);
    const port = await freePort();
    const r = await d.docker(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, 'busybox', ...httpdCmd('still here')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`)).trim(), 'still here');
    const ip = (await d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'web'])).stdout.trim();
    assert.equal((await d.docker(['network', 'create', 'keep'])).code, 0);
    assert.equal((await d.docker(['run', '-d', '--name', 'named', '--network', 'keep', 'busybox', 'sleep', '120'])).code, 0);
    const namedIp = (await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "keep").IPAddress}}', 'named'])).stdout.trim();
    await d.kill9();
    // The rules stay in the kernel while the daemon is down.
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`)).trim(), 'still here');
    await d.start();
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`)).trim(), 'still here');
    assert.equal((await d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'web'])).stdout.trim(), ip);
    assert.equal((await d.docker(['port', 'web'])).stdout.trim(), `80/tcp -> 127.0.0.1:${port}`);
    // The user-defined network and its name service came back with the daemon.
    const look = await d.docker(['run', '--rm', '--network', 'keep', 'busybox', 'nslookup', 'named']);
    assert.ok(look.stdout.includes(namedIp), look.stdout + look.stderr);
    assert.equal((await d.docker(['rm', '-f', 'named'])).code, 0);
    // The address stays taken: a new container gets another one.
    const other = await d.docker(['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    assert.ok(!other.stdout.includes(`inet ${ip}/`), other.stdout);
    // The port stays reserved by the new daemon.
    const clash = await d.docker(['run', '-d', '-p', `127.0.0.1:${port}:80`, 'busybox', 'true']);
    assert.match(clash.stderr, /port is already allocated/);
    assert.equal((await d.docker(['rm', '-f', 'web'])).code, 0);
    assert.ok(!(await leftoverRules(d.chainPrefix)).some((l) => l.includes('DNAT')));
  });

  it('without live-restore a restart=always container comes back with its ports', async () => {
    const d = await startDaemonWithBusybox();
    daemons.push(d);
    const port = await freePort();
    const r = await d.docker(['run', '-d', '--name', 'web', '--restart', 'always', '-p', `${port}:80`, 'busybox', ...httpdCmd('back again')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`)).trim(), 'back again');
    const pid = (await d.docker(['inspect', '-f', '{{.State.Pid}}', 'web'])).stdout.trim();
    await d.kill9();
    await d.start();
    const newPid = (await d.docker(['inspect', '-f', '{{.State.Pid}}', 'web'])).stdout.trim();
    assert.notEqual(newPid, pid);
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`)).trim(), 'back again');
    // With IPv6 on the host the binding is on [::] too, as dockerd 27+ shows it.
    const v6 = existsSync('/proc/sys/net/ipv6') ? `\n80/tcp -> [::]:${port}` : '';
    assert.equal((await d.docker(['port', 'web'])).stdout.trim(), `80/tcp -> 0.0.0.0:${port}${v6}`);
    await d.stopDaemon();
    assert.deepEqual(await leftoverRules(d.chainPrefix), []);
  });
});
