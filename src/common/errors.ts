// One error taxonomy for every box (after moby's errdefs). Stores and drivers throw these;
// only src/api/http-status.ts knows which HTTP status each kind maps to.

export type ErrorKind =
  | 'NotFound'
  | 'InvalidParameter'
  | 'Conflict'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unavailable'
  | 'NotModified'
  | 'NotImplemented'
  | 'System';

export class BerthError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `${kind}Error`;
  }
}

export const notFound = (msg: string, cause?: unknown) => new BerthError('NotFound', msg, { cause });
export const invalidParameter = (msg: string, cause?: unknown) => new BerthError('InvalidParameter', msg, { cause });
export const conflict = (msg: string, cause?: unknown) => new BerthError('Conflict', msg, { cause });
export const forbidden = (msg: string, cause?: unknown) => new BerthError('Forbidden', msg, { cause });
export const unavailable = (msg: string, cause?: unknown) => new BerthError('Unavailable', msg, { cause });
export const notModified = (msg: string, cause?: unknown) => new BerthError('NotModified', msg, { cause });
export const notImplemented = (msg: string, cause?: unknown) => new BerthError('NotImplemented', msg, { cause });
export const systemError = (msg: string, cause?: unknown) => new BerthError('System', msg, { cause });

export function errorKind(err: unknown): ErrorKind {
  return err instanceof BerthError ? err.kind : 'System';
}

export function isNotFound(err: unknown): boolean {
  return errorKind(err) === 'NotFound';
}

/** True for a Node fs error with the given code (ENOENT, EEXIST, ...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
