// Parse errors as Docker words them. Every error is InvalidParameter (a bad Dockerfile) and
// carries the 1-based lines it concerns, so the daemon can show the Dockerfile excerpt.

import { BerthError, invalidParameter } from '../../common/index.ts';

/** A Dockerfile error with the lines it concerns (BuildKit parser.ErrorLocation). */
export type DockerfileError = BerthError & { line: number; endLine: number };

/** An error with its location only (BuildKit's AST-level errors: `unterminated heredoc`). */
export function locatedError(message: string, line: number, endLine = line): DockerfileError {
  return Object.assign(invalidParameter(message), { line, endLine: Math.max(line, endLine) });
}

/** An instruction error: `dockerfile parse error on line 3: unknown instruction: FOOO` (instructions.parseError). */
export function instructionError(reason: string, line: number, endLine = line): DockerfileError {
  return locatedError(`dockerfile parse error on line ${line}: ${reason}`, line, endLine);
}

/** An error an instruction parser raises; parse.ts adds the line (instructionError). */
export class InstructionError extends Error {}

export const errAtLeastOneArgument = (cmd: string) => new InstructionError(`${cmd} requires at least one argument`);
export const errExactlyOneArgument = (cmd: string) => new InstructionError(`${cmd} requires exactly one argument`);
export const errNoDestinationArgument = (cmd: string) =>
  new InstructionError(`${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
export const errBadHeredoc = (cmd: string, option: string) => new InstructionError(`${cmd} cannot accept a heredoc as ${option}`);
export const errBlankCommandNames = (cmd: string) => new InstructionError(`${cmd} names can not be blank`);
export const errTooManyArguments = (cmd: string) => new InstructionError(`Bad input to ${cmd}, too many arguments`);

/** A lexer error (a bad Dockerfile: InvalidParameter), BuildKit's wording: `failed to process "<word>": <reason>`. */
export class ShellLexError extends BerthError {
  constructor(message: string) {
    super('InvalidParameter', message);
  }
}
