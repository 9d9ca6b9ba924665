import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { accessesFor, createRegistryHandler, parseByteRange, type AccessLogEntry } from './server.ts';
import { RegistryStore } from './store.ts';
import { FilesystemDriver } from './storage/filesystem.ts';
import type { Access, RegistryAuthenticator } from './auth/types.ts';

test('byte ranges: single ranges are served, others are the whole blob', () => {
  assert.deepEqual(parseByteRange('bytes=0-9', 100), [0, 9]);
  assert.deepEqual(parseByteRange('bytes=90-', 100), [90, 99]);
  assert.deepEqual(parseByteRange('bytes=90-200', 100), [90, 99]);
  assert.deepEqual(parseByteRange('bytes=-10', 100), [90, 99]);
  assert.deepEqual(parseByteRange('bytes=-1000', 100), [0, 99]);
  assert.equal(parseByteRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseByteRange('bytes=5-4', 100), 'unsatisfiable');
  assert.equal(parseByteRange('bytes=-0', 100), 'unsatisfiable');
  assert.equal(parseByteRange(undefined, 100), undefined);
  assert.equal(parseByteRange('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseByteRange('items=0-1', 100), undefined);
});

test('accesses: reads pull, writes pull+push, deletes delete, mounts pull the source', () => {
  const repo = (name: string, ...actions: string[]) => ({ type: 'repository', name, actions });
  assert.deepEqual(accessesFor({ kind: 'base' }, 'GET', undefined), []);
  assert.deepEqual(accessesFor({ kind: 'catalog' }, 'GET', undefined), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  assert.deepEqual(accessesFor({ kind: 'manifest', name: 'a', reference: 't' }, 'HEAD', undefined), [repo('a', 'pull')]);
  assert.deepEqual(accessesFor({ kind: 'manifest', name: 'a', reference: 't' }, 'PUT', undefined), [repo('a', 'pull', 'push')]);
  assert.deepEqual(accessesFor({ kind: 'manifest', name: 'a', reference: 't' }, 'DELETE', undefined), [repo('a', 'delete')]);
  assert.deepEqual(accessesFor({ kind: 'blob', name: 'a', digest: 'd' }, 'DELETE', undefined), [repo('a', 'delete')]);
  assert.deepEqual(accessesFor({ kind: 'upload', name: 'a', id: 'u' }, 'PATCH', undefined), [repo('a', 'pull', 'push')]);
  assert.deepEqual(accessesFor({ kind: 'upload-start', name: 'a' }, 'POST', 'b/c'), [repo('a', 'pull', 'push'), repo('b/c', 'pull')]);
  assert.deepEqual(accessesFor({ kind: 'upload-start', name: 'a' }, 'POST', 'BAD'), [repo('a', 'pull', 'push')]);
  assert.deepEqual(accessesFor({ kind: 'referrers', name: 'a', digest: 'd' }, 'GET', undefined), [repo('a', 'pull')]);
});

// ---- the auth hook, in process, with a fake authenticator ----

/** `Authorization: User <name>`; grants per user: repository -> actions, plus `catalog`. */
const GRANTS: Record<string, Record<string, string[]>> = {
  alice: { 'repo/a': ['pull', 'push', 'delete'], 'repo/c': ['pull', 'push'] },
  bob: { 'repo/b': ['pull', 'push'] },
  admin: { catalog: ['*'] },
};

const fakeAuth: RegistryAuthenticator = {
  async authorize(authorization, needed: Access[]) {
    const user = authorization?.startsWith('User ') ? authorization.slice(5) : undefined;
    if (!user || !GRANTS[user]) {
      return { ok: false, status: 401, code: 'UNAUTHORIZED', message: 'authentication required', challenge: 'Basic realm="test"', detail: needed };
    }
    const refused = needed.filter((a) => !a.actions.every((x) => (GRANTS[user][a.name] ?? []).some((g) => g === x || g === '*')));
    if (refused.length > 0) return { ok: false, status: 403, code: 'DENIED', message: 'requested access to the resource is denied', detail: refused };
    return { ok: true, subject: { name: user, via: 'basic' } };
  },
};

async function withServer(fn: (url: string, log: AccessLogEntry[]) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-auth-'));
  const log: AccessLogEntry[] = [];
  const handler = createRegistryHandler({
    store: new RegistryStore(new FilesystemDriver(dir)),
    authenticator: fakeAuth,
    deleteEnabled: true,
    accessLog: (e) => log.push(e),
    extraHandler: async (req, res) => {
      if (req.url !== '/token') return false;
      res.end('token!');
      return true;
    },
  });
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  try {
    await fn(`http://127.0.0.1:${port}`, log);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  }
}

const digestOf = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const as = (user: string) => ({ Authorization: `User ${user}` });

test('auth hook: 401 with the challenge, 403 with the refused accesses, subject in the access log', async () => {
  await withServer(async (url, log) => {
    const anon = await fetch(`${url}/v2/`);
    assert.equal(anon.status, 401);
    assert.equal(anon.headers.get('www-authenticate'), 'Basic realm="test"');
    assert.equal(((await anon.json()) as { errors: Array<{ code: string }> }).errors[0].code, 'UNAUTHORIZED');
    const head = await fetch(`${url}/v2/repo/a/manifests/x`, { method: 'HEAD' });
    assert.equal(head.status, 401);
    assert.equal(await head.text(), '');
    assert.equal((await fetch(`${url}/v2/`, { headers: as('bob') })).status, 200);

    const push = await fetch(`${url}/v2/repo/a/blobs/uploads/?digest=${digestOf('layer')}`, { method: 'POST', body: 'layer', headers: as('alice') });
    assert.equal(push.status, 201);
    const denied = await fetch(`${url}/v2/repo/a/blobs/${digestOf('layer')}`, { headers: as('bob') });
    assert.equal(denied.status, 403);
    const body = (await denied.json()) as { errors: Array<{ code: string; detail: unknown }> };
    assert.equal(body.errors[0].code, 'DENIED');
    // distribution's wire form of the refused accesses (auth.Access records, one per action).
    assert.deepEqual(body.errors[0].detail, [{ Type: 'repository', Class: '', Name: 'repo/a', Action: 'pull' }]);
    assert.equal((await fetch(`${url}/v2/repo/b/blobs/uploads/`, { method: 'POST', headers: as('alice') })).status, 403);
    assert.equal((await fetch(`${url}/v2/repo/a/manifests/x`, { method: 'DELETE', headers: as('bob') })).status, 403);

    const mine = log.find((e) => e.status === 201)!;
    assert.equal(mine.subject, 'alice');
    assert.equal(log.find((e) => e.status === 401)!.subject, null);
  });
});

test('auth hook: a mount needs pull on from; without it, a plain upload session', async () => {
  await withServer(async (url) => {
    const d = digestOf('shared');
    assert.equal((await fetch(`${url}/v2/repo/a/blobs/uploads/?digest=${d}`, { method: 'POST', body: 'shared', headers: as('alice') })).status, 201);
    // bob may push repo/b but not pull repo/a: no mount, and still no access to the blob.
    const bobMount = await fetch(`${url}/v2/repo/b/blobs/uploads/?mount=${d}&from=repo/a`, { method: 'POST', headers: as('bob') });
    assert.equal(bobMount.status, 202);
    assert.ok(bobMount.headers.get('docker-upload-uuid'));
    assert.equal((await fetch(`${url}/v2/repo/b/blobs/${d}`, { method: 'HEAD', headers: as('bob') })).status, 404);
    // alice may pull repo/a and push repo/c: mounted.
    const aliceMount = await fetch(`${url}/v2/repo/c/blobs/uploads/?mount=${d}&from=repo/a`, { method: 'POST', headers: as('alice') });
    assert.equal(aliceMount.status, 201);
    assert.equal((await fetch(`${url}/v2/repo/c/blobs/${d}`, { headers: as('alice') })).status, 200);
    // Without push on the target, a mount is refused outright.
    assert.equal((await fetch(`${url}/v2/repo/a/blobs/uploads/?mount=${d}&from=repo/b`, { method: 'POST', headers: as('bob') })).status, 403);
  });
});

test('auth hook: _catalog needs registry:catalog:*, v1 search registry:catalog:search (which * covers); the extra handler runs first', async () => {
  await withServer(async (url) => {
    assert.equal((await fetch(`${url}/v2/_catalog`, { headers: as('alice') })).status, 403);
    assert.equal((await fetch(`${url}/v2/_catalog`, { headers: as('admin') })).status, 200);
    assert.equal((await fetch(`${url}/v1/search?q=x`, { headers: as('alice') })).status, 403);
    assert.equal((await fetch(`${url}/v1/search?q=x`)).status, 401);
    assert.equal((await fetch(`${url}/v1/search?q=x`, { headers: as('admin') })).status, 200);
    const tok = await fetch(`${url}/token`);
    assert.equal(tok.status, 200);
    assert.equal(await tok.text(), 'token!');
  });
});
