// Thin handlers: parse, call one backend method, write the result.
import type { ServerResponse } from 'node:http';
import type { ApiContext, Handler } from '../../router.ts';
import type { ContainersBackend } from './backend.ts';
import { atoi, boolValue, intValue, parseFilters } from '../../request.ts';
import { BODIES, checkContainerPorts } from '../../validate/index.ts';
import { framesSize, invalidParameter, muxFramesInto, notImplemented, nowNs, parseTimeArg } from '../../../common/index.ts';
import { hasFeature } from '../../version.ts';
import { MULTIPLEXED_STREAM, RAW_STREAM } from '../../streams/hijack.ts';
import { adaptCreateForVersion } from './create-version.ts';
import { toContainerInspect, toContainerSummary } from '../../shapes/containers.ts';

const CONTAINER_LIST_FILTERS = ['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume'] as const;

/** moby httputils.BoolValueOrDefault: the default only when the key is absent. */
function boolOrDefault(q: URLSearchParams, key: string, dflt: boolean): boolean {
  return q.has(key) ? boolValue(q, key) : dflt;
}

/** Longest stop timeout a timer can hold (2^31-1 ms); dockerd waits "forever" beyond it, as berth does for -1. */
const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);

function timeoutArg(ctx: ApiContext): number | undefined {
  const t = ctx.query.get('t');
  if (t === null || t === '') return undefined;
  const seconds = atoi(t);
  return seconds > MAX_TIMER_SECONDS ? -1 : seconds;
}

function timeArg(ctx: ApiContext, key: string): bigint | undefined {
  const v = ctx.query.get(key);
  if (!v) return undefined;
  const t = parseTimeArg(v);
  if (t === undefined) throw invalidParameter(`failed to parse value as time or duration: "${v}"`);
  return t;
}

