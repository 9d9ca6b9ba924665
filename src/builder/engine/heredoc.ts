// How BuildKit runs a RUN with heredocs (dockerfile2llb dispatchRun): `RUN <<EOF` alone runs
// the body with the shell (`sh -c <body>`), or, when the body starts with `#!`, runs it with
// that interpreter (berth feeds the script on stdin instead of BuildKit's /dev/pipes file);
// any other form (`RUN cat <<EOF > f`) gives the shell the command line with the bodies
// appended, for the shell's own heredoc support.
import type { Heredoc } from '../dockerfile/types.ts';

/** BuildKit parser.MustParseHeredoc: a word that is only a heredoc marker. */
const HEREDOC_ONLY = /^(\d*)<<(-?)\s*(?:'([^']*)'|"([^"]*)"|([^\s'"]+))$/;

export interface HeredocRun {
  argv: string[];
  stdin?: Uint8Array;
}

export function heredocRun(cmd: string, heredocs: Heredoc[], shell: string[]): HeredocRun {
  if (HEREDOC_ONLY.test(cmd.trim()) && heredocs.length === 1) {
    const body = heredocs[0].content;
    if (body.startsWith('#!')) {
      const nl = body.indexOf('\n');
      const interp = body.slice(2, nl < 0 ? undefined : nl).trim().split(/\s+/).filter(Boolean);
      if (interp.length > 0) return { argv: interp, stdin: new TextEncoder().encode(body) };
    }
    return { argv: [...shell, body] };
  }
  let full = cmd;
  for (const h of heredocs) full += `\n${h.content}${h.name}`;
  return { argv: [...shell, full] };
}
