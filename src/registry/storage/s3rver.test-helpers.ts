// A local S3-compatible server for the S3 driver's tests: s3rver (npm, devDependency) in a child
// process on 127.0.0.1 (test/fixtures/s3rver.mjs), port chosen by the kernel, a temp directory
// and one bucket. Limits of s3rver 3.7 to know: it does not check SigV4 signatures (only their
// shape: the signing is checked against AWS's published examples in s3-sign.test.ts); its
// ListObjectsV2 continuation tokens use DES, which Node 24's OpenSSL 3 only has with
// --openssl-legacy-provider (hence the flag); and the fixture corrects its delimiter listing.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const S3RVER_KEY = 'S3RVER';

export async function startS3rver(bucket: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const fixture = resolve(import.meta.dirname, '../../../test/fixtures/s3rver.mjs');
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', fixture, dir, bucket], {
    // stderr: s3rver logs harmless ENOENTs when a multi-object delete empties a directory.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /S3rver listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