export function containerHandlers(b: ContainersBackend): Record<string, Handler> {
  return {
    async postContainersCreate(ctx) {
      const body = await ctx.jsonBody(BODIES.ContainerCreateRequest);
      checkContainerPorts(body);
      adaptCreateForVersion(body, ctx.version);
      if (!hasFeature(ctx.version, 'healthStartInterval') && body.Healthcheck) delete body.Healthcheck.StartInterval;
      const name = ctx.query.get('name') || undefined;
      ctx.reply(201, await b.create(name, body, ctx.version));
    },
    async getContainersJson(ctx) {
      const filters = parseFilters(ctx.query, CONTAINER_LIST_FILTERS);
      const entries = await b.list({
        all: boolValue(ctx.query, 'all'), limit: intValue(ctx.query, 'limit', -1), size: boolValue(ctx.query, 'size'), filters,
      });
      const now = nowNs();
      ctx.reply(200, entries.map((e) => toContainerSummary(e, now)));
    },
    async getContainersInspect(ctx) {
      ctx.reply(200, toContainerInspect(await b.inspect(ctx.params.id, { size: boolValue(ctx.query, 'size') }), ctx.version));
    },
    async postContainersStart(ctx) {
      // `detachKeys` is accepted and ignored, like dockerd (the keys matter for attach).
      await b.start(ctx.params.id);
      ctx.reply(204);
    },
    async postContainersStop(ctx) {
      await b.stop(ctx.params.id, { timeout: timeoutArg(ctx), signal: ctx.query.get('signal') || undefined });
      ctx.reply(204);
    },
    async postContainersRestart(ctx) {
      await b.restart(ctx.params.id, { timeout: timeoutArg(ctx), signal: ctx.query.get('signal') || undefined });
      ctx.reply(204);
    },
    async postContainersKill(ctx) {
      await b.kill(ctx.params.id, ctx.query.get('signal') || undefined);
      ctx.reply(204);
    },
    async postContainersWait(ctx) {
      b.exists(ctx.params.id);
      const condition = ctx.query.get('condition') ?? '';
      const pending = b.wait(ctx.params.id, condition, ctx.closed);
      // The docker CLI waits before it starts a container: send the headers now, the body at exit.
      const res = ctx.res!;
      res.writeHead(200, ctx.streamHeaders({ 'Content-Type': 'application/json' }));
      res.flushHeaders();
      try {
        const result = await pending;
        res.end(JSON.stringify({ Error: result.Error ?? null, StatusCode: result.StatusCode }) + '\n');
      } catch (err) {
        res.end(JSON.stringify({ Error: { Message: (err as Error).message }, StatusCode: -1 }) + '\n');
      }
    },
    async deleteContainers(ctx) {
      await b.remove(ctx.params.id, { force: boolValue(ctx.query, 'force'), volumes: boolValue(ctx.query, 'v'), link: boolValue(ctx.query, 'link') });
      ctx.reply(204);
    },
    async postContainersRename(ctx) {
      await b.rename(ctx.params.id, ctx.query.get('name') ?? '');
      ctx.reply(204);
    },
    async postContainersPause(ctx) {
      await b.pause(ctx.params.id);
      ctx.reply(204);
    },
    async postContainersUnpause(ctx) {
      await b.unpause(ctx.params.id);
      ctx.reply(204);
    },
    async getContainersTop(ctx) {
      ctx.reply(200, await b.top(ctx.params.id, ctx.query.get('ps_args') || '-ef'));
    },
    async getContainersLogs(ctx) {
      const stdout = boolValue(ctx.query, 'stdout');
      const stderr = boolValue(ctx.query, 'stderr');
      if (!stdout && !stderr) throw invalidParameter('Bad parameters: you must choose at least one stream');
      const tailText = ctx.query.get('tail') ?? 'all';
      const tail = tailText === 'all' || tailText === '' ? -1 : Number.parseInt(tailText, 10);
      const { tty, lines } = await b.logs(ctx.params.id, {
        follow: boolValue(ctx.query, 'follow'), stdout, stderr, since: timeArg(ctx, 'since'), until: timeArg(ctx, 'until'),
        timestamps: boolValue(ctx.query, 'timestamps'), tail: Number.isNaN(tail) ? -1 : tail, details: boolValue(ctx.query, 'details'),
        signal: ctx.closed,
      });
      const res = ctx.res!;
      // moby: multiplexed-stream from API 1.42 without a TTY, raw-stream otherwise; streamed, so chunked.
      const multiplexed = !tty && hasFeature(ctx.version, 'multiplexedStreamContentType');
      res.writeHead(200, ctx.streamHeaders({ 'Content-Type': multiplexed ? MULTIPLEXED_STREAM : RAW_STREAM }));
      res.flushHeaders();
      // One write per batch, into buffers reused once the socket has taken them; the socket's
      // backpressure paces the reading of the log file, so memory stays flat however long the log.
      const free: Buffer[] = [];
      for await (const batch of lines) {
        if (ctx.closed.aborted) break;
        const size = framesSize(batch, tty);
        let buf = free.pop();
        if (!buf || buf.length < size) buf = Buffer.allocUnsafe(Math.max(size, 128 * 1024));
        const held = buf;
        const n = muxFramesInto(batch, buf, tty);
        if (!res.write(buf.subarray(0, n), () => free.push(held))) await drained(res, ctx.closed);
      }
      res.end();
    },
    async postContainersAttach(ctx) {
      const q = ctx.query;
      const { tty, run } = await b.attach(ctx.params.id, {
        logs: boolValue(q, 'logs'), stream: boolValue(q, 'stream'), stdin: boolValue(q, 'stdin'), stdout: boolValue(q, 'stdout'),
        stderr: boolValue(q, 'stderr'), detachKeys: q.get('detachKeys') ?? undefined,
      });
      const { socket } = await ctx.hijack({ multiplexed: !tty });
      await run(socket);
    },
    async getContainersAttachWs(ctx) {
      const q = ctx.query;
      // The container is checked (404, 409) before the handshake, as dockerd does.
      const { run } = await b.attach(ctx.params.id, {
        logs: boolValue(q, 'logs'), stream: boolValue(q, 'stream'), stdin: boolValue(q, 'stdin'), stdout: boolValue(q, 'stdout'),
        stderr: boolValue(q, 'stderr'), detachKeys: q.get('detachKeys') ?? undefined, raw: true,
      });
      const socket = await ctx.webSocket();
      if (socket) await run(socket);
    },
    async postContainersResize(ctx) {
      const h = intValue(ctx.query, 'h', 0);
      const w = intValue(ctx.query, 'w', 0);
      if (h < 0 || w < 0 || h > 65535 || w > 65535) throw invalidParameter('invalid resize dimensions');
      await b.resize(ctx.params.id, h, w);
      ctx.reply(200);
    },
    async getContainersStats(ctx) {
      if (!b.stats) throw notImplemented(`${ctx.method} /containers/{id}/stats is not implemented by berth yet`);
      const stream = boolOrDefault(ctx.query, 'stream', true);
      // moby's router ignores `one-shot` below the version that has it.
      const oneShot = hasFeature(ctx.version, 'statsOneShot') && boolOrDefault(ctx.query, 'one-shot', false);
      const { run } = await b.stats(ctx.params.id, { stream, oneShot, signal: ctx.closed });
      const res = ctx.res!;
      res.writeHead(200, ctx.streamHeaders({ 'Content-Type': 'application/json' }));
      res.flushHeaders();
      await run(async (json) => {
        if (ctx.closed.aborted || res.writableEnded) return;
        if (!res.write(json)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
      });
      res.end();
    },
    async postContainersUpdate(ctx) {
      if (!b.update) throw notImplemented(`${ctx.method} /containers/{id}/update is not implemented by berth yet`);
      const body = await ctx.jsonBody(BODIES.ContainerUpdateRequest);
      // Older clients' PidsLimit is not theirs to set: dropped, as moby's router does.
      if (!hasFeature(ctx.version, 'updatePidsLimit')) delete body.PidsLimit;
      ctx.reply(200, await b.update(ctx.params.id, body, ctx.version));
    },
    async postContainersPrune(ctx) {
      ctx.reply(200, await b.prune(parseFilters(ctx.query, ['until', 'label', 'label!'])));
    },
  };
}

/** Resolves once the response can take more, or the client is gone (listeners removed either way). */
function drained(res: ServerResponse, closed: AbortSignal): Promise<void> {
  if (closed.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      closed.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    closed.addEventListener('abort', done, { once: true });
  });
}
