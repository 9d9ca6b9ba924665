// --restart no|always|on-failure[:max-retries]|unless-stopped. Like docker, the CLI only checks
// the shape; the daemon refuses unknown policy names with its own message.
import { OptionError } from './errors.ts';

export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

export function parseRestartPolicy(policy: string): RestartPolicy {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const i = policy.indexOf(':');
  const name = i < 0 ? policy : policy.slice(0, i);
  const count = i < 0 ? '' : policy.slice(i + 1);
  if (i >= 0 && name === '') throw new OptionError('invalid restart policy format: no policy provided before colon');
  let max = 0;
  if (count !== '') {
    if (!/^[+-]?[0-9]+$/.test(count) || !Number.isSafeInteger(Number(count))) {
      throw new OptionError('invalid restart policy format: maximum retry count must be an integer');
    }
    max = Number(count);
  }
  return { Name: name, MaximumRetryCount: max };
}

/** "no" or unset: what conflicts with --rm is anything else. */
export function isNoRestart(p: RestartPolicy): boolean {
  return p.Name === '' || p.Name === 'no';
}
