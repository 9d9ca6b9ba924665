// Records the create bodies the real docker CLI sends for each argv in cases.json, by pointing it
// at a fake daemon on a unix socket. Run from this folder: node record.mjs  (needs `docker`).
// ENVFILE/LABELFILE in an argv are replaced by the env.list/labels.list files beside this script.
import http from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;
const cases = JSON.parse(readFileSync(join(here, 'cases.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'berth-record-'));
const sock = join(dir, 'd.sock');
let last;
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const url = req.url.replace(/^\/v[0-9.]+/, '');
    res.setHeader('Api-Version', '1.50');
    if (url.startsWith('/_ping')) {
      res.writeHead(200, { 'Content-Type': 'text/plain', OSType: 'linux' });
      return res.end('OK');
    }
    if (url.startsWith('/containers/create')) {
      last = { url, body: JSON.parse(body) };
      res.writeHead(201, { 'Content-Type': 'application/json' });
      return res.end('{"Id":"x","Warnings":[]}');
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"message":"not here"}');
  });
});
await new Promise((r) => server.listen(sock, r));
const env = { ...process.env, FOO: 'bar', HOME: '/root' };
delete env.NOTSET;
for (const [name, argv0] of Object.entries(cases)) {
  const argv = argv0.map((a) => (a === 'ENVFILE' ? join(here, 'env.list') : a === 'LABELFILE' ? join(here, 'labels.list') : a));
  last = undefined;
  await new Promise((resolve) => execFile('docker', ['-H', `unix://${sock}`, 'create', ...argv], { env }, () => resolve()));
  if (!last) throw new Error(`no create request for ${name}`);
  writeFileSync(join(here, `${name}.json`), JSON.stringify({ argv: argv0, env: { FOO: 'bar', HOME: '/root' }, url: last.url, body: last.body }, null, 2) + '\n');
  console.log('recorded', name);
}
server.close();
rmSync(dir, { recursive: true, force: true });
