// Runs one command line the way the docker CLI does: global flags up to the first word, then the
// command path (management command, subcommand or shortcut), the command's own flags, --help,
// the argument count, the client, and the command itself; every failure becomes docker's text
// and exit code (flag errors 125 with usage, argument errors 1, daemon errors 1).
import { buildCommandTree, commandPath, findChild, isGroup, useLine, type CommandNode, type CommandTree, type CommandTreeSpec } from './command-tree.ts';
import { defaultConfigDir, loadConfig, saveConfig } from './config.ts';
import { createApiClient } from './client.ts';
import { globalFlags, InitError, LOG_LEVELS, resolveEndpoint } from './endpoint.ts';
import { FlagError, parseFlags, type ParsedFlags } from './flags.ts';
import { helpColumns, renderHelp } from './help.ts';
import { reportError } from './report-error.ts';
import type { CommandContext, CommandSpec, FlagSpec, Flags } from './types.ts';

/** The registry's part of the tree; the framework adds the global flags. */
export type Registry = Omit<CommandTreeSpec, 'globalFlags'>;

export interface CliDeps {
  registry: Registry;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** 'berth version 0.1.0, build abc1234' for -v. */
  versionLine: string;
}

const SHORT_HELP_DEPRECATED = 'Flag shorthand -h has been deprecated, use --help\n';

/** Builds the tree the way runCli sees it (for completion and tests). */
export function cliTree(registry: Registry, env: NodeJS.ProcessEnv): CommandTree {
  return buildCommandTree({ ...registry, globalFlags: globalFlags(defaultConfigDir(env), env) });
}

/** pflag/cobra flag error text: the error, the usage line, and where to get help. */
function flagErrorText(node: CommandNode, message: string): string {
  return `${message}\n\nUsage:  ${useLine(node)}\n\nRun '${commandPath(node)} --help' for more information\n`;
}

