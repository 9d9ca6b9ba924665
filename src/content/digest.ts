// sha256 digests as content addresses (`sha256:<64 hex>`), the only algorithm berth stores.
import { createHash } from 'node:crypto';

export function isSha256Digest(s: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(s);
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
