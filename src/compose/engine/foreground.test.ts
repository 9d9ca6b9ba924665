// The foreground up over a fake Engine API: what --abort-on-container-exit does when a container
// exits while another one's start is still in flight; no daemon involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient, ApiResponse } from '../../common/index.ts';
import { LABEL } from '../labels.ts';
import { LogConsumer } from '../logs/log-consumer.ts';
import type { Project, ServiceConfig } from '../types.ts';
import type { EngineContext } from './context.ts';
import type { ObservedContainer } from './convergence.ts';
import { runForeground } from './foreground.ts';
import { PlainWriter } from './progress.ts';

function response(status: number, value: unknown, body: Readable = Readable.from([])): ApiResponse {
  const text = value === undefined ? '' : JSON.stringify(value);
  return { status, headers: {}, body, json: async () => JSON.parse(text), text: async () => text };
}

test('--abort-on-container-exit: a container whose start was in flight when the stop listed the project is stopped too', async () => {
  // `fine` exits at once; `srv` (after it) is being started when the abort's stop lists the
  // containers, so that stop sees it "created" and leaves it. It must still be stopped, else the
  // foreground up follows it for ever.
  const svc = (name: string, cfg: Partial<ServiceConfig> = {}): ServiceConfig => ({ name, image: 'busybox', networks: { default: null }, ...cfg });
  const project: Project = {
    name: 'p', working_dir: '/tmp', compose_files: [], disabled_services: {}, volumes: {}, secrets: {}, configs: {}, profiles: [], environment: {},
    networks: { default: { name: 'p_default' } },
    services: { fine: svc('fine'), srv: svc('srv', { depends_on: { fine: { condition: 'service_started', required: true } } }) },
  };
  const status = new Map([['fine', 'created'], ['srv', 'created']]);
  const logs = new Map<string, PassThrough>();
  const calls: string[] = [];
  let listed!: () => void;
  const stopListed = new Promise<void>((r) => (listed = r));
  const summary = (s: string) => ({
    Id: s, Names: [`/p-${s}-1`], State: status.get(s), Created: 0,
    Labels: { [LABEL.project]: 'p', [LABEL.service]: s, [LABEL.containerNumber]: '1', [LABEL.oneOff]: 'False' },
  });
  const handle = async (method: string, path: string): Promise<ApiResponse> => {
    const [, id = '', what = ''] = /^\/containers\/([^/]+)\/?(.*)$/.exec(path) ?? [];
    if (method === 'GET' && path === '/containers/json') {
      const list = [...status.keys()].map(summary);
      listed();
      return response(200, list);
    }
    if (method === 'GET' && what === 'json') return response(200, { State: { Status: status.get(id), ExitCode: 0 }, Config: { Tty: false } });
    if (method === 'GET' && what === 'logs') {
      const body = new PassThrough();
      if (status.get(id) === 'running') logs.set(id, body);
      else body.end();
      return response(200, undefined, body);
    }
    calls.push(`${method} ${id} ${what}`);
    if (what === 'start' && id === 'fine') status.set('fine', 'exited');
    if (what === 'start' && id === 'srv') {
      await stopListed;
      await sleep(20);
      status.set('srv', 'running');
    }
    if (what === 'stop' && status.get(id) === 'running') {
      status.set(id, 'exited');
      logs.get(id)?.end();
    }
    return response(204, undefined);
  };
  const client: ApiClient = {
    host: 'fake',
    call: (m, p) => handle(m, p),
    request: (m, p) => handle(m, p),
    json: async (m, p) => (await handle(m, p)).json(),
    hijack: async () => {
      throw new Error('no attach in this fake');
    },
    apiVersion: async () => '1.50',
  };
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const ctx: EngineContext = { client, progress: () => new PlainWriter({ write: () => true }), warn: () => {}, parallel: -1 };
  const container = (s: string): ObservedContainer => ({ id: s, name: `p-${s}-1`, service: s, number: 1, state: 'created', created: 0, labels: summary(s).Labels });
  const state = new Map([['fine', [container('fine')]], ['srv', [container('srv')]]]);
  const info: string[] = [];
  const up = runForeground(ctx, project, state, {
    attach: ['fine', 'srv'], services: ['fine', 'srv'], abortOnContainerExit: true,
    printer: new LogConsumer({ stdout: sink, stderr: sink, color: false, prefix: false }), info: (m) => info.push(m), onInterrupt: () => () => {},
  });
  const code = await Promise.race([up, sleep(5000, 'still following')]);
  assert.equal(code, 0, `${calls.join(', ')} / ${info.join(' / ')}`);
  assert.deepEqual(calls, ['POST fine start', 'POST srv start', 'POST srv stop']);
  assert.equal(status.get('srv'), 'exited');
});
