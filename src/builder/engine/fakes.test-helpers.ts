// A fake BuildExecutor and BuildContext for the engine's unit tests: images in memory, RUN and
// COPY recorded and scripted, no root, no containers.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageConfigFile } from '../../image/index.ts';
import type { BuildContext } from '../context/types.ts';
import { BuildRunError, SCRATCH, type BuildExecutor, type CopyStepRequest, type RunRequest, type StepImage, type StepLayer } from '../executor.ts';
import { openBuilder } from './builder.ts';
import type { Builder, BuildMessage, BuildOptions } from './types.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export interface RunScript {
  /** Exit code (default 0). */
  exit?: number;
  output?: string;
  /** Milliseconds the command "runs". */
  delayMs?: number;
  /** False: the command changed nothing (no layer). */
  layer?: boolean;
}

export class FakeExecutor implements BuildExecutor {
  readonly images = new Map<string, StepImage>();
  readonly names = new Map<string, string>();
  readonly runs: RunRequest[] = [];
  readonly copies: CopyStepRequest[] = [];
  readonly workdirs: string[] = [];
  readonly tags: { id: string; tags: string[] }[] = [];
  readonly events: { what: string; at: number }[] = [];
  readonly files = new Map<string, string>();
  /** Directories that exist in every image (WORKDIR makes no layer for them). */
  readonly existingDirs = new Set(['/', '/tmp']);
  runScript: (req: RunRequest) => RunScript = () => ({});
  resolved: string[] = [];

  addImage(name: string, config: Partial<ImageConfigFile> = {}): StepImage {
    const cfg: ImageConfigFile = {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(name)}`] },
      history: [{ created: '2020-01-01T00:00:00Z', created_by: `/bin/sh -c #(nop) ADD file:${sha(name)} in / ` }],
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
      ...config,
    };
    const img = { id: `sha256:${sha(JSON.stringify(cfg))}`, config: cfg };
    this.images.set(img.id, img);
    this.names.set(name, img.id);
    return img;
  }

  async resolveBaseImage(ref: string, opts: { pull: boolean; platform?: string; onProgress: (line: string) => void; signal: AbortSignal }): Promise<StepImage> {
    this.resolved.push(ref);
    const img = this.localImage(ref);
    if (!img) throw new Error(`pull access denied for ${ref}, repository does not exist or may require 'docker login'`);
    if (opts.pull) opts.onProgress(`pulled ${ref}`);
    return img;
  }

  localImage(ref: string): StepImage | undefined {
    const id = this.names.get(ref) ?? this.names.get(ref.replace(/:latest$/, '')) ?? ref;
    return this.images.get(id) ?? this.images.get(`sha256:${id}`);
  }

  async run(req: RunRequest): Promise<StepLayer | undefined> {
    this.runs.push(req);
    const script = this.runScript(req);
    const id = randomBytes(32).toString('hex');
    req.onContainer(id);
    this.events.push({ what: `start ${req.config.Cmd?.join(' ')}`, at: Date.now() });
    if (script.output) req.onOutput(new TextEncoder().encode(script.output));
    if (script.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, script.delayMs);
        req.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('killed'));
        }, { once: true });
      });
    }
    this.events.push({ what: `end ${req.config.Cmd?.join(' ')}`, at: Date.now() });
    if (script.exit) throw new BuildRunError('exit', script.exit);
    if (script.layer === false) return undefined;
    const parent = req.parent === SCRATCH ? '' : req.parent.id;
    const diffId = `sha256:${sha(`run ${parent} ${JSON.stringify(req.config.Cmd)}`)}`;
    return { diffId, chainId: diffId, size: 100 };
  }

  async copy(req: CopyStepRequest): Promise<StepLayer | undefined> {
    this.copies.push(req);
    const parent = req.parent === SCRATCH ? '' : req.parent.id;
    const diffId = `sha256:${sha(`copy ${parent} ${JSON.stringify(req.copy)} ${Math.random()}`)}`;
    return { diffId, chainId: diffId, size: 10 };
  }

  async mkdirWorkdir(_parent: StepImage | typeof SCRATCH, dir: string): Promise<StepLayer | undefined> {
    this.workdirs.push(dir);
    if (this.existingDirs.has(dir)) return undefined;
    const diffId = `sha256:${sha(`mkdir ${dir}`)}`;
    return { diffId, chainId: diffId, size: 1 };
  }

  async readFile(_image: StepImage, path: string): Promise<Uint8Array | undefined> {
    const f = this.files.get(path);
    return f === undefined ? undefined : new TextEncoder().encode(f);
  }

  async createImage(config: ImageConfigFile): Promise<StepImage> {
    const id = `sha256:${sha(JSON.stringify(config))}`;
    const img = { id, config: structuredClone(config) };
    this.images.set(id, img);
    return img;
  }

  async tag(id: string, tags: string[]): Promise<void> {
    this.tags.push({ id, tags });
  }
}

