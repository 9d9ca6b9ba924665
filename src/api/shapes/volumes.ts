// The Engine API volume (swagger Volume) as dockerd 28 writes it: Go's field order, Scope
// "local", no Status for the local driver, UsageData only where sizes were asked for (/system/df).
import type { Volume } from '../types/engine-api.generated.ts';

/** What the shape needs of a volume (the volume box's VolumeInfo fits). */
export interface VolumeView {
  name: string;
  driver: string;
  mountpoint: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

export function toVolume(v: VolumeView, usage?: { size: number; refCount: number }): Volume {
  const out: Volume = {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: 'local',
  };
  if (usage) out.UsageData = { Size: usage.size, RefCount: usage.refCount };
  return out;
}
