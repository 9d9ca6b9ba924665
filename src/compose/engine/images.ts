// Images for the services: pulled when missing (pull_policy, up --pull), built when the service
// has `build` and the image is missing or --build asks, as docker compose v2's
// ensureImagesExists (pkg/compose/build.go, pull.go); and `pull` / `push` of the services.
import { DaemonError } from '../../common/index.ts';
import { ComposeError } from '../errors.ts';
import type { Project, ServiceConfig } from '../types.ts';
import { serviceImage, type EngineContext } from './context.ts';
import { errorText } from './container-ops.ts';
import { forEachLimit } from './graph.ts';
import type { ProgressWriter } from './progress.ts';

const enc = encodeURIComponent;

/** The image's ID, or undefined when the engine does not have it. */
async function imageId(ctx: EngineContext, name: string): Promise<string | undefined> {
  const res = await ctx.client.request('GET', `/images/${enc(name)}/json`);
  if (res.status === 404) {
    res.body.resume();
    return undefined;
  }
  if (res.status >= 300) {
    const text = await res.text();
    throw new DaemonError(res.status, daemonMessage(text));
  }
  return (await res.json<{ Id: string }>()).Id;
}

/** The `message` of an Engine API error body, or the body itself when it is not JSON. */
export function daemonMessage(text: string): string {
  try {
    return JSON.parse(text).message ?? text;
  } catch {
    return text.trim();
  }
}

