// The daemon's containers by ID, with their names (moby container/memory_store.go and view.go):
// lookup in Docker's order with Docker's errors.
import { invalidParameter, notFound } from '../../common/index.ts';
import { NameRegistry, canonicalName, generateName } from './names.ts';
import type { Container } from './container.ts';

export class ContainerStore {
  readonly #byId = new Map<string, Container>();
  readonly #names = new NameRegistry();

  /** Docker's order: full ID, exact name, then a unique ID prefix; `No such container` otherwise. */
  get(ref: string): Container {
    const c = this.find(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  find(ref: string): Container | undefined {
    if (!ref) return undefined;
    const byId = this.#byId.get(ref);
    if (byId) return byId;
    const idByName = this.#names.lookup(ref);
    if (idByName) return this.#byId.get(idByName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.#byId.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw invalidParameter(`Multiple IDs found with provided prefix: ${ref}`);
    return matches.length ? this.#byId.get(matches[0]) : undefined;
  }

  has(c: Container): boolean {
    return this.#byId.get(c.rec.ID) === c;
  }

  all(): Container[] {
    return [...this.#byId.values()];
  }

  /** Adds a container under its record's name (already reserved, or reserved now). */
  add(c: Container): void {
    this.#names.reserve(c.rec.Name, c.rec.ID);
    // Its links' names ("/name/alias") belong to the linked containers (moby registerLink).
    for (const link of c.rec.Links ?? []) this.#names.reserve(link.Name, link.ID);
    this.#byId.set(c.rec.ID, c);
  }

  /** Forgets a container, its names (its link names as a linked container too) and its links' names. */
  delete(c: Container): void {
    this.#byId.delete(c.rec.ID);
    this.#names.release(c.rec.Name);
    for (const link of c.rec.Links ?? []) if (this.#names.lookup(link.Name) === link.ID) this.#names.release(link.Name);
    this.#names.releaseAll(c.rec.ID);
  }

  /** Every name of a container, its own and the link names it has as a linked container, sorted. */
  namesOf(id: string): string[] {
    return this.#names.namesOf(id).sort();
  }

  /** Reserves a name for an ID (Docker's conflict error when another holds it); returns the canonical "/name". */
  reserveName(name: string, id: string): string {
    const full = canonicalName(name);
    this.#names.reserve(full, id);
    return full;
  }

  releaseName(name: string): void {
    this.#names.release(name);
  }

  /** A generated adjective_surname that no container holds, as "/name". */
  freeName(): string {
    return `/${generateName((n) => this.#names.lookup(n) !== undefined)}`;
  }
}
