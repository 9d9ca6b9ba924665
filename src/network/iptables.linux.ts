// Applies berth's ruleset with iptables-restore --noflush (one process), keeps the jumps from
// the built-in chains in place, and removes everything berth made. Never touches any other
// chain or a policy.
import { runTool } from './exec.linux.ts';
import { buildRuleset, chainNames, jumpRules, type BridgeRules, type PortRule } from './iptables-rules.ts';

export class Iptables {
  readonly prefix: string;
  private jumpsChecked = false;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  async apply(bridges: BridgeRules[], ports: PortRule[]): Promise<void> {
    await runTool('iptables-restore', ['--noflush', '-w'], buildRuleset(this.prefix, bridges, ports));
    if (!this.jumpsChecked) {
      await this.ensureJumps();
      this.jumpsChecked = true;
    }
  }

  /** Inserts each jump at the top of its built-in chain unless it is there already. */
  private async ensureJumps(): Promise<void> {
    for (const j of jumpRules(this.prefix)) {
      const present = await runTool('iptables', ['-w', '-t', j.table, '-C', j.chain, ...j.args]).then(() => true, () => false);
      if (!present) await runTool('iptables', ['-w', '-t', j.table, '-I', j.chain, '1', ...j.args]);
    }
  }

  /** Removes the jumps and berth's chains. */
  async removeAll(): Promise<void> {
    for (const j of jumpRules(this.prefix)) {
      while (await runTool('iptables', ['-w', '-t', j.table, '-D', j.chain, ...j.args]).then(() => true, () => false));
    }
    const c = chainNames(this.prefix);
    for (const [table, chains] of [['filter', [c.forward, c.stage1, c.stage2]], ['nat', [c.nat, c.postrouting]]] as const) {
      for (const chain of chains) await runTool('iptables', ['-w', '-t', table, '-F', chain]).catch(() => {});
      for (const chain of chains) await runTool('iptables', ['-w', '-t', table, '-X', chain]).catch(() => {});
    }
    this.jumpsChecked = false;
  }
}
