// The only place that knows which HTTP status each error kind maps to (moby httpstatus).
import { errorKind } from '../common/index.ts';

const STATUS = {
  NotFound: 404,
  InvalidParameter: 400,
  Conflict: 409,
  Unauthorized: 401,
  Forbidden: 403,
  Unavailable: 503,
  NotModified: 304,
  NotImplemented: 501,
  System: 500,
} as const;

export function statusFromError(err: unknown): number {
  return STATUS[errorKind(err)];
}
