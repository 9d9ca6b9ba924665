// The stage graph (BuildKit dockerfile2llb): a stage depends on the earlier stage its FROM
// names, and on those its `COPY --from` and `RUN --mount from=` name (by name or index; the
// words expanded with the meta args). Only the target and what it needs are built (moby's
// classic builder built every stage up to the target). Names and indexes refer to earlier
// stages only, as moby's stagesBuildResults; any other name is an image.
import { parseMount } from '../dockerfile/mount.ts';
import type { Dockerfile } from '../dockerfile/types.ts';
import type { ShellLex } from '../dockerfile/shell-lex.ts';
import { badDockerfile } from './errors.ts';

export interface StagePlan {
  /** The stages to build, in Dockerfile order; the last is the target. */
  order: number[];
  /** Each stage's static dependencies (earlier stage indexes). */
  deps: Map<number, number[]>;
  target: number;
}

/** An earlier stage by name (any stage before `from`) or, unless nameOnly, by index. */
export function stageIndex(df: Dockerfile, ref: string, from: number, nameOnly: boolean): number | undefined {
  const lower = ref.toLowerCase();
  for (let i = 0; i < from; i++) if (df.stages[i].name === lower) return i;
  if (nameOnly || !/^-?\d+$/.test(ref)) return undefined;
  const n = Number(ref);
  if (n === from) throw badDockerfile('refers to current build stage');
  if (n < 0 || n > from) throw badDockerfile('index out of bounds');
  return n;
}

export function planStages(df: Dockerfile, target: string | undefined, lex: ShellLex, meta: Map<string, string>): StagePlan {
  const seen = new Set<string>();
  for (const s of df.stages) {
    if (!s.name) continue;
    if (seen.has(s.name)) throw badDockerfile(`${s.name} stage name already used`);
    seen.add(s.name);
  }
  let targetIdx = df.stages.length - 1;
  if (target) {
    const t = target.toLowerCase();
    targetIdx = df.stages.findIndex((s) => s.name === t);
    if (targetIdx < 0) throw badDockerfile(`failed to reach build target ${target} in Dockerfile`);
  }
  const expand = (w: string) => lex.processWord(w, meta).word;
  const deps = new Map<number, number[]>();
  for (let i = 0; i <= targetIdx; i++) {
    const stage = df.stages[i];
    const d = new Set<number>();
    const add = (ref: string, nameOnly: boolean) => {
      try {
        const idx = stageIndex(df, ref, i, nameOnly);
        if (idx !== undefined) d.add(idx);
      } catch {
        // a bad index is reported when the step runs, with moby's wording
      }
    };
    add(expand(stage.from.image), true);
    for (const inst of stage.instructions) {
      if ((inst.kind === 'COPY' || inst.kind === 'ADD') && inst.from) add(expand(inst.from), false);
      if (inst.kind === 'RUN') {
        for (const raw of inst.mounts) {
          try {
            const m = parseMount(raw, expand);
            if (m.from) add(m.from, false);
          } catch {
            // reported when the step runs
          }
        }
      }
    }
    deps.set(i, [...d].sort((a, b) => a - b));
  }
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of deps.get(i) ?? []) visit(d);
  };
  visit(targetIdx);
  return { order: [...needed].sort((a, b) => a - b), deps, target: targetIdx };
}
