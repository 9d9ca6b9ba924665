// One build (moby dispatchDockerfileWithCancellation, daemon/build.go): parse, number the steps,
// run the meta ARGs, then the stages the target needs; independent stages run at the same time
// (each waits only for the stages it names). The stream is ordered by stream.ts.
//
// Step numbering follows moby: every meta ARG, every FROM and every instruction of the stages
// built counts ("Step N/M"), the `labels` option's LABEL steps included; stages the target does
// not need are not built and not counted; ONBUILD triggers run without a number.
import { shortId } from '../../common/index.ts';
import { familiarString, parseNormalizedNamed } from '../../image/index.ts';
import { parseDockerfile } from '../dockerfile/parse.ts';
import { ShellLex } from '../dockerfile/shell-lex.ts';
import type { Instruction } from '../dockerfile/types.ts';
import { SCRATCH, type StepImage } from '../executor.ts';
import { BuildArgs } from './args.ts';
import type { CacheStore } from './cache-store.ts';
import { dispatchStep, type OptionLabel } from './dispatch.ts';
import { imageIdOf, initializeStage } from './dispatch-from.ts';
import { BuilderError, badDockerfile, buildCancelled } from './errors.ts';
import { hostPlatform, parsePlatform, platformArgs } from './platform.ts';
import type { Session, StageState, StepContext } from './session.ts';
import { planStages, stageIndex } from './stages.ts';
import { StepCache } from './step-cache.ts';
import { OrderedStream, type StepOutput } from './stream.ts';
import type { BuildMessage, BuildRequest, BuildResult } from './types.ts';

export interface BuildDeps {
  store: CacheStore;
  /** <data-root>/builder/tmp */
  tmpDir: string;
  dockerVersion?: string;
  /** Called with the build's cache (its records are in use until the build ends). */
  onCache?: (cache: StepCache, done: boolean) => void;
}

