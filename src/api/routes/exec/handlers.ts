import type { Handler } from '../../router.ts';
import type { ExecBackend } from './backend.ts';
import { intValue } from '../../request.ts';
import { invalidParameter } from '../../../common/index.ts';
import { BODIES } from '../../validate/index.ts';
import { toExecInspect } from '../../shapes/containers.ts';

/** [height, width]; the schema types the numbers, the pair is checked here as dockerd does. */
function consoleSizeOf(size: number[] | null | undefined): [number, number] | undefined {
  if (size === undefined || size === null) return undefined;
  const [h, w] = size;
  if (size.length !== 2 || h === undefined || w === undefined || h < 0 || w < 0) throw invalidParameter('ConsoleSize must be an array of two non-negative integers');
  return [h, w];
}

export function execHandlers(b: ExecBackend): Record<string, Handler> {
  return {
    async postContainersExec(ctx) {
      ctx.reply(201, await b.create(ctx.params.id, await ctx.jsonBody(BODIES.ExecConfig)));
    },
    async postExecStart(ctx) {
      const body = (await ctx.optionalJsonBody(BODIES.ExecStartConfig)) ?? {};
      const consoleSize = consoleSizeOf(body.ConsoleSize);
      const detach = body.Detach === true;
      const started = await b.start(ctx.params.id, { detach, tty: body.Tty === true, consoleSize });
      if (detach || !started.run) {
        ctx.reply(200);
        return;
      }
      const { socket } = await ctx.hijack({ multiplexed: !started.tty, withHeaders: true });
      await started.run(socket);
    },
    async getExecJson(ctx) {
      ctx.reply(200, toExecInspect(await b.inspect(ctx.params.id)));
    },
    async postExecResize(ctx) {
      await b.resize(ctx.params.id, intValue(ctx.query, 'h', 0), intValue(ctx.query, 'w', 0));
      ctx.reply(200);
    },
  };
}
