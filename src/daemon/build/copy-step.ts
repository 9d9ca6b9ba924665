// COPY/ADD and WORKDIR's directory (moby builder/dockerfile/copy.go performCopy and
// dispatchWorkdir): a scratch RW layer on the parent's chain, the files written into it (the
// builder box's copyIntoRoot: sources resolved inside the context or another image's root, which
// is mounted the same way), its changes registered as the step's layer, the scratch removed.
import { closeSync } from 'node:fs';
import { mkdirAllInRoot, openRoot, readFileInRoot } from '../../fsroot/index.ts';
import { SCRATCH, type CopyStepRequest, type StepImage, type StepLayer } from '../../builder/index.ts';
import type { CopyRequest, CopySource } from '../../builder/index.ts';
import { commitRwLayer, openScratchLayer, type ScratchDeps, type ScratchLayer } from './scratch-layer.ts';
import { BuildCancelled, chainOf } from './run-step.ts';

export interface CopyStepDeps {
  scratch: ScratchDeps;
  contextDir: string;
  /** <data-root>/builder/tmp: ADD's downloads and archive spools. */
  tmpDir: string;
  /** The builder box's copy: sources resolved in `source.rootDir`, written under `destRoot`. */
  copyIntoRoot(source: CopySource, req: CopyRequest, destRoot: string, opts: { tmpDir: string; signal: AbortSignal }): Promise<void>;
}

const parentChain = (p: StepImage | typeof SCRATCH) => (p === SCRATCH ? null : chainOf(p));

async function inScratch(deps: CopyStepDeps, parent: StepImage | typeof SCRATCH, signal: AbortSignal, fill: (root: string) => Promise<void>): Promise<StepLayer | undefined> {
  if (signal.aborted) throw new BuildCancelled();
  const chain = parentChain(parent);
  const layer = await openScratchLayer(deps.scratch, chain);
  try {
    await fill(layer.root);
    if (signal.aborted) throw new BuildCancelled();
    await deps.scratch.layers.unmountRW(layer.id);
    return await commitRwLayer(deps.scratch, layer.id, chain);
  } finally {
    await layer.remove();
  }
}

export function copyStep(deps: CopyStepDeps, req: CopyStepRequest): Promise<StepLayer | undefined> {
  return inScratch(deps, req.parent, req.signal, async (destRoot) => {
    let from: ScratchLayer | undefined;
    try {
      let rootDir = deps.contextDir;
      if (req.from.kind === 'image') {
        from = await openScratchLayer(deps.scratch, chainOf(req.from.image));
        rootDir = from.root;
      }
      await deps.copyIntoRoot({ rootDir, isContext: req.from.kind === 'context' }, { ...req.copy, workdir: req.copy.workdir || req.workdir, command: req.copy.command ?? (req.copy.unpack ? 'ADD' : 'COPY') }, destRoot, { tmpDir: deps.tmpDir, signal: req.signal });
    } finally {
      await from?.remove();
    }
  });
}

export function mkdirWorkdir(deps: CopyStepDeps, parent: StepImage | typeof SCRATCH, dir: string, signal: AbortSignal): Promise<StepLayer | undefined> {
  return inScratch(deps, parent, signal, async (root) => {
    const rootFd = openRoot(root);
    try {
      closeSync(mkdirAllInRoot(rootFd, dir, 0o755));
    } finally {
      closeSync(rootFd);
    }
  });
}

/** Files the engine reads from an image (/etc/passwd, /etc/group for --chown): at most 16 MiB. */
const MAX_IMAGE_FILE = 16 * 1024 * 1024;

/** A file of an image's root, read through a scratch layer on its chain (links resolved inside it). */
export async function readImageFile(scratch: ScratchDeps, image: StepImage, path: string, signal: AbortSignal): Promise<Uint8Array | undefined> {
  if (signal.aborted) throw new BuildCancelled();
  const chain = chainOf(image);
  if (chain === null) return undefined;
  const layer = await openScratchLayer(scratch, chain);
  try {
    return await readFileInRoot(layer.root, path, MAX_IMAGE_FILE);
  } finally {
    await layer.remove();
  }
}
