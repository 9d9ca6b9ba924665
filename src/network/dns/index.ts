// The embedded DNS server box: berthd starts one per network gateway (or per container) and
// answers containers' name lookups from its records; everything else goes to the host's resolvers.
export { startDnsServer } from './server.ts';
export type { DnsServer, RecordType, ResolveFn } from './server.ts';
