// A raw node to a typed instruction: BuildKit instructions/parse.go (parseRun, parseCopy, ...),
// each instruction with its argument checks, its allowed flags and BuildKit's messages, in
// BuildKit's order of checks. Words stay unexpanded (the engine expands them at dispatch).

import { parseGoDuration } from '../../common/index.ts';
import {
  errAtLeastOneArgument,
  errBadHeredoc,
  errBlankCommandNames,
  errExactlyOneArgument,
  errNoDestinationArgument,
  errTooManyArguments,
  InstructionError,
} from './errors.ts';
import { parseFlags, type FlagKind } from './flags.ts';
import { chompHeredocContent, parseHeredocWord, type RawHeredoc } from './heredoc.ts';
import type { Node } from './node.ts';
import { goQuote } from './shell-lex.ts';
import { withSuggestion } from './suggest.ts';
import type { CommandLine, Heredoc, Instruction } from './types.ts';

const INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function heredoc(doc: RawHeredoc): Heredoc {
  return {
    name: doc.name,
    content: doc.chomp ? chompHeredocContent(doc.content) : doc.content,
    expand: doc.expand,
    ...(doc.fileDescriptor !== undefined ? { fileDescriptor: doc.fileDescriptor } : {}),
  };
}

/** CMD/ENTRYPOINT/RUN: exec form for a JSON array, otherwise the words joined (handleJSONArgs). */
function commandLine(node: Node, args: string[]): CommandLine {
  if (node.json) return { form: 'exec', args };
  return { form: 'shell', cmd: args.join(' '), heredocs: node.heredocs.map(heredoc) };
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

/** HEALTHCHECK durations: Go's time.ParseDuration, at least 1ms unless 0 (parseOptInterval). */
function checkInterval(name: string, value: string | undefined): void {
  if (value === undefined || value === '') return;
  const negative = value.startsWith('-');
  const ns = parseGoDuration(value.replace(/^[-+]/, ''));
  if (ns === undefined) throw new InstructionError(`time: invalid duration ${goQuote(value)}`);
  if (ns !== 0n && (negative || ns < 1_000_000n)) throw new InstructionError(`Interval ${goQuote(name)} cannot be less than 1ms`);
}

function checkRetries(value: string | undefined): void {
  if (value === undefined || value === '') return;
  if (!/^[+-]?\d+$/.test(value)) throw new InstructionError(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  const n = BigInt(value);
  if (n > 2147483647n || n < -2147483648n) throw new InstructionError(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  if (n < 0n) throw new InstructionError(`--retries cannot be negative (${n})`);
}

const COPY_FLAGS: Record<string, FlagKind> = { chown: 'string', from: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'strings' };
const ADD_FLAGS: Record<string, FlagKind> = {
  chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', unpack: 'bool', exclude: 'strings',
};
const RUN_FLAGS: Record<string, FlagKind> = { mount: 'strings', network: 'string', security: 'string' };
const HEALTHCHECK_FLAGS: Record<string, FlagKind> = {
  interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string',
};
const NO_FLAGS: Record<string, FlagKind> = {};

/** The instruction of one node; throws InstructionError (parse.ts adds the line). */
export function toInstruction(node: Node): Instruction {
  const base = { loc: { start: node.startLine, end: node.endLine }, original: node.original.trim(), flags: [] as Instruction['flags'] };
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
      const trigger = args[0].trim().toUpperCase();
      if (trigger === 'ONBUILD') throw new InstructionError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new InstructionError(`${trigger} isn't allowed as an ONBUILD trigger`);
      let expression = node.original.replace(/^\s*ONBUILD\s*/i, '');
      for (const doc of node.heredocs) expression += '\n' + doc.content + doc.name;
      return { ...base, kind: 'ONBUILD', trigger: expression };
    }
    case 'RUN': {
      const f = flags(RUN_FLAGS);
      const network = f.string('network');
      if (network !== undefined && !['none', 'host', 'default'].includes(network)) {
        throw new InstructionError(`unsupported network mode ${goQuote(network)}`);
      }
      const security = f.string('security');
      if (security !== undefined && !['sandbox', 'insecure'].includes(security)) {
        throw new InstructionError(`unsupported security mode ${goQuote(security)}`);
      }
      return {
        ...base,
        kind: 'RUN',
        command: commandLine(node, args),
        mounts: f.strings('mount'),
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
      const values = args.map((v) => v.trim());
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

type Base = { loc: { start: number; end: number }; original: string; flags: Instruction['flags'] };
type FlagsFn = (allowed: Record<string, FlagKind>) => ReturnType<typeof parseFlags>;

function copyInstruction(node: Node, name: 'COPY' | 'ADD', base: Base, flags: FlagsFn): Instruction {
  const args = node.args;
  if (args.length < 2) throw errNoDestinationArgument(name);
  const f = flags(name === 'COPY' ? COPY_FLAGS : ADD_FLAGS);
  const dest = args[args.length - 1];
  if (parseHeredocWord(dest)) throw errBadHeredoc(name, 'a destination');
  const byName = new Map(node.heredocs.map((d) => [d.name, d]));
  const sources: string[] = [];
  const heredocs: Heredoc[] = [];
  for (const src of args.slice(0, -1)) {
    const doc = parseHeredocWord(src);
    if (!doc) {
      sources.push(src);
      continue;
    }
    heredocs.push(heredoc({ ...doc, content: byName.get(doc.name)?.content ?? '' }));
  }
  const opt = <K extends string, V>(key: K, v: V | undefined) => (v !== undefined ? { [key]: v } as Record<K, V> : {});
  return {
    ...base,
    kind: name,
    sources,
    heredocs,
    dest,
    ...opt('from', f.string('from')),
    ...opt('chown', f.string('chown')),
    ...opt('chmod', f.string('chmod')),
    link: f.bool('link') ?? false,
    parents: f.bool('parents') ?? false,
    exclude: f.strings('exclude'),
    ...opt('checksum', f.string('checksum')),
    ...opt('keepGitDir', f.bool('keep-git-dir')),
    ...opt('unpack', f.bool('unpack')),
  };
}

function healthcheck(node: Node, base: Base, flags: FlagsFn): Instruction {
  const args = node.args;
  if (args.length === 0) throw errAtLeastOneArgument('HEALTHCHECK');
  const typ = args[0].toUpperCase();
  const rest = args.slice(1);
  if (typ === 'NONE') {
    // BuildKit does not check flags on HEALTHCHECK NONE
    if (rest.length !== 0) throw new InstructionError('HEALTHCHECK NONE takes no arguments');
    return { ...base, kind: 'HEALTHCHECK' };
  }
  const f = flags(HEALTHCHECK_FLAGS);
  if (typ !== 'CMD') throw new InstructionError(`Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = node.json || rest.length === 0 ? rest : [rest.join(' ')];
  if (cmd.length === 0) throw new InstructionError('Missing command after HEALTHCHECK CMD');
  const interval = f.string('interval');
  const timeout = f.string('timeout');
  const startPeriod = f.string('start-period');
  const startInterval = f.string('start-interval');
  const retries = f.string('retries');
  checkInterval('interval', interval);
  checkInterval('timeout', timeout);
  checkInterval('start-period', startPeriod);
  checkInterval('start-interval', startInterval);
  checkRetries(retries);
  return {
    ...base,
    kind: 'HEALTHCHECK',
    command: node.json ? { form: 'exec', args: cmd } : { form: 'shell', cmd: cmd[0], heredocs: [] },
    ...(interval !== undefined ? { interval } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(startPeriod !== undefined ? { startPeriod } : {}),
    ...(startInterval !== undefined ? { startInterval } : {}),
    ...(retries !== undefined ? { retries } : {}),
  };
}
