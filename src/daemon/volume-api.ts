// Implements the volume route backend on the volume box: request bodies and filters in, Docker's
// shapes and the prune event out. (create and destroy events come from the store itself, so that
// volumes made for containers publish them too.)
import {
  type Filters, type Volume, type VolumeCreateOptions, type VolumeListResponse, type VolumePruneResponse, type VolumesBackend, toVolume,
} from '../api/index.ts';
import { conflict, invalidParameter, parseGoBool, truncate } from '../common/index.ts';
import type { VolumeStore } from '../volume/index.ts';
import type { EventBus } from './events.ts';

export interface VolumeApiDeps {
  store: VolumeStore;
  events: Pick<EventBus, 'publish'>;
}

/** filters.Args.GetBoolOrDefault: exactly one of 0/false or 1/true. */
function filterBool(filters: Filters, key: string): boolean | undefined {
  const values = filters.get(key);
  if (!values?.length) return undefined;
  const isFalse = values.includes('0') || values.includes('false');
  const isTrue = values.includes('1') || values.includes('true');
  if (isFalse === isTrue) throw invalidParameter(`invalid filter '${key}=${truncate(values.join(','), 64)}'`);
  return isTrue;
}

export class VolumeApi implements VolumesBackend {
  private readonly d: VolumeApiDeps;
  private pruning = false;

  constructor(deps: VolumeApiDeps) {
    this.d = deps;
  }

  async list(filters: Filters): Promise<VolumeListResponse> {
    const vols = await this.d.store.list({
      name: filters.get('name'), label: filters.get('label'), driver: filters.get('driver'), dangling: filterBool(filters, 'dangling'),
    });
    return { Volumes: vols.map((v) => toVolume(v)), Warnings: null };
  }

  async inspect(name: string): Promise<Volume> {
    return toVolume(await this.d.store.get(name));
  }

  async create(body: VolumeCreateOptions): Promise<Volume> {
    const v = await this.d.store.create({
      name: body.Name ?? '', driver: body.Driver ?? '', driverOpts: body.DriverOpts ?? {}, labels: body.Labels ?? {},
    });
    return toVolume(v);
  }

  async remove(name: string, opts: { force: boolean }): Promise<void> {
    await this.d.store.remove(name, { force: opts.force });
  }

  async prune(filters: Filters): Promise<VolumePruneResponse> {
    if (this.pruning) throw conflict('a prune operation is already running');
    this.pruning = true;
    try {
      // moby withPrune: `all` takes one Go boolean.
      const all = filters.get('all') ?? [];
      if (all.length > 1) throw invalidParameter(`invalid filter 'all=[${truncate(all.join(' '), 64)}]': only one value is expected`);
      let everything = false;
      if (all.length === 1) {
        const b = parseGoBool(all[0]);
        if (b === undefined) throw invalidParameter(`invalid filter 'all': strconv.ParseBool: parsing ${JSON.stringify(truncate(all[0], 64))}: invalid syntax`);
        everything = b;
      }
      const r = await this.d.store.prune({ all: everything, label: filters.get('label'), labelNot: filters.get('label!') });
      this.d.events.publish({ Type: 'volume', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(r.spaceReclaimed) } } });
      return { VolumesDeleted: r.deleted, SpaceReclaimed: r.spaceReclaimed };
    } finally {
      this.pruning = false;
    }
  }
}
