// The project's networks and volumes as Engine API create bodies, with compose's labels, and the
// check that an existing one belongs to the project. Owned by the convert part (cmp-convert).
import type { Project } from '../types.ts';

/** POST /networks/create body for the project's network `key` (not external). */
export function networkCreateBody(project: Project, key: string): Record<string, unknown> {
  void project;
  void key;
  throw new Error('not built yet');
}

/** POST /volumes/create body for the project's volume `key` (not external). */
export function volumeCreateBody(project: Project, key: string): Record<string, unknown> {
  void project;
  void key;
  throw new Error('not built yet');
}
