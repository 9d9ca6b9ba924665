// docker cp's routes (moby daemon/server/router/container/copy.go): HEAD, GET and PUT
// /containers/{id}/archive. The stat goes in the X-Docker-Container-Path-Stat header, base64 of
// its JSON; GET streams the tar with backpressure; PUT hands the request body over as it comes.
import type { Readable } from 'node:stream';
import type { ApiContext, Handler } from '../../router.ts';
import type { ContainerPathStat, ContainersBackend } from './backend.ts';
import { boolValue } from '../../request.ts';
import { invalidParameter, notImplemented } from '../../../common/index.ts';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

/** moby httputils.ArchiveFormValues: both the name and the path are required. */
function archivePath(ctx: ApiContext): string {
  const path = ctx.query.get('path');
  // moby's badParameterError text, missing space included.
  if (!path) throw invalidParameter('bad parameter: pathcannot be empty');
  return path;
}

function statHeader(stat: ContainerPathStat): string {
  const { name, size, mode, mtime, linkTarget } = stat;
  return Buffer.from(JSON.stringify({ name, size, mode, mtime, linkTarget })).toString('base64');
}

/** The request body as an iterable that does not destroy the request when the reader stops early,
 * so that a refused archive still gets its 400 answer on the connection. */
function requestBody(req: Readable): AsyncIterable<Uint8Array> {
  return req.iterator({ destroyOnReturn: false });
}

export function archiveHandlers(b: ContainersBackend): Record<string, Handler> {
  return {
    async headContainersArchive(ctx) {
      if (!b.archiveStat) throw notImplemented('HEAD /containers/{id}/archive is not implemented by berth yet');
      const stat = await b.archiveStat(ctx.params.id, archivePath(ctx));
      ctx.res!.writeHead(200, { [STAT_HEADER]: statHeader(stat) });
      ctx.res!.end();
    },
    async getContainersArchive(ctx) {
      if (!b.archiveGet) throw notImplemented('GET /containers/{id}/archive is not implemented by berth yet');
      const { stat, content } = await b.archiveGet(ctx.params.id, archivePath(ctx));
      const res = ctx.res!;
      try {
        res.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' });
        for await (const chunk of content) {
          if (ctx.closed.aborted) break;
          if (!res.write(chunk)) {
            await new Promise<void>((r) => {
              const done = () => {
                res.off('drain', done);
                res.off('close', done);
                r();
              };
              res.on('drain', done);
              res.on('close', done);
            });
          }
        }
      } catch (err) {
        // The header went out: the only way left to tell the client is to cut the stream short.
        res.destroy(err as Error);
        return;
      } finally {
        await content.return?.();
      }
      res.end();
    },
    async putContainersArchive(ctx) {
      if (!b.archivePut) throw notImplemented('PUT /containers/{id}/archive is not implemented by berth yet');
      const path = archivePath(ctx);
      const opts = { noOverwriteDirNonDir: boolValue(ctx.query, 'noOverwriteDirNonDir'), copyUIDGID: boolValue(ctx.query, 'copyUIDGID') };
      try {
        await b.archivePut(ctx.params.id, path, opts, requestBody(ctx.req));
      } catch (err) {
        ctx.req.resume(); // read what the client still sends, so it gets the answer
        throw err;
      }
      ctx.reply(200);
    },
  };
}
