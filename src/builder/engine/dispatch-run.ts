// RUN (moby dispatchRun, with BuildKit's heredocs, --mount and --network): the command runs in
// a container on the current image with the config's Env plus the build args in use; the cache
// key and history hold those args as `|N k=v ... <cmd>` (moby prependEnvOnCmd), the proxy args
// only when declared. Secret bytes go to the executor and nowhere else.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { shortId } from '../../common/index.ts';
import { parseMount } from '../dockerfile/mount.ts';
import type { RunInstruction } from '../dockerfile/types.ts';
import { BuildRunError, type RunMount, type RunRequest } from '../executor.ts';
import type { BuildArgs } from './args.ts';
import { resolveCmdLine } from './dispatch-command.ts';
import { BuilderError, badDockerfile, buildCancelled } from './errors.ts';
import { expandWord, stepEnv } from './expand.ts';
import { heredocRun } from './heredoc.ts';
import { cloneRunConfig, shellOf } from './run-config.ts';
import type { StepContext } from './session.ts';
import { sourceImage } from './source-image.ts';
import { commitStep, probeCache } from './step.ts';

function prependEnvOnCmd(args: BuildArgs, buildArgVars: string[], cmd: string[]): string[] {
  const kept = buildArgVars.filter((kv) => args.isReferencedOrNotBuiltin(kv.split('=', 1)[0])).sort();
  return [`|${kept.length}`, ...kept, ...cmd];
}

/** Go's path.Clean. */
function goPathClean(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}

interface Mounts {
  mounts: RunMount[];
  /** What the cache key holds of them: everything but secret bytes. */
  keys: Record<string, unknown>[];
}

async function runMounts(ctx: StepContext, raws: string[]): Promise<Mounts> {
  const env = stepEnv(ctx.state);
  const out: Mounts = { mounts: [], keys: [] };
  for (const raw of raws) {
    const spec = parseMount(raw, (w: string) => expandWord(ctx, w, env));
    // BuildKit: a cache's id defaults to the target as written (path.Clean), then a relative
    // target is put under the working directory.
    const cacheId = spec.id || (spec.target ? goPathClean(spec.target) : '');
    if (spec.target && !spec.target.startsWith('/')) spec.target = posix.join('/', ctx.state.runConfig.WorkingDir ?? '', spec.target);
    switch (spec.type) {
      case 'cache': {
        out.mounts.push({ ...spec, type: 'cache', id: cacheId });
        out.keys.push({ ...spec, id: cacheId });
        break;
      }
      case 'bind': {
        const fromImage = spec.from ? await sourceImage(ctx, spec.from) : undefined;
        out.mounts.push({ ...spec, type: 'bind', fromImage });
        // What the command reads through the mount is part of the key: the source image, or
        // the checksum of the context files under the source (BuildKit keys binds by content).
        const content = fromImage ? fromImage.id : await ctx.session.context.checksum([spec.source || '.'], []);
        out.keys.push({ ...spec, from: undefined, content });
        break;
      }
      case 'tmpfs':
        out.mounts.push({ ...spec, type: 'tmpfs' });
        out.keys.push({ ...spec });
        break;
      case 'secret': {
        const id = spec.id || (spec.target ? posix.basename(spec.target) : '');
        if (!id) throw badDockerfile('secret mount requires an id or a target');
        const target = spec.env && !spec.target ? undefined : (spec.target ?? `/run/secrets/${id}`);
        const data = ctx.session.options.secrets.get(id);
        if (!data) {
          if (spec.required) throw badDockerfile(`secret ${id}: not found`);
          break;
        }
        out.mounts.push({ ...spec, type: 'secret', id, target, data });
        out.keys.push({ type: 'secret', id, target, env: spec.env, mode: spec.mode, uid: spec.uid, gid: spec.gid, required: spec.required });
        break;
      }
      default:
        throw badDockerfile(`RUN --mount=type=${spec.type} is not supported`);
    }
  }
  return out;
}

export async function dispatchRun(ctx: StepContext, inst: RunInstruction): Promise<void> {
  const { state, session, out } = ctx;
  const rc = state.runConfig;
  let cmdFromArgs: string[];
  let stdin: Uint8Array | undefined;
  if (inst.command.form === 'shell' && inst.command.heredocs.length > 0) {
    const h = heredocRun(inst.command.cmd, inst.command.heredocs, shellOf(rc));
    cmdFromArgs = h.argv;
    stdin = h.stdin;
  } else {
    cmdFromArgs = resolveCmdLine(inst.command, rc);
  }
  const buildArgs = state.args.filterAllowed(rc.Env ?? []);
  const saveCmd = buildArgs.length > 0 ? prependEnvOnCmd(state.args, buildArgs, cmdFromArgs) : cmdFromArgs;
  if (inst.security !== undefined && inst.security !== 'sandbox') {
    // BuildKit needs `--allow security.insecure`, which the classic API cannot grant.
    throw badDockerfile(`granting entitlement security.${inst.security} is not allowed by build daemon configuration`);
  }
  const { mounts, keys } = await runMounts(ctx, inst.mounts);
  const network = inst.network ?? session.options.networkMode;

  const probeConfig = cloneRunConfig(rc);
  probeConfig.Cmd = saveCmd;
  delete probeConfig.ArgsEscaped;
  if (saveCmd.length > 0) probeConfig.Entrypoint = null;
  const extra: Record<string, unknown> = {};
  if (keys.length > 0) extra.mounts = keys;
  if (inst.network !== undefined) extra.network = inst.network;
  if (stdin) extra.stdin = createHash('sha256').update(stdin).digest('hex');
  const { hit, probe } = await probeCache(ctx, probeConfig, extra);
  if (hit) return;

  const config = cloneRunConfig(rc);
  config.Cmd = cmdFromArgs;
  config.Env = [...(rc.Env ?? []), ...buildArgs];
  config.Entrypoint = null;
  config.Healthcheck = { Test: ['NONE'] };
  delete config.ArgsEscaped;
  let containerId: string | undefined;
  const opts = session.options;
  const req: RunRequest = {
    parent: state.image,
    config,
    network,
    mounts,
    stdin,
    onOutput: (chunk) => out.raw(chunk),
    onStderr: (chunk) => out.rawErr(chunk),
    onContainer: (id) => {
      containerId = id;
      ctx.containers.push(id);
      out.line(` ---> Running in ${shortId(id)}\n`);
    },
    signal: session.signal,
    remove: opts.forceRm ? 'always' : opts.rm ? 'on-success' : 'never',
  };
  let layer;
  try {
    layer = await session.executor.run(req);
  } catch (err) {
    out.endRaw();
    if (session.signal.aborted) throw buildCancelled();
    if (err instanceof BuildRunError) {
      throw new BuilderError('System', `The command '${cmdFromArgs.join(' ')}' returned a non-zero code: ${err.exitCode}`, { code: err.exitCode, cause: err });
    }
    throw err;
  }
  out.endRaw();
  await commitStep(ctx, probe, { layer, containerId });
}
