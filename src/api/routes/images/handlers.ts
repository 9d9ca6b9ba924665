import type { Handler } from '../../router.ts';
import type { ImagesBackend } from './backend.ts';
import { boolValue, parseFilters } from '../../request.ts';
import { JsonStreamWriter } from '../../streams/json-stream.ts';
import { invalidParameter, notImplemented } from '../../../common/index.ts';
import { readsLegacyImageFields } from '../../client-quirks.ts';

export function imageHandlers(b: ImagesBackend): Record<string, Handler> {
  return {
    async getImagesJson(ctx) {
      ctx.reply(200, await b.list({
        all: boolValue(ctx.query, 'all'), digests: boolValue(ctx.query, 'digests'), sharedSize: boolValue(ctx.query, 'shared-size'),
        filters: parseFilters(ctx.query, b.listFilterKeys), version: ctx.version,
      }));
    },
    async getImagesInspect(ctx) {
      ctx.reply(200, await b.inspect(ctx.params.name, { version: ctx.version, legacyContainerConfig: readsLegacyImageFields(ctx.req.headers['user-agent']) }));
    },
    async getImagesHistory(ctx) {
      ctx.reply(200, await b.history(ctx.params.name));
    },
    async postImagesTag(ctx) {
      const repo = ctx.query.get('repo') ?? '';
      if (!repo) throw invalidParameter('repository name must have at least one component');
      await b.tag(ctx.params.name, repo, ctx.query.get('tag') ?? '');
      ctx.reply(201);
    },
    async deleteImages(ctx) {
      ctx.reply(200, await b.remove(ctx.params.name, { force: boolValue(ctx.query, 'force'), noprune: boolValue(ctx.query, 'noprune') }));
    },
    async postImagesLoad(ctx) {
      const quiet = boolValue(ctx.query, 'quiet');
      const out = new JsonStreamWriter(ctx.res!);
      out.start();
      try {
        await b.load(ctx.req, (m) => {
          if (!quiet || m.stream || m.error) out.write(m);
        });
      } catch (err) {
        out.error((err as Error).message);
      }
      out.end();
    },
    async getImagesGet(ctx) {
      const names = ctx.params.name ? [ctx.params.name] : ctx.query.getAll('names');
      if (!names.length) throw invalidParameter('no images specified');
      const archive = await b.save(names);
      const res = ctx.res!;
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      for await (const chunk of archive) {
        if (ctx.closed.aborted) break;
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    },
    async postImagesCreate(ctx) {
      const fromSrc = ctx.query.get('fromSrc');
      const fromImage = ctx.query.get('fromImage');
      if (fromImage) {
        // As dockerd: an error before the first progress line is an HTTP error, after it in-band.
        const out = new JsonStreamWriter(ctx.res!);
        let started = false;
        const auth = ctx.req.headers['x-registry-auth'];
        try {
          await b.pull(
            { image: fromImage, tag: ctx.query.get('tag') ?? '', platform: ctx.query.get('platform') ?? '', authHeader: typeof auth === 'string' ? auth : undefined },
            (m) => {
              started = true;
              out.write(m);
            },
            ctx.closed,
          );
        } catch (err) {
          if (!started) throw err;
          out.error((err as Error).message);
        }
        out.end();
        return;
      }
      if (fromSrc !== '-') {
        if (fromSrc) throw notImplemented('importing from a URL is not supported; pipe the archive with fromSrc=-');
        throw invalidParameter('fromImage or fromSrc is required');
      }
      const out = new JsonStreamWriter(ctx.res!);
      out.start();
      try {
        await b.import(ctx.req, {
          repo: ctx.query.get('repo') ?? '', tag: ctx.query.get('tag') ?? '', changes: ctx.query.getAll('changes'), message: ctx.query.get('message') ?? '',
        }, (m) => out.write(m));
      } catch (err) {
        out.error((err as Error).message);
      }
      out.end();
    },
    async postImagesPrune(ctx) {
      ctx.reply(200, await b.prune(parseFilters(ctx.query, ['dangling', 'until', 'label', 'label!'])));
    },
  };
}
