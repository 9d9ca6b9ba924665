// The shape of the generated schema data (src/api/types/schemas.generated.ts).

export interface SchemaNode {
  /** A definition's name in SCHEMAS (the schemas are recursive, so refs stay refs). */
  ref?: string;
  /** Absent: any JSON value. */
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  /** Go integer type: int64, uint16, uint, ... */
  format?: string;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode;
}

export interface OperationSchema {
  /** The body's schema name in SCHEMAS. */
  body?: string;
  query: Record<string, SchemaNode>;
}

/** A body schema name carrying the TypeScript type the validated body has. */
export interface BodySchema<T> {
  readonly name: string;
  /** Type only: never set. */
  readonly type?: T;
}

export function bodySchema<T>(name: string): BodySchema<T> {
  return { name };
}
