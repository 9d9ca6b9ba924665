// Token scopes, as distribution's token spec writes them (docs/spec/auth/scope.md):
// `repository:samalba/my-app:pull,push`, `registry:catalog:*`. A repository name may hold a
// `host:port/` part, so the type is the text before the first colon, the actions the text after
// the last one, and the name everything between. A resource class (`repository(plugin):...`) is
// accepted and dropped: berth-registry has no plugin repositories.
import type { Access } from './types.ts';

/** distribution's reference.NameRegexp: an optional `host[:port]/`, then path components of lowercase alphanumerics and separators. */
const REPOSITORY_NAME =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const ACTION = /^(?:[a-z]+|\*)$/;
const RESOURCE_TYPE = /^([a-z0-9]+)(?:\([a-z0-9]+\))?$/;

export class ScopeError extends Error {}

/** Parses one scope; throws ScopeError for a malformed one. Unknown resource types parse (they grant nothing). */
export function parseScope(scope: string): { type: string; name: string; actions: string[] } {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) throw new ScopeError(`invalid scope: ${JSON.stringify(scope)}`);
  const typeMatch = RESOURCE_TYPE.exec(scope.slice(0, first));
  const name = scope.slice(first + 1, last);
  const actions = scope.slice(last + 1).split(',');
  if (!typeMatch || name === '' || actions.some((a) => !ACTION.test(a))) {
    throw new ScopeError(`invalid scope: ${JSON.stringify(scope)}`);
  }
  const type = typeMatch[1] as string;
  if (type === 'repository' && !isRepositoryName(name)) {
    throw new ScopeError(`invalid scope: ${JSON.stringify(scope)}: invalid repository name`);
  }
  return { type, name, actions: [...new Set(actions)] };
}

/** Parses the scopes of a token request: each `scope` parameter may hold several, space-separated. */
export function parseScopes(params: string[]): Access[] {
  const out: Access[] = [];
  for (const param of params) {
    for (const one of param.split(' ')) {
      if (one === '') continue;
      const { type, name, actions } = parseScope(one);
      if (type !== 'repository' && type !== 'registry') continue;
      out.push({ type, name, actions });
    }
  }
  return mergeAccess(out);
}

export function formatScope(access: Access): string {
  return `${access.type}:${access.name}:${access.actions.join(',')}`;
}

function isRepositoryName(name: string): boolean {
  return name.length <= 255 && REPOSITORY_NAME.test(name);
}

/** Joins entries for the same resource, keeping each action once, in first-seen order. */
export function mergeAccess(list: Access[]): Access[] {
  const byKey = new Map<string, Access>();
  for (const a of list) {
    const key = `${a.type}:${a.name}`;
    const have = byKey.get(key);
    if (have) {
      for (const action of a.actions) if (!have.actions.includes(action)) have.actions.push(action);
    } else {
      byKey.set(key, { type: a.type, name: a.name, actions: [...new Set(a.actions)] });
    }
  }
  return [...byKey.values()];
}

/** The accesses (one per resource) whose actions `granted` does not hold; empty when it covers all. */
export function missingAccess(granted: Access[], needed: Access[]): Access[] {
  const missing: Access[] = [];
  for (const need of mergeAccess(needed)) {
    const have = granted
      .filter((g) => g.type === need.type && g.name === need.name)
      .flatMap((g) => g.actions);
    const lacking = have.includes('*') ? [] : need.actions.filter((a) => !have.includes(a));
    if (lacking.length > 0) missing.push({ type: need.type, name: need.name, actions: lacking });
  }
  return missing;
}
