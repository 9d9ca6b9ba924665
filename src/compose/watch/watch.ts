// `docker compose watch` (pkg/compose/watch.go): each service's develop.watch triggers follow
// their paths (fs.watch, recursive); changes are batched over a quiet period, filtered through the
// trigger's `ignore` patterns (the .dockerignore matcher) and editors' temporary files, then:
// sync copies the changed files into the service's running containers (PUT .../archive) and
// removes the deleted ones (exec rm -rf), sync+restart also restarts them, restart restarts
// them, rebuild rebuilds the image and recreates the service (the engine's recreateService).
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { basename, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import type { ApiClient } from '../../common/index.ts';
import { dockerignoreMatcher, TarWriter, type PatternMatcher } from '../../common/index.ts';
import { listProjectContainers } from '../containers.ts';
import { ComposeError } from '../errors.ts';
import { LABEL } from '../labels.ts';
import type { Project } from '../types.ts';

export interface WatchTrigger {
  service: string;
  /** The host path watched (absolute). */
  path: string;
  action: string;
  /** Where `path` is in the container (sync actions). */
  target?: string;
  ignore: PatternMatcher;
}

export interface WatchOptions {
  /** The services watched (empty: all with develop.watch). */
  services: string[];
  /** compose's watch log lines ("Watch enabled", "Syncing ..."). */
  log(message: string): void;
  /** Errors of a batch (watching goes on). */
  error(message: string): void;
  /** Rebuilds the service's image and recreates its containers (the engine's recreateService). */
  rebuild(service: string): Promise<void>;
  /** --prune: dangling images of the project are removed after a rebuild. */
  prune: boolean;
  signal: AbortSignal;
  /** The quiet period a batch of changes waits for (compose: 500ms). */
  quietMs?: number;
}

/** Editors' temporary files compose's watch never acts on (vim swap files, emacs locks, backups). */
export function isEphemeral(file: string): boolean {
  const name = basename(file);
  return name.endsWith('~') || name.endsWith('.swp') || name.endsWith('.swx') || name === '4913' || name.startsWith('.#');
}

/** The triggers of the selected services, checked as compose checks them. */
export function watchTriggers(project: Project, services: readonly string[]): WatchTrigger[] {
  const names = services.length ? services : Object.keys(project.services).sort();
  const out: WatchTrigger[] = [];
  for (const name of names) {
    const s = project.services[name];
    if (!s) throw new ComposeError(`no such service: ${name}`);
    for (const t of s.develop?.watch ?? []) {
      if (t.action === 'rebuild' && !s.build) throw new ComposeError(`can't watch service "${name}" with action ${t.action} without a build context`);
      if ((t.action === 'sync' || t.action === 'sync+restart' || t.action === 'sync+exec') && !t.target) {
        throw new ComposeError(`services.${name}.develop.watch: target is required for ${t.action} action`);
      }
      const path = isAbsolute(t.path) ? t.path : resolve(project.working_dir, t.path);
      out.push({ service: name, path, action: t.action, target: t.target, ignore: dockerignoreMatcher(t.ignore ?? []) });
    }
  }
  if (!out.length) throw new ComposeError("none of the selected services is configured for watch, consider setting a 'develop' section");
  return out;
}

/** The trigger's view of a changed host path: its path below the trigger, or undefined when not under it or ignored. */
export function triggerRelative(t: WatchTrigger, file: string): string | undefined {
  if (file !== t.path && !file.startsWith(t.path.endsWith(sep) ? t.path : t.path + sep)) return undefined;
  const rel = relative(t.path, file);
  if (isEphemeral(file)) return undefined;
  if (rel && t.ignore.matches(rel.split(sep).join('/'))) return undefined;
  return rel.split(sep).join('/');
}

/** A tar of a host file or directory tree, its top entry named `name`. */
async function tarOf(hostPath: string, name: string): Promise<Buffer> {
  const tar = new TarWriter();
  const add = async (p: string, entry: string): Promise<void> => {
    const st = await lstat(p);
    const h = { name: entry, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isDirectory()) {
      await tar.addDir(h);
      for (const child of (await readdir(p)).sort()) await add(join(p, child), `${entry}/${child}`);
    } else if (st.isSymbolicLink()) await tar.addSymlink(h, await readlink(p));
    else if (st.isFile()) {
      const data = await readFile(p);
      await tar.addFile({ ...h, size: data.length }, data);
    }
  };
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const c of tar.readable) chunks.push(Buffer.from(c));
  })();
  await add(hostPath, name);
  await tar.finish();
  await reading;
  return Buffer.concat(chunks);
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}

