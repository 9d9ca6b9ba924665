// Volume names as moby's local driver checks them (volume/local/local.go validateName), and the
// label Docker 23+ puts on volumes made without a name.
import { invalidParameter, truncate } from '../common/index.ts';

/** names.RestrictedNameChars: the characters Docker allows in container and volume names. */
const RESTRICTED_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const NAME_PATTERN = new RegExp(`^${RESTRICTED_NAME_CHARS}+$`);

/** Set (to "") on volumes created without a name; prune removes only these unless all=true. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** The local driver's name check, with moby's messages (the caller adds "create NAME: "). */
export function checkVolumeName(name: string): void {
  if (name.length === 1) {
    throw invalidParameter('volume name is too short, names should be at least two alphanumeric characters');
  }
  if (!NAME_PATTERN.test(name)) {
    throw invalidParameter(
      `${JSON.stringify(truncate(name))} includes invalid characters for a local volume name, only ${JSON.stringify(RESTRICTED_NAME_CHARS)} are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** True for a name the store may hold (temp and trash entries start with '.', so never match). */
export function isVolumeName(name: string): boolean {
  return NAME_PATTERN.test(name);
}
