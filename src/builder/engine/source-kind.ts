// Which word moby's classic builder puts before a COPY's checksum in the history line:
// `file:` for one file, `dir:` for one directory, `multi:` for several sources (moby
// getSourceHashFromInfos). The context is looked at through the fsroot box, read-only, with
// the context's own source rules (sources.ts); when that cannot be done the kind is guessed.
import { ContainerView, openRoot } from '../../fsroot/index.ts';
import { resolveLocalSources } from '../context/sources.ts';

export type SourceKind = 'file' | 'dir' | 'multi';

export function contextSourceKind(contextDir: string, sources: string[], cmd: 'COPY' | 'ADD'): SourceKind {
  const guess: SourceKind = sources.length === 1 && !/[*?[\]]/.test(sources[0]) ? 'file' : 'multi';
  let view: ContainerView | undefined;
  try {
    view = new ContainerView(openRoot(contextDir));
    const infos = resolveLocalSources(view, sources, { cmd, isContext: true });
    if (infos.length !== 1) return 'multi';
    return infos[0].isDir ? 'dir' : 'file';
  } catch {
    return guess;
  } finally {
    view?.close();
  }
}
