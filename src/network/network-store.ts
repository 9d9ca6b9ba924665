// Networks persist as one atomic JSON file each under <data-root>/network/. Endpoint
// allocations are not stored here: they are recomputed from the container records at start.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../common/index.ts';
import type { IpamConfig } from './ipam.ts';

export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Driver: 'bridge' | 'macvlan' | 'host' | 'null';
  Scope: 'local';
  Internal: boolean;
  Attachable: boolean;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IpamConfig[] };
  /** IPv6 on the network: its IPv6 subnet is the IPAM config whose Subnet is IPv6 (ipv6.ts). */
  EnableIPv6?: boolean;
  /** false: an IPv6-only network (API 1.48 EnableIPv4=false), without an IPv4 subnet. */
  EnableIPv4?: boolean;
  /** The IPv6 subnet came from the ULA pool, not from the user (--ip6 is refused, as by Docker). */
  autoSubnet6?: boolean;
  /** The Linux bridge (bridge driver) and whether berth created it (so it removes it). */
  bridge?: string;
  createdBridge?: boolean;
}

export class NetworkStore {
  private readonly dir: string;

  constructor(dataRoot: string) {
    this.dir = join(dataRoot, 'network');
  }

  async loadAll(): Promise<NetworkRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const out: NetworkRecord[] = [];
    for (const f of await readdir(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const rec = await readJsonIfExists<NetworkRecord>(join(this.dir, f)).catch(() => undefined);
      if (rec?.Id && rec.Name) out.push(rec);
    }
    return out;
  }

  save(rec: NetworkRecord): Promise<void> {
    return writeJsonAtomic(join(this.dir, `${rec.Id}.json`), rec);
  }

  remove(id: string): Promise<void> {
    return rm(join(this.dir, `${id}.json`), { force: true });
  }
}
