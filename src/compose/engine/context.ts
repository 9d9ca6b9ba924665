// What every engine operation works with: the Engine API client, the progress output, warnings,
// the parallelism limit and the build callback (the CLI packs build contexts; this box may not).
import type { ApiClient } from '../../common/index.ts';
import type { BuildConfig, Project, ServiceConfig } from '../types.ts';
import type { ProgressWriter } from './progress.ts';

export interface BuildRequest {
  project: Project;
  service: ServiceConfig;
  build: BuildConfig;
  /** The image name to tag the result with. */
  tag: string;
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  /** Extra build args (`build --build-arg`), over build.args. */
  args?: Record<string, string>;
  progress: ProgressWriter;
}

/** Builds one service's image (POST /build) and resolves to the image ID. */
export type BuildFn = (req: BuildRequest) => Promise<string>;

export interface EngineContext {
  client: ApiClient;
  /** Makes the progress view of one operation ("Running", "Stopping"...). */
  progress(title?: string): ProgressWriter;
  /** docker compose's logrus warnings (printed "WARN[0000] <message>"). */
  warn(message: string): void;
  /** --parallel (-1: unlimited). */
  parallel: number;
  build?: BuildFn;
  /** X-Registry-Auth for pulling/pushing this image (the CLI's credentials); absent: none. */
  registryAuth?(image: string): Promise<string>;
}

/** The image a service runs: `image`, else `<project>-<service>` (compose's default for built images). */
export function serviceImage(project: Project, service: ServiceConfig): string {
  return service.image || `${project.name}-${service.name}`;
}

/** Progress ids as compose names them. */
export const ids = {
  container: (name: string) => `Container ${name}`,
  network: (name: string) => `Network ${name}`,
  volumeCreate: (name: string) => `Volume ${JSON.stringify(name)}`,
  volume: (name: string) => `Volume ${name}`,
  image: (name: string) => `Image ${name}`,
};
