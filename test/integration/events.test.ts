// docker events: one scenario that touches every action family (containers, execs, images,
// networks, volumes, the daemon's reload), run on berthd and, when one can be started, on a
// private dockerd; the events each daemon reports are compared, their attributes checked, and
// the --filter keys (type, scope, label, network, volume, daemon, event, container, image) and
// since/until give the same answers on both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUSYBOX_TAR, startDaemonWithBusybox, type Daemon, type RunResult } from './harness.ts';
import { dockerdMissing, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';

type Cli = (args: string[], opts?: { input?: string }) => Promise<RunResult>;

interface Target {
  docker: Cli;
  socket: string;
  pid: number;
  since: number;
  until: number;
  /** The scenario's events, parsed. */
  events: Ev[];
}

interface Ev {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

function api(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: socket, method, path, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Attaches with the upgrade hijack, sends the detach keys, and resolves when the daemon closes the stream. */
function attachAndDetach(socket: string, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('detach keys did not end the attach'));
    }, 10_000);
    let upgraded = false;
    s.on('connect', () => s.write(`POST /containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-a,a HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`));
    s.on('data', (d) => {
      if (!upgraded && String(d).includes('101')) {
        upgraded = true;
        s.write('\x01a');
      }
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Every action family once; names are ev-*. Returns the scenario's time window. */
async function scenario(docker: Cli, socket: string, pid: number): Promise<{ since: number; until: number }> {
  const must = async (args: string[], opts?: { input?: string }, code = 0) => {
    const r = await docker(args, opts);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const tmp = mkdtempSync('/tmp/bt-ev-');
  const since = Math.floor(Date.now() / 1000) - 1;
  try {
    await must(['network', 'create', 'ev-net']);
    await must(['volume', 'create', 'ev-vol']);
    await must(['run', '-d', '--name', 'ev-c', '--label', 'evl=1', '--network', 'ev-net', '-v', 'ev-vol:/data', 'busybox', 'sleep', '600']);
    await must(['top', 'ev-c']);
    await must(['pause', 'ev-c']);
    await must(['unpause', 'ev-c']);
    await must(['rename', 'ev-c', 'ev-c2']);
    await must(['update', '--cpu-shares', '512', 'ev-c2']);
    await must(['exec', 'ev-c2', 'sh', '-c', 'exit 2'], undefined, 2);
    await must(['cp', 'ev-c2:/etc/hostname', join(tmp, 'h')]);
    writeFileSync(join(tmp, 'f'), 'x');
    await must(['cp', join(tmp, 'f'), 'ev-c2:/tmp/f']);
    await must(['export', '-o', join(tmp, 'exp.tar'), 'ev-c2']);
    await must(['commit', '-m', 'msg', 'ev-c2', 'ev-img:1']);
    await must(['kill', '-s', 'USR1', 'ev-c2']);
    await must(['network', 'disconnect', 'ev-net', 'ev-c2']);
    await must(['network', 'connect', 'ev-net', 'ev-c2']);
    await must(['restart', '-t', '0', 'ev-c2']);
    await must(['stop', '-t', '0', 'ev-c2']);
    await must(['rm', 'ev-c2']);
    await must(['run', '--rm', '--name', 'ev-a', 'busybox', 'true']);
    const t = await must(['run', '-d', '-t', '-i', '--name', 'ev-t', 'busybox', 'sleep', '600']);
    assert.equal((await api(socket, 'POST', `/containers/${t}/resize?h=40&w=100`)).status, 200);
    await attachAndDetach(socket, t);
    await must(['rm', '-f', 'ev-t']);
    await must(['tag', 'ev-img:1', 'ev-img:2']);
    await must(['rmi', 'ev-img:2']);
    await must(['save', '-o', join(tmp, 'img.tar'), 'ev-img:1']);
    await must(['rmi', 'ev-img:1']);
    await must(['load', '-i', join(tmp, 'img.tar')]);
    await must(['import', join(tmp, 'exp.tar'), 'ev-imp:1']);
    await must(['rmi', 'ev-imp:1', 'ev-img:1']);
    await must(['image', 'prune', '-f']);
    await must(['container', 'prune', '-f']);
    await must(['network', 'rm', 'ev-net']);
    await must(['network', 'prune', '-f']);
    await must(['volume', 'rm', 'ev-vol']);
    await must(['volume', 'prune', '-f']);
    const before = (await docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=daemon', '--format', '{{.Action}}'])).stdout;
    process.kill(pid, 'SIGHUP');
    // The reload event is what tells us the reload is done.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const now = (await docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=daemon', '--format', '{{.Action}}'])).stdout;
      if (now.split('\n').filter((l) => l === 'reload').length > before.split('\n').filter((l) => l === 'reload').length) break;
      if (Date.now() > deadline) throw new Error('no daemon reload event after SIGHUP');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // until is exclusive of nothing after the scenario: the next second.
  await new Promise((r) => setTimeout(r, 1100));
  return { since, until: Math.floor(Date.now() / 1000) };
}

async function eventsOf(t: Pick<Target, 'docker' | 'since' | 'until'>, filters: string[] = []): Promise<Ev[]> {
  const r = await t.docker(['events', '--since', String(t.since), '--until', String(t.until), ...filters.flatMap((f) => ['--filter', f]), '--format', '{{json .}}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev);
}

/**
 * One event as compared across daemons: type, action and attribute keys (values where they are
 * deterministic), no ids. Dropped on purpose, each a documented difference (docs/events.md):
 * dockerd mounts a running container's volumes again for cp (volume mount/unmount around
 * archive-path and extract-to-dir), dockerd 20.10 reports a second network disconnect on
 * `network disconnect`, and die's execDuration is newer than the dockerd installed here.
 */
function comparable(events: Ev[]): string[] {
  return events
    .filter((e) => !(e.Type === 'volume' && (e.Action === 'mount' || e.Action === 'unmount')))
    .filter((e) => !(e.Type === 'network' && e.Action === 'disconnect'))
    .filter((e) => e.Type !== 'daemon')
    .map((e) => {
      const attrs = Object.entries(e.Actor.Attributes)
        .filter(([k]) => k !== 'execDuration')
        .map(([k, v]) => (['exitCode', 'signal', 'name', 'image', 'evl', 'height', 'width', 'oldName', 'driver', 'type', 'comment', 'reclaimed'].includes(k) && !v.startsWith('sha256:') ? `${k}=${v}` : k))
        .sort();
      return `${e.Type} ${e.Action} ${attrs.join(',')} ${e.scope}`;
    });
}

let berth: Daemon | undefined;
let dockerd: PrivateDockerd | undefined;
const targets: { berth?: Target; dockerd?: Target } = {};

before(async () => {
  berth = await startDaemonWithBusybox([]);
  const b = berth;
  const bw = await scenario((a, o) => b.docker(a, o), b.socket, b.pid!);
  targets.berth = { docker: (a, o) => b.docker(a, o), socket: b.socket, pid: b.pid!, ...bw, events: [] };
  targets.berth.events = await eventsOf(targets.berth);
});

after(async () => {
  await berth?.cleanup();
  await dockerd?.stop();
});

const find = (events: Ev[], type: string, action: string, name?: string) =>
  events.filter((e) => e.Type === type && e.Action.startsWith(action) && (name === undefined || e.Actor.Attributes.name === name));

describe('berthd events', () => {
  test('every container action with its attributes', () => {
    const ev = targets.berth!.events;
    for (const e of ev) {
      assert.equal(e.scope, 'local');
      assert.equal(e.time, Math.floor(e.timeNano / 1e9));
    }
    const container = (action: string, name: string) => {
      const found = find(ev, 'container', action, name);
      assert.ok(found.length > 0, `container ${action} of ${name} in ${ev.map((e) => `${e.Type} ${e.Action}`).join('\n')}`);
      return found[0];
    };
    for (const a of ['create', 'start', 'top', 'pause', 'unpause']) {
      const e = container(a, 'ev-c');
      assert.equal(e.Actor.Attributes.image, 'busybox');
      assert.equal(e.Actor.Attributes.evl, '1');
      assert.equal(e.status, a);
      assert.equal(e.from, 'busybox');
      assert.match(e.id!, /^[0-9a-f]{64}$/);
    }
    assert.equal(container('rename', 'ev-c2').Actor.Attributes.oldName, '/ev-c');
    for (const a of ['update', 'archive-path', 'extract-to-dir', 'export', 'stop', 'restart', 'destroy']) container(a, 'ev-c2');
    const commit = container('commit', 'ev-c2').Actor.Attributes;
    assert.equal(commit.comment, 'msg');
    assert.equal(commit.imageRef, 'ev-img:1');
    assert.match(commit.imageID, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(find(ev, 'container', 'kill', 'ev-c2').map((e) => e.Actor.Attributes.signal), ['10', '15', '9', '15', '9']);
    const dies = find(ev, 'container', 'die', 'ev-c2');
    assert.equal(dies.length, 2);
    for (const d of dies) {
      assert.equal(d.Actor.Attributes.exitCode, '137');
      assert.match(d.Actor.Attributes.execDuration, /^\d+$/);
    }
    assert.equal(container('exec_create', 'ev-c2').Action, 'exec_create: sh -c exit 2');
    assert.equal(container('exec_start', 'ev-c2').Action, 'exec_start: sh -c exit 2');
    const execDie = container('exec_die', 'ev-c2').Actor.Attributes;
    assert.equal(execDie.exitCode, '2');
    assert.match(execDie.execID, /^[0-9a-f]{64}$/);
    container('attach', 'ev-a');
    assert.equal(container('die', 'ev-a').Actor.Attributes.exitCode, '0');
    const resize = container('resize', 'ev-t').Actor.Attributes;
    assert.equal(resize.height, '40');
    assert.equal(resize.width, '100');
    container('detach', 'ev-t');
    assert.deepEqual(find(ev, 'container', 'kill', 'ev-t').map((e) => e.Actor.Attributes.signal), ['9']);
    assert.equal(find(ev, 'container', 'prune')[0].Actor.Attributes.reclaimed, '0');
  });

  test('network, volume, image and daemon events with their attributes', () => {
    const ev = targets.berth!.events;
    const netCreate = find(ev, 'network', 'create', 'ev-net')[0];
    assert.deepEqual(netCreate.Actor.Attributes, { name: 'ev-net', type: 'bridge' });
    const connect = find(ev, 'network', 'connect', 'ev-net');
    assert.ok(connect.length >= 2);
    assert.deepEqual(Object.keys(connect[0].Actor.Attributes), ['container', 'name', 'type']);
    assert.equal(connect[0].Actor.Attributes.container, find(ev, 'container', 'create', 'ev-c')[0].Actor.ID);
    assert.ok(find(ev, 'network', 'disconnect', 'ev-net').length >= 2);
    assert.ok(find(ev, 'network', 'destroy', 'ev-net').length === 1);
    assert.equal(find(ev, 'network', 'prune')[0].Actor.Attributes.reclaimed, '0');

    const vol = ev.filter((e) => e.Type === 'volume' && e.Actor.ID === 'ev-vol');
    assert.deepEqual(vol.filter((e) => e.Action === 'create').map((e) => e.Actor.Attributes), [{ driver: 'local' }, { driver: 'local' }]);
    const mount = vol.find((e) => e.Action === 'mount')!;
    assert.deepEqual(mount.Actor.Attributes, {
      container: find(ev, 'container', 'create', 'ev-c')[0].Actor.ID, destination: '/data', driver: 'local', propagation: '', 'read/write': 'true',
    });
    assert.deepEqual(Object.keys(vol.find((e) => e.Action === 'unmount')!.Actor.Attributes), ['container', 'driver']);
    assert.deepEqual(vol.find((e) => e.Action === 'destroy')!.Actor.Attributes, { driver: 'local' });
    assert.equal(find(ev, 'volume', 'prune')[0].Actor.Attributes.reclaimed, '0');

    const image = (action: string) => ev.filter((e) => e.Type === 'image' && e.Action === action);
    // Tag and untag carry the image's labels (LABEL evl=1 came from the container's config) while it exists.
    assert.deepEqual(image('tag').map((e) => e.Actor.Attributes.name), ['ev-img:1', 'ev-img:2', 'ev-imp:1']);
    assert.equal(image('tag')[0].Actor.Attributes.evl, '1');
    assert.equal(image('untag')[0].Actor.Attributes.evl, '1');
    for (const a of ['save', 'load', 'import', 'delete']) assert.ok(image(a).length > 0, `image ${a}`);
    assert.equal(image('delete').at(-1)!.Actor.Attributes.evl, undefined);
    assert.equal(image('prune')[0].Actor.Attributes.reclaimed, '0');
    assert.equal(image('tag')[0].status, 'tag');

    const reload = ev.filter((e) => e.Type === 'daemon' && e.Action === 'reload');
    assert.equal(reload.length, 1);
    const attrs = reload[0].Actor.Attributes;
    assert.equal(attrs.name, hostname());
    assert.equal(attrs.debug, 'true');
    assert.equal(attrs['live-restore'], 'false');
    assert.equal(attrs['default-runtime'], 'runc');
    assert.match(attrs.runtimes, /^runc:\//);
    assert.equal(attrs['registry-mirrors'], '[]');
    assert.equal(reload[0].status, undefined);
  });

  test('filters: type, scope, event, label, container, image, network, volume, daemon', async () => {
    const t = targets.berth!;
    const all = t.events;
    const only = async (filters: string[]) => (await eventsOf(t, filters)).map((e) => `${e.Type} ${e.Action}`);
    assert.deepEqual(await only(['type=network']), all.filter((e) => e.Type === 'network').map((e) => `${e.Type} ${e.Action}`));
    assert.deepEqual((await only(['scope=local'])).length, all.length);
    assert.deepEqual(await only(['scope=swarm']), []);
    assert.deepEqual(await only(['event=die', 'label=evl=1']), ['container die', 'container die']);
    assert.deepEqual(await only(['event=exec_start']), ['container exec_start: sh -c exit 2']);
    assert.ok((await only(['container=ev-c2'])).includes('container destroy'));
    assert.ok((await only(['image=ev-img:1'])).includes('image tag'));
    const net = await eventsOf(t, ['network=ev-net']);
    assert.ok(net.length > 0 && net.every((e) => e.Type === 'network'));
    const vol = await eventsOf(t, ['volume=ev-vol']);
    assert.ok(vol.length > 0 && vol.every((e) => e.Type === 'volume' && e.Actor.ID === 'ev-vol'));
    assert.deepEqual(await only([`daemon=${hostname()}`]), ['daemon reload']);
    assert.deepEqual(await only(['type=daemon', 'event=reload']), ['daemon reload']);
    const bad = await t.docker(['events', '--since', String(t.since), '--until', String(t.until), '--filter', 'bogus=1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid filter 'bogus'/);
  });
});

describe('berthd events against a private dockerd', { skip: dockerdMissing() }, () => {
  before(async () => {
    dockerd = await startPrivateDockerd();
    const d = dockerd!;
    const r = await d.docker(['load', '-i', BUSYBOX_TAR]);
    assert.equal(r.code, 0, r.stderr);
    const window = await scenario((a, o) => d.docker(a, o), d.host.slice('unix://'.length), d.pid);
    targets.dockerd = { docker: (a, o) => d.docker(a, o), socket: d.host.slice('unix://'.length), pid: d.pid, ...window, events: [] };
    targets.dockerd.events = (await eventsOf(targets.dockerd)).filter((e) => !(e.Type === 'image' && e.Action === 'load' && !e.Actor.Attributes.evl));
  });

  test('the same events, in the same order, with the same attributes', () => {
    // The busybox load before the scenario is outside both windows on berth; on dockerd it was dropped above.
    const b = comparable(targets.berth!.events.filter((e) => !(e.Type === 'image' && e.Action === 'load' && !e.Actor.Attributes.evl)));
    const d = comparable(targets.dockerd!.events);
    // dockerd publishes a container's network connect before its volume mount at start; berth after
    // (the mounts are made first): compare each container's start as a set.
    assert.ok(b.length > 50, `only ${b.length} events`);
    assert.deepEqual([...b].sort(), [...d].sort());
    assert.deepEqual(b.filter((l) => l.startsWith('container ')), d.filter((l) => l.startsWith('container ')));
  });

  test('the filters select the same events on both', async () => {
    const sets = [
      ['type=container'], ['type=image'], ['type=network'], ['type=volume'], ['event=die'], ['event=exec_die'], ['event=kill', 'label=evl=1'],
      ['label=evl'], ['container=ev-c2'], ['container=ev-a'], ['image=busybox'], ['image=ev-img:1'], ['network=ev-net'], ['volume=ev-vol'],
      ['scope=local', 'type=container', 'event=destroy'], ['type=container', 'type=network', 'event=create'],
    ];
    for (const f of sets) {
      const b = comparable(await eventsOf(targets.berth!, f)).filter((l) => !l.startsWith('image load name'));
      const d = comparable(await eventsOf(targets.dockerd!, f)).filter((l) => !l.startsWith('image load name'));
      assert.deepEqual([...b].sort(), [...d].sort(), `--filter ${f.join(' --filter ')}`);
    }
  });
});
