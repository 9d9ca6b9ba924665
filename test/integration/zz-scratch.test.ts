import { test } from 'node:test';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemonWithBusybox } from './harness.ts';
import { contextTar } from './build.test-helpers.ts';

test('scratch', async () => {
  const d = await startDaemonWithBusybox();
  try {
    const tar = await contextTar({ 'Dockerfile': 'FROM busybox\nRUN sleep 300\n' });
    await new Promise<void>((resolve) => {
      const req = request({ socketPath: d.socket, method: 'POST', path: '/build?t=c:1', headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
        res.on('data', (chunk: Buffer) => {
          console.log('DATA', chunk.toString());
          if (chunk.toString().includes('Running in')) { req.destroy(); resolve(); }
        });
      });
      req.on('error', () => resolve());
      req.end(tar);
    });
    for (let i = 0; i < 10; i++) {
      await sleep(1000);
      console.log('PS', (await d.docker(['ps', '-a'])).stdout);
    }
    console.log(d.daemonLog().split('\n').filter((l) => !l.includes('"request"')).slice(-40).join('\n'));
  } finally {
    await d.cleanup();
  }
});
