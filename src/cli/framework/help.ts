// Help and usage text in docker 28's layout (its cobra usage template): Usage, the description,
// Aliases, Options aligned and wrapped as pflag does, and the command lists of the root and of
// management commands.
import type { FlagSpec } from './types.ts';
import { commandAliases, commandPath, isGroup, useLine, visibleFlags, type CommandNode, type CommandTree } from './command-tree.ts';
import { formatGoDuration } from './go-values.ts';

/** The placeholder after a flag in help ('string', 'int', 'list', ...); none for bools. */
function flagValueName(spec: FlagSpec): string {
  if (spec.valueName !== undefined) return spec.valueName;
  switch (spec.type) {
    case 'bool':
      return '';
    case 'csv':
      return 'strings';
    default:
      return spec.type;
  }
}

/** pflag's " (default ...)" suffix, or '' when the default is the zero value. */
function defaultSuffix(spec: FlagSpec): string {
  const d = spec.default;
  const quoted = spec.type === 'string' && (spec.valueName === undefined || spec.valueName === 'string');
  if (d === undefined || d === false || d === '' || d === 0 || d === 'false') return '';
  if (!quoted && (d === '0' || d === '0s')) return '';
  if (Array.isArray(d)) return ` (default [${d.join(spec.type === 'csv' ? ',' : ' ')}])`;
  if (spec.type === 'duration' && typeof d === 'number') return ` (default ${formatGoDuration(d)})`;
  return quoted ? ` (default ${JSON.stringify(String(d))})` : ` (default ${String(d)})`;
}

/** pflag's FlagUsagesWrapped: flags sorted by name, usage column aligned, wrapped at `cols`. */
export function flagUsages(specs: readonly FlagSpec[], cols: number): string {
  const lines: string[] = [];
  let maxLen = 0;
  const sorted = specs.filter((s) => !s.hidden).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const spec of sorted) {
    let line = spec.short ? `  -${spec.short}, --${spec.name}` : `      --${spec.name}`;
    const v = flagValueName(spec);
    if (v) line += ' ' + v;
    line += '\0';
    maxLen = Math.max(maxLen, line.length);
    lines.push(line + spec.usage + defaultSuffix(spec));
  }
  let out = '';
  for (const line of lines) {
    const i = line.indexOf('\0');
    out += `${line.slice(0, i)} ${' '.repeat(maxLen - i)} ${wrap(maxLen + 2, cols, line.slice(i + 1))}\n`;
  }
  return out;
}

// pflag's wrapN: the first `i` characters up to a space, going `slop` over to avoid an orphan.
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

// pflag's wrap: text wrapped to width w with continuation lines indented by i.
function wrap(i: number, w: number, s: string): string {
  const indentNl = (t: string, n: number) => t.replaceAll('\n', '\n' + ' '.repeat(n));
  if (w === 0) return indentNl(s, i);
  let width = w - i;
  let r = '';
  if (width < 24) {
    i = 16;
    width = w - i;
    r += '\n' + ' '.repeat(i);
  }
  if (width < 24) return s.replaceAll('\n', r);
  const slop = 5;
  width -= slop;
  let [l, rest] = wrapN(width, slop, s);
  r += indentNl(l, i);
  while (rest !== '') {
    let t: string;
    [t, rest] = wrapN(width, slop, rest);
    r += '\n' + ' '.repeat(i) + indentNl(t, i);
  }
  return r;
}

function commandList(nodes: readonly CommandNode[], padding: number): string[] {
  return nodes.map((n) => `  ${n.name.padEnd(padding)} ${n.spec.short}`);
}

// cobra's NamePadding: the longest sibling name, at least 11.
function namePadding(parent: CommandNode): number {
  return Math.max(11, ...parent.children.map((c) => c.name.length));
}

/** The full help of a command (what --help prints), ending in a newline. */
export function renderHelp(tree: CommandTree, node: CommandNode, cols: number): string {
  const out: string[] = [];
  const group = isGroup(node);
  const flags = visibleFlags(node);
  if (!node.parent) out.push(`Usage:  ${node.name}${flags.length ? ' [OPTIONS]' : ''} COMMAND`);
  else if (group) out.push(`Usage:  ${commandPath(node)}${flags.length ? ' [OPTIONS]' : ''} COMMAND`);
  else out.push(`Usage:  ${useLine(node)}`);
  out.push('', (node.spec.long ?? node.spec.short).trim());
  const aliases = node.parent ? commandAliases(node) : [];
  if (aliases.length > 1) out.push('', 'Aliases:', `  ${aliases.join(', ')}`);
  if (node.parent && flags.length) out.push('', 'Options:', flagUsages(flags, cols).trimEnd());
  const pad = namePadding(node);
  const visible = node.children.filter((c) => !c.hidden);
  if (!node.parent) {
    const common = tree.common.map((n) => visible.find((c) => c.name === n)).filter((c): c is CommandNode => c !== undefined);
    const groups = visible.filter((c) => isGroup(c) && !common.includes(c));
    const others = visible.filter((c) => !isGroup(c) && !common.includes(c));
    if (common.length) out.push('', 'Common Commands:', ...commandList(common, pad));
    if (groups.length) out.push('', 'Management Commands:', ...commandList(groups, pad));
    if (others.length) out.push('', 'Commands:', ...commandList(others, pad));
    if (flags.length) out.push('', 'Global Options:', flagUsages(flags, cols).trimEnd());
  } else {
    const ops = visible.filter((c) => !isGroup(c));
    const subgroups = visible.filter((c) => isGroup(c));
    if (subgroups.length) out.push('', 'Management Commands:', ...commandList(subgroups, pad));
    if (ops.length) out.push('', 'Commands:', ...commandList(ops, pad));
  }
  if (group) out.push('', `Run '${commandPath(node)} COMMAND --help' for more information on a command.`);
  return out.join('\n') + '\n';
}

/**
 * The width pflag wraps at: the terminal's or 80, minus one. Docker asks stdin's terminal; Node
 * knows the size only of output terminals, so stdout's or stderr's stands in for it.
 */
export function helpColumns(stdin: { isTTY?: boolean }, ...outputs: { columns?: number }[]): number {
  const width = (stdin.isTTY && outputs.map((o) => o.columns).find((c) => c !== undefined && c > 0)) || 80;
  return width - 1;
}
