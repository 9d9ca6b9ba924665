// The POST /auth body's credentials: the string fields of an AuthConfig.
import type { RegistryCredentials } from './backend.ts';

const FIELDS = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;

/** The string fields of an AuthConfig object; anything else is dropped. */
export function credentialsFrom(value: unknown): RegistryCredentials {
  const out: RegistryCredentials = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const k of FIELDS) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}
