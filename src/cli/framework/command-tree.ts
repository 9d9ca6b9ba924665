// The command tree built from the registry's plain data: management commands with their
// subcommands, the program's own top-level commands, and docker's top-level shortcuts (`ps` for
// `container ls`), each shortcut a node of its own that shares its target's spec.
import type { CommandSpec, FlagSpec } from './types.ts';

/** What the registry hands the framework (src/cli/commands/index.ts). */
export interface CommandTreeSpec {
  programName: string;
  /** The root's one-line description. */
  short: string;
  globalFlags: FlagSpec[];
  /** Top-level commands: management groups (with subcommands) and plain commands. */
  commands: CommandSpec[];
  /** Top-level shortcuts: `{ name: 'ps', target: ['container', 'ls'] }`; absent targets are skipped. */
  shortcuts: { name: string; target: string[] }[];
  /** Top-level names listed under "Common Commands:", in this order. */
  common: string[];
  /** Top-level names left out of the root help (still runnable). */
  hidden?: string[];
}

export interface CommandNode {
  /** The word typed for it at its level. */
  name: string;
  spec: CommandSpec;
  parent: CommandNode | undefined;
  children: CommandNode[];
  /** For a shortcut: the node it stands for. */
  target: CommandNode | undefined;
  /** For a command: the shortcuts that stand for it. */
  shortcuts: CommandNode[];
  hidden: boolean;
}

export interface CommandTree {
  root: CommandNode;
  programName: string;
  common: string[];
}

export function buildCommandTree(def: CommandTreeSpec): CommandTree {
  const rootSpec: CommandSpec = {
    name: def.programName,
    usage: '[OPTIONS] COMMAND [ARG...]',
    short: def.short,
    flags: def.globalFlags,
    subcommands: def.commands,
  };
  const root = makeNode(rootSpec, undefined, false);
  const hidden = new Set(def.hidden ?? []);
  root.children = uniqueByName(def.commands).map((c) => {
    const node = makeNode(c, root, hidden.has(c.name));
    addChildren(node);
    return node;
  });
  linkSharedSpecs(root);
  for (const sc of def.shortcuts) {
    if (root.children.some((c) => c.name === sc.name)) continue;
    const target = findPath(root, sc.target);
    if (!target || target.children.length > 0) continue;
    const node = makeNode(target.spec, root, hidden.has(sc.name));
    node.name = sc.name;
    node.target = target;
    target.shortcuts.push(node);
    root.children.push(node);
  }
  root.children.sort(byName);
  // Aliases in docker's order: the top-level shortcut before another group's name for it.
  const depth = (n: CommandNode): number => (n.parent ? 1 + depth(n.parent) : 0);
  const sortShortcuts = (n: CommandNode): void => {
    n.shortcuts.sort((a, b) => depth(a) - depth(b));
    n.children.forEach(sortShortcuts);
  };
  sortShortcuts(root);
  return { root, programName: def.programName, common: def.common };
}

/**
 * One spec registered in two groups is one command (docker's `builder build` is `image build`):
 * the later node stands for the first, as a shortcut does, so that help names both.
 */
function linkSharedSpecs(root: CommandNode): void {
  const first = new Map<CommandSpec, CommandNode>();
  for (const group of root.children) {
    for (const c of group.children) {
      const main = first.get(c.spec);
      if (!main) {
        first.set(c.spec, c);
        continue;
      }
      c.target = main;
      main.shortcuts.push(c);
    }
  }
}

function makeNode(spec: CommandSpec, parent: CommandNode | undefined, hidden: boolean): CommandNode {
  return { name: spec.name, spec, parent, children: [], target: undefined, shortcuts: [], hidden };
}

function addChildren(node: CommandNode): void {
  node.children = uniqueByName(node.spec.subcommands ?? []).map((c) => {
    const child = makeNode(c, node, false);
    addChildren(child);
    return child;
  }).sort(byName);
}

// Two helpers may register the same verb while the tree grows; the first one wins.
function uniqueByName(specs: readonly CommandSpec[]): CommandSpec[] {
  const seen = new Set<string>();
  return specs.filter((s) => !seen.has(s.name) && seen.add(s.name));
}

function byName(a: CommandNode, b: CommandNode): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The child called `word` (by name or alias). */
export function findChild(node: CommandNode, word: string): CommandNode | undefined {
  return node.children.find((c) => c.name === word) ?? node.children.find((c) => c.target === undefined && (c.spec.aliases ?? []).includes(word));
}

export function findPath(root: CommandNode, words: readonly string[]): CommandNode | undefined {
  let node: CommandNode | undefined = root;
  for (const w of words) {
    node = node && findChild(node, w);
  }
  return node;
}

/** 'berth container ls' */
export function commandPath(node: CommandNode): string {
  return node.parent ? `${commandPath(node.parent)} ${node.name}` : node.name;
}

/** cobra's UseLine: the path and the usage ('berth ps [OPTIONS]'); the root's is fixed. */
export function useLine(node: CommandNode): string {
  if (!node.parent) return `${node.name} ${node.spec.usage}`;
  const usage = node.spec.usage.trim();
  return usage ? `${commandPath(node)} ${usage}` : commandPath(node);
}

/** Docker's "Aliases:" line: the full command, its aliases, then its shortcuts. */
export function commandAliases(node: CommandNode): string[] {
  const main = node.target ?? node;
  const parentPath = main.parent ? commandPath(main.parent) + ' ' : '';
  return [commandPath(main), ...(main.spec.aliases ?? []).map((a) => parentPath + a), ...main.shortcuts.map(commandPath)];
}

export function isGroup(node: CommandNode): boolean {
  return node.children.length > 0 || (node.spec.subcommands !== undefined && !node.spec.run);
}

/** Every flag a command accepts that help shows (not hidden). */
export function visibleFlags(node: CommandNode): FlagSpec[] {
  const flags = (node.spec.flags ?? []).filter((f) => !f.hidden);
  // cobra lists its own --help only when -h means something else (run's --hostname).
  if (flags.some((f) => f.short === 'h')) flags.push({ name: 'help', type: 'bool', usage: 'Print usage' });
  return flags;
}
