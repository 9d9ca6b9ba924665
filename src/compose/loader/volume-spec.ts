// The service volumes short syntax (`src:dst[:opts]`) as compose-go's format.ParseVolume reads it.
import type { ServiceVolumeConfig } from '../types.ts';

const PROPAGATIONS = new Set(['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave']);

/** Throws Error "invalid spec: <spec>: <reason>" on a bad spec. */
export function parseVolumeSpec(spec: string): ServiceVolumeConfig {
  if (spec.length === 0) throw new Error('invalid empty volume spec');
  if (spec.length <= 2) return { type: 'volume', target: spec };
  const v: Partial<ServiceVolumeConfig> & { source?: string; target?: string } = {};
  let buffer = '';
  const flush = (last: boolean): void => {
    if (buffer.length === 0) throw new Error(`invalid spec: ${spec}: empty section between colons`);
    if (v.source === undefined && last) {
      v.target = buffer;
      return;
    }
    if (v.source === undefined) {
      v.source = buffer;
      return;
    }
    if (v.target === undefined) {
      v.target = buffer;
      return;
    }
    if (!last) throw new Error(`invalid spec: ${spec}: too many colons`);
    for (const option of buffer.split(',')) {
      if (option === 'ro') v.read_only = true;
      else if (option === 'rw') v.read_only = false;
      else if (option === 'nocopy') v.volume = { nocopy: true };
      else if (PROPAGATIONS.has(option)) v.bind = { propagation: option };
      else if (option === 'z' || option === 'Z') v.bind = { selinux: option };
    }
  };
  for (const ch of spec) {
    if (ch === ':') {
      flush(false);
      buffer = '';
    } else buffer += ch;
  }
  flush(true);
  const out: ServiceVolumeConfig = { type: 'volume', target: v.target ?? '' };
  if (v.source !== undefined) out.source = v.source;
  if (v.read_only) out.read_only = true;
  if (isFilePath(v.source ?? '')) {
    out.type = 'bind';
    out.bind = { ...(v.bind ?? {}), create_host_path: true };
  } else {
    out.volume = v.volume ?? {};
  }
  return out;
}

function isFilePath(source: string): boolean {
  return source !== '' && (source[0] === '.' || source[0] === '/' || source[0] === '~');
}
