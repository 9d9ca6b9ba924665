// Config.Healthcheck as docker compose v2 builds it (convert.go ToMobyHealthCheck): Go durations
// to nanoseconds, `disable: true` as test ['NONE'], start_interval only on API ≥ 1.44.
import type { ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';
import { parseGoDuration } from './duration.ts';
import { apiAtLeast } from './api-version.ts';

export function healthcheckConfig(service: ServiceConfig, apiVersion: string): Record<string, unknown> | undefined {
  const check = service.healthcheck;
  if (!check) return undefined;
  const out: Record<string, unknown> = {};
  const test = check.disable ? ['NONE'] : check.test;
  if (test?.length) out.Test = test;
  const duration = (key: 'interval' | 'timeout' | 'start_period' | 'start_interval', field: string): void => {
    const text = check[key];
    if (text === undefined) return;
    let ns: number;
    try {
      ns = parseGoDuration(text);
    } catch {
      throw new ComposeError(`service "${service.name}": healthcheck.${key}: invalid duration "${text}"`);
    }
    if (ns < 0) throw new ComposeError(`service "${service.name}": healthcheck.${key} must not be negative`);
    if (ns) out[field] = ns;
  };
  duration('interval', 'Interval');
  duration('timeout', 'Timeout');
  duration('start_period', 'StartPeriod');
  if (check.start_interval !== undefined) {
    if (!apiAtLeast(apiVersion, '1.44')) {
      throw new ComposeError("can't set healthcheck.start_interval as feature require Docker Engine v25 or later");
    }
    duration('start_interval', 'StartInterval');
  }
  if (check.retries) out.Retries = check.retries;
  return out;
}
