import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Project, ServiceConfig } from '../types.ts';
import { dependentsOf, serviceGraph, walkGraph, withDependencies } from './graph.ts';

function project(services: Record<string, Partial<ServiceConfig>>): Project {
  const s: Record<string, ServiceConfig> = {};
  for (const [name, cfg] of Object.entries(services)) s[name] = { name, image: 'busybox', ...cfg };
  return { name: 'p', working_dir: '/tmp', compose_files: [], services: s, disabled_services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, profiles: [], environment: {} };
}

const dep = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { condition: 'service_started' as const, required: true }]));

test('a depends_on cycle is refused with compose-go message', () => {
  const p = project({ a: { depends_on: dep('b') }, b: { depends_on: dep('c') }, c: { depends_on: dep('a') } });
  assert.throws(() => serviceGraph(p), /dependency cycle detected: a -> b -> c -> a/);
});

test('up walks dependencies first, down dependents first, independent services together', async () => {
  const p = project({ web: { depends_on: dep('db', 'cache') }, db: {}, cache: {}, worker: { depends_on: dep('db') } });
  const g = serviceGraph(p);
  const order: string[] = [];
  await walkGraph(g, 'up', async (s) => {
    order.push(s);
  });
  assert.ok(order.indexOf('db') < order.indexOf('web'));
  assert.ok(order.indexOf('cache') < order.indexOf('web'));
  assert.ok(order.indexOf('db') < order.indexOf('worker'));
  const down: string[] = [];
  await walkGraph(g, 'down', async (s) => {
    down.push(s);
  });
  assert.ok(down.indexOf('web') < down.indexOf('db'));
  assert.ok(down.indexOf('worker') < down.indexOf('db'));
  assert.ok(down.indexOf('web') < down.indexOf('cache'));
});

test('independent services run in parallel, bounded by --parallel', async () => {
  const p = project({ a: {}, b: {}, c: {}, d: {} });
  for (const [limit, expected] of [[-1, 4], [2, 2], [1, 1]] as const) {
    let running = 0;
    let max = 0;
    await walkGraph(serviceGraph(p), 'up', async () => {
      running++;
      max = Math.max(max, running);
      await sleep(10);
      running--;
    }, limit);
    assert.equal(max, expected, `parallel ${limit}`);
  }
});

test('a failure stops the walk: dependents of the failed service never run', async () => {
  const p = project({ web: { depends_on: dep('db') }, db: {} });
  const ran: string[] = [];
  await assert.rejects(
    walkGraph(serviceGraph(p), 'up', async (s) => {
      ran.push(s);
      if (s === 'db') throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(ran, ['db']);
});

test('dependencies and dependents are transitive; links and service: network modes count', () => {
  const p = project({ web: { depends_on: dep('api') }, api: { links: ['db:database'] }, db: {}, sidecar: { network_mode: 'service:web' } });
  assert.deepEqual(withDependencies(p, ['web']).sort(), ['api', 'db', 'web']);
  assert.deepEqual(dependentsOf(serviceGraph(p), 'db').sort(), ['api', 'sidecar', 'web']);
});

test('an empty graph walks at once', async () => {
  await walkGraph(serviceGraph(project({})), 'up', async () => assert.fail('nothing to run'));
});
