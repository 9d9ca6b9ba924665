// Applies berth's ruleset with iptables-restore --noflush (one process), keeps the jumps from
// the built-in chains in place, and removes everything berth made. Never touches any other
// chain or a policy. One instance per family: iptables for IPv4, ip6tables for IPv6 (the same
// chain names in the other family's tables).
import { runTool } from './exec.linux.ts';
import { buildRuleset, chainNames, jumpRules, type BridgeRules, type PortRule } from './iptables-rules.ts';
import { jumpRules6 } from './ip6tables-rules.ts';

export class Iptables {
  readonly prefix: string;
  private readonly tool: 'iptables' | 'ip6tables';
  private jumpsChecked = false;

  constructor(prefix: string, family: 4 | 6 = 4) {
    this.prefix = prefix;
    this.tool = family === 6 ? 'ip6tables' : 'iptables';
  }

  private jumps() {
    return this.tool === 'ip6tables' ? jumpRules6(this.prefix) : jumpRules(this.prefix);
  }

  async apply(bridges: BridgeRules[], ports: PortRule[]): Promise<void> {
    await this.applyText(buildRuleset(this.prefix, bridges, ports));
  }

  /** Applies a ruleset text of this family (its chains are flushed and refilled). */
  async applyText(text: string): Promise<void> {
    await runTool(`${this.tool}-restore`, ['--noflush', '-w'], text);
    if (!this.jumpsChecked) {
      await this.ensureJumps();
      this.jumpsChecked = true;
    }
  }

  /** Inserts each jump at the top of its built-in chain unless it is there already. */
  private async ensureJumps(): Promise<void> {
    for (const j of this.jumps()) {
      const present = await runTool(this.tool, ['-w', '-t', j.table, '-C', j.chain, ...j.args]).then(() => true, () => false);
      if (!present) await runTool(this.tool, ['-w', '-t', j.table, '-I', j.chain, '1', ...j.args]);
    }
  }

  /** Removes the jumps and berth's chains. */
  async removeAll(): Promise<void> {
    for (const j of this.jumps()) {
      while (await runTool(this.tool, ['-w', '-t', j.table, '-D', j.chain, ...j.args]).then(() => true, () => false));
    }
    const c = chainNames(this.prefix);
    for (const [table, chains] of [['filter', [c.forward, c.stage1, c.stage2]], ['nat', [c.nat, c.postrouting]]] as const) {
      for (const chain of chains) await runTool(this.tool, ['-w', '-t', table, '-F', chain]).catch(() => {});
      for (const chain of chains) await runTool(this.tool, ['-w', '-t', table, '-X', chain]).catch(() => {});
    }
    this.jumpsChecked = false;
  }
}
