import { randomBytes } from 'node:crypto';

/** A 64-hex-digit random ID, as Docker uses for containers and execs. */
export function newId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    // Docker avoids all-numeric short IDs so that they are never mistaken for numbers.
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
