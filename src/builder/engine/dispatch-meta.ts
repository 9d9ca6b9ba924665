// The metadata instructions (moby dispatchers.go): each changes the image config and commits a
// history line `#(nop)  <INSTRUCTION> ...` with no layer.
import type {
  ArgInstruction, KeyValueInstruction, ListInstruction, OnbuildInstruction, ShellInstruction, WordInstruction,
} from '../dockerfile/types.ts';
import { badDockerfile } from './errors.ts';
import { expandWord, expandWords, stepEnv } from './expand.ts';
import { goSlice } from './go-format.ts';
import { exposedPorts } from './ports.ts';
import type { StepContext } from './session.ts';
import { checkStopSignal } from './signals.ts';
import { commitMetadata } from './step.ts';

export async function dispatchEnv(ctx: StepContext, inst: KeyValueInstruction): Promise<void> {
  const env = stepEnv(ctx.state);
  const rc = ctx.state.runConfig;
  const list = [...(rc.Env ?? [])];
  let message = 'ENV';
  for (const pair of inst.pairs) {
    const key = expandWord(ctx, pair.key, env);
    const value = expandWord(ctx, pair.value, env);
    if (key === '') throw badDockerfile('ENV names can not be blank');
    const kv = `${key}=${value}`;
    message += ` ${kv}`;
    const i = list.findIndex((e) => e.split('=', 1)[0] === key);
    if (i >= 0) list[i] = kv;
    else list.push(kv);
  }
  rc.Env = list;
  await commitMetadata(ctx, message);
}

export async function dispatchLabel(ctx: StepContext, inst: KeyValueInstruction, noExpand = false): Promise<void> {
  const env = stepEnv(ctx.state);
  const rc = ctx.state.runConfig;
  rc.Labels = { ...(rc.Labels ?? {}) };
  let message = 'LABEL';
  for (const pair of inst.pairs) {
    const key = noExpand ? pair.key : expandWord(ctx, pair.key, env);
    const value = noExpand ? pair.value : expandWord(ctx, pair.value, env);
    if (key === '') throw badDockerfile('LABEL names can not be blank');
    rc.Labels[key] = value;
    message += ` ${key}=${value}`;
  }
  await commitMetadata(ctx, message);
}

export async function dispatchMaintainer(ctx: StepContext, inst: WordInstruction): Promise<void> {
  ctx.state.maintainer = inst.value;
  await commitMetadata(ctx, `MAINTAINER ${inst.value}`);
}

export async function dispatchUser(ctx: StepContext, inst: WordInstruction): Promise<void> {
  const user = expandWord(ctx, inst.value);
  ctx.state.runConfig.User = user;
  await commitMetadata(ctx, `USER ${user}`);
}

export async function dispatchVolume(ctx: StepContext, inst: ListInstruction): Promise<void> {
  const env = stepEnv(ctx.state);
  const rc = ctx.state.runConfig;
  rc.Volumes = { ...(rc.Volumes ?? {}) };
  const volumes = inst.values.map((v) => expandWord(ctx, v, env));
  for (const v of volumes) {
    if (v === '') throw badDockerfile('VOLUME specified can not be an empty string');
    rc.Volumes[v] = {};
  }
  await commitMetadata(ctx, `VOLUME ${goSlice(volumes)}`);
}

export async function dispatchStopSignal(ctx: StepContext, inst: WordInstruction): Promise<void> {
  const signal = expandWord(ctx, inst.value);
  checkStopSignal(signal);
  ctx.state.runConfig.StopSignal = signal;
  await commitMetadata(ctx, `STOPSIGNAL ${signal}`);
}

export async function dispatchShell(ctx: StepContext, inst: ShellInstruction): Promise<void> {
  ctx.state.runConfig.Shell = [...inst.shell];
  await commitMetadata(ctx, `SHELL ${goSlice(inst.shell)}`);
}

export async function dispatchExpose(ctx: StepContext, inst: ListInstruction): Promise<void> {
  const env = stepEnv(ctx.state);
  const ports = inst.values.flatMap((p) => expandWords(ctx, p, env));
  const rc = ctx.state.runConfig;
  const exposed = { ...(rc.ExposedPorts ?? {}) };
  for (const p of ports) for (const key of exposedPorts(p)) exposed[key] = {};
  rc.ExposedPorts = exposed;
  await commitMetadata(ctx, `EXPOSE ${ports.join(' ')}`);
}

export async function dispatchArg(ctx: StepContext, inst: ArgInstruction): Promise<void> {
  const env = stepEnv(ctx.state);
  const parts: string[] = [];
  for (const a of inst.args) {
    const key = expandWord(ctx, a.key, env);
    const value = a.value === undefined ? undefined : expandWord(ctx, a.value, env);
    parts.push(value === undefined ? key : `${key}=${value}`);
    ctx.state.args.addArg(key, value);
  }
  await commitMetadata(ctx, `ARG ${parts.join(' ')}`);
}

export async function dispatchOnbuild(ctx: StepContext, inst: OnbuildInstruction): Promise<void> {
  const rc = ctx.state.runConfig;
  rc.OnBuild = [...(rc.OnBuild ?? []), inst.trigger];
  await commitMetadata(ctx, `ONBUILD ${inst.trigger}`);
}
