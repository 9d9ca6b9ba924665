// The config-driven AccessPolicy: accounts (from htpasswd), roles as bundles of repository
// actions, and rules that bind accounts to repository patterns with a role. A project is a
// repository prefix (`team/*`); Harbor's projects, project roles and robot accounts map onto
// the same three notions, so a later policy can replace this one behind the AccessPolicy seam.
import type { Access, AccessPolicy, RepositoryAction, Subject } from './types.ts';

const ACTIONS: readonly RepositoryAction[] = ['pull', 'push', 'delete'];

/** The built-in roles; a config may add more (`roles: {name: [actions]}`) but not redefine these. */
const BUILTIN_ROLES: Record<string, RepositoryAction[]> = {
  reader: ['pull'],
  writer: ['pull', 'push'],
  admin: ['pull', 'push', 'delete'],
};

/** `anonymous` is the unauthenticated client; `*` any authenticated account. */
const ANONYMOUS = 'anonymous';
const ANY_ACCOUNT = '*';

export class PolicyConfigError extends Error {}

interface Rule {
  accounts: string[];
  patterns: string[];
  actions: RepositoryAction[];
  catalog: boolean;
}

const PATTERN = /^(?:[a-z0-9._\-/*]|\{account\})+$/;

export class RulePolicy implements AccessPolicy {
  readonly #rules: Rule[];

  private constructor(rules: Rule[]) {
    this.#rules = rules;
  }

  /** distribution's behaviour when there is no access section: every authenticated account may do everything. */
  static allowAuthenticated(): RulePolicy {
    return new RulePolicy([{ accounts: [ANY_ACCOUNT], patterns: ['**'], actions: [...ACTIONS], catalog: true }]);
  }

  /** Validates and compiles `auth.access`; throws PolicyConfigError naming the bad field. */
  static fromConfig(config: unknown): RulePolicy {
    if (config === undefined || config === null) return RulePolicy.allowAuthenticated();
    if (typeof config !== 'object' || Array.isArray(config)) throw new PolicyConfigError('auth.access: expected a mapping');
    const c = config as Record<string, unknown>;
    for (const key of Object.keys(c)) {
      if (key !== 'roles' && key !== 'rules') throw new PolicyConfigError(`auth.access: unknown key ${JSON.stringify(key)}`);
    }
    const roles: Record<string, RepositoryAction[]> = { ...BUILTIN_ROLES };
    if (c.roles !== undefined) {
      if (typeof c.roles !== 'object' || c.roles === null || Array.isArray(c.roles)) {
        throw new PolicyConfigError('auth.access.roles: expected a mapping of role name to actions');
      }
      for (const [name, actions] of Object.entries(c.roles)) {
        if (name in BUILTIN_ROLES) throw new PolicyConfigError(`auth.access.roles.${name}: a built-in role cannot be redefined`);
        roles[name] = actionList(actions, `auth.access.roles.${name}`);
      }
    }
    if (!Array.isArray(c.rules)) throw new PolicyConfigError('auth.access.rules: expected a list');
    const rules = c.rules.map((raw: unknown, i): Rule => {
      const where = `auth.access.rules[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PolicyConfigError(`${where}: expected a mapping`);
      const r = raw as Record<string, unknown>;
      for (const key of Object.keys(r)) {
        if (!['account', 'accounts', 'repositories', 'role', 'actions', 'catalog'].includes(key)) {
          throw new PolicyConfigError(`${where}: unknown key ${JSON.stringify(key)}`);
        }
      }
      const accounts = r.accounts !== undefined ? stringList(r.accounts, `${where}.accounts`) : [];
      if (r.account !== undefined) {
        if (typeof r.account !== 'string' || r.account === '') throw new PolicyConfigError(`${where}.account: expected a name`);
        accounts.push(r.account);
      }
      if (accounts.length === 0) throw new PolicyConfigError(`${where}: needs account or accounts`);
      const patterns = r.repositories === undefined ? [] : stringList(r.repositories, `${where}.repositories`);
      for (const p of patterns) {
        if (!PATTERN.test(p)) throw new PolicyConfigError(`${where}.repositories: invalid pattern ${JSON.stringify(p)}`);
      }
      let actions: RepositoryAction[] = [];
      if (r.role !== undefined && r.actions !== undefined) throw new PolicyConfigError(`${where}: role and actions are exclusive`);
      if (r.role !== undefined) {
        if (typeof r.role !== 'string' || !(r.role in roles)) throw new PolicyConfigError(`${where}.role: unknown role ${JSON.stringify(r.role)}`);
        actions = roles[r.role] as RepositoryAction[];
      } else if (r.actions !== undefined) {
        actions = actionList(r.actions, `${where}.actions`);
      }
      if (r.catalog !== undefined && typeof r.catalog !== 'boolean') throw new PolicyConfigError(`${where}.catalog: expected true or false`);
      const catalog = r.catalog === true;
      if (patterns.length > 0 && actions.length === 0) throw new PolicyConfigError(`${where}: needs a role or actions`);
      if (patterns.length === 0 && !catalog) throw new PolicyConfigError(`${where}: needs repositories or catalog: true`);
      return { accounts, patterns, actions, catalog };
    });
    return new RulePolicy(rules);
  }

  /** True when some rule names the anonymous client (the token service then serves anonymous requests). */
  allowsAnonymous(): boolean {
    return this.#rules.some((r) => r.accounts.includes(ANONYMOUS));
  }

  grant(subject: Subject | undefined, requested: Access[]): Promise<Access[]> {
    const rules = this.#rules.filter((r) => appliesTo(r, subject));
    const out: Access[] = [];
    for (const req of requested) {
      let allowed: string[] = [];
      if (req.type === 'registry' && req.name === 'catalog') {
        if (rules.some((r) => r.catalog)) allowed = req.actions.filter((a) => a === '*' || a === 'search');
      } else if (req.type === 'repository') {
        const may = new Set<string>();
        for (const rule of rules) {
          if (rule.patterns.some((p) => matches(p, req.name, subject))) for (const a of rule.actions) may.add(a);
        }
        allowed = req.actions.filter((a) => may.has(a) || (a === '*' && ACTIONS.every((x) => may.has(x))));
      }
      if (allowed.length > 0) out.push({ type: req.type, name: req.name, actions: allowed });
    }
    return Promise.resolve(out);
  }
}

function appliesTo(rule: Rule, subject: Subject | undefined): boolean {
  return rule.accounts.some((a) => a === ANONYMOUS || (subject !== undefined && (a === ANY_ACCOUNT || a === subject.name)));
}

/**
 * A repository pattern: `*` matches within one path component, `**` across components,
 * `{account}` is the requesting account's name (personal namespaces: `{account}/**`).
 */
export function matches(pattern: string, name: string, subject: Subject | undefined): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('**', i)) {
      re += '.*';
      i += 2;
    } else if (pattern[i] === '*') {
      re += '[^/]*';
      i += 1;
    } else if (pattern.startsWith('{account}', i)) {
      if (subject === undefined) return false;
      re += escape(subject.name);
      i += '{account}'.length;
    } else {
      re += escape(pattern[i] as string);
      i += 1;
    }
  }
  return new RegExp(re + '$').test(name);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function stringList(v: unknown, where: string): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new PolicyConfigError(`${where}: expected a list of names`);
  return [...(v as string[])];
}

function actionList(v: unknown, where: string): RepositoryAction[] {
  const list = stringList(v, where);
  for (const a of list) {
    if (!(ACTIONS as readonly string[]).includes(a)) throw new PolicyConfigError(`${where}: unknown action ${JSON.stringify(a)} (pull, push, delete)`);
  }
  return list as RepositoryAction[];
}
