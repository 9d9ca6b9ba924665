// Two berthds on one host, neither given --iptables-chain-prefix (issue 8, bug 10): each owns
// iptables chains of its own, derived from its bridge and data root, and a clean stop of one
// removes only its own chains and jumps. The harness gives each daemon its own bridge and data
// root, so neither ever touches the default BERTH chains.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Daemon, run, startDaemonWithBusybox, leftoverRules } from './harness.ts';
import { fetchText, httpdCmd } from './network.test-helpers.ts';
import { freePort } from './harness.ts';

let a: Daemon;
let b: Daemon;
before(async () => {
  a = await startDaemonWithBusybox([], { chainPrefixFlag: false });
  b = await startDaemonWithBusybox([], { chainPrefixFlag: false });
});
after(async () => {
  await a?.cleanup();
  await b?.cleanup();
});

/** The rules of one chain as iptables-save prints them. */
async function chainRules(table: string, chain: string): Promise<string[]> {
  const saved = (await run('iptables-save', ['-t', table])).stdout.split('\n');
  return saved.filter((l) => l.startsWith(`-A ${chain} `));
}

/** Which of a prefix's chains exist and which built-in chains jump into them. */
async function ownRules(prefix: string): Promise<{ chains: string[]; jumps: string[] }> {
  const saved = (await run('iptables-save', [])).stdout.split('\n');
  const ours = (c: string) => c === prefix || c.startsWith(`${prefix}-`);
  const chains = saved.map((l) => /^:(\S+)/.exec(l)?.[1]).filter((c): c is string => c !== undefined && ours(c)).sort();
  const jumps = saved.filter((l) => /^-A (FORWARD|PREROUTING|OUTPUT|POSTROUTING) /.test(l) && ours(/-j (\S+)/.exec(l)?.[1] ?? '')).map((l) => l.split(' ')[1]).sort();
  return { chains, jumps };
}

const CHAINS = (p: string) => [p, `${p}-FORWARD`, `${p}-ISOLATION-STAGE-1`, `${p}-ISOLATION-STAGE-2`, `${p}-POSTROUTING`].sort();
const JUMPS = ['FORWARD', 'OUTPUT', 'POSTROUTING', 'PREROUTING'];

describe('two daemons on one host', () => {
  it('each has chains and jumps of its own, and a clean stop of one leaves the other working', async () => {
    assert.notEqual(a.chainPrefix, b.chainPrefix);
    const port = await freePort();
    const r = await a.docker(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, 'busybox', ...httpdCmd('hello from a')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`)).trim(), 'hello from a');

    for (const [d, other] of [[a, b], [b, a]] as const) {
      assert.deepEqual(await ownRules(d.chainPrefix), { chains: CHAINS(d.chainPrefix), jumps: JUMPS }, d.chainPrefix);
      // Each daemon's forwarding chain knows its own bridge only.
      const forward = (await chainRules('filter', `${d.chainPrefix}-FORWARD`)).join('\n');
      assert.match(forward, new RegExp(`-o ${d.bridge} `));
      assert.doesNotMatch(forward, new RegExp(`\\b${other.bridge}\\b`));
    }
    assert.equal((await chainRules('nat', a.chainPrefix)).filter((l) => l.includes(`--dport ${port}`)).length, 1);

    await b.stopDaemon();
    assert.deepEqual(await leftoverRules(b.chainPrefix), [], 'the stopped daemon removed its own chains');
    assert.deepEqual(await ownRules(a.chainPrefix), { chains: CHAINS(a.chainPrefix), jumps: JUMPS }, 'the other daemon keeps its chains');
    assert.match((await chainRules('filter', `${a.chainPrefix}-FORWARD`)).join('\n'), new RegExp(`-o ${a.bridge} `));
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`, 5)).trim(), 'hello from a');
    await a.docker(['rm', '-f', 'web']);
  });
});
