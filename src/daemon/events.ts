// The daemon's event stream (GET /events), after moby's daemon/events: every publish is stamped,
// kept in a bounded ring buffer for `since` replays, and fanned out to live subscribers, each of
// which filters with Docker's event filter rules. Slow subscribers lose events instead of making
// the publisher wait (Docker drops after 100 ms; we drop once a subscriber's queue is full).
import { invalidParameter, nowNs } from '../common/index.ts';

export type EventType =
  | 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'builder'
  | 'node' | 'service' | 'secret' | 'config';

export interface EventActor {
  ID: string;
  Attributes: Record<string, string>;
}

export interface EventInput {
  Type: EventType;
  Action: string;
  Actor: EventActor;
}

/** Docker's events.Message, field order as Docker encodes it. */
export interface EventMessage {
  /** Deprecated fields Docker still sends for container and image events. */
  status?: string;
  id?: string;
  from?: string;
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope: 'local' | 'swarm';
  /** Seconds since the epoch. */
  time: number;
  /**
   * Nanoseconds since the epoch. As a JS number it is only exact to ~256 ns; encodeEvent()
   * writes the exact digits.
   */
  timeNano: number;
}

export interface SubscribeOptions {
  /** Replay buffered events at or after this instant (ns since the epoch). */
  since?: bigint;
  /** Stop at this instant (ns since the epoch); in the past means "buffered events only". */
  until?: bigint;
  filters: Map<string, string[]>;
  signal: AbortSignal;
}

/** The filter keys Docker's /events accepts. */
export const parseEventFilterKeys: readonly string[] = [
  'config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope',
  'secret', 'service', 'type', 'volume',
];

/** Rejects unknown filter keys with Docker's `invalid filter 'key'`. */
export function validateEventFilters(filters: Map<string, string[]>): void {
  for (const key of filters.keys()) {
    if (!parseEventFilterKeys.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
  }
}

const exactStamps = new WeakMap<EventMessage, bigint>();

/** The exact stamp (ns since the epoch) of a published event. */
export function eventTimeNano(msg: EventMessage): bigint {
  return exactStamps.get(msg) ?? BigInt(Math.trunc(msg.timeNano));
}

/**
 * One event as Docker's JSON, with timeNano's exact digits (JSON.stringify of the number would
 * round it), so a client resuming with since=<timeNano> starts at exactly that event.
 */
export function encodeEvent(msg: EventMessage): string {
  const json = JSON.stringify(msg);
  const at = json.lastIndexOf('"timeNano":');
  if (at === -1) return json;
  return `${json.slice(0, at)}"timeNano":${eventTimeNano(msg)}}`;
}

const DEFAULT_CAPACITY = 1000;
const SUBSCRIBER_QUEUE_LIMIT = 1024;
/** setTimeout's largest delay; longer `until` waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Stamped {
  ns: bigint;
  msg: EventMessage;
}

export interface EventBusOptions {
  capacity?: number;
  /** Clock in ns since the epoch; injectable for tests. */
  clock?: () => bigint;
}

export class EventBus {
  readonly #capacity: number;
  readonly #clock: () => bigint;
  readonly #ring: (Stamped | undefined)[];
  #head = 0; // index of the oldest entry
  #size = 0;
  #lastNs = 0n;
  readonly #subscribers = new Set<EventSubscription>();

  constructor(opts: EventBusOptions = {}) {
    this.#capacity = Math.max(1, Math.floor(opts.capacity ?? DEFAULT_CAPACITY));
    this.#clock = opts.clock ?? nowNs;
    this.#ring = new Array(this.#capacity);
  }

