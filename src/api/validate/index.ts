// Request validation against the generated swagger schemas: the one checker the server and
// handlers use.
import { SCHEMAS, OPERATIONS } from '../types/schemas.generated.ts';
import { GoJsonChecker } from './go-json.ts';
import type { BodySchema, OperationSchema } from './schema-node.ts';

export { checkQuery } from './query.ts';
export { checkContainerPorts, checkNetworkName } from './docker-checks.ts';
export { BODIES } from '../types/schemas.generated.ts';
export type { BodySchema, OperationSchema } from './schema-node.ts';

const checker = new GoJsonChecker(SCHEMAS);

/** Throws a 400 in Go's words unless `value` decodes as the body type; narrows it to the type. */
export function assertBody<T>(schema: BodySchema<T>, value: unknown): asserts value is T {
  checker.check(schema.name, value);
}

/** Route paths spelled as the swagger does, with every parameter as `{}`. */
const normalize = (method: string, path: string) => `${method} ${path.replace(/\{(\w+)(:[^}]*)?\}/g, '{}')}`;
const BY_ROUTE = new Map(Object.entries(OPERATIONS).map(([key, op]) => {
  const [method, path] = key.split(' ');
  return [normalize(method, path), op];
}));

/** The swagger operation a served route implements (undefined for berth's own routes). */
export function operationFor(method: string, routePath: string): OperationSchema | undefined {
  return BY_ROUTE.get(normalize(method, routePath));
}
