// parseDockerfile: the Dockerfile text to its syntax tree (types.ts), as BuildKit's parser and
// instructions packages read it (moby's classic builder uses the same parser). Errors are
// InvalidParameter with Docker's wording and a `line` (see errors.ts).

import { invalidParameter } from '../../common/index.ts';
import { instructionError, InstructionError, locatedError, type DockerfileError } from './errors.ts';
import { toInstruction } from './instructions.ts';
import { scanDockerfile, type ScanResult } from './line-scanner.ts';
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
 *
 * With `name` (the Dockerfile's path in the context) the parse is the classic builder's: the
 * errors of the text itself come as moby words them (remotecontext.readAndParseDockerfile),
 * `the Dockerfile (Dockerfile) cannot be empty` for an empty file and
 * `failed to parse Dockerfile: unterminated heredoc` for the scanner errors; and a file of
 * ARGs only is returned with no stages (moby prints their steps, then fails with `No image
 * was generated. Is your Dockerfile empty?`: the engine's part).
 */
export function parseDockerfile(text: string, options: { name?: string } = {}): Dockerfile {
  const scan = scanWithName(text, options.name);
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
  if (stages.length === 0 && options.name === undefined) {
    const last = scan.nodes[scan.nodes.length - 1];
    throw locatedError('dockerfile contains no stages to build', last.startLine, last.endLine);
  }
  return { directives: scan.directives, escapeToken: scan.escapeToken, metaArgs, stages, warnings: scan.warnings };
}

function scanWithName(text: string, name: string | undefined): ScanResult {
  if (name === undefined) return scanDockerfile(text);
  if (text === '') throw invalidParameter(`the Dockerfile (${name}) cannot be empty`);
  try {
    return scanDockerfile(text);
  } catch (err) {
    const e = err as DockerfileError;
    if (typeof e.line === 'number') throw locatedError(`failed to parse ${name}: ${e.message}`, e.line, e.endLine);
    throw err;
  }
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
