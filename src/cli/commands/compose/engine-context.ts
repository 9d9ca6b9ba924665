// The compose engine as the command line sets it up: the CLI's API client, the progress view
// (--progress, --ansi, the terminal), logrus-style warnings on stderr, --parallel, and the build
// callback (the CLI's build-context packing; the compose box may not import the CLI).
import type { CommandContext } from '../../framework/types.ts';
import { Compose, progressWriter, type BuildFn, type EngineContext, type ProgressWriter } from '../../../compose/index.ts';
import { packBuildContext } from '../image/build-context.ts';
import { authKeyForImage, registryAuthHeader, registryConfigHeader } from '../../credentials/index.ts';

/** --progress with --ansi applied, as docker compose v2 does: ansi=never makes auto plain. */
function progressMode(ctx: CommandContext): string {
  const f = ctx.groupFlags;
  const mode = f?.string('progress') || process.env.COMPOSE_PROGRESS || 'auto';
  const ansi = f?.changed('ansi') ? f.string('ansi') : process.env.COMPOSE_ANSI || 'auto';
  if (!['auto', 'tty', 'plain', 'json', 'quiet'].includes(mode)) throw new Error(`unsupported --progress value "${mode}"`);
  if (!['auto', 'never', 'always'].includes(ansi)) throw new Error(`unexpected --ansi value "${ansi}"`);
  if (mode === 'auto' && ansi === 'never') return 'plain';
  if (mode === 'auto' && ansi === 'always') return 'tty';
  return mode;
}

/** Whether log lines are coloured: --ansi, else a terminal on stdout. */
export function useColor(ctx: CommandContext): boolean {
  const f = ctx.groupFlags;
  const ansi = f?.changed('ansi') ? f.string('ansi') : process.env.COMPOSE_ANSI || 'auto';
  if (ansi === 'never') return false;
  if (ansi === 'always') return true;
  return Boolean(ctx.stdout.isTTY);
}

function engineContext(ctx: CommandContext, opts: { quiet?: boolean } = {}): EngineContext {
  const mode = opts.quiet ? 'quiet' : progressMode(ctx);
  const parallel = ctx.groupFlags?.changed('parallel') ? ctx.groupFlags.int('parallel') : Number(process.env.COMPOSE_PARALLEL_LIMIT ?? -1) || -1;
  return {
    client: ctx.client,
    progress: (title?: string): ProgressWriter => progressWriter(mode, ctx.stderr, title),
    warn: (message) => ctx.stderr.write(`WARN[0000] ${message}\n`),
    parallel,
    build: buildCallback(ctx, mode),
    registryAuth: async (image) => {
      try {
        return await registryAuthHeader(ctx, authKeyForImage(image));
      } catch {
        return 'e30=';
      }
    },
  };
}

export function composeEngine(ctx: CommandContext, opts: { quiet?: boolean } = {}): Compose {
  return new Compose(engineContext(ctx, opts));
}

interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** POST /build of one service: the context packed as `docker build` packs it, the build keys as query parameters. */
function buildCallback(ctx: CommandContext, mode: string): BuildFn {
  return async (req) => {
    const b = req.build;
    const packed = await packBuildContext(b.context, b.dockerfile_inline !== undefined ? { dockerfileContent: Buffer.from(b.dockerfile_inline) } : { dockerfile: b.dockerfile ? resolveIn(b.context, b.dockerfile) : undefined });
    const args: Record<string, string> = {};
    for (const [k, v] of Object.entries(b.args ?? {})) {
      const value = v ?? req.project.environment[k] ?? process.env[k];
      if (value !== undefined && value !== null) args[k] = value;
    }
    Object.assign(args, req.args ?? {});
    const labels = { ...(b.labels ?? {}), 'com.docker.compose.project': req.project.name, 'com.docker.compose.service': req.service.name };
    const res = await ctx.client.call('POST', '/build', {
      query: {
        t: [req.tag, ...(b.tags ?? [])],
        dockerfile: packed.dockerfile,
        buildargs: Object.keys(args).length ? args : undefined,
        labels,
        target: b.target || undefined,
        networkmode: b.network || undefined,
        extrahosts: b.extra_hosts?.length ? b.extra_hosts.join(',') : undefined,
        shmsize: b.shm_size || undefined,
        cachefrom: b.cache_from?.length ? JSON.stringify(b.cache_from) : undefined,
        nocache: req.noCache ? 1 : undefined,
        pull: req.pull ? 1 : undefined,
        q: req.quiet ? 1 : undefined,
        rm: 1,
      },
      body: packed.stream,
      headers: { 'Content-Type': 'application/x-tar', 'X-Registry-Config': await registryConfigHeader(ctx) },
    });
    let id = '';
    let pending = '';
    let error: string | undefined;
    const show = mode === 'plain' && !req.quiet;
    const handle = (line: string) => {
      if (!line.trim()) return;
      let m: BuildMessage;
      try {
        m = JSON.parse(line);
      } catch {
        return;
      }
      if (m.error || m.errorDetail?.message) error ??= m.errorDetail?.message ?? m.error;
      if (m.aux?.ID) id = m.aux.ID;
      if (show && m.stream) ctx.stderr.write(m.stream);
    };
    for await (const chunk of res.body) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      lines.forEach(handle);
    }
    handle(pending);
    if (error !== undefined) throw new Error(`failed to solve: ${error}`);
    if (!id) id = (await ctx.client.json<{ Id: string }>('GET', `/images/${encodeURIComponent(req.tag)}/json`)).Id;
    return id;
  };
}

function resolveIn(context: string, dockerfile: string): string {
  return dockerfile.startsWith('/') ? dockerfile : `${context.replace(/\/$/, '')}/${dockerfile}`;
}
