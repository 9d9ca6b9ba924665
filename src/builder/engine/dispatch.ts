// One step: the instruction's dispatcher, then moby's container cleanup lines (dispatch()'s
// deferred RemoveAll): with `rm` after a step that succeeded, with `forcerm` in any case.
import { shortId } from '../../common/index.ts';
import type { Instruction, KeyValueInstruction } from '../dockerfile/types.ts';
import { dispatchCmd, dispatchHealthcheck } from './dispatch-command.ts';
import { dispatchCopy } from './dispatch-copy.ts';
import {
  dispatchArg, dispatchEnv, dispatchExpose, dispatchLabel, dispatchMaintainer, dispatchOnbuild, dispatchShell, dispatchStopSignal, dispatchUser,
  dispatchVolume,
} from './dispatch-meta.ts';
import { dispatchRun } from './dispatch-run.ts';
import { dispatchWorkdir } from './dispatch-workdir.ts';
import { badDockerfile } from './errors.ts';
import type { StepContext } from './session.ts';

/** A LABEL from the build's `labels` option: not expanded (moby NewLabelCommand(k, v, true)). */
export interface OptionLabel extends KeyValueInstruction {
  noExpand: true;
}

async function dispatchOne(ctx: StepContext, inst: Instruction | OptionLabel): Promise<void> {
  switch (inst.kind) {
    case 'ENV':
      return dispatchEnv(ctx, inst);
    case 'LABEL':
      return dispatchLabel(ctx, inst, 'noExpand' in inst);
    case 'MAINTAINER':
      return dispatchMaintainer(ctx, inst);
    case 'USER':
      return dispatchUser(ctx, inst);
    case 'WORKDIR':
      return dispatchWorkdir(ctx, inst);
    case 'STOPSIGNAL':
      return dispatchStopSignal(ctx, inst);
    case 'VOLUME':
      return dispatchVolume(ctx, inst);
    case 'EXPOSE':
      return dispatchExpose(ctx, inst);
    case 'SHELL':
      return dispatchShell(ctx, inst);
    case 'ARG':
      return dispatchArg(ctx, inst);
    case 'ONBUILD':
      return dispatchOnbuild(ctx, inst);
    case 'CMD':
    case 'ENTRYPOINT':
      return dispatchCmd(ctx, inst);
    case 'HEALTHCHECK':
      return dispatchHealthcheck(ctx, inst);
    case 'RUN':
      return dispatchRun(ctx, inst);
    case 'COPY':
    case 'ADD':
      return dispatchCopy(ctx, inst);
    case 'FROM':
      throw badDockerfile('FROM is not allowed here');
  }
}

export async function dispatchStep(ctx: StepContext, inst: Instruction | OptionLabel): Promise<void> {
  const { rm, forceRm } = ctx.session.options;
  let ok = false;
  try {
    await dispatchOne(ctx, inst);
    ok = true;
  } finally {
    if (forceRm || (rm && ok)) {
      for (const id of ctx.containers) ctx.out.line(` ---> Removed intermediate container ${shortId(id)}\n`);
    }
    ctx.containers = [];
  }
}
