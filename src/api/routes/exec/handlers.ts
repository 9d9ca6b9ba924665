import type { Handler } from '../../router.ts';
import type { ExecBackend } from './backend.ts';
import { intValue } from '../../request.ts';
import { invalidParameter } from '../../../common/index.ts';

export function execHandlers(b: ExecBackend): Record<string, Handler> {
  return {
    async postContainersExec(ctx) {
      const body = await ctx.jsonBody();
      ctx.reply(201, await b.create(ctx.params.id, body!));
    },
    async postExecStart(ctx) {
      const body = (await ctx.jsonBody({ allowEmpty: true })) ?? {};
      const size = body.ConsoleSize;
      if (size !== undefined && size !== null && (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n >= 0))) {
        throw invalidParameter('ConsoleSize must be an array of two non-negative integers');
      }
      const detach = body.Detach === true;
      const started = await b.start(ctx.params.id, { detach, tty: body.Tty === true, consoleSize: size as [number, number] | undefined });
      if (detach || !started.run) {
        ctx.reply(200);
        return;
      }
      const { socket } = await ctx.hijack({ multiplexed: !started.tty });
      await started.run(socket);
    },
    async getExecJson(ctx) {
      ctx.reply(200, await b.inspect(ctx.params.id));
    },
    async postExecResize(ctx) {
      await b.resize(ctx.params.id, intValue(ctx.query, 'h', 0), intValue(ctx.query, 'w', 0));
      ctx.reply(200);
    },
  };
}
