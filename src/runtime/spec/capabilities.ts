// The container's capability set: Docker's defaults, --cap-add/--cap-drop, ALL, privileged.
import { invalidParameter } from '../../common/index.ts';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from '../defaults.ts';
import type { SpecOpt } from './types.ts';

/** Upper-cases and CAP_-prefixes names; ALL stays ALL (moby NormalizeLegacyCapabilities). */
export function normalizeCapabilities(
  caps: readonly string[] | null | undefined,
  known: readonly string[] = ALL_CAPABILITIES,
): string[] {
  const out: string[] = [];
  for (const raw of caps ?? []) {
    let c = String(raw).toUpperCase();
    if (c === 'ALL') {
      out.push(c);
      continue;
    }
    if (!c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!ALL_CAPABILITIES.includes(c)) throw invalidParameter(`unknown capability: ${JSON.stringify(c)}`);
    if (!known.includes(c)) {
      throw invalidParameter(
        `capability not supported by your kernel or not available in the current environment: ${JSON.stringify(c)}`,
      );
    }
    out.push(c);
  }
  return out;
}

/** The capability set (moby TweakCapabilities), without duplicates. */
export function tweakCapabilities(
  base: readonly string[],
  add: readonly string[] | null | undefined,
  drop: readonly string[] | null | undefined,
  privileged: boolean,
  known: readonly string[] = ALL_CAPABILITIES,
): string[] {
  if (privileged) return [...known];
  const capAdd = normalizeCapabilities(add, known);
  const capDrop = normalizeCapabilities(drop, known);
  let caps: string[];
  if (capAdd.includes('ALL')) caps = known.filter((c) => !capDrop.includes(c));
  else if (capDrop.includes('ALL')) caps = capAdd;
  else caps = [...base.filter((c) => !capDrop.includes(c)), ...capAdd];
  return [...new Set(caps)];
}

export interface CapabilitiesInput {
  add?: readonly string[] | null;
  drop?: readonly string[] | null;
  /** All the capabilities the host can grant (privileged gets these). */
  known?: readonly string[];
  privileged?: boolean;
}

/** Bounding, effective and permitted get the same set; inheritable and ambient stay empty. */
export function withCapabilities(input: CapabilitiesInput): SpecOpt {
  return (spec) => {
    const caps = tweakCapabilities(DEFAULT_CAPABILITIES, input.add, input.drop, input.privileged === true, input.known);
    spec.process.capabilities = { bounding: caps, effective: [...caps], inheritable: [], permitted: [...caps], ambient: [] };
  };
}
