// The bits of distribution/reference the image commands need on the client side: check a
// name[:tag][@digest], normalise it (docker.io/library/), and show it familiar again.
export interface ParsedReference {
  /** Normalised repository name: docker.io/library/busybox. */
  name: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`);

/** reference.ParseNormalizedNamed; throws with the library's messages. */
export function parseNormalizedNamed(text: string): ParsedReference {
  if (/^[a-f0-9]{64}$/.test(text)) throw new Error(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  const m = REFERENCE.exec(text);
  if (!m) {
    const lowered = REFERENCE.exec(text.toLowerCase());
    if (lowered && text.length) {
      const name = normalizeName(text.slice(0, lowered[1].length)).replace(/^docker\.io\//, '');
      throw new Error(`invalid reference format: repository name (${name}) must be lowercase`);
    }
    throw new Error('invalid reference format');
  }
  if (m[1].length > 255) throw new Error('repository name must not be more than 255 characters');
  return { name: normalizeName(m[1]), tag: m[2], digest: m[3] };
}

function normalizeName(name: string): string {
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  if (slash < 0) return `docker.io/library/${name}`;
  if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) return name;
  return `docker.io/${name}`;
}

/** reference.FamiliarName: docker.io/library/x -> x, docker.io/u/x -> u/x. */
export function familiarName(name: string): string {
  if (name.startsWith('docker.io/library/') && !name.slice(18).includes('/')) return name.slice(18);
  if (name.startsWith('docker.io/')) return name.slice(10);
  return name;
}
