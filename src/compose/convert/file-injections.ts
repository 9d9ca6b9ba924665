// Secrets and configs whose value comes from the environment or inline `content`: docker compose
// v2 copies them into the created container before its start (secrets.go injectSecrets /
// injectConfigs: a one-file tar put at '/' with CopyUIDGID when uid or gid is set), mode 0444
// unless `mode` says otherwise. The engine puts each file; this part says what and where.
import { TarWriter } from '../../common/index.ts';
import type { Project, ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';
import { definedFile, fileTarget } from './mounts.ts';

export interface FileInjection {
  target: string;
  content: Buffer;
  mode: number;
  uid: number;
  gid: number;
  copyUIDGID: boolean;
}

export function fileInjections(project: Project, service: ServiceConfig): FileInjection[] {
  const out: FileInjection[] = [];
  for (const kind of ['secret', 'config'] as const) {
    for (const ref of (kind === 'secret' ? service.secrets : service.configs) ?? []) {
      const defined = definedFile(project, service, kind, ref);
      let content: string;
      if (defined.content !== undefined) content = defined.content;
      else if (defined.environment !== undefined) {
        const value = project.environment[defined.environment];
        if (value === undefined) {
          throw new ComposeError(`environment variable "${defined.environment}" required by ${kind} "${defined.name}" is not set`);
        }
        content = value;
      } else continue;
      // Newer docker compose refuses this up front; the copy into a read-only rootfs would fail anyway.
      if (service.read_only) {
        throw new ComposeError(`cannot create ${kind} ${JSON.stringify(defined.name)} in read-only service ${service.name}: \`file\` is the sole supported option`);
      }
      out.push({
        target: fileTarget(kind, ref),
        content: Buffer.from(content),
        mode: ref.mode ?? 0o444,
        uid: idNumber(service, kind, 'uid', ref.uid),
        gid: idNumber(service, kind, 'gid', ref.gid),
        copyUIDGID: ref.uid !== undefined || ref.gid !== undefined,
      });
    }
  }
  return out;
}

function idNumber(service: ServiceConfig, kind: string, key: string, value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value)) throw new ComposeError(`service "${service.name}": ${kind} ${key} must be a number: "${value}"`);
  return Number(value);
}

/**
 * The archive for PUT /containers/{id}/archive?path=/ (copyUIDGID=1 when file.copyUIDGID): one
 * file at its target (relative to '/'), with its mode, owner and the current time, as compose's
 * createTar. Parent directories are left to the daemon, which creates missing ones.
 */
export async function injectionTar(file: FileInjection): Promise<Buffer> {
  const tar = new TarWriter();
  const chunks: Buffer[] = [];
  tar.readable.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    tar.readable.once('end', resolve);
    tar.readable.once('error', reject);
  });
  await tar.addFile({ name: file.target.replace(/^\/+/, ''), mode: file.mode, uid: file.uid, gid: file.gid, mtime: Math.floor(Date.now() / 1000), size: file.content.length }, file.content);
  await tar.finish();
  await ended;
  return Buffer.concat(chunks);
}
