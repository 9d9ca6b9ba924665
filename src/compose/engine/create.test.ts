// createProject over a fake Engine API: which containers are created, recreated and kept, in what
// order, and what is said about orphans; no daemon involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { ApiClient, ApiResponse, RequestOptions } from '../../common/index.ts';
import { serviceConfigHash } from '../convert/hash.ts';
import { LABEL } from '../labels.ts';
import type { Project, ServiceConfig } from '../types.ts';
import type { EngineContext } from './context.ts';
import { createProject } from './create.ts';
import { PlainWriter } from './progress.ts';

interface FakeContainer { Id: string; Names: string[]; Labels: Record<string, string>; State: string; Created: number }

function response(status: number, value: unknown): ApiResponse {
  const text = value === undefined ? '' : JSON.stringify(value);
  return { status, headers: {}, body: Readable.from([]), json: async () => JSON.parse(text), text: async () => text };
}

/** Just enough of the Engine API for createProject: images, networks, containers. */
function fakeEngine(containers: FakeContainer[]) {
  const calls: string[] = [];
  let n = 0;
  const handle = (method: string, path: string, opts: RequestOptions = {}): ApiResponse => {
    if (method !== 'GET') calls.push(`${method} ${path}${opts.query?.name ? ` ${opts.query.name}` : ''}`);
    if (method === 'GET' && path.startsWith('/images/')) return response(200, { Id: 'sha256:img', Config: {} });
    if (method === 'GET' && path.startsWith('/networks/')) return response(200, { Name: 'p_default', Labels: { [LABEL.project]: 'p', [LABEL.network]: 'default' } });
    if (method === 'GET' && path === '/containers/json') return response(200, containers);
    if (method === 'POST' && path === '/containers/create') return response(201, { Id: `new${++n}`.padEnd(64, '0') });
    return response(204, undefined);
  };
  const client: ApiClient = {
    host: 'fake',
    call: async (m, p, o) => handle(m, p, o),
    request: async (m, p, o) => handle(m, p, o),
    json: async (m, p, o) => handle(m, p, o).json(),
    hijack: async () => assert.fail('no hijack'),
    apiVersion: async () => '1.50',
  };
  return { client, calls };
}

function project(env: Record<string, string>): Project {
  const svc = (name: string, cfg: Partial<ServiceConfig>): ServiceConfig => ({ name, image: 'busybox', networks: { default: null }, ...cfg });
  return {
    name: 'p', working_dir: '/tmp', compose_files: [], disabled_services: {}, volumes: {}, secrets: {}, configs: {}, profiles: [], environment: {},
    networks: { default: { name: 'p_default' } },
    services: {
      db: svc('db', { environment: { E: env.db ?? '1' } }),
      web: svc('web', { environment: { E: env.web ?? '1' }, depends_on: { db: { condition: 'service_started', required: true } } }),
      other: svc('other', {}),
    },
  };
}

function observedFor(p: Project, extra: FakeContainer[] = []): FakeContainer[] {
  return [...Object.values(p.services).map((s, i) => ({
    Id: `old${i}`.padEnd(64, '0'), Names: [`/p-${s.name}-1`], State: 'running', Created: i,
    Labels: { [LABEL.project]: 'p', [LABEL.service]: s.name, [LABEL.containerNumber]: '1', [LABEL.oneOff]: 'False', [LABEL.configHash]: serviceConfigHash(s), [LABEL.image]: 'sha256:img' },
  })), ...extra];
}

function context(client: ApiClient, warnings: string[], out: string[]): EngineContext {
  return { client, progress: () => new PlainWriter({ write: (s: string) => out.push(s) }), warn: (m) => warnings.push(m), parallel: -1 };
}

test('nothing changed: nothing is created, stopped or removed', async () => {
  const p = project({});
  const { client, calls } = fakeEngine(observedFor(p));
  const out: string[] = [];
  await createProject(context(client, [], out), p, {}, new PlainWriter({ write: (s: string) => out.push(s) }));
  assert.deepEqual(calls, []);
  assert.match(out.join(''), / Container p-web-1 {2}Running\n/);
});

test('a changed dependency is recreated (stop, rename, create, remove) and its dependent follows; the rest is kept', async () => {
  const before = project({});
  const { client, calls } = fakeEngine(observedFor(before));
  const out: string[] = [];
  await createProject(context(client, [], out), project({ db: '2' }), {}, new PlainWriter({ write: (s: string) => out.push(s) }));
  const db = calls.filter((c) => c.includes('old0') || c.includes('p-db-1'));
  assert.deepEqual(db.slice(0, 3), [`POST /containers/${'old0'.padEnd(64, '0')}/stop`, `POST /containers/${'old0'.padEnd(64, '0')}/rename old000000000_p-db-1`, 'POST /containers/create p-db-1']);
  assert.ok(calls.includes('POST /containers/create p-web-1'), calls.join('\n'));
  assert.ok(!calls.includes('POST /containers/create p-other-1'));
  assert.ok(calls.indexOf('POST /containers/create p-db-1') < calls.indexOf('POST /containers/create p-web-1'));
  assert.match(out.join(''), / Container p-web-1 {2}Recreated\n/);
});

test('--no-recreate keeps a changed service and its dependents', async () => {
  const { client, calls } = fakeEngine(observedFor(project({})));
  await createProject(context(client, [], []), project({ db: '2' }), { recreate: 'never', recreateDependencies: 'never' }, new PlainWriter({ write: () => {} }));
  assert.deepEqual(calls, []);
});

test('orphans are warned about, or removed with removeOrphans', async () => {
  const p = project({});
  const orphan: FakeContainer = { Id: 'orph'.padEnd(64, '0'), Names: ['/p-gone-1'], State: 'exited', Created: 9, Labels: { [LABEL.project]: 'p', [LABEL.service]: 'gone', [LABEL.containerNumber]: '1', [LABEL.oneOff]: 'False' } };
  const warnings: string[] = [];
  const a = fakeEngine(observedFor(p, [orphan]));
  await createProject(context(a.client, warnings, []), p, {}, new PlainWriter({ write: () => {} }));
  assert.deepEqual(warnings, ['Found orphan containers ([p-gone-1]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.']);
  assert.deepEqual(a.calls, []);
  const b = fakeEngine(observedFor(p, [orphan]));
  await createProject(context(b.client, [], []), p, { removeOrphans: true }, new PlainWriter({ write: () => {} }));
  assert.deepEqual(b.calls, [`DELETE /containers/${'orph'.padEnd(64, '0')}`]);
});

test('an unknown service or a bad scale is refused before any change', async () => {
  const { client, calls } = fakeEngine([]);
  await assert.rejects(createProject(context(client, [], []), project({}), { services: ['nope'] }, new PlainWriter({ write: () => {} })), /no such service: nope/);
  await assert.rejects(createProject(context(client, [], []), project({}), { scale: { web: -1 } }, new PlainWriter({ write: () => {} })), /invalid scale/);
  assert.deepEqual(calls, []);
});
