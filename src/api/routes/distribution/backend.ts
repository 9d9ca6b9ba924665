/** GET /distribution/{name}/json: what a name resolves to in its registry. */
export interface DistributionBackend {
  inspect(name: string, authHeader?: string): Promise<{ Descriptor: object; Platforms: object[] }>;
}
