// A raw node to a typed instruction: BuildKit instructions/parse.go (parseRun, parseCopy, ...),
// each instruction with its argument checks, its allowed flags and BuildKit's messages, in
// BuildKit's order of checks. Words stay unexpanded (the engine expands them at dispatch).

import {
  errAtLeastOneArgument,
  errBlankCommandNames,
  errExactlyOneArgument,
  errTooManyArguments,
  InstructionError,
} from './errors.ts';
import { parseFlags, type FlagKind, type ParsedFlags } from './flags.ts';
import { heredocOf } from './heredoc.ts';
import { copyInstruction } from './copy-instruction.ts';
import { healthcheck } from './healthcheck-instruction.ts';
import { checkMountSyntax } from './mount.ts';
import type { Node } from './node.ts';
import { goQuote, trimGoSpace } from './go-text.ts';
import { withSuggestion } from './suggest.ts';
import type { CommandLine, Instruction } from './types.ts';

const INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** CMD/ENTRYPOINT/RUN: exec form for a JSON array, otherwise the words joined (handleJSONArgs). */
function commandLine(node: Node, args: string[]): CommandLine {
  if (node.json) return { form: 'exec', args };
  return { form: 'shell', cmd: args.join(' '), heredocs: node.heredocs.map(heredocOf) };
}

function keyValues(args: string[], cmd: string): { key: string; value: string }[] {
  if (args.length === 0) throw errAtLeastOneArgument(cmd);
  if (args.length % 2 !== 0) throw errTooManyArguments(cmd);
  const pairs = [];
  for (let j = 0; j < args.length; j += 2) {
    if (args[j] === '') throw errBlankCommandNames(cmd);
    pairs.push({ key: args[j], value: args[j + 1] });
  }
  return pairs;
}

const RUN_FLAGS: Record<string, FlagKind> = { mount: 'strings', network: 'string', security: 'string' };
const NO_FLAGS: Record<string, FlagKind> = {};

/** The instruction of one node; throws InstructionError (parse.ts adds the line). */
export function toInstruction(node: Node): Instruction {
  const base = { loc: { start: node.startLine, end: node.endLine }, original: trimGoSpace(node.original), flags: [] as Instruction['flags'] };
  const args = node.args;
  const flags = (allowed: Record<string, FlagKind>) => {
    const f = parseFlags(node.flags, allowed);
    base.flags = f.list;
    return f;
  };
  const name = node.cmd.toUpperCase();
  switch (name) {
    case 'ENV':
    case 'LABEL': {
      flags(NO_FLAGS);
      return { ...base, kind: name, pairs: keyValues(args, name) };
    }
    case 'MAINTAINER':
    case 'WORKDIR':
    case 'USER': {
      if (args.length !== 1) throw errExactlyOneArgument(name);
      flags(NO_FLAGS);
      return { ...base, kind: name, value: args[0] };
    }
    case 'STOPSIGNAL':
      // BuildKit does not check STOPSIGNAL's flags
      if (args.length !== 1) throw errExactlyOneArgument(name);
      return { ...base, kind: name, value: args[0] };
    case 'COPY':
    case 'ADD':
      return copyInstruction(node, name, base, flags);
    case 'FROM': {
      let stageName: string | undefined;
      if (args.length === 3 && args[1].toLowerCase() === 'as') {
        stageName = args[2].toLowerCase();
        if (!VALID_STAGE_NAME.test(stageName)) {
          throw new InstructionError(`invalid name for build stage: ${goQuote(args[2])}, name can't start with a number or contain symbols`);
        }
      } else if (args.length !== 1) {
        throw new InstructionError('FROM requires either one or three arguments');
      }
      const f = flags({ platform: 'string' });
      const platform = f.string('platform');
      return {
        ...base,
        kind: 'FROM',
        image: args[0],
        ...(stageName !== undefined ? { stageName } : {}),
        ...(platform !== undefined ? { platform } : {}),
      };
    }
    case 'ONBUILD': {
      if (args.length === 0) throw errAtLeastOneArgument('ONBUILD');
      flags(NO_FLAGS);
      const trigger = trimGoSpace(args[0]).toUpperCase();
      if (trigger === 'ONBUILD') throw new InstructionError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new InstructionError(`${trigger} isn't allowed as an ONBUILD trigger`);
      let expression = node.original.replace(/^\p{White_Space}*ONBUILD\p{White_Space}*/iu, '');
      for (const doc of node.heredocs) expression += '\n' + doc.content + doc.name;
      return { ...base, kind: 'ONBUILD', trigger: expression };
    }
    case 'RUN': {
      const f = flags(RUN_FLAGS);
      const network = f.string('network');
      if (network !== undefined && !['none', 'host', 'default'].includes(network)) {
        throw new InstructionError(`invalid network mode ${goQuote(network)}`);
      }
      const security = f.string('security');
      if (security !== undefined && !['sandbox', 'insecure'].includes(security)) {
        throw new InstructionError(`security ${goQuote(security)} is not valid`);
      }
      const mounts = f.strings('mount');
      for (const m of mounts) {
        try {
          checkMountSyntax(m);
        } catch (err) {
          throw new InstructionError((err as Error).message);
        }
      }
      return {
        ...base,
        kind: 'RUN',
        command: commandLine(node, args),
        mounts,
        ...(network !== undefined ? { network } : {}),
        ...(security !== undefined ? { security } : {}),
      };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      flags(NO_FLAGS);
      return { ...base, kind: name, command: commandLine(node, args) };
    case 'HEALTHCHECK':
      return healthcheck(node, base, flags);
    case 'EXPOSE': {
      if (args.length === 0) throw errAtLeastOneArgument('EXPOSE');
      flags(NO_FLAGS);
      return { ...base, kind: 'EXPOSE', values: [...args].sort() };
    }
    case 'VOLUME': {
      if (args.length === 0) throw errAtLeastOneArgument('VOLUME');
      flags(NO_FLAGS);
      const values = args.map(trimGoSpace);
      if (values.some((v) => v === '')) throw new InstructionError('VOLUME specified can not be an empty string');
      return { ...base, kind: 'VOLUME', values };
    }
    case 'ARG': {
      if (args.length === 0) throw errAtLeastOneArgument('ARG');
      flags(NO_FLAGS);
      const pairs = args.map((arg) => {
        const i = arg.indexOf('=');
        if (i < 0) return { key: arg };
        if (i === 0) throw errBlankCommandNames('ARG');
        return { key: arg.slice(0, i), value: arg.slice(i + 1) };
      });
      return { ...base, kind: 'ARG', args: pairs };
    }
    case 'SHELL': {
      flags(NO_FLAGS);
      if (!node.json) {
        if (args.length === 0) throw errAtLeastOneArgument('SHELL');
        throw new InstructionError('SHELL requires the arguments to be in JSON form');
      }
      if (args.length === 0) throw errAtLeastOneArgument('SHELL');
      return { ...base, kind: 'SHELL', shell: args };
    }
  }
  throw new InstructionError(withSuggestion(`unknown instruction: ${node.cmd}`, node.cmd, INSTRUCTIONS, false));
}

/** What every instruction has (types.ts Base). */
export type InstructionBase = { loc: { start: number; end: number }; original: string; flags: Instruction['flags'] };
/** Parses the node's flags against an allowed set and records them in the base. */
export type FlagsFn = (allowed: Record<string, FlagKind>) => ParsedFlags;
