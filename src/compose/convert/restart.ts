// HostConfig.RestartPolicy as docker compose v2 sets it (create.go getRestartPolicy,
// mapRestartPolicyCondition): `restart: on-failure:3`, overridden by deploy.restart_policy whose
// conditions none/any map to no/always. docker compose passes an unknown name through and the
// daemon refuses it at create; here it is refused before anything is created, naming the service.
import type { ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';

const ENGINE_POLICIES = new Set(['no', 'always', 'on-failure', 'unless-stopped']);

export function restartPolicy(service: ServiceConfig): { Name: string; MaximumRetryCount: number } | undefined {
  let policy: { Name: string; MaximumRetryCount: number } | undefined;
  if (service.restart) {
    const [name, count, ...rest] = service.restart.split(':');
    let attempts = 0;
    if (count !== undefined) {
      if (rest.length || !/^\d+$/.test(count)) throw new ComposeError(`service "${service.name}": invalid restart policy "${service.restart}": maximum retry count must be an integer`);
      attempts = Number(count);
    }
    policy = { Name: mapCondition(service, name), MaximumRetryCount: attempts };
  }
  const rp = service.deploy?.restart_policy;
  if (rp) policy = { Name: mapCondition(service, rp.condition ?? ''), MaximumRetryCount: rp.max_attempts ?? 0 };
  if (policy && policy.MaximumRetryCount > 0 && policy.Name !== 'on-failure') {
    throw new ComposeError(`service "${service.name}": invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  return policy;
}

function mapCondition(service: ServiceConfig, condition: string): string {
  let name: string;
  switch (condition) {
    case 'none':
    case 'no':
      name = 'no';
      break;
    case 'any':
    case 'always':
      name = 'always';
      break;
    case '':
      return '';
    default:
      name = condition;
  }
  if (!ENGINE_POLICIES.has(name)) {
    throw new ComposeError(`service "${service.name}": invalid restart policy: unknown policy '${condition}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  return name;
}
