// Tags and digest references of images, persisted as Docker's image/repositories.json:
// {"Repositories":{"busybox":{"busybox:latest":"sha256:...","busybox@sha256:...":"sha256:..."}}}
// with familiar names as keys. Mirrors moby's reference/store.go rules.
import { readFile } from 'node:fs/promises';
import {
  writeJsonAtomic,
  conflict,
  invalidParameter,
  isErrno,
  notFound,
  systemError,
} from '../common/index.ts';
import {
  familiarName,
  familiarString,
  favorDigest,
  parseNormalizedNamed,
  referenceString,
  tagNameOnly,
  type NamedReference,
} from './reference.ts';

interface RepositoriesFile {
  Repositories: Record<string, Record<string, string>>;
}

export interface ReferenceAssociation {
  ref: NamedReference;
  id: string;
}

export class ReferenceStore {
  private readonly path: string;
  private repos: Record<string, Record<string, string>> = {};

  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) {
        this.repos = {};
        return;
      }
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw systemError(`corrupt reference store ${this.path}: ${(err as Error).message}`);
    }
    const repos = (parsed as RepositoriesFile | null)?.Repositories ?? {};
    const clean: Record<string, Record<string, string>> = {};
    for (const [name, entries] of Object.entries(repos)) {
      if (typeof entries !== 'object' || entries === null) continue;
      for (const [refStr, id] of Object.entries(entries)) {
        if (typeof id !== 'string') continue;
        try {
          parseNormalizedNamed(refStr);
        } catch {
          continue; // a record we cannot read is dropped rather than breaking every lookup
        }
        (clean[name] ??= {})[refStr] = id;
      }
    }
    this.repos = clean;
  }

  private async save(): Promise<void> {
    await writeJsonAtomic(this.path, { Repositories: this.repos } satisfies RepositoriesFile);
  }

  /** All references to an image, sorted by their full string like moby's lexicalRefs. */
  references(id: string): NamedReference[] {
    const out: NamedReference[] = [];
    for (const entries of Object.values(this.repos)) {
      for (const [refStr, target] of Object.entries(entries)) {
        if (target === id) out.push(parseNormalizedNamed(refStr));
      }
    }
    return out.sort((a, b) => cmp(referenceString(a), referenceString(b)));
  }

  /** All references with the repository name of `ref`, sorted. */
  referencesByName(ref: NamedReference): ReferenceAssociation[] {
    const entries = this.repos[familiarName(ref)] ?? {};
    return Object.entries(entries)
      .map(([refStr, id]) => ({ ref: parseNormalizedNamed(refStr), id }))
      .sort((a, b) => cmp(referenceString(a.ref), referenceString(b.ref)));
  }

  all(): ReferenceAssociation[] {
    const out: ReferenceAssociation[] = [];
    for (const entries of Object.values(this.repos)) {
      for (const [refStr, id] of Object.entries(entries)) out.push({ ref: parseNormalizedNamed(refStr), id });
    }
    return out;
  }

  /** The image a reference points to (a bare name means `:latest`). */
  get(ref: NamedReference): string | undefined {
    const r = tagNameOnly(favorDigest(ref));
    return this.repos[familiarName(r)]?.[familiarString(r)];
  }

  /** Adds `name:tag` (defaulting to latest). `force` replaces a tag that points elsewhere. */
  async addTag(ref: NamedReference, id: string, force: boolean): Promise<void> {
    if (ref.digest !== undefined) throw invalidParameter('refusing to create a tag with a digest reference');
    await this.add(tagNameOnly(ref), id, force);
  }

  /** Adds `name@digest` (a manifest digest the image was pulled or pushed by). */
  async addDigest(ref: NamedReference, id: string, force: boolean): Promise<void> {
    if (ref.digest === undefined) throw invalidParameter('reference has no digest');
    await this.add({ domain: ref.domain, path: ref.path, digest: ref.digest }, id, force);
  }

  private async add(ref: NamedReference, id: string, force: boolean): Promise<void> {
    if (familiarName(ref) === 'sha256') {
      throw invalidParameter('refusing to create an ambiguous tag using digest algorithm as name');
    }
    const name = familiarName(ref);
    const key = familiarString(ref);
    const repo = this.repos[name] ?? {};
    const old = repo[key];
    if (old === id) return;
    if (old !== undefined) {
      if (ref.digest !== undefined) throw conflict(`cannot overwrite digest ${ref.digest}`);
      if (!force) throw conflict(`tag ${key} is already associated with image ${old}, use the force option to replace it`);
    }
    const before = this.repos[name];
    this.repos[name] = { ...repo, [key]: id };
    try {
      await this.save();
    } catch (err) {
      if (before === undefined) delete this.repos[name];
      else this.repos[name] = before;
      throw err;
    }
  }

  /** Removes one reference; true when it existed. */
  async delete(ref: NamedReference): Promise<boolean> {
    const r = tagNameOnly(favorDigest(ref));
    const name = familiarName(r);
    const key = familiarString(r);
    const repo = this.repos[name];
    if (!repo || repo[key] === undefined) return false;
    const before = repo;
    const next = { ...repo };
    delete next[key];
    if (Object.keys(next).length === 0) delete this.repos[name];
    else this.repos[name] = next;
    try {
      await this.save();
    } catch (err) {
      this.repos[name] = before;
      throw err;
    }
    return true;
  }

  /** Like delete, but a missing reference is Docker's "reference does not exist". */
  async deleteOrFail(ref: NamedReference): Promise<void> {
    if (!(await this.delete(ref))) throw notFound('reference does not exist');
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
