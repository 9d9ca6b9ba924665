// The services' dependency graph and its walker, as docker compose v2's pkg/compose/dependencies.go:
// a service is visited once every service it depends on (upward: create/start) or every service
// that depends on it (downward: stop/remove) is done; independent services run in parallel, up
// to `parallel` at once (--parallel; -1 or 0: unlimited). A cycle is refused before anything runs.
import { ComposeError } from '../errors.ts';
import type { Project } from '../types.ts';

export interface ServiceGraph {
  /** service -> the services it depends on (within the graph). */
  deps: Map<string, Set<string>>;
  /** service -> the services that depend on it (within the graph). */
  dependents: Map<string, Set<string>>;
}

/** The graph of `names` (default: every enabled service); depends_on targets outside it are ignored. */
export function serviceGraph(project: Project, names: Iterable<string> = Object.keys(project.services)): ServiceGraph {
  const set = new Set(names);
  const deps = new Map<string, Set<string>>();
  const dependents = new Map<string, Set<string>>();
  for (const n of set) {
    deps.set(n, new Set());
    dependents.set(n, new Set());
  }
  for (const n of set) {
    for (const d of serviceDependencies(project, n)) {
      if (!set.has(d) || d === n) continue;
      deps.get(n)!.add(d);
      dependents.get(d)!.add(n);
    }
  }
  const cycle = findCycle(deps);
  if (cycle) throw new ComposeError(`dependency cycle detected: ${cycle.join(' -> ')}`);
  return { deps, dependents };
}

/** What a service needs started first: depends_on, links, and network_mode/ipc/pid `service:x`. */
function serviceDependencies(project: Project, name: string): string[] {
  const s = project.services[name];
  if (!s) return [];
  const out = new Set<string>(Object.keys(s.depends_on ?? {}));
  for (const l of s.links ?? []) out.add(l.split(':')[0]);
  for (const mode of [s.network_mode, s.ipc, s.pid]) if (mode?.startsWith('service:')) out.add(mode.slice('service:'.length));
  return [...out];
}

function findCycle(deps: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    const st = state.get(n);
    if (st === 'done') return undefined;
    if (st === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of [...(deps.get(n) ?? [])].sort()) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...deps.keys()].sort()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

/** Every service `names` needs, transitively, with them (for `up web`: web and its dependencies). */
export function withDependencies(project: Project, names: string[]): string[] {
  const out = new Set<string>();
  const add = (n: string) => {
    if (out.has(n) || !project.services[n]) return;
    out.add(n);
    for (const d of serviceDependencies(project, n)) add(d);
  };
  names.forEach(add);
  return [...out];
}

/** Every service that depends on `name`, transitively. */
export function dependentsOf(graph: ServiceGraph, name: string): string[] {
  const out = new Set<string>();
  const add = (n: string) => {
    for (const d of graph.dependents.get(n) ?? []) {
      if (out.has(d)) continue;
      out.add(d);
      add(d);
    }
  };
  add(name);
  return [...out];
}

export type Direction = 'up' | 'down';

/**
 * Runs fn for each service of the graph: 'up' visits dependencies first, 'down' dependents first.
 * The first failure stops new visits; those running finish; the first error is thrown.
 */
export async function walkGraph(graph: ServiceGraph, direction: Direction, fn: (service: string) => Promise<void>, parallel = -1): Promise<void> {
  const before = direction === 'up' ? graph.deps : graph.dependents;
  const after = direction === 'up' ? graph.dependents : graph.deps;
  const waiting = new Map<string, number>();
  for (const [n, s] of before) waiting.set(n, s.size);
  const ready = [...waiting].filter(([, c]) => c === 0).map(([n]) => n).sort();
  const limit = parallel > 0 ? parallel : Infinity;
  let running = 0;
  let failed: unknown;
  let hasFailed = false;
  let remaining = waiting.size;
  if (remaining === 0) return;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (!hasFailed && running < limit && ready.length) {
        const n = ready.shift()!;
        running++;
        fn(n).then(
          () => {
            running--;
            remaining--;
            for (const m of [...(after.get(n) ?? [])].sort()) {
              const c = waiting.get(m)! - 1;
              waiting.set(m, c);
              if (c === 0) ready.push(m);
            }
            settle();
          },
          (err) => {
            running--;
            if (!hasFailed) {
              hasFailed = true;
              failed = err;
            }
            settle();
          },
        );
      }
    };
    const settle = () => {
      if (running === 0 && (hasFailed || remaining === 0 || !ready.length)) resolve();
      else pump();
    };
    pump();
    if (running === 0) resolve();
  });
  if (hasFailed) throw failed;
}

/** Runs fn over items with at most `parallel` at once (-1/0: all); every item runs; the first error is thrown. */
export async function forEachLimit<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>): Promise<void> {
  const limit = parallel > 0 ? parallel : items.length || 1;
  let i = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (i < items.length) {
      const item = items[i++];
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}
