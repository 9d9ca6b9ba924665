// Implements the network route backend on the network box and the containers box: request
// bodies in, Docker's response shapes and events out.
import type { NetworksBackend, Filters } from '../api/index.ts';
import { conflict, forbidden, invalidParameter, parseRfc3339Nano } from '../common/index.ts';
import { PREDEFINED, type CreateNetworkRequest, type NetworkController, type NetworkRecord } from '../network/index.ts';
import type { ContainerReader, ContainerVerbs } from './containers/index.ts';
import type { EndpointSettings } from './containers/networking.ts';
import type { EventBus } from './events.ts';

type Json = Record<string, unknown>;

export interface NetworkApiDeps {
  controller: NetworkController;
  containers: Pick<ContainerReader, 'endpointsOn'>;
  verbs: Pick<ContainerVerbs, 'connect' | 'disconnect'>;
  events: EventBus;
  /** Called after a network is created or removed (the DNS servers follow the networks). */
  onChange?: () => Promise<void> | void;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class NetworkApi implements NetworksBackend {
  private readonly d: NetworkApiDeps;

  constructor(deps: NetworkApiDeps) {
    this.d = deps;
  }

  private publish(rec: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events.publish({ Type: 'network', Action: action, Actor: { ID: rec.Id, Attributes: { ...extra, name: rec.Name, type: rec.Driver } } });
  }

  /** Docker's network resource: the record's public fields in Docker's order. */
  private shape(rec: NetworkRecord, withContainers: boolean): Json {
    const containers: Json = {};
    if (withContainers) {
      for (const { c, ep } of this.d.containers.endpointsOn(rec.Id)) {
        if (!ep.EndpointID) continue;
        containers[c.rec.ID] = {
          Name: c.rec.Name.slice(1), EndpointID: ep.EndpointID, MacAddress: ep.MacAddress,
          IPv4Address: ep.IPAddress ? `${ep.IPAddress}/${ep.IPPrefixLen}` : '', IPv6Address: '',
        };
      }
    }
    const config = rec.IPAM.Config.map((c) => {
      const out: Json = { Subnet: c.Subnet };
      if (c.IPRange) out.IPRange = c.IPRange;
      if (c.Gateway) out.Gateway = c.Gateway;
      if (c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length) out.AuxiliaryAddresses = c.AuxiliaryAddresses;
      return out;
    });
    return {
      Name: rec.Name, Id: rec.Id, Created: rec.Created, Scope: rec.Scope, Driver: rec.Driver, EnableIPv4: true, EnableIPv6: false,
      IPAM: { Driver: rec.IPAM.Driver, Options: rec.IPAM.Options, Config: rec.Driver === 'host' || rec.Driver === 'null' ? null : config },
      Internal: rec.Internal, Attachable: rec.Attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
      Containers: containers, Options: rec.Options, Labels: rec.Labels,
    };
  }

  private hasEndpoints(rec: NetworkRecord): boolean {
    return this.d.containers.endpointsOn(rec.Id).some(({ ep }) => ep.EndpointID);
  }

  async list(filters: Filters): Promise<unknown[]> {
    const match = (value: string, patterns: string[] | undefined, how: 'contains' | 'exact' | 'prefix') =>
      !patterns?.length || patterns.some((p) => (how === 'exact' ? value === p : how === 'prefix' ? value.startsWith(p) : value.includes(p)));
    for (const t of filters.get('type') ?? []) if (t !== 'custom' && t !== 'builtin') throw invalidParameter(`invalid filter: 'type'='${t}'`);
    const dangling = filters.get('dangling');
    if (dangling) for (const v of dangling) if (!['true', 'false', '1', '0'].includes(v)) throw invalidParameter(`invalid filter 'dangling=${v}'`);
    return this.d.controller.list().filter((rec) => {
      if (!match(rec.Driver, filters.get('driver'), 'exact')) return false;
      if (!match(rec.Id, filters.get('id'), 'contains')) return false;
      if (!match(rec.Name, filters.get('name'), 'contains')) return false;
      if (!match(rec.Scope, filters.get('scope'), 'exact')) return false;
      const types = filters.get('type');
      if (types?.length && !types.includes(PREDEFINED.has(rec.Name) ? 'builtin' : 'custom')) return false;
      for (const l of filters.get('label') ?? []) {
        const [k, v] = l.split('=', 2);
        if (rec.Labels[k] === undefined || (v !== undefined && rec.Labels[k] !== v)) return false;
      }
      if (dangling?.length) {
        const want = dangling[0] === 'true' || dangling[0] === '1';
        const isDangling = !PREDEFINED.has(rec.Name) && !this.hasEndpoints(rec);
        if (want !== isDangling) return false;
      }
      return true;
    }).map((rec) => this.shape(rec, false));
  }

  async inspect(ref: string, _opts: { verbose: boolean; scope: string }): Promise<unknown> {
    return this.shape(this.d.controller.get(ref), true);
  }

  async create(body: Json): Promise<{ Id: string; Warning: string }> {
    const req = parseCreate(body);
    if (body.EnableIPv6 === true) throw invalidParameter('IPv6 networks are not supported by berth yet');
    const rec = await this.d.controller.create(req);
    this.publish(rec, 'create');
    await this.d.onChange?.();
    return { Id: rec.Id, Warning: '' };
  }

  async remove(ref: string): Promise<void> {
    const rec = this.d.controller.get(ref);
    if (PREDEFINED.has(rec.Name)) throw forbidden(`${rec.Name} is a pre-defined network and cannot be removed`);
    if (this.hasEndpoints(rec)) throw conflict(`error while removing network: network ${rec.Name} id ${rec.Id} has active endpoints`);
    // Stopped containers configured on it lose that configuration, as with Docker's forced cleanup.
    for (const { c } of this.d.containers.endpointsOn(rec.Id)) await this.d.verbs.disconnect(c.rec.ID, rec, true).catch(() => {});
    await this.d.controller.remove(rec.Id);
    this.publish(rec, 'destroy');
    await this.d.onChange?.();
  }

  async connect(ref: string, body: Json): Promise<void> {
    const rec = this.d.controller.get(ref);
    const container = typeof body.Container === 'string' ? body.Container : '';
    if (!container) throw invalidParameter('container is required');
    const cfg = isObject(body.EndpointConfig) ? (body.EndpointConfig as Partial<EndpointSettings>) : undefined;
    const c = await this.d.verbs.connect(container, rec, cfg);
    this.publish(rec, 'connect', { container: c.rec.ID });
  }

  async disconnect(ref: string, body: Json): Promise<void> {
    const rec = this.d.controller.get(ref);
    const container = typeof body.Container === 'string' ? body.Container : '';
    if (!container) throw invalidParameter('container is required');
    const c = await this.d.verbs.disconnect(container, rec, body.Force === true);
    this.publish(rec, 'disconnect', { container: c.rec.ID });
  }

  async prune(filters: Filters): Promise<{ NetworksDeleted: string[] | null }> {
    const until = filters.get('until')?.[0];
    const untilNs = until ? parseRfc3339Nano(until) ?? BigInt(Math.floor(Number(until) * 1e9)) : undefined;
    const hasLabel = (rec: NetworkRecord, spec: string) => {
      const [k, v] = spec.split('=', 2);
      return rec.Labels[k] !== undefined && (v === undefined || rec.Labels[k] === v);
    };
    const deleted: string[] = [];
    for (const rec of this.d.controller.list()) {
      if (PREDEFINED.has(rec.Name) || this.hasEndpoints(rec)) continue;
      if (this.d.containers.endpointsOn(rec.Id).length) continue;
      if (untilNs !== undefined && (parseRfc3339Nano(rec.Created) ?? 0n) >= untilNs) continue;
      if (!(filters.get('label') ?? []).every((l) => hasLabel(rec, l)) || (filters.get('label!') ?? []).some((l) => hasLabel(rec, l))) continue;
      await this.d.controller.remove(rec.Id);
      this.publish(rec, 'destroy');
      deleted.push(rec.Name);
    }
    if (deleted.length) await this.d.onChange?.();
    this.d.events.publish({ Type: 'network', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } } });
    return { NetworksDeleted: deleted.length ? deleted : null };
  }
}

function strMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v) || !Object.values(v).every((s) => typeof s === 'string')) throw invalidParameter(`json: cannot unmarshal into Go struct field ${field} of type map[string]string`);
  return v as Record<string, string>;
}

function parseCreate(body: Json): CreateNetworkRequest {
  const str = (k: string) => {
    const v = body[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalidParameter(`json: cannot unmarshal ${typeof v} into Go struct field ${k} of type string`);
    return v;
  };
  const ipam = body.IPAM;
  if (ipam !== undefined && ipam !== null && !isObject(ipam)) throw invalidParameter('IPAM must be an object');
  const ipamConfig = isObject(ipam) ? ipam.Config : undefined;
  if (ipamConfig !== undefined && ipamConfig !== null && !Array.isArray(ipamConfig)) throw invalidParameter('IPAM.Config must be an array');
  return {
    Name: str('Name') ?? '',
    Driver: str('Driver'),
    Internal: body.Internal === true,
    Attachable: body.Attachable === true,
    Labels: strMap(body.Labels, 'Labels'),
    Options: strMap(body.Options, 'Options'),
    IPAM: isObject(ipam) ? {
      Driver: typeof ipam.Driver === 'string' ? ipam.Driver : undefined,
      Options: strMap(ipam.Options, 'IPAM.Options'),
      Config: ((ipamConfig as unknown[] | undefined) ?? []).map((c) => {
        if (!isObject(c)) throw invalidParameter('IPAM.Config entries must be objects');
        return {
          Subnet: typeof c.Subnet === 'string' ? c.Subnet : '', IPRange: typeof c.IPRange === 'string' ? c.IPRange : undefined,
          Gateway: typeof c.Gateway === 'string' ? c.Gateway : undefined, AuxiliaryAddresses: strMap(c.AuxiliaryAddress ?? c.AuxiliaryAddresses, 'AuxiliaryAddresses'),
        };
      }),
    } : undefined,
  };
}
