// Build failures: a BerthError the daemon turns into the stream's errorDetail ({message, code}).
// Dockerfile mistakes are InvalidParameter (moby wraps them in errdefs.InvalidParameter), a RUN
// that exits non-zero carries its code as moby's jsonmessage.JSONError does.
import { BerthError, type ErrorKind } from '../../common/index.ts';

export class BuilderError extends BerthError {
  /** The exit code of a failed RUN (errorDetail.code), else undefined. */
  readonly code?: number;
  constructor(kind: ErrorKind, message: string, opts?: { code?: number; cause?: unknown }) {
    super(kind, message, { cause: opts?.cause });
    this.code = opts?.code;
  }
}

export const badDockerfile = (msg: string, cause?: unknown) => new BuilderError('InvalidParameter', msg, { cause });

/** moby: "Build cancelled" when the client went away or /build/cancel was called. */
export const buildCancelled = () => new BuilderError('System', 'Build cancelled');
