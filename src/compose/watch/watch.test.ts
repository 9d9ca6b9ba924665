import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEphemeral, triggerRelative, watchProject, watchTriggers } from './watch.ts';
import type { Project } from '../types.ts';
import type { ApiClient } from '../../common/index.ts';

function project(services: Record<string, unknown>): Project {
  return { name: 'p', working_dir: '/w', compose_files: [], services, disabled_services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, profiles: [], environment: {} } as unknown as Project;
}

test('triggers: paths resolved against the project, compose\'s checks', () => {
  const p = project({
    web: { name: 'web', develop: { watch: [{ path: './src', action: 'sync', target: '/app', ignore: ['*.tmp', 'cache/'] }] } },
    api: { name: 'api', build: { context: '/w' }, develop: { watch: [{ path: '/abs', action: 'rebuild' }] } },
    db: { name: 'db' },
  });
  const ts = watchTriggers(p, []);
  assert.deepEqual(ts.map((t) => [t.service, t.path, t.action, t.target]), [['api', '/abs', 'rebuild', undefined], ['web', '/w/src', 'sync', '/app']]);
  assert.throws(() => watchTriggers(p, ['db']), /none of the selected services is configured for watch, consider setting a 'develop' section/);
  assert.throws(() => watchTriggers(p, ['nope']), /no such service: nope/);
  assert.throws(() => watchTriggers(project({ x: { name: 'x', develop: { watch: [{ path: '.', action: 'rebuild' }] } } }), []), /can't watch service "x" with action rebuild without a build context/);
  assert.throws(() => watchTriggers(project({ x: { name: 'x', develop: { watch: [{ path: '.', action: 'sync' }] } } }), []), /target is required for sync action/);
});

test('a changed path counts when it is under the trigger and neither ignored nor an editor\'s temporary file', () => {
  const [t] = watchTriggers(project({ web: { name: 'web', develop: { watch: [{ path: '/w/src', action: 'sync', target: '/app', ignore: ['*.tmp', 'cache'] }] } } }), []);
  assert.equal(triggerRelative(t!, '/w/src/a.js'), 'a.js');
  assert.equal(triggerRelative(t!, '/w/src/sub/b.js'), 'sub/b.js');
  assert.equal(triggerRelative(t!, '/w/src'), '');
  assert.equal(triggerRelative(t!, '/w/srcx/a.js'), undefined);
  assert.equal(triggerRelative(t!, '/w/src/x.tmp'), undefined);
  assert.equal(triggerRelative(t!, '/w/src/cache/y.js'), undefined);
  assert.equal(triggerRelative(t!, '/w/src/.a.js.swp'), undefined);
  assert.ok(isEphemeral('/x/file~') && isEphemeral('/x/.#lock') && isEphemeral('/x/4913') && !isEphemeral('/x/main.ts'));
});

test('watchProject batches changes and copies them into the service containers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'watch-test-'));
  try {
    await mkdir(join(dir, 'src'));
    const calls: string[] = [];
    const client = {
      host: 'test',
      async json(method: string, path: string) {
        calls.push(`${method} ${path.split('?')[0]}`);
        if (path === '/containers/json') return [{ Id: 'c1', Names: ['/p-web-1'], Labels: { 'com.docker.compose.service': 'web' } }];
        return {};
      },
      async call(method: string, path: string, opts?: { query?: Record<string, unknown> }) {
        calls.push(`${method} ${path} ${JSON.stringify(opts?.query ?? {})}`);
        return { status: 200, headers: {}, body: { resume() {} } };
      },
    } as unknown as ApiClient;
    const p = project({ web: { name: 'web', develop: { watch: [{ path: join(dir, 'src'), action: 'sync+restart', target: '/app' }] } } });
    const logs: string[] = [];
    const abort = new AbortController();
    const watching = watchProject(client, p, { services: [], log: (m) => logs.push(m), error: (m) => logs.push(`ERR ${m}`), rebuild: async () => {}, prune: false, signal: abort.signal, quietMs: 300 });
    while (!logs.includes('Watch enabled')) await new Promise((r) => setTimeout(r, 10));
    await writeFile(join(dir, 'src', 'one.txt'), '1');
    await writeFile(join(dir, 'src', 'two.txt'), '2');
    while (!logs.some((l) => l.startsWith('Restarting'))) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await watching;
    assert.deepEqual(logs.filter((l) => !l.startsWith('ERR')), ['Watch enabled', 'Syncing service "web" after 2 changes were detected', 'Restarting service "web" after changes were detected']);
    assert.equal(calls.filter((c) => c.startsWith('PUT /containers/c1/archive {"path":"/"}')).length, 2);
    assert.ok(calls.includes('POST /containers/c1/restart {}'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
