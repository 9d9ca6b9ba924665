import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventBus, encodeEvent, eventMatches, eventTimeNano, parseEventFilterKeys, stripTag, validateEventFilters,
} from './events.ts';
import type { EventInput, EventMessage } from './events.ts';

/** A controllable clock: ns since the epoch. */
function fakeClock(start = 1_700_000_000_000_000_000n) {
  let now = start;
  return { clock: () => now, set: (ns: bigint) => { now = ns; }, advance: (ns: bigint) => { now += ns; } };
}

const ctr = (action: string, id = 'c1', attrs: Record<string, string> = {}): EventInput =>
  ({ Type: 'container', Action: action, Actor: { ID: id, Attributes: attrs } });

async function collect(it: AsyncIterable<EventMessage>, max = Infinity): Promise<EventMessage[]> {
  const out: EventMessage[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

const noFilters = () => new Map<string, string[]>();

test('publish stamps scope, time, timeNano and the legacy fields', () => {
  const c = fakeClock(1_700_000_123_456_789_000n);
  const bus = new EventBus({ clock: c.clock });
  const m = bus.publish(ctr('start', 'abc', { image: 'busybox', name: 'web' }));
  assert.deepEqual(m, {
    status: 'start', id: 'abc', from: 'busybox', Type: 'container', Action: 'start',
    Actor: { ID: 'abc', Attributes: { image: 'busybox', name: 'web' } },
    scope: 'local', time: 1_700_000_123, timeNano: 1_700_000_123_456_789_000,
  });
  // Docker's JSON field order.
  assert.deepEqual(Object.keys(m), ['status', 'id', 'from', 'Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);

  const img = bus.publish({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox:latest', Attributes: { name: 'busybox' } } });
  assert.equal(img.status, 'pull');
  assert.equal(img.id, 'busybox:latest');
  assert.equal('from' in img, false);

  const net = bus.publish({ Type: 'network', Action: 'create', Actor: { ID: 'n1', Attributes: { name: 'b', type: 'bridge' } } });
  assert.deepEqual(Object.keys(net), ['Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
  // Container without an image attribute: no "from".
  assert.equal('from' in bus.publish(ctr('prune', '')), false);
});

test('stamps are strictly increasing even when the clock stands still', () => {
  const c = fakeClock();
  const bus = new EventBus({ clock: c.clock });
  const a = bus.publish(ctr('a'));
  const b = bus.publish(ctr('b'));
  assert.equal(eventTimeNano(b) - eventTimeNano(a), 1n);
  assert.ok(b.timeNano >= a.timeNano);
});

test('encodeEvent writes the exact timeNano digits', () => {
  const c = fakeClock(1_700_000_000_123_456_789n);
  const bus = new EventBus({ clock: c.clock });
  const m = bus.publish(ctr('start', 'x', { image: 'busybox' }));
  const json = encodeEvent(m);
  assert.match(json, /"time":1700000000,"timeNano":1700000000123456789}$/);
  const parsed = JSON.parse(json);
  assert.equal(parsed.Action, 'start');
  assert.equal(parsed.from, 'busybox');
  // JSON.stringify alone would have rounded it.
  assert.notEqual(JSON.stringify(m.timeNano), '1700000000123456789');
});

test('since=<a timeNano seen by the client> resumes exactly there', async () => {
  const c = fakeClock(1_700_000_000_123_456_789n);
  const bus = new EventBus({ clock: c.clock });
  bus.publish(ctr('e1'));
  const e2 = bus.publish(ctr('e2'));
  bus.publish(ctr('e3'));
  c.advance(1_000_000n);
  const since = BigInt(JSON.parse(encodeEvent(e2).replace(/"timeNano":(\d+)/, '"timeNano":"$1"')).timeNano);
  assert.equal(since, eventTimeNano(e2));
  const it = bus.subscribe({ since, until: since + 1n, filters: noFilters(), signal: new AbortController().signal });
  assert.deepEqual((await collect(it)).map((e) => e.Action), ['e2', 'e3']);
});

test('publishing copies the attributes', () => {
  const bus = new EventBus();
  const attrs = { name: 'x' };
  const m = bus.publish(ctr('start', 'c', attrs));
  attrs.name = 'changed';
  assert.equal(m.Actor.Attributes.name, 'x');
});

test('the ring buffer keeps the newest events (1000 by default)', () => {
  const bus = new EventBus();
  for (let i = 0; i < 1010; i++) bus.publish(ctr(`action_${i}`));
  const buffered = bus.buffered();
  assert.equal(buffered.length, 1000);
  assert.equal(buffered[0].Action, 'action_10');
  assert.equal(buffered[999].Action, 'action_1009');

  const small = new EventBus({ capacity: 3 });
  for (let i = 0; i < 5; i++) small.publish(ctr(`a${i}`));
  assert.deepEqual(small.buffered().map((e) => e.Action), ['a2', 'a3', 'a4']);
});

test('without since/until only new events stream, until aborted', async () => {
  const bus = new EventBus();
  bus.publish(ctr('old'));
  const ac = new AbortController();
  const it = bus.subscribe({ filters: noFilters(), signal: ac.signal });
  assert.equal(bus.subscriberCount, 1);
  bus.publish(ctr('new1'));
  bus.publish(ctr('new2'));
  const first = await it.next();
  assert.equal(first.value?.Action, 'new1');
  const pending = it.next();
  ac.abort();
  // Queued events are still delivered, then the stream ends.
  assert.equal((await pending).value?.Action, 'new2');
  assert.equal((await it.next()).done, true);
  assert.equal(bus.subscriberCount, 0);
});

test('abort while waiting ends the iteration', async () => {
  const bus = new EventBus();
  const ac = new AbortController();
  const it = bus.subscribe({ filters: noFilters(), signal: ac.signal });
  const pending = it.next();
  ac.abort();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(bus.subscriberCount, 0);
});

test('an already-aborted signal yields nothing and registers nothing', async () => {
  const bus = new EventBus();
  const ac = new AbortController();
  ac.abort();
  const it = bus.subscribe({ filters: noFilters(), signal: ac.signal });
  assert.equal(bus.subscriberCount, 0);
  assert.deepEqual(await collect(it), []);
});

test('since replays buffered events from that instant, then streams live ones', async () => {
  const c = fakeClock(1_000_000_000_000n);
  const bus = new EventBus({ clock: c.clock });
  bus.publish(ctr('e1'));
  c.advance(1_000_000_000n);
  const mark = c.clock();
  bus.publish(ctr('e2'));
  c.advance(1_000_000_000n);
  bus.publish(ctr('e3'));
  const ac = new AbortController();
  const it = bus.subscribe({ since: mark, filters: noFilters(), signal: ac.signal });
  bus.publish(ctr('live'));
  const got = await collect(it, 3);
  assert.deepEqual(got.map((e) => e.Action), ['e2', 'e3', 'live']);
  assert.equal(bus.subscriberCount, 0, 'break in for-await detaches the subscriber');
  ac.abort();
});

test('until in the past without since returns buffered events up to until, then ends', async () => {
  const c = fakeClock(5_000_000_000n);
  const bus = new EventBus({ clock: c.clock });
  bus.publish(ctr('e1'));
  c.advance(1_000_000_000n);
  bus.publish(ctr('e2'));
  const until = c.clock();
  c.advance(1_000_000_000n);
  bus.publish(ctr('e3'));
  c.advance(1_000_000_000n);
  const it = bus.subscribe({ until, filters: noFilters(), signal: new AbortController().signal });
  assert.equal(bus.subscriberCount, 0);
  bus.publish(ctr('later'));
  assert.deepEqual((await collect(it)).map((e) => e.Action), ['e1', 'e2']);
});

test('since and until in the past select a window', async () => {
  const c = fakeClock(5_000_000_000n);
  const bus = new EventBus({ clock: c.clock });
  const stamps: bigint[] = [];
  for (const a of ['e1', 'e2', 'e3', 'e4']) {
    stamps.push(c.clock());
    bus.publish(ctr(a));
    c.advance(1_000_000_000n);
  }
  const it = bus.subscribe({ since: stamps[1], until: stamps[2], filters: noFilters(), signal: new AbortController().signal });
  assert.deepEqual((await collect(it)).map((e) => e.Action), ['e2', 'e3']);
});

test('until in the future ends the stream by a timer, without a further event', async () => {
  const bus = new EventBus();
  const ac = new AbortController();
  const started = Date.now();
  const it = bus.subscribe({ until: BigInt(Date.now() + 150) * 1_000_000n, filters: noFilters(), signal: ac.signal });
  bus.publish(ctr('live'));
  const got = await collect(it);
  assert.deepEqual(got.map((e) => e.Action), ['live']);
  assert.ok(Date.now() - started >= 140, 'ended only once until passed');
  assert.equal(bus.subscriberCount, 0);
});

test('live events stamped after until are not delivered', async () => {
  const c = fakeClock(10_000_000_000n);
  const bus = new EventBus({ clock: c.clock });
  const ac = new AbortController();
  const it = bus.subscribe({ until: c.clock() + 1_000n, filters: noFilters(), signal: ac.signal });
  bus.publish(ctr('inside'));
  c.advance(10_000n);
  bus.publish(ctr('outside'));
  assert.deepEqual((await collect(it)).map((e) => e.Action), ['inside']);
  assert.equal(bus.subscriberCount, 0);
});

test('filters apply to replayed and live events', async () => {
  const c = fakeClock(1_000n);
  const bus = new EventBus({ clock: c.clock });
  bus.publish(ctr('start', 'aaa'));
  bus.publish(ctr('start', 'bbb'));
  const ac = new AbortController();
  const it = bus.subscribe({ since: 0n, filters: new Map([['container', ['bbb']]]), signal: ac.signal });
  bus.publish(ctr('die', 'aaa'));
  bus.publish(ctr('die', 'bbb'));
  const got = await collect(it, 2);
  assert.deepEqual(got.map((e) => `${e.Action}:${e.Actor.ID}`), ['start:bbb', 'die:bbb']);
  ac.abort();
});

test('a slow subscriber loses events beyond its queue instead of blocking the publisher', async () => {
  const bus = new EventBus({ capacity: 10 });
  const ac = new AbortController();
  const it = bus.subscribe({ filters: noFilters(), signal: ac.signal });
  for (let i = 0; i < 1100; i++) bus.publish(ctr(`a${i}`));
  ac.abort();
  const got = await collect(it);
  assert.equal(got.length, 1024);
  assert.equal(got[0].Action, 'a0');
});

test('concurrent next() calls are refused', async () => {
  const bus = new EventBus();
  const ac = new AbortController();
  const it = bus.subscribe({ filters: noFilters(), signal: ac.signal });
  const first = it.next();
  await assert.rejects(it.next(), /concurrent/);
  ac.abort();
  assert.equal((await first).done, true);
});

// ---- filters ----------------------------------------------------------------------------

function msg(e: Partial<EventMessage> & Pick<EventMessage, 'Type' | 'Action'>, attrs: Record<string, string> = {}, id = ''): EventMessage {
  return { scope: 'local', time: 0, timeNano: 0, ...e, Actor: { ID: id, Attributes: attrs } };
}

const startBusybox = msg({ Type: 'container', Action: 'start' }, { image: 'busybox:latest', name: 'web', com_x: '1', tier: 'front' }, 'c0ffee1234');
const execStart = msg({ Type: 'container', Action: 'exec_start: sh -c true' }, { name: 'web', image: 'busybox' }, 'c0ffee1234');
const health = msg({ Type: 'container', Action: 'health_status: healthy' }, { name: 'web' }, 'c0ffee1234');
const imgPull = msg({ Type: 'image', Action: 'pull' }, { name: 'docker.io/library/redis:7' }, 'sha256:aaaa');
const imgTag = msg({ Type: 'image', Action: 'tag' }, { name: 'myrepo/app:v2' }, 'sha256:bbbb');
const netConnect = msg({ Type: 'network', Action: 'connect' }, { container: 'c0ffee1234', name: 'bridge', type: 'bridge' }, 'net123');
const volCreate = msg({ Type: 'volume', Action: 'create' }, { driver: 'local' }, 'data');
const daemonReload = msg({ Type: 'daemon', Action: 'reload' }, { name: 'host1' }, 'DAEMONID');

const filterCases: [string, Record<string, string[]>, EventMessage, boolean][] = [
  ['no filters', {}, startBusybox, true],
  ['type match', { type: ['container'] }, startBusybox, true],
  ['type mismatch', { type: ['image'] }, startBusybox, false],
  ['type OR', { type: ['image', 'container'] }, startBusybox, true],
  ['container full ID', { container: ['c0ffee1234'] }, startBusybox, true],
  ['container ID prefix', { container: ['c0ff'] }, startBusybox, true],
  ['container name', { container: ['web'] }, startBusybox, true],
  ['container other', { container: ['db'] }, startBusybox, false],
  ['container filter drops other types whose ID/name do not match', { container: ['web'] }, volCreate, false],
  ['image with :latest stripped', { image: ['busybox'] }, startBusybox, true],
  ['image exact', { image: ['busybox:latest'] }, startBusybox, true],
  ['image other', { image: ['alpine'] }, startBusybox, false],
  ['image event by ID', { image: ['sha256:aaaa'] }, imgPull, true],
  ['image event by familiar name', { image: ['redis'] }, imgPull, true],
  ['image event by name tag-stripped', { image: ['myrepo/app'] }, imgTag, true],
  ['event exact', { event: ['start'] }, startBusybox, true],
  ['event other', { event: ['die'] }, startBusybox, false],
  ['event OR', { event: ['die', 'start'] }, startBusybox, true],
  ['exec_start matches with its command', { event: ['exec_start'] }, execStart, true],
  ['health_status matches with its status', { event: ['health_status'] }, health, true],
  ['health_status exact form', { event: ['health_status: healthy'] }, health, true],
  ['plain action does not prefix-match', { event: ['exec'] }, execStart, false],
  ['label key', { label: ['tier'] }, startBusybox, true],
  ['label key=value', { label: ['tier=front'] }, startBusybox, true],
  ['label wrong value', { label: ['tier=back'] }, startBusybox, false],
  ['labels are ANDed', { label: ['tier=front', 'com_x=1'] }, startBusybox, true],
  ['labels are ANDed (one missing)', { label: ['tier=front', 'missing'] }, startBusybox, false],
  ['network by name', { network: ['bridge'] }, netConnect, true],
  ['network by ID prefix', { network: ['net1'] }, netConnect, true],
  ['network other', { network: ['host'] }, netConnect, false],
  ['volume', { volume: ['data'] }, volCreate, true],
  ['volume other', { volume: ['logs'] }, volCreate, false],
  ['daemon by name', { daemon: ['host1'] }, daemonReload, true],
  ['scope local', { scope: ['local'] }, startBusybox, true],
  ['scope swarm', { scope: ['swarm'] }, startBusybox, false],
  ['keys are ANDed', { type: ['container'], event: ['die'] }, startBusybox, false],
  ['keys are ANDed (all match)', { type: ['container'], event: ['start'], container: ['web'] }, startBusybox, true],
];

for (const [name, f, ev, want] of filterCases) {
  test(`event filter: ${name}`, () => {
    assert.equal(eventMatches(ev, new Map(Object.entries(f))), want);
  });
}

test('validateEventFilters accepts Docker keys and rejects others', () => {
  for (const k of ['container', 'daemon', 'event', 'image', 'label', 'network', 'plugin', 'type', 'volume', 'scope']) {
    assert.ok(parseEventFilterKeys.includes(k));
    validateEventFilters(new Map([[k, ['x']]]));
  }
  assert.throws(() => validateEventFilters(new Map([['nonexisttype', ['abcd']]])),
    (e: any) => e.kind === 'InvalidParameter' && e.message === "invalid filter 'nonexisttype'");
});

const stripCases: [string, string][] = [
  ['busybox:latest', 'busybox'],
  ['busybox', 'busybox'],
  ['docker.io/library/busybox:1.36', 'busybox'],
  ['library/busybox', 'busybox'],
  ['index.docker.io/library/redis', 'redis'],
  ['myrepo/app:v2', 'myrepo/app'],
  ['localhost:5000/app:1', 'localhost:5000/app'],
  ['registry.example.com/a/b@sha256:' + 'a'.repeat(64), 'registry.example.com/a/b'],
  ['a'.repeat(64), 'a'.repeat(64)],
  ['Invalid/Upper', 'Invalid/Upper'],
  ['', ''],
];
for (const [input, want] of stripCases) {
  test(`stripTag(${JSON.stringify(input.slice(0, 40))})`, () => assert.equal(stripTag(input), want));
}
