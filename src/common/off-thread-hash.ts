// SHA-256 computed on a worker thread: the daemon's main thread only copies the bytes into
// 1 MiB batches and hands them over (a pull hashes every layer's uncompressed tar; doing that
// on the main thread took ~0.2 s of its time per 300 MB, which was the pull's bottleneck).
// One worker per process, shared by every open hash, referenced only while a hash is open.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let h = hashes.get(m.id);
    if (!h) hashes.set(m.id, (h = createHash('sha256')));
    h.update(new Uint8Array(m.buf));
  } else if (m.op === 'digest') {
    const h = hashes.get(m.id) ?? createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: h.digest('hex') });
  } else if (m.op === 'drop') {
    hashes.delete(m.id);
  }
});
`;

const BATCH = 1 << 20;

let worker: Worker | undefined;
let open = 0;
let nextId = 1;
const waiting = new Map<number, { resolve: (hex: string) => void; reject: (err: unknown) => void }>();

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (m: { id: number; hex: string }) => {
    const p = waiting.get(m.id);
    waiting.delete(m.id);
    p?.resolve(m.hex);
  });
  const fail = (err: unknown) => {
    if (worker === w) worker = undefined;
    for (const p of waiting.values()) p.reject(err);
    waiting.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
  w.unref();
  worker = w;
  return w;
}

/** A SHA-256 whose digest() is asynchronous; close() it when it is abandoned. */
export class OffThreadSha256 {
  readonly #id = nextId++;
  readonly #worker: Worker;
  #batch: Buffer | undefined;
  #fill = 0;
  #closed = false;

  constructor() {
    this.#worker = theWorker();
    if (open++ === 0) this.#worker.ref();
  }

  update(chunk: Uint8Array): void {
    if (this.#closed) throw new Error('hash is closed');
    for (let off = 0; off < chunk.byteLength; ) {
      const n = Math.min(BATCH - this.#fill, chunk.byteLength - off);
      this.#batch ??= Buffer.allocUnsafeSlow(BATCH);
      this.#batch.set(chunk.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      if (this.#fill === BATCH) this.#flush();
    }
  }

  /** `sha256:<hex>` of everything updated; closes the hash. */
  digest(): Promise<string> {
    if (this.#closed) return Promise.reject(new Error('hash is closed'));
    this.#flush();
    this.#release();
    return new Promise<string>((resolve, reject) => {
      waiting.set(this.#id, { resolve: (hex) => resolve(`sha256:${hex}`), reject });
      this.#worker.postMessage({ op: 'digest', id: this.#id });
    }).finally(() => {
      if (open === 0 && waiting.size === 0) this.#worker.unref();
    });
  }

  /** Abandons the hash (no-op after digest()). */
  close(): void {
    if (this.#closed) return;
    this.#fill = 0;
    this.#batch = undefined;
    this.#worker.postMessage({ op: 'drop', id: this.#id });
    this.#release();
    if (open === 0 && waiting.size === 0) this.#worker.unref();
  }

  #release(): void {
    this.#closed = true;
    open--;
  }

  #flush(): void {
    if (this.#fill === 0 || !this.#batch) return;
    // The batch's memory moves to the worker (no copy, except a last partial batch).
    const ab = this.#batch.buffer as ArrayBuffer;
    const msg = this.#fill === BATCH ? ab : ab.slice(0, this.#fill);
    this.#worker.postMessage({ op: 'update', id: this.#id, buf: msg }, [msg]);
    this.#fill = 0;
    this.#batch = undefined;
  }
}
