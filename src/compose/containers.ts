// The project's containers as the engine reports them, found by label (never by name: docker
// compose finds containers it did not name, e.g. with container_name or after a rename).
import type { ApiClient } from '../common/index.ts';
import { LABEL } from './labels.ts';

/** GET /containers/json's summary (the fields compose reads; the rest passes through). */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: string;
  Status: string;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels: Record<string, string>;
  NetworkSettings?: { Networks?: Record<string, unknown> };
  Mounts?: unknown[];
  [key: string]: unknown;
}

export interface ListOptions {
  /** Stopped containers too (`ps -a`). */
  all?: boolean;
  /** Only these services (empty/absent: all). */
  services?: string[];
  /** One-off containers (`run`): left out by default, as docker compose. */
  oneOff?: 'exclude' | 'include' | 'only';
}

export async function listProjectContainers(client: ApiClient, project: string, opts: ListOptions = {}): Promise<ContainerSummary[]> {
  const label = [`${LABEL.project}=${project}`];
  if (opts.oneOff === 'only') label.push(`${LABEL.oneOff}=True`);
  else if (opts.oneOff !== 'include') label.push(`${LABEL.oneOff}=False`);
  if (opts.services?.length === 1) label.push(`${LABEL.service}=${opts.services[0]}`);
  const found = await client.json<ContainerSummary[]>('GET', '/containers/json', { query: { all: opts.all ? 1 : undefined, filters: { label } } });
  const wanted = opts.services && opts.services.length > 1 ? new Set(opts.services) : undefined;
  return found
    .filter((c) => !wanted || wanted.has(c.Labels[LABEL.service]))
    .sort((a, b) => compareContainers(a, b));
}

/** By service name, then container number, as docker compose lists them. */
function compareContainers(a: ContainerSummary, b: ContainerSummary): number {
  const sa = a.Labels[LABEL.service] ?? '';
  const sb = b.Labels[LABEL.service] ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return Number(a.Labels[LABEL.containerNumber] ?? 0) - Number(b.Labels[LABEL.containerNumber] ?? 0);
}

/** The name without the leading '/'. */
export function containerName(c: ContainerSummary): string {
  return (c.Names[0] ?? '').replace(/^\//, '');
}