/** Docker's positional-argument checks (cli/required.go), or undefined when the count is fine. */
function argsErrorText(program: string, node: CommandNode, count: number): string | undefined {
  const rule = node.spec.args;
  if (!rule) return undefined;
  const { min, max } = rule;
  const path = commandPath(node);
  const plural = (n: number) => (n === 1 ? 'argument' : 'arguments');
  const tail = (verb: string) => `\n\nUsage:  ${useLine(node)}\n\n${verb} '${path} --help' for more information\n`;
  const tooFew = min !== undefined && count < min;
  const tooMany = max !== undefined && count > max;
  if (!tooFew && !tooMany) return undefined;
  if (max === 0) return `${program}: '${path}' accepts no arguments${tail('Run')}`;
  if (min !== undefined && max !== undefined && min === max) return `${program}: '${path}' requires ${min} ${plural(min)}${tail('Run')}`;
  if (min !== undefined && min > 0 && max !== undefined) return `${program}: '${path}' requires at least ${min} and at most ${max} ${plural(max)}${tail('Run')}`;
  if (tooFew) return `${program}: '${path}' requires at least ${min} ${plural(min!)}${tail('See')}`;
  // docker/cli's RequiresMaxArgs really prints "SRun" (a typo in cli/required.go).
  return `${program}: '${path}' requires at most ${max} ${plural(max!)}${tail('SRun')}`;
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { registry, env, stdout, stderr } = deps;
  const program = registry.programName;
  const tree = cliTree(registry, env);
  const root = tree.root;
  const cols = helpColumns(deps.stdin, stdout, stderr);
  const showHelp = (node: CommandNode, parsed?: ParsedFlags): number => {
    if (parsed?.shortHelp) stdout.write(SHORT_HELP_DEPRECATED);
    stdout.write(renderHelp(tree, node, cols));
    return 0;
  };
  const fail = (text: string, code: number): number => {
    stderr.write(text);
    return code;
  };

  let global: ParsedFlags;
  try {
    global = parseFlags(root.spec.flags ?? [], argv, { interspersed: false });
  } catch (err) {
    if (err instanceof FlagError) return fail(flagErrorText(root, err.message), 125);
    throw err;
  }
  const g = global.flags;
  if (g.bool('version')) {
    stdout.write(deps.versionLine + '\n');
    return 0;
  }
  const level = g.string('log-level');
  if (!LOG_LEVELS.includes(level.toLowerCase())) return fail(`Unable to parse logging level: ${level}\n`, 1);
  if (global.help || global.args.length === 0) return showHelp(root, global);

  const [first, ...afterFirst] = global.args;
  if (first === 'help') return helpTopic(tree, afterFirst, showHelp, fail);
  let node = findChild(root, first);
  if (!node) return fail(`${program}: unknown command: ${program} ${first}\n\nRun '${program} --help' for more information\n`, 1);
  let args = afterFirst;
  let groupFlags: ParsedFlags['flags'] | undefined;
  let groupSpecs: readonly FlagSpec[] = [];

  // Management commands: their own flags (--help; compose's project flags), then the subcommand word.
  while (isGroup(node)) {
    let parsed: ParsedFlags;
    try {
      parsed = parseFlags(node.spec.flags ?? [], args, { interspersed: false });
    } catch (err) {
      if (err instanceof FlagError) return fail(flagErrorText(node, err.message), 125);
      throw err;
    }
    if (parsed.help || parsed.args.length === 0) return showHelp(node, parsed);
    const child = findChild(node, parsed.args[0]);
    if (!child) {
      return fail(`${program}: unknown command: ${commandPath(node)} ${parsed.args[0]}\n\nUsage:  ${useLine(node)}\n\nRun '${commandPath(node)} --help' for more information\n`, 1);
    }
    groupSpecs = node.spec.flags ?? [];
    node = child;
    args = parsed.args.slice(1);
    groupFlags = parsed.flags;
  }

  const spec: CommandSpec = node.spec;
  // A management command's flags are persistent, as cobra's (`berth compose ps -p demo`), except
  // where the subcommand has a flag of that name or letter (`compose logs -f` is --follow).
  const own = spec.flags ?? [];
  const inherited = groupSpecs.filter((g) => !own.some((o) => o.name === g.name) && !(g.short && own.some((o) => o.short === g.short)));
  let parsed: ParsedFlags;
  try {
    parsed = parseFlags([...own, ...inherited], args, { interspersed: !spec.stopAtFirstArg });
  } catch (err) {
    if (err instanceof FlagError) return fail(flagErrorText(node, err.message), 125);
    throw err;
  }
  if (parsed.help || !spec.run) return showHelp(node, parsed);
  if (groupFlags && inherited.length) groupFlags = withPersistent(groupFlags, parsed.flags, new Set(inherited.map((f) => f.name)));
  const argsError = argsErrorText(program, node, parsed.args.length);
  if (argsError) return fail(argsError, 1);

  const configDir = g.changed('config') ? g.string('config') : defaultConfigDir(env);
  const loaded = loadConfig(configDir);
  if (loaded.warning) stderr.write(loaded.warning + '\n');
  let endpoint;
  try {
    endpoint = resolveEndpoint(g, env);
  } catch (err) {
    if (err instanceof InitError) return fail(`Failed to initialize: ${err.message}\n`, 1);
    throw err;
  }
  const debug = g.bool('debug') || level.toLowerCase() === 'debug';
  const client = createApiClient({ endpoint, debug: debug ? (line) => stderr.write(`DEBU[0000] ${line}\n`) : undefined });
  const ctx: CommandContext = {
    client,
    stdin: deps.stdin,
    stdout,
    stderr,
    programName: program,
    configDir,
    config: loaded.config,
    saveConfig: (config) => saveConfig(configDir, config),
    debug,
    groupFlags,
  };
  try {
    return (await spec.run(ctx, parsed.flags, parsed.args)) ?? 0;
  } catch (err) {
    // A flag value a command rejects late (a bad --filter) is still a flag error of what was typed.
    if (err instanceof FlagError) return fail(flagErrorText(node, err.message), 125);
    return reportError(err, stderr);
  } finally {
    client.close();
  }
}

/** The group's flags with those given after the subcommand: a later value wins, list values add up. */
function withPersistent(group: Flags, leaf: Flags, names: ReadonlySet<string>): Flags {
  const pick = (name: string): Flags => (names.has(name) && leaf.changed(name) ? leaf : group);
  return {
    bool: (n) => pick(n).bool(n),
    string: (n) => pick(n).string(n),
    int: (n) => pick(n).int(n),
    float: (n) => pick(n).float(n),
    duration: (n) => pick(n).duration(n),
    list: (n) => (names.has(n) && leaf.changed(n) ? [...(group.changed(n) ? group.list(n) : []), ...leaf.list(n)] : group.list(n)),
    changed: (n) => group.changed(n) || (names.has(n) && leaf.changed(n)),
  };
}

// `berth help [COMMAND...]`: the help of that command, as `COMMAND --help`.
function helpTopic(tree: CommandTree, words: readonly string[], show: (n: CommandNode) => number, fail: (t: string, c: number) => number): number {
  let node = tree.root;
  for (let i = 0; i < words.length; i++) {
    const child = findChild(node, words[i]);
    if (!child) return fail(`unknown help topic: ${words.slice(i).join(' ')}\n`, 1);
    node = child;
  }
  return show(node);
}