/** moby sanitizeRepoAndTags: normalised, `:latest` added, no digests, no duplicates. */
function buildTags(tags: string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    if (t === '') continue;
    const ref = parseNormalizedNamed(t);
    if (ref.digest !== undefined) throw new BuilderError('InvalidParameter', 'build tag cannot contain a digest');
    const s = familiarString(ref.tag === undefined ? { ...ref, tag: 'latest' } : ref);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

function optionLabels(labels: Record<string, string>, loc: Instruction['loc']): OptionLabel[] {
  return Object.keys(labels)
    .sort()
    .map((key) => {
      const original = `LABEL ${key}=${labels[key]}`;
      return { kind: 'LABEL', pairs: [{ key, value: labels[key] }], original, flags: [], loc, noExpand: true } as OptionLabel;
    });
}

/** `q`: stream lines are held (and shown only if the build fails); aux objects pass. */
function quietEmitter(req: BuildRequest): { emit: (m: BuildMessage) => void; flush: () => void } {
  if (!req.options.quiet) return { emit: req.onMessage, flush: () => {} };
  const held: BuildMessage[] = [];
  return {
    emit: (m) => ('aux' in m ? req.onMessage(m) : held.push(m)),
    flush: () => held.splice(0).forEach(req.onMessage),
  };
}

export async function runBuild(deps: BuildDeps, req: BuildRequest, signal: AbortSignal): Promise<BuildResult> {
  const opts = req.options;
  const tags = buildTags(opts.tags);
  const { emit, flush } = quietEmitter(req);
  const df = parseDockerfile(await req.context.dockerfile());
  if (df.stages.length === 0) throw badDockerfile('No image was generated. Is your Dockerfile empty?');
  const lex = new ShellLex(df.directives.escape ?? '\\');
  const platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();

  // Meta ARGs first (pure expansion): FROM lines and the stage graph need their values.
  const globalArgs = new BuildArgs(opts.buildArgs);
  for (const [k, v] of Object.entries(platformArgs(platform, hostPlatform()))) globalArgs.addAutomaticMetaArg(k, v);
  for (const meta of df.metaArgs) {
    for (const a of meta.args) {
      // BuildKit: earlier meta args and the automatic platform args (moby: the allowed args).
      const env = new Map([...globalArgs.allMeta(), ...globalArgs.allAllowed()]);
      const key = lex.processWord(a.key, env).word;
      const value = a.value === undefined ? undefined : lex.processWord(a.value, env).word;
      globalArgs.addArg(key, value);
      globalArgs.addMetaArg(key, value);
    }
  }
  const metaArgs = () => globalArgs.allMeta();
  const plan = planStages(df, opts.target, lex, metaArgs());
  const labels = optionLabels(opts.labels, df.stages[plan.target].from.loc);
  const instructionsOf = (i: number): (Instruction | OptionLabel)[] =>
    i === plan.target ? [...df.stages[i].instructions, ...labels] : df.stages[i].instructions;

  let total = df.metaArgs.length;
  const firstStep = new Map<number, number>();
  for (const i of plan.order) {
    firstStep.set(i, total + 1);
    total += 1 + instructionsOf(i).length;
  }
  const stream = new OrderedStream(emit, plan.order.length + 2);
  const head = stream.slot(0);
  // moby PrintWarnings (BuildKit's parser), on the build's stderr stream.
  for (const w of df.warnings) head.errLine(`[WARNING]: ${w.message}\n`);
  if (df.warnings.length > 0) head.errLine('[WARNING]: Empty continuation lines will become errors in a future release.\n');
  df.metaArgs.forEach((m, i) => head.line(`Step ${i + 1}/${total} : ${m.original}\n`));
  stream.finish(0);

  const cache = new StepCache(deps.store, req.executor, { noCache: opts.noCache, cacheFrom: opts.cacheFrom });
  deps.onCache?.(cache, false);
  const running = new Map<number, Promise<StepImage | typeof SCRATCH>>();

  const session: Session = {
    executor: req.executor,
    context: req.context,
    options: opts,
    lex,
    cache,
    signal,
    platform,
    metaArgs,
    dockerVersion: deps.dockerVersion,
    tmpDir: deps.tmpDir,
    stageImage: async (ref, from, o) => {
      const idx = stageIndex(df, ref, from, o?.nameOnly ?? false);
      if (idx === undefined) return undefined;
      if (!plan.order.includes(idx)) throw badDockerfile(`stage ${ref} is not part of this build`);
      return runStage(idx);
    },
    resolveImage: (ref, plat, out) =>
      req.executor.resolveBaseImage(ref, {
        pull: opts.pull,
        platform: plat,
        onProgress: (line) => out.line(line.endsWith('\n') ? line : `${line}\n`),
        signal: session.signal,
      }),
  };

  const buildStage = async (i: number): Promise<StepImage | typeof SCRATCH> => {
    for (const d of plan.deps.get(i) ?? []) runStage(d).catch(() => {});
    const slot = plan.order.indexOf(i) + 1;
    const out: StepOutput = stream.slot(slot);
    const stage = df.stages[i];
    const state: StageState = {
      index: i,
      name: stage.name,
      image: SCRATCH,
      runConfig: {},
      maintainer: '',
      cmdSet: false,
      args: globalArgs.forStage(),
      cacheBusted: false,
    };
    const ctx: StepContext = { session, state, out, containers: [] };
    let n = firstStep.get(i)!;
    out.line(`Step ${n++}/${total} : ${stage.from.original}\n`);
    await initializeStage(ctx, stage);
    state.runConfig.Image = imageIdOf(state.image);
    out.line(` ---> ${shortId(imageIdOf(state.image))}\n`);
    for (const inst of instructionsOf(i)) {
      if (session.signal.aborted) {
        if (signal.aborted) out.line('Build cancelled\n');
        throw buildCancelled();
      }
      out.line(`Step ${n++}/${total} : ${inst.original}\n`);
      await dispatchStep(ctx, inst);
      state.runConfig.Image = imageIdOf(state.image);
      out.line(` ---> ${shortId(imageIdOf(state.image))}\n`);
    }
    if (state.image !== SCRATCH) out.aux(state.image.id);
    stream.finish(slot);
    return state.image;
  };

  const internal = new AbortController();
  const stop = () => internal.abort();
  signal.addEventListener('abort', stop, { once: true });
  session.signal = AbortSignal.any([signal, internal.signal]);
  let firstError: unknown;
  const runStage = (i: number): Promise<StepImage | typeof SCRATCH> => {
    let p = running.get(i);
    if (!p) {
      p = buildStage(i).catch((err: unknown) => {
        firstError ??= signal.aborted ? buildCancelled() : err;
        internal.abort();
        throw err;
      });
      running.set(i, p);
    }
    return p;
  };

  try {
    let result: StepImage | typeof SCRATCH;
    try {
      result = await runStage(plan.target);
    } catch {
      await Promise.allSettled([...running.values()]);
      stream.flushAll();
      flush();
      throw firstError;
    }
    await Promise.allSettled([...running.values()]);
    const tail = stream.slot(plan.order.length + 1);
    const unused = globalArgs.unused();
    if (unused.length > 0) tail.line(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    if (result === SCRATCH) throw badDockerfile('No image was generated. Is your Dockerfile empty?');
    tail.line(`Successfully built ${shortId(result.id)}\n`);
    if (tags.length > 0) {
      await req.executor.tag(result.id, tags);
      for (const t of tags) tail.line(`Successfully tagged ${t}\n`);
    }
    stream.finish(plan.order.length + 1);
    if (opts.quiet) req.onMessage({ stream: `${result.id}\n` });
    return { imageId: result.id };
  } finally {
    signal.removeEventListener('abort', stop);
    deps.onCache?.(cache, true);
    await cache.flush().catch(() => {});
  }
}
