// Container MAC addresses as dockerd 28 makes and checks them: a random locally administered
// unicast address in Docker's 02:42 prefix for each endpoint (libnetwork netutils.GenerateRandomMAC),
// or the one the client asked for (Go's net.ParseMAC forms; only 48-bit ones fit an Ethernet link).
import { randomBytes } from 'node:crypto';

/** 02:42:xx:xx:xx:xx with four random bytes. */
export function randomMac(): string {
  return ['02', '42', ...[...randomBytes(4)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * A MAC address in canonical form (lower case, colons), from aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff
 * or aabb.ccdd.eeff; undefined when it is not one, or is a multicast address (which no
 * interface can take: Docker fails at start instead).
 */
export function parseMac(text: string): string | undefined {
  let hex: string[] | undefined;
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(text)) hex = text.split(/[:-]/);
  else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text)) hex = text.replaceAll('.', '').match(/../g)!;
  if (!hex) return undefined;
  const out = hex.map((h) => h.toLowerCase());
  if (Number.parseInt(out[0], 16) & 1) return undefined;
  return out.join(':');
}