export class FakeContext implements BuildContext {
  readonly dir: string;
  text: string;
  readonly files = new Map<string, string>();
  checksums: string[][] = [];

  /** `dir`: a real directory for what looks at the context's files (default: none). */
  constructor(text: string, files: Record<string, string> = {}, dir = '/nonexistent') {
    this.text = text;
    this.dir = dir;
    for (const [k, v] of Object.entries(files)) this.files.set(k, v);
  }

  async dockerfile(): Promise<string> {
    return this.text;
  }

  async checksum(sources: string[], exclude: string[]): Promise<string> {
    this.checksums.push(sources);
    const parts = sources.map((s) => {
      const matched = [...this.files.keys()].filter((k) => k === s || k.startsWith(`${s.replace(/\/$/, '')}/`) || s === '.');
      return `${s}:${matched.map((k) => `${k}=${this.files.get(k)}`).join(',')}`;
    });
    return `sha256:${sha(`${parts.join('|')}|${exclude.join(',')}`)}`;
  }

  async close(): Promise<void> {}
}

function options(o: Partial<BuildOptions> = {}): BuildOptions {
  return {
    tags: [],
    buildArgs: {},
    noCache: false,
    pull: false,
    cacheFrom: [],
    labels: {},
    rm: true,
    forceRm: false,
    quiet: false,
    secrets: new Map(),
    ...o,
  };
}

export interface Harness {
  root: string;
  builder: Builder;
  executor: FakeExecutor;
  cleanup(): Promise<void>;
}

export async function harness(executor = new FakeExecutor()): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'berth-builder-'));
  const builder = openBuilder({ dataRoot: root, imageExists: (id) => executor.images.has(id) });
  return { root, builder, executor, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface BuildOutcome {
  imageId?: string;
  error?: Error & { code?: number };
  messages: BuildMessage[];
  /** The `stream` texts joined. */
  text: string;
  image?: StepImage;
}

export async function build(h: Harness, dockerfile: string | FakeContext, opts: Partial<BuildOptions> = {}, signal?: AbortSignal): Promise<BuildOutcome> {
  const context = typeof dockerfile === 'string' ? new FakeContext(dockerfile) : dockerfile;
  const messages: BuildMessage[] = [];
  const out: BuildOutcome = { messages, text: '' };
  try {
    const r = await h.builder.build({ context, executor: h.executor, options: options(opts), onMessage: (m) => messages.push(m), signal });
    out.imageId = r.imageId;
    out.image = h.executor.images.get(r.imageId);
  } catch (err) {
    out.error = err as Error;
  }
  out.text = messages.map((m) => ('stream' in m ? m.stream : '')).join('');
  return out;
}

/** The stream with container and image IDs replaced by <id>, for comparing whole transcripts. */
export function normalized(text: string): string {
  return text.replace(/[0-9a-f]{12}/g, '<id>');
}