/** Copies (or removes) the changed paths in each running container of the service. */
async function syncChanges(client: ApiClient, project: Project, t: WatchTrigger, rels: string[]): Promise<void> {
  const containers = await listProjectContainers(client, project.name, { services: [t.service] });
  for (const rel of rels) {
    const host = rel ? join(t.path, rel) : t.path;
    const inContainer = rel ? posix.join(t.target!, rel) : t.target!;
    const present = await exists(host);
    // Named by its whole path and extracted at '/', as compose's tar sync does: missing parents are made.
    const body = present ? await tarOf(host, inContainer.replace(/^\/+/, '')) : undefined;
    for (const c of containers) {
      if (body) {
        await client.call('PUT', `/containers/${c.Id}/archive`, { query: { path: '/' }, body, headers: { 'Content-Type': 'application/x-tar' } }).then((r) => r.body.resume());
      } else {
        const { Id } = await client.json<{ Id: string }>('POST', `/containers/${c.Id}/exec`, { body: { Cmd: ['rm', '-rf', inContainer], AttachStdout: false, AttachStderr: false } });
        await client.call('POST', `/exec/${Id}/start`, { body: { Detach: true } }).then((r) => r.body.resume());
      }
    }
  }
}

async function restartService(client: ApiClient, project: Project, service: string): Promise<void> {
  const containers = await listProjectContainers(client, project.name, { services: [service] });
  await Promise.all(containers.map((c) => client.call('POST', `/containers/${c.Id}/restart`).then((r) => r.body.resume())));
}

/** Follows the triggers until the signal aborts. */
export async function watchProject(client: ApiClient, project: Project, opts: WatchOptions): Promise<void> {
  const triggers = watchTriggers(project, opts.services);
  const quiet = opts.quietMs ?? 500;
  const pending = new Map<WatchTrigger, Set<string>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const watchers: FSWatcher[] = [];
  let failure: unknown;
  let abortAll: () => void = () => {};

  const flush = (): void => {
    const batch = new Map(pending);
    pending.clear();
    // A failed batch is reported and watching goes on, as compose does.
    running = running.then(() => handleBatch(batch)).catch((err: unknown) => {
      opts.error(`Error handling changes: ${err instanceof Error ? err.message : String(err)}`);
    });
  };

  const handleBatch = async (batch: Map<WatchTrigger, Set<string>>): Promise<void> => {
    const rebuilt = new Set<string>();
    for (const [t, rels] of batch) {
      const list = [...rels].sort();
      if (t.action === 'rebuild') {
        if (rebuilt.has(t.service)) continue;
        rebuilt.add(t.service);
        opts.log(`Rebuilding service "${t.service}" after changes were detected...`);
        await opts.rebuild(t.service);
        opts.log(`service "${t.service}" successfully built`);
        if (opts.prune) {
          await client.call('POST', '/images/prune', { query: { filters: { dangling: ['true'], label: [`${LABEL.project}=${project.name}`] } } }).then((r) => r.body.resume());
        }
      } else if (t.action === 'sync' || t.action === 'sync+restart' || t.action === 'sync+exec') {
        opts.log(`Syncing service "${t.service}" after ${list.length} changes were detected`);
        await syncChanges(client, project, t, list);
        if (t.action === 'sync+restart') {
          opts.log(`Restarting service "${t.service}" after changes were detected`);
          await restartService(client, project, t.service);
        }
      } else if (t.action === 'restart') {
        opts.log(`Restarting service "${t.service}" after changes were detected`);
        await restartService(client, project, t.service);
      }
    }
  };

  const done = new Promise<void>((resolveDone) => {
    const finish = (): void => {
      for (const w of watchers) w.close();
      if (timer) clearTimeout(timer);
      resolveDone();
    };
    if (opts.signal.aborted) finish();
    else opts.signal.addEventListener('abort', finish, { once: true });
    abortAll = finish;
  });

  for (const path of new Set(triggers.map((t) => t.path))) {
    if (!(await exists(path))) {
      throw new ComposeError(`unable to watch ${path}: no such file or directory`);
    }
    const isDir = (await lstat(path)).isDirectory();
    const w = watch(path, { recursive: isDir }, (_event, filename) => {
      const file = filename ? (isDir ? join(path, filename.toString()) : path) : path;
      let hit = false;
      for (const t of triggers) {
        if (t.path !== path) continue;
        const rel = triggerRelative(t, file);
        if (rel === undefined) continue;
        if (!pending.has(t)) pending.set(t, new Set());
        pending.get(t)!.add(rel);
        hit = true;
      }
      if (!hit) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, quiet);
    });
    w.on('error', (err) => {
      failure = err;
      abortAll();
    });
    watchers.push(w);
  }
  opts.log('Watch enabled');
  await done;
  await running;
  if (failure) throw failure;
}
