// `RUN --mount` (BuildKit's mount types) as HostConfig mounts of the build container, so the
// container verbs mount them as they mount `docker run --mount`:
// - cache: a persistent directory (cache-mounts.ts), bound;
// - bind: from the context (read-only; `rw` on an overlay whose writes are dropped) or from a
//   stage/image (its layers on a scratch RW layer, removed after the RUN); the source is opened
//   inside its root by the fsroot resolver and that fd is staged (a bind of the fd under the exec
//   root), so no symlink in the source ever leads out of the context or the image;
// - tmpfs: a tmpfs mount of the size asked;
// - secret: a file on a small tmpfs under the exec root (never the data root), bound read-only
//   at /run/secrets/<id> or the target, mode 0400 unless `mode` says otherwise.
import { closeSync, chownSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { invalidParameter } from '../../common/index.ts';
import { openInRoot, openRoot } from '../../fsroot/index.ts';
import type { RunMount, StepImage } from '../../builder/index.ts';
import type { EngineMount } from '../host-config/types.ts';
import { stageBind, unstageBind } from '../containers/subpath-staging.linux.ts';
import type { CacheMounts } from './cache-mounts.ts';
import { openScratchLayer, type ScratchDeps } from './scratch-layer.ts';
import { mountOverlay, mountTmpfs, unmountAndRemove } from './mounts.linux.ts';

export interface RunMountDeps {
  scratch: ScratchDeps;
  cacheMounts: CacheMounts;
  /** The build context's directory (bind mounts without `from`). */
  contextDir: string;
  /** <exec-root>/builder: staged binds and secret tmpfs mounts. */
  execDir: string;
  /** The top layer of an image (null: no layers). */
  chainOf(image: StepImage): string | null;
}

export interface PreparedMounts {
  mounts: EngineMount[];
  /** Container paths of every mount target (their stubs are left out of the layer). */
  targets: string[];
  /** `env=`: the variable and the secret's path in the container. */
  secretEnv: { name: string; path: string }[];
  release(): Promise<void>;
}

/** Secrets larger than this are refused (BuildKit's limit is 500 KiB). */
const MAX_SECRET_BYTES = 500 * 1024;

export async function prepareRunMounts(deps: RunMountDeps, mounts: RunMount[]): Promise<PreparedMounts> {
  const out: EngineMount[] = [];
  const targets: string[] = [];
  const secretEnv: { name: string; path: string }[] = [];
  const undo: (() => Promise<void> | void)[] = [];
  const release = async () => {
    for (const fn of undo.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // best effort: the next daemon start clears what is left (staging, scratch layers)
      }
    }
  };
  try {
    for (const m of mounts) {
      const target = mountTarget(m);
      targets.push(target);
      switch (m.type) {
        case 'cache': {
          const inst = await deps.cacheMounts.acquire({ id: m.id, sharing: m.sharing, uid: m.uid, gid: m.gid, mode: m.mode });
          undo.push(inst.release);
          // Staged under the exec root: a bind from inside the data root would have to be a
          // shared or slave mount (moby's validateBindDaemonRoot).
          const staged = stageIn(deps.execDir, inst.path, '/');
          undo.push(() => unstageBind(staged));
          out.push({ Type: 'bind', Source: staged, Target: target, ReadOnly: m.readOnly });
          break;
        }
        case 'tmpfs':
          out.push({ Type: 'tmpfs', Target: target, TmpfsOptions: m.size ? { SizeBytes: m.size } : {} });
          break;
        case 'bind': {
          let root = deps.contextDir;
          if (m.fromImage) {
            const layer = await openScratchLayer(deps.scratch, deps.chainOf(m.fromImage));
            undo.push(() => layer.remove());
            root = layer.root;
          }
          const staged = stageIn(deps.execDir, root, m.source ?? '/');
          undo.push(() => unstageBind(staged));
          let source = staged;
          if (!m.readOnly && !m.fromImage) {
            // The context is shared by every step: writes land in an overlay that is thrown away.
            // Under the exec root, not the data root: a bind from inside the data root must be a shared or
            // slave mount (moby's validateBindDaemonRoot), which this private overlay is not.
            const dir = join(deps.execDir, 'rw', randomBytes(8).toString('hex'));
            mountOverlay(staged, join(dir, 'upper'), join(dir, 'work'), join(dir, 'merged'));
            undo.push(() => unmountAndRemove(join(dir, 'merged'), dir));
            source = join(dir, 'merged');
          }
          out.push({ Type: 'bind', Source: source, Target: target, ReadOnly: m.readOnly });
          break;
        }
        case 'secret': {
          if (m.data.byteLength > MAX_SECRET_BYTES) throw invalidParameter(`secret ${m.id ?? ''} is too large`);
          const dir = join(deps.execDir, 'secrets', randomBytes(8).toString('hex'));
          mountTmpfs(dir, Math.max(m.data.byteLength, 4096) + 4096);
          undo.push(() => unmountAndRemove(dir, dir));
          const file = join(dir, 'secret');
          writeFileSync(file, m.data, { mode: m.mode ?? 0o400 });
          chownSync(file, m.uid ?? 0, m.gid ?? 0);
          out.push({ Type: 'bind', Source: file, Target: target, ReadOnly: true });
          if (m.env) secretEnv.push({ name: m.env, path: target });
          break;
        }
        default:
          throw invalidParameter(`unsupported mount type ${JSON.stringify((m as { type: string }).type)}`);
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { mounts: out, targets, secretEnv, release };
}

/** The container path a mount goes to (BuildKit's defaults for secrets). */
function mountTarget(m: RunMount): string {
  let t = m.target;
  if (m.type === 'secret' && !t) t = `/run/secrets/${m.id ?? ''}`;
  if (!t) throw invalidParameter(`mount type ${m.type} requires a target`);
  const clean = posix.normalize(t.startsWith('/') ? t : `/${t}`);
  if (clean === '/') throw invalidParameter('cannot mount over the root of the build container');
  return clean;
}

/** Opens `source` inside `root` (symlinks resolved in it) and stages a bind of it; returns the staged path. */
function stageIn(execDir: string, root: string, source: string): string {
  const rootFd = openRoot(root);
  try {
    let fd: number;
    try {
      fd = openInRoot(rootFd, source, { followFinal: true });
    } catch (err) {
      throw invalidParameter(`failed to compute cache key: "${source}" not found`, err);
    }
    try {
      return stageBind(fd, join(execDir, 'stage'), randomBytes(8).toString('hex'));
    } finally {
      closeSync(fd);
    }
  } finally {
    closeSync(rootFd);
  }
}
