// A fake Engine API on a unix socket for the CLI's unit tests: each request is recorded (method,
// path without the version prefix, query, headers, body) and answered by the test's handler.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface FakeDaemon {
  host: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startFakeDaemon(handle: (req: SeenRequest) => FakeReply | Promise<FakeReply>): Promise<FakeDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fake-daemon-'));
  const sock = join(dir, 'api.sock');
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const u = new URL(req.url ?? '/', 'http://fake');
        const query: Record<string, string[]> = {};
        for (const [k, v] of u.searchParams) (query[k] ??= []).push(v);
        const seen: SeenRequest = { method: req.method ?? '', path: u.pathname.replace(/^\/v[0-9.]+/, ''), query, headers: req.headers, body: Buffer.concat(chunks) };
        if (seen.path === '/_ping') {
          res.writeHead(200, { 'Api-Version': '1.50', 'Content-Type': 'text/plain' });
          res.end('OK');
          return;
        }
        requests.push(seen);
        const reply = await handle(seen);
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', 'Api-Version': '1.50', ...reply.headers });
        res.end(reply.body ?? '');
      })();
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  return {
    host: `unix://${sock}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
