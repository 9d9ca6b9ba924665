// GET /distribution/{name}/json on the registry client, and the daemon's registry settings:
// one RegistryClient built from the config, rebuilt when a reload changes it.
import type { DistributionBackend } from '../api/index.ts';
import { RegistryClient, RegistryConfig, decodeAuthConfig, inspectDistribution } from '../distribution/index.ts';
import type { DaemonConfig } from './config.ts';
import { BERTH_VERSION } from './system-api.ts';

/** The registry client for a daemon config; throws dockerd's words for bad settings. */
export function registryClientFor(cfg: DaemonConfig): RegistryClient {
  const rc = new RegistryConfig({
    mirrors: cfg.registryMirrors,
    insecureRegistries: cfg.insecureRegistries,
    certsDir: cfg.registryCertsDir,
    maxConcurrentDownloads: cfg.maxConcurrentDownloads,
    maxConcurrentUploads: cfg.maxConcurrentUploads,
    maxDownloadAttempts: cfg.maxDownloadAttempts,
  });
  return new RegistryClient(rc, { userAgent: `berth/${BERTH_VERSION} (linux)` });
}

export class DistributionApi implements DistributionBackend {
  private readonly client: () => RegistryClient;
  constructor(client: () => RegistryClient) {
    this.client = client;
  }

  inspect(name: string, authHeader?: string) {
    return inspectDistribution(this.client(), name, decodeAuthConfig(authHeader));
  }
}
