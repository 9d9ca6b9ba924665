// The container filesystem routes of issue 9 that are not `docker cp`: export, changes (diff) and
// commit (moby keeps POST /commit in its image router; the container is what it reads).
import type { Handler } from '../../router.ts';
import type { ContainersBackend } from './backend.ts';
import { boolValue } from '../../request.ts';
import { BODIES } from '../../validate/index.ts';
import { notImplemented } from '../../../common/index.ts';

export function containerFsHandlers(b: ContainersBackend): Record<string, Handler> {
  return {
    async getContainersExport(ctx) {
      if (!b.export) throw notImplemented(`${ctx.method} /containers/{id}/export is not implemented by berth yet`);
      const archive = await b.export(ctx.params.id);
      const res = ctx.res!;
      const stop = () => archive.destroy();
      ctx.closed.addEventListener('abort', stop, { once: true });
      try {
        res.writeHead(200, ctx.streamHeaders({ 'Content-Type': 'application/x-tar' }));
        for await (const chunk of archive) {
          if (ctx.closed.aborted) break;
          if (!res.write(chunk)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
        }
        res.end();
      } catch {
        // The headers are out: a failed walk can only cut the stream (as dockerd does).
        res.destroy();
      } finally {
        ctx.closed.removeEventListener('abort', stop);
        archive.destroy();
      }
    },
    async getContainersChanges(ctx) {
      if (!b.changes) throw notImplemented(`${ctx.method} /containers/{id}/changes is not implemented by berth yet`);
      ctx.reply(200, await b.changes(ctx.params.id));
    },
    async postCommit(ctx) {
      if (!b.commit) throw notImplemented(`${ctx.method} /commit is not implemented by berth yet`);
      const q = ctx.query;
      const body = await ctx.optionalJsonBody(BODIES.ContainerConfig);
      // moby: an empty pause means true (API 1.13 and later, i.e. every version served).
      const pause = (q.get('pause') ?? '') === '' ? true : boolValue(q, 'pause');
      const id = await b.commit(q.get('container') ?? '', {
        config: body !== undefined && Object.keys(body).length > 0 ? body : undefined,
        repo: q.get('repo') ?? '', tag: q.get('tag') ?? '', comment: q.get('comment') ?? '', author: q.get('author') ?? '',
        changes: q.getAll('changes'), pause,
      });
      ctx.reply(201, { Id: id });
    },
  };
}
