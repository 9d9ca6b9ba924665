// parseDockerfile: the Dockerfile text to its syntax tree (types.ts), as BuildKit's parser and
// instructions packages read it (moby's classic builder uses the same parser). Errors are
// InvalidParameter with Docker's wording and a `line` (see errors.ts).

import { instructionError, InstructionError, locatedError } from './errors.ts';
import { toInstruction } from './instructions.ts';
import { scanDockerfile } from './line-scanner.ts';
import type { Node } from './node.ts';
import type { ArgInstruction, Dockerfile, Instruction, Stage } from './types.ts';

function typed(node: Node): Instruction {
  try {
    return toInstruction(node);
  } catch (err) {
    if (err instanceof InstructionError) throw instructionError(err.message, node.startLine, node.endLine);
    throw err;
  }
}

/**
 * Parses a whole Dockerfile. Throws (InvalidParameter, with `line`/`endLine`):
 * - scanner errors as BuildKit words them: `file with no instructions`, `unterminated heredoc`,
 *   `only one escape parser directive can be used`, ...;
 * - instruction errors: `dockerfile parse error on line 3: unknown instruction: FOOO`;
 * - `no build stage in current context` (an instruction other than ARG before the first FROM);
 * - `dockerfile contains no stages to build` (only ARGs).
 */
export function parseDockerfile(text: string): Dockerfile {
  const scan = scanDockerfile(text);
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of scan.nodes) {
    const ins = typed(node);
    if (ins.kind === 'FROM') {
      stages.push({ from: ins, ...(ins.stageName !== undefined ? { name: ins.stageName } : {}), instructions: [] });
      continue;
    }
    if (stages.length === 0) {
      if (ins.kind === 'ARG') {
        metaArgs.push(ins);
        continue;
      }
      throw locatedError('no build stage in current context', node.startLine, node.endLine);
    }
    stages[stages.length - 1].instructions.push(ins);
  }
  if (stages.length === 0) {
    const last = scan.nodes[scan.nodes.length - 1];
    throw locatedError('dockerfile contains no stages to build', last.startLine, last.endLine);
  }
  return { directives: scan.directives, metaArgs, stages, warnings: scan.warnings };
}

/**
 * Parses one instruction, e.g. an ONBUILD trigger from an image config (`RUN echo hi`, or
 * `RUN <<EOF` with its heredoc body on the following lines, as ONBUILD stores it). Uses the
 * default escape token, as BuildKit does for triggers. Throws like parseDockerfile; more than
 * one instruction is refused.
 */
export function parseInstructionLine(text: string): Instruction {
  const scan = scanDockerfile(text);
  if (scan.nodes.length !== 1) {
    throw locatedError(`expected one instruction, found ${scan.nodes.length}`, scan.nodes[1].startLine);
  }
  return typed(scan.nodes[0]);
}