  /** Stamps, buffers and broadcasts one event; returns the message as sent to clients. */
  publish(e: EventInput): EventMessage {
    // Strictly increasing stamps keep replay order and since/until comparisons stable.
    let ns = this.#clock();
    if (ns <= this.#lastNs) ns = this.#lastNs + 1n;
    this.#lastNs = ns;

    // Sorted by key: Go encodes a map[string]string that way, so clients see dockerd's order.
    const given = e.Actor.Attributes ?? {};
    const attributes: Record<string, string> = {};
    for (const k of Object.keys(given).sort()) attributes[k] = given[k];
    const msg: EventMessage = {} as EventMessage;
    if (e.Type === 'container' || e.Type === 'image') {
      msg.status = e.Action;
      msg.id = e.Actor.ID;
      if (e.Type === 'container' && attributes.image) msg.from = attributes.image;
    }
    msg.Type = e.Type;
    msg.Action = e.Action;
    msg.Actor = { ID: e.Actor.ID, Attributes: attributes };
    msg.scope = 'local';
    msg.time = Number(ns / 1_000_000_000n);
    msg.timeNano = Number(ns);
    exactStamps.set(msg, ns);

    const stamped = { ns, msg };
    if (this.#size < this.#capacity) {
      this.#ring[(this.#head + this.#size) % this.#capacity] = stamped;
      this.#size++;
    } else {
      this.#ring[this.#head] = stamped;
      this.#head = (this.#head + 1) % this.#capacity;
    }
    for (const sub of this.#subscribers) sub.offer(stamped);
    return msg;
  }

  /**
   * Docker's GET /events: replays buffered events in [since, until] (only when one of them is
   * given), then streams new ones until `until` passes or `signal` aborts. With `until` already
   * in the past the stream ends after the replay.
   */
  subscribe(opts: SubscribeOptions): AsyncIterableIterator<EventMessage> {
    const now = this.#clock();
    const replay: EventMessage[] = [];
    if (opts.since !== undefined || opts.until !== undefined) {
      const since = opts.since ?? 0n;
      for (const s of this.#buffered()) {
        if (s.ns < since) continue;
        if (opts.until !== undefined && s.ns > opts.until) continue;
        if (eventMatches(s.msg, opts.filters)) replay.push(s.msg);
      }
    }
    const onlyPast = opts.until !== undefined && opts.until < now;
    const signal = opts.signal;
    const onAbort = () => sub.end();
    const sub = new EventSubscription(replay, opts.filters, opts.until, () => {
      this.#subscribers.delete(sub);
      signal.removeEventListener('abort', onAbort);
    });
    if (onlyPast || signal.aborted) {
      sub.end();
      return sub;
    }
    this.#subscribers.add(sub);
    signal.addEventListener('abort', onAbort, { once: true });
    if (opts.until !== undefined) sub.armTimer(opts.until, this.#clock);
    return sub;
  }

  /** Live subscribers, for diagnostics and tests. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Buffered events, oldest first. */
  buffered(): EventMessage[] {
    return [...this.#buffered()].map((s) => s.msg);
  }

  *#buffered(): Generator<Stamped> {
    for (let i = 0; i < this.#size; i++) yield this.#ring[(this.#head + i) % this.#capacity]!;
  }
}

class EventSubscription implements AsyncIterableIterator<EventMessage> {
  readonly #queue: EventMessage[];
  readonly #filters: Map<string, string[]>;
  readonly #until: bigint | undefined;
  readonly #detach: () => void;
  #ended = false;
  #waiter: ((r: IteratorResult<EventMessage>) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(replay: EventMessage[], filters: Map<string, string[]>, until: bigint | undefined, detach: () => void) {
    this.#queue = replay;
    this.#filters = filters;
    this.#until = until;
    this.#detach = detach;
  }

  offer(s: Stamped): void {
    if (this.#ended) return;
    if (this.#until !== undefined && s.ns > this.#until) {
      this.end();
      return;
    }
    if (!eventMatches(s.msg, this.#filters)) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w({ value: s.msg, done: false });
      return;
    }
    if (this.#queue.length >= SUBSCRIBER_QUEUE_LIMIT) return; // slow reader: drop, as Docker does
    this.#queue.push(s.msg);
  }

  armTimer(until: bigint, clock: () => bigint): void {
    const remainingMs = Number((until - clock()) / 1_000_000n) + 1;
    if (remainingMs <= 0) {
      this.end();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (clock() > until) this.end();
      else this.armTimer(until, clock);
    }, Math.min(remainingMs, MAX_TIMER_MS));
  }

  /** Stops the stream: queued events are still delivered, then the iterator is done. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#detach();
    if (this.#waiter && this.#queue.length === 0) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<EventMessage>> {
    const value = this.#queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiter) return Promise.reject(new Error('concurrent next() on an event subscription'));
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<EventMessage>> {
    this.#queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<EventMessage> {
    return this;
  }
}

/**
 * An image event's attributes as moby's LogImageEventWithAttributes: the image's labels while it
 * still exists, then `name`, then the action's own (prune: reclaimed).
 */
export function imageEventAttributes(
  e: { id: string; name?: string; attributes?: Record<string, string> },
  labelsOf: (id: string) => Record<string, string> | null | undefined,
): Record<string, string> {
  let labels: Record<string, string> = {};
  if (e.id) {
    try {
      labels = { ...(labelsOf(e.id) ?? {}) };
    } catch {
      // deleted already: no labels, as dockerd
    }
  }
  return { ...labels, ...(e.name ? { name: e.name } : {}), ...(e.attributes ?? {}) };
}

// ---- Docker's event filters (daemon/events/filter.go over api/types/filters.Args) ----------

/** Args.ExactMatch: no filter (or no values) → true; else exact membership. */
function exactMatch(filters: Map<string, string[]>, key: string, source: string): boolean {
  const values = filters.get(key);
  if (!values || values.length === 0) return true;
  return values.includes(source);
}

/** Args.FuzzyMatch: exact, or the source starts with one of the values. */
function fuzzyMatch(filters: Map<string, string[]>, key: string, source: string): boolean {
  if (exactMatch(filters, key, source)) return true;
  return (filters.get(key) ?? []).some((prefix) => source.startsWith(prefix));
}

/** Args.MatchKVList: every `key` / `key=value` must be present (values are ANDed, as in Docker). */
export function matchKVList(values: string[] | undefined, sources: Record<string, string>): boolean {
  if (!values || values.length === 0) return true;
  for (const v of values) {
    const eq = v.indexOf('=');
    const k = eq === -1 ? v : v.slice(0, eq);
    if (!Object.hasOwn(sources, k)) return false;
    if (eq !== -1 && sources[k] !== v.slice(eq + 1)) return false;
  }
  return true;
}

const FUZZY_EVENT_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);

function matchEvent(ev: EventMessage, filters: Map<string, string[]>): boolean {
  // Actions like "exec_start: sh -c ..." match a bare "exec_start" filter (moby #25798).
  const values = filters.get('event') ?? [];
  if (values.some((v) => FUZZY_EVENT_ACTIONS.has(v))) return fuzzyMatch(filters, 'event', ev.Action);
  return exactMatch(filters, 'event', ev.Action);
}

function fuzzyMatchName(ev: EventMessage, filters: Map<string, string[]>, key: string): boolean {
  return fuzzyMatch(filters, key, ev.Actor.ID) || fuzzyMatch(filters, key, ev.Actor.Attributes.name ?? '');
}

function matchImage(ev: EventMessage, filters: Map<string, string[]>): boolean {
  const id = ev.Actor.ID;
  const name = ev.Actor.Attributes[ev.Type === 'image' ? 'name' : 'image'] ?? '';
  return exactMatch(filters, 'image', id) || exactMatch(filters, 'image', name)
    || exactMatch(filters, 'image', stripTag(id)) || exactMatch(filters, 'image', stripTag(name));
}

/** True when the event passes the filters: values of one key are ORed, keys are ANDed. */
export function eventMatches(ev: EventMessage, filters: Map<string, string[]>): boolean {
  if (filters.size === 0) return true;
  return matchEvent(ev, filters)
    && exactMatch(filters, 'type', ev.Type)
    && (!filters.has('scope') || exactMatch(filters, 'scope', ev.scope))
    && fuzzyMatchName(ev, filters, 'daemon')
    && fuzzyMatchName(ev, filters, 'container')
    && fuzzyMatchName(ev, filters, 'plugin')
    && fuzzyMatchName(ev, filters, 'volume')
    && fuzzyMatchName(ev, filters, 'network')
    && matchImage(ev, filters)
    && fuzzyMatchName(ev, filters, 'node')
    && fuzzyMatchName(ev, filters, 'service')
    && fuzzyMatchName(ev, filters, 'secret')
    && fuzzyMatchName(ev, filters, 'config')
    && matchKVList(filters.get('label'), ev.Actor.Attributes);
}

// ---- image reference → familiar name without tag/digest (reference.FamiliarName) -----------

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Docker's stripTag: the familiar repository name of a reference ("busybox:latest" → "busybox",
 * "docker.io/library/redis:7" → "redis"); anything that is not a valid reference is returned as is.
 */
export function stripTag(ref: string): string {
  if (!ref || ref.length > 255 + 128 + 80) return ref;
  if (/^[a-f0-9]{64}$/.test(ref)) return ref;
  let rest = ref;
  const at = rest.indexOf('@');
  if (at !== -1) rest = rest.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    if (!TAG.test(rest.slice(colon + 1))) return ref;
    rest = rest.slice(0, colon);
  }
  let domain = 'docker.io';
  let remainder = rest;
  const first = rest.indexOf('/');
  if (first !== -1) {
    const head = rest.slice(0, first);
    if (/[.:]/.test(head) || head === 'localhost' || head.toLowerCase() !== head) {
      domain = head;
      remainder = rest.slice(first + 1);
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (!DOMAIN.test(domain) || !remainder.split('/').every((c) => PATH_COMPONENT.test(c))) return ref;
  if (domain !== 'docker.io') return `${domain}/${remainder}`;
  if (remainder.startsWith('library/') && remainder.split('/').length === 2) return remainder.slice('library/'.length);
  return remainder;
}
