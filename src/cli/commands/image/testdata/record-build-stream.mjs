// Records what the real docker CLI 28.2 (legacy builder) sends to POST /build and how it prints
// the daemon's answer: a small fake daemon on a unix socket serves build-ok.stream or
// build-fail.stream, docker builds /tmp/berth-build-golden/ctx with the flags of each case, and
// build-stream-golden.json keeps the query, the headers, stdout, stderr and the exit code
// (`docker` becomes `berth`, the legacy builder's deprecation banner is left out).
// Run: node src/cli/commands/image/testdata/record-build-stream.mjs
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const dir = '/tmp/berth-build-golden';
const ctx = join(dir, 'ctx');
mkdirSync(ctx, { recursive: true });
writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo hi\n');
writeFileSync(join(ctx, 'a.txt'), 'data\n');
const sock = join(dir, 'fake.sock');
rmSync(sock, { force: true });

let stream = '';
let seen;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url.endsWith('/_ping')) {
      res.writeHead(200, { 'Api-Version': '1.50', 'Content-Type': 'text/plain' });
      res.end('OK');
      return;
    }
    const u = new URL(req.url, 'http://x');
    const query = {};
    for (const [k, v] of u.searchParams) (query[k] ??= []).push(v);
    const { host, 'user-agent': _ua, 'transfer-encoding': _te, ...headers } = req.headers;
    seen = { path: u.pathname.replace(/^\/v[0-9.]+/, ''), query, headers, bodyLength: Buffer.concat(chunks).length };
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(readFileSync(join(here, stream)));
  });
});
await new Promise((r) => server.listen(sock, r));

const cases = [
  { name: 'ok', stream: 'build-ok.stream', args: ['-t', 'app', '--build-arg', 'A=1', '--build-arg', 'HOME', '--build-arg', 'NOPE', '--label', 'l=v', ctx] },
  { name: 'all-flags', stream: 'build-ok.stream', args: [
    '-t', 'app', '-t', 'b:2', '--rm=false', '--force-rm', '--no-cache', '--pull', '--cache-from', 'x,y', '--cache-from', 'z', '--network', 'host',
    '--add-host', 'h:1.2.3.4', '--platform', 'linux/amd64', '-m', '64m', '--memory-swap', '-1', '-c', '5', '--cpuset-cpus', '0', '--cpu-period', '100000',
    '--cpu-quota', '5000', '--shm-size', '1g', '--ulimit', 'nofile=10:20', '--target', 't', '-q', '-f', join(ctx, 'Dockerfile'), ctx] },
  { name: 'fail', stream: 'build-fail.stream', args: [ctx] },
  { name: 'fail-quiet', stream: 'build-fail.stream', args: ['-q', ctx] },
];
const out = [];
for (const c of cases) {
  stream = c.stream;
  seen = undefined;
  const r = await new Promise((resolve) => {
    const p = spawn('docker', ['build', ...c.args], { env: { ...process.env, HOME: dir, DOCKER_BUILDKIT: '0', DOCKER_HOST: `unix://${sock}` } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  out.push({
    ...c, request: seen, code: r.code, stdout: r.stdout.replace(/\bdocker\b/g, 'berth'),
    stderr: r.stderr.replace(/^DEPRECATED:[\s\S]*?\n\n/, '').replace(/\bdocker\b/g, 'berth'),
  });
}
server.close();
writeFileSync(join(here, 'build-stream-golden.json'), JSON.stringify(out, null, 1) + '\n');
