// Implements the network route backend on the network box and the containers box: request
// bodies in, Docker's response shapes and events out.
import {
  type NetworksBackend,
  networkResource,
  type NetworkEndpointView,
  type EndpointSettings as ApiEndpointSettings,
  type Network,
  type NetworkConnectRequest,
  type NetworkCreateRequest,
  type NetworkDisconnectRequest,
  type Filters,
} from '../api/index.ts';
import {
  conflict,
  forbidden,
  invalidParameter,
  notFound,
  parseRfc3339Nano,
  parseGoBool,
  truncate,
} from '../common/index.ts';
import { PREDEFINED, type CreateNetworkRequest, type NetworkController, type NetworkRecord } from '../network/index.ts';
import type { ContainerReader, ContainerVerbs } from './containers/index.ts';
import type { EndpointSettings } from './containers/networking.ts';
import type { EventBus } from './events.ts';


export interface NetworkApiDeps {
  controller: NetworkController;
  containers: Pick<ContainerReader, 'endpointsOn'>;
  verbs: Pick<ContainerVerbs, 'connect' | 'disconnect'>;
  events: EventBus;
  /** Called after a network is created or removed (the DNS servers follow the networks). */
  onChange?: () => Promise<void> | void;
}

/** The endpoint settings a client may ask for on connect, in the container side's own type. */
function endpointConfig(ep: ApiEndpointSettings | null | undefined): Partial<EndpointSettings> | undefined {
  if (!ep) return undefined;
  const ipam = ep.IPAMConfig;
  return {
    IPAMConfig: ipam ? {
      ...(ipam.IPv4Address ? { IPv4Address: ipam.IPv4Address } : {}),
      ...(ipam.IPv6Address ? { IPv6Address: ipam.IPv6Address } : {}),
      ...(ipam.LinkLocalIPs ? { LinkLocalIPs: ipam.LinkLocalIPs } : {}),
    } : null,
    Links: ep.Links ?? null,
    Aliases: ep.Aliases ?? null,
    DriverOpts: ep.DriverOpts ?? null,
    ...(ep.MacAddress ? { MacAddress: ep.MacAddress } : {}),
  };
}

export class NetworkApi implements NetworksBackend {
  private readonly d: NetworkApiDeps;

  constructor(deps: NetworkApiDeps) {
    this.d = deps;
  }

  private publish(rec: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events.publish({ Type: 'network', Action: action, Actor: { ID: rec.Id, Attributes: { ...extra, name: rec.Name, type: rec.Driver } } });
  }

  /** The containers attached to a network, for inspect. */
  private endpoints(rec: NetworkRecord): NetworkEndpointView[] {
    return this.d.containers.endpointsOn(rec.Id).filter(({ ep }) => ep.EndpointID).map(({ c, ep }) => ({
      containerId: c.rec.ID, name: c.rec.Name.slice(1), endpointId: ep.EndpointID, macAddress: ep.MacAddress,
      ipAddress: ep.IPAddress, prefixLen: ep.IPPrefixLen, ipv6Address: ep.GlobalIPv6Address, prefixLen6: ep.GlobalIPv6PrefixLen,
    }));
  }

  private hasEndpoints(rec: NetworkRecord): boolean {
    return this.d.containers.endpointsOn(rec.Id).some(({ ep }) => ep.EndpointID);
  }

  async list(filters: Filters): Promise<Network[]> {
    const match = (value: string, patterns: string[] | undefined, how: 'contains' | 'exact' | 'prefix') =>
      !patterns?.length || patterns.some((p) => (how === 'exact' ? value === p : how === 'prefix' ? value.startsWith(p) : value.includes(p)));
    for (const t of filters.get('type') ?? []) if (t !== 'custom' && t !== 'builtin') throw invalidParameter(`invalid filter: 'type'='${t}'`);
    const dangling = filters.get('dangling');
    if (dangling) for (const v of dangling) if (parseGoBool(v) === undefined) throw invalidParameter(`invalid filter 'dangling=${truncate(v, 64)}'`);
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
        const want = parseGoBool(dangling[0]) === true;
        const isDangling = !PREDEFINED.has(rec.Name) && !this.hasEndpoints(rec);
        if (want !== isDangling) return false;
      }
      return true;
    }).map((rec) => networkResource(rec, undefined));
  }

  /** `verbose` adds nothing for local networks (dockerd adds Peers and Services for swarm ones only). */
  async inspect(ref: string, opts: { verbose: boolean; scope: string }): Promise<Network> {
    const rec = this.d.controller.get(ref);
    // A scope that is not the network's is a miss, as in dockerd's getNetwork.
    if (opts.scope && opts.scope !== rec.Scope) throw notFound(`network ${ref} not found`);
    return networkResource(rec, this.endpoints(rec));
  }

  async create(body: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const req = parseCreate(body);
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

  async connect(ref: string, body: NetworkConnectRequest): Promise<void> {
    const rec = this.d.controller.get(ref);
    const container = body.Container ?? '';
    if (!container) throw invalidParameter('container is required');
    const c = await this.d.verbs.connect(container, rec, endpointConfig(body.EndpointConfig));
    this.publish(rec, 'connect', { container: c.rec.ID });
  }

  async disconnect(ref: string, body: NetworkDisconnectRequest): Promise<void> {
    const rec = this.d.controller.get(ref);
    const container = body.Container ?? '';
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

/** The request's types are checked by the API's validator; this maps it onto the network box's request. */
function parseCreate(body: NetworkCreateRequest): CreateNetworkRequest {
  const ipam = body.IPAM;
  return {
    Name: body.Name ?? '',
    Driver: body.Driver ?? undefined,
    ...(typeof body.EnableIPv6 === 'boolean' ? { EnableIPv6: body.EnableIPv6 } : {}),
    ...(body.EnableIPv4 === false ? { EnableIPv4: false } : {}),
    Internal: body.Internal === true,
    Attachable: body.Attachable === true,
    Labels: body.Labels ?? {},
    Options: body.Options ?? {},
    IPAM: ipam ? {
      Driver: ipam.Driver ?? undefined,
      Options: ipam.Options ?? null,
      Config: (ipam.Config ?? []).map((c) => {
        if (c === null || typeof c !== 'object') throw invalidParameter('IPAM.Config entries must be objects');
        return {
          Subnet: c.Subnet ?? '', IPRange: c.IPRange ?? undefined, Gateway: c.Gateway ?? undefined,
          AuxiliaryAddresses: c.AuxiliaryAddresses ?? legacyAuxiliary(c) ?? {},
        };
      }),
    } : undefined,
  };
}

/** Old clients send `AuxiliaryAddress` (singular); it is not in the swagger, so it is checked here. */
function legacyAuxiliary(c: object): Record<string, string> | undefined {
  const v: unknown = 'AuxiliaryAddress' in c ? c.AuxiliaryAddress : undefined;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter('json: cannot unmarshal into Go struct field IPAMConfig.AuxiliaryAddress of type map[string]string');
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== 'string') throw invalidParameter('json: cannot unmarshal into Go struct field IPAMConfig.AuxiliaryAddress of type map[string]string');
    out[k] = s;
  }
  return out;
}