/** name -> fromImage and tag for POST /images/create (a digest stays in fromImage). */
function splitReference(ref: string): { fromImage: string; tag?: string } {
  if (ref.includes('@')) return { fromImage: ref };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { fromImage: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { fromImage: ref, tag: 'latest' };
}

/** Reads a JSON message stream; the first error message in it is thrown. */
async function consumeJsonStream(body: AsyncIterable<Buffer | string>, onMessage: (m: Record<string, any>) => void): Promise<void> {
  let pending = '';
  let error: string | undefined;
  const handle = (line: string) => {
    if (!line.trim()) return;
    let m: Record<string, any>;
    try {
      m = JSON.parse(line);
    } catch {
      return;
    }
    if (m.error || m.errorDetail?.message) {
      error ??= m.errorDetail?.message ?? m.error;
      return;
    }
    onMessage(m);
  };
  for await (const chunk of body) {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    lines.forEach(handle);
  }
  handle(pending);
  if (error !== undefined) throw new DaemonError(500, error);
}

const LAYER_STATUS = new Set(['Pulling fs layer', 'Waiting', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete', 'Already exists']);

/** Pulls the service's image with compose's events ("web Pulling" / "web Pulled", layers beneath). */
async function pullService(ctx: EngineContext, project: Project, service: ServiceConfig, w: ProgressWriter, opts: { quiet?: boolean } = {}): Promise<void> {
  const name = serviceImage(project, service);
  const id = service.name;
  w.event({ id, status: 'working', text: 'Pulling' });
  try {
    const auth = ctx.registryAuth ? await ctx.registryAuth(name) : undefined;
    const res = await ctx.client.call('POST', '/images/create', { query: { ...splitReference(name), platform: service.platform }, headers: auth ? { 'X-Registry-Auth': auth } : undefined });
    await consumeJsonStream(res.body, (m) => {
      if (opts.quiet || !m.id || !LAYER_STATUS.has(m.status)) return;
      const done = m.status === 'Pull complete' || m.status === 'Already exists' || m.status === 'Download complete';
      w.event({ id: m.id, parentId: id, status: done ? 'done' : 'working', text: m.status });
    });
  } catch (err) {
    w.event({ id, status: 'error', text: `Error ${errorText(err)}` });
    throw err;
  }
  w.event({ id, status: 'done', text: 'Pulled' });
}

export interface EnsureOptions {
  /** up --pull: always | missing | never | build (overrides pull_policy). */
  pull?: string;
  /** --build: build every service that has `build`. */
  build?: boolean;
  /** --no-build: never build. */
  noBuild?: boolean;
  quietPull?: boolean;
}

function pullPolicy(service: ServiceConfig, opts: EnsureOptions): string {
  const p = opts.pull || service.pull_policy || 'missing';
  return p === 'if_not_present' ? 'missing' : p;
}

/**
 * Makes sure every service's image exists; resolves to service -> image ID. Pulls run first (in
 * parallel), then builds (one after the other, as the classic builder).
 */
export async function ensureImages(ctx: EngineContext, project: Project, services: string[], opts: EnsureOptions, w: ProgressWriter): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const toBuild: ServiceConfig[] = [];
  await forEachLimit(services, ctx.parallel, async (name) => {
    const s = project.services[name];
    const image = serviceImage(project, s);
    const policy = pullPolicy(s, opts);
    if (s.build && !opts.noBuild && (opts.build || policy === 'build')) {
      toBuild.push(s);
      return;
    }
    // 'always' pulls whatever is there; a build-only service (no `image`) is never pulled.
    let id = policy === 'always' && s.image ? undefined : await imageId(ctx, image);
    if (!id && policy !== 'never' && (s.image || !s.build)) {
      try {
        await pullService(ctx, project, s, w, { quiet: opts.quietPull });
        id = await imageId(ctx, image);
      } catch (err) {
        if (!s.build || opts.noBuild) throw err;
      }
    }
    if (!id && s.build && !opts.noBuild) {
      toBuild.push(s);
      return;
    }
    if (!id) throw new DaemonError(404, `No such image: ${image}`);
    ids.set(name, id);
  });
  for (const s of toBuild.sort((a, b) => (a.name < b.name ? -1 : 1))) ids.set(s.name, await buildService(ctx, project, s, w, {}));
  return ids;
}

export interface BuildServiceOptions {
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  args?: Record<string, string>;
}

export async function buildService(ctx: EngineContext, project: Project, s: ServiceConfig, w: ProgressWriter, opts: BuildServiceOptions): Promise<string> {
  if (!s.build) throw new ComposeError(`service "${s.name}" has no build section`);
  if (!ctx.build) throw new ComposeError('building images is not available here');
  const id = `Service ${s.name}`;
  w.event({ id, status: 'working', text: 'Building' });
  try {
    const imageIdBuilt = await ctx.build({ project, service: s, build: s.build, tag: serviceImage(project, s), noCache: opts.noCache ?? s.build.no_cache, pull: opts.pull ?? s.build.pull, quiet: opts.quiet, args: opts.args, progress: w });
    w.event({ id, status: 'done', text: 'Built' });
    return imageIdBuilt;
  } catch (err) {
    w.event({ id, status: 'error', text: errorText(err) });
    throw err;
  }
}

/** `pull`: the services' images (build-only services skipped), failures ignored on request. */
export async function pullServices(ctx: EngineContext, project: Project, services: string[], opts: { ignoreFailures?: boolean; quiet?: boolean; policy?: string }, w: ProgressWriter): Promise<void> {
  const errors: unknown[] = [];
  const mustBuild: string[] = [];
  await forEachLimit(services, ctx.parallel, async (name) => {
    const s = project.services[name];
    if (!s.image) {
      w.event({ id: name, status: 'warning', text: 'Skipped - No image to be pulled' });
      return;
    }
    const policy = opts.policy || s.pull_policy;
    if (policy === 'never' || policy === 'build') {
      w.event({ id: name, status: 'warning', text: `Skipped - Image is set to ${policy === 'never' ? 'never' : 'build'}` });
      return;
    }
    if (policy === 'missing' || policy === 'if_not_present') {
      if (await imageId(ctx, s.image)) {
        w.event({ id: name, status: 'done', text: 'Skipped - Image is already present locally' });
        return;
      }
    }
    try {
      await pullService(ctx, project, s, w, { quiet: opts.quiet });
    } catch (err) {
      // compose: a buildable image's failure is reported once at the end; others fail the pull
      // unless --ignore-pull-failures.
      if (s.build) mustBuild.push(name);
      else if (!opts.ignoreFailures) errors.push(err);
    }
  });
  if (mustBuild.length) ctx.warn(`WARNING: Some service image(s) must be built from source by running:\n    docker compose build ${mustBuild.sort().join(' ')}`);
  if (errors.length) throw errors[0];
}

/** `push`: the images of services that have `build` (or an image of their own). */
export async function pushServices(ctx: EngineContext, project: Project, services: string[], opts: { ignoreFailures?: boolean; quiet?: boolean }, w: ProgressWriter): Promise<void> {
  await forEachLimit(services, ctx.parallel, async (name) => {
    const s = project.services[name];
    // compose pushes what it builds: a service with both `build` and `image`.
    if (!s.build || !s.image) {
      w.event({ id: name, status: 'done', text: 'Skipped' });
      return;
    }
    const image = s.image;
    const id = `Image ${image}`;
    w.event({ id, status: 'working', text: 'Pushing' });
    try {
      const { fromImage, tag } = splitReference(image);
      const auth = ctx.registryAuth ? await ctx.registryAuth(image) : 'e30=';
      const res = await ctx.client.call('POST', `/images/${enc(fromImage)}/push`, { query: { tag }, headers: { 'X-Registry-Auth': auth } });
      await consumeJsonStream(res.body, (m) => {
        if (opts.quiet || !m.id || !m.status) return;
        w.event({ id: m.id, parentId: id, status: m.status === 'Pushed' || m.status === 'Layer already exists' ? 'done' : 'working', text: m.status });
      });
    } catch (err) {
      w.event({ id, status: 'error', text: errorText(err) });
      if (!opts.ignoreFailures) throw err;
      return;
    }
    w.event({ id, status: 'done', text: 'Pushed' });
  });
}
