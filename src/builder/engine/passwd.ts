// COPY --chown names resolved as moby's parseChownFlag does: numbers as they are, names looked
// up in the destination image's /etc/passwd and /etc/group (read through the executor, inside
// the image's root). A user alone is also the group (`--chown=app` is app:app).
import { SCRATCH } from '../executor.ts';
import { badDockerfile } from './errors.ts';
import type { StepContext } from './session.ts';

function lookup(text: string | undefined, name: string, field: number): number | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(':');
    if (parts[0] === name && parts.length > field && /^\d+$/.test(parts[field])) return Number(parts[field]);
  }
  return undefined;
}

export async function resolveChown(ctx: StepContext, chown: string): Promise<{ uid: number; gid: number }> {
  const parts = chown.split(':');
  if (parts.length > 2) throw badDockerfile(`invalid chown string format: ${chown}`);
  const userStr = parts[0];
  const groupStr = parts.length === 2 ? parts[1] : parts[0];
  const prefix = 'unable to convert uid/gid chown string to host mapping: ';
  const read = async (path: string) => {
    const img = ctx.state.image;
    if (img === SCRATCH) return undefined;
    const data = await ctx.session.executor.readFile(img, path, ctx.session.signal);
    return data === undefined ? undefined : new TextDecoder().decode(data);
  };
  const numeric = (s: string) => (/^\d+$/.test(s) ? Number(s) : undefined);
  const uid = numeric(userStr) ?? lookup(await read('/etc/passwd'), userStr, 2);
  if (uid === undefined) throw badDockerfile(`${prefix}can't find uid for user ${userStr}: no such user: ${userStr}`);
  const gid = numeric(groupStr) ?? lookup(await read('/etc/group'), groupStr, 2);
  if (gid === undefined) throw badDockerfile(`${prefix}can't find gid for group ${groupStr}: no such group: ${groupStr}`);
  return { uid, gid };
}
