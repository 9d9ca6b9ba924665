// The decisions of docker compose v2's convergence (pkg/compose/convergence.go ensureService), as a
// pure function of the observed containers and the wanted state: which containers are kept,
// recreated, removed (scale down: obsolete ones and the highest numbers first), and which numbers
// are created (scale up: after the highest number in use).
import { LABEL } from '../labels.ts';

/** An observed container of a service (from GET /containers/json). */
export interface ObservedContainer {
  id: string;
  name: string;
  service: string;
  number: number;
  state: string;
  created: number;
  labels: Record<string, string>;
  mounts?: { Type?: string; Name?: string; Destination: string }[];
}

/** 'diverged': recreate on a changed config hash or image; 'force': always; 'never': keep. */
export type RecreatePolicy = 'diverged' | 'force' | 'never';

export interface Wanted {
  scale: number;
  configHash: string;
  /** The image's ID now (com.docker.compose.image); undefined: not compared. */
  imageId?: string;
  policy: RecreatePolicy;
}

export type Action =
  | { kind: 'keep'; container: ObservedContainer }
  | { kind: 'recreate'; container: ObservedContainer }
  | { kind: 'remove'; container: ObservedContainer }
  | { kind: 'create'; number: number };

function mustRecreate(c: ObservedContainer, wanted: Wanted): boolean {
  if (wanted.policy === 'never') return false;
  if (wanted.policy === 'force') return true;
  if (c.labels[LABEL.configHash] !== wanted.configHash) return true;
  if (wanted.imageId !== undefined && c.labels[LABEL.image] !== undefined && c.labels[LABEL.image] !== wanted.imageId) return true;
  return false;
}

export function planService(containers: ObservedContainer[], wanted: Wanted): Action[] {
  const obsolete = new Map(containers.map((c) => [c, mustRecreate(c, wanted)]));
  // Kept order: up-to-date ones by number (lowest first), then the obsolete ones; the tail beyond
  // the scale is removed.
  const sorted = [...containers].sort((a, b) => {
    const oa = obsolete.get(a)!;
    const ob = obsolete.get(b)!;
    if (oa !== ob) return oa ? 1 : -1;
    if (a.number !== b.number) return a.number - b.number;
    return a.created - b.created;
  });
  const actions: Action[] = [];
  sorted.forEach((c, i) => {
    if (i >= wanted.scale) actions.push({ kind: 'remove', container: c });
    else actions.push({ kind: obsolete.get(c) ? 'recreate' : 'keep', container: c });
  });
  let next = containers.reduce((m, c) => Math.max(m, c.number), 0) + 1;
  for (let i = containers.length; i < wanted.scale; i++) actions.push({ kind: 'create', number: next++ });
  return actions;
}

/** The number of containers a service wants: --scale, else deploy.replicas, else scale, else 1. */
export function serviceScale(service: { scale?: number; deploy?: { replicas?: number } }, override?: number): number {
  if (override !== undefined) return override;
  return service.deploy?.replicas ?? service.scale ?? 1;
}
