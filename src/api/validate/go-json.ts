// Checks a parsed JSON body against the swagger schema the way Go's encoding/json decodes it
// into moby's structs, failing with Go's message (`json: cannot unmarshal string into Go struct
// field HostConfig.HostConfig.Privileged of type bool`).
//
// Hand-written rather than a JSON-schema validator from npm: what must match is dockerd's
// behaviour, not the schema's letter. Go accepts null anywhere, ignores unknown fields, matches
// field names case-insensitively, checks integer widths, and moby's StrSlice accepts a string
// where the swagger says array; the message names Go's innermost struct and the field path.
import { invalidParameter, truncate } from '../../common/index.ts';
import type { SchemaNode } from './schema-node.ts';

/** moby's Go struct names where they differ from the swagger's (the root of a message's field path). */
const GO_STRUCT: Record<string, string> = {
  ContainerCreateRequest: 'CreateRequest',
  ContainerUpdateRequest: 'UpdateConfig',
  ExecConfig: 'ExecOptions',
  ExecStartConfig: 'ExecStartOptions',
  NetworkCreateRequest: 'CreateRequest',
  NetworkConnectRequest: 'ConnectOptions',
  NetworkDisconnectRequest: 'DisconnectOptions',
  ContainerConfig: 'Config',
  HealthConfig: 'HealthConfig',
};

/** Fields that are moby's strslice.StrSlice: a JSON string is a one-element list. */
const STR_SLICE = new Set(['Config.Cmd', 'Config.Entrypoint', 'Config.Shell', 'CreateRequest.Cmd', 'CreateRequest.Entrypoint', 'CreateRequest.Shell']);

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295],
  // int and int64 (and uint64) are checked in their double approximation.
  int: [-9223372036854775808, 9223372036854775807], int64: [-9223372036854775808, 9223372036854775807],
  uint: [0, 18446744073709551615], uint64: [0, 18446744073709551615],
};

interface Place {
  /** Go struct holding the current field. */
  struct: string;
  /** JSON field names from the root (Go's errorContext.FieldStack). */
  fields: string[];
}

export class GoJsonChecker {
  private readonly schemas: Readonly<Record<string, SchemaNode>>;

  constructor(schemas: Readonly<Record<string, SchemaNode>>) {
    this.schemas = schemas;
  }

  /** Throws a 400 in Go's words at the first value Go would refuse. */
  check(name: string, value: unknown): void {
    const schema = this.schemas[name];
    if (!schema) throw new Error(`no schema named ${name}`);
    this.walk(schema, value, { struct: GO_STRUCT[name] ?? name, fields: [] }, GO_STRUCT[name] ?? name);
  }

  private resolve(s: SchemaNode): { schema: SchemaNode; name?: string } {
    let name: string | undefined;
    let cur = s;
    for (let hops = 0; cur.ref !== undefined && hops < 16; hops++) {
      name = cur.ref;
      const next = this.schemas[cur.ref];
      if (!next) return { schema: {} };
      cur = next;
    }
    return { schema: cur, name };
  }

  private walk(node: SchemaNode, value: unknown, at: Place, goName: string | undefined): void {
    if (value === null || value === undefined) return; // Go leaves the zero value
    const { schema, name } = this.resolve(node);
    const typeName = goType(node, name ? GO_STRUCT[name] ?? name : goName);
    const fail = (kind: string) => {
      throw invalidParameter(at.fields.length
        ? `json: cannot unmarshal ${kind} into Go struct field ${at.struct}.${at.fields.join('.')} of type ${typeName}`
        : `json: cannot unmarshal ${kind} into Go value of type ${typeName}`);
    };
    switch (schema.type) {
      case undefined:
        if (!schema.properties && !schema.additionalProperties) return; // any value
        break;
      case 'string':
        if (typeof value !== 'string') fail(jsonKind(value));
        return;
      case 'boolean':
        if (typeof value !== 'boolean') fail(jsonKind(value));
        return;
      case 'number':
        if (typeof value !== 'number') fail(jsonKind(value));
        return;
      case 'integer': {
        if (typeof value !== 'number') fail(jsonKind(value));
        const [lo, hi] = INT_RANGE[schema.format ?? 'int'] ?? INT_RANGE.int;
        if (!Number.isInteger(value) || (value as number) < lo || (value as number) > hi) fail(`number ${truncate(String(value), 32)}`);
        return;
      }
      case 'array':
        if (typeof value === 'string' && STR_SLICE.has(`${at.struct}.${at.fields.at(-1)}`)) return;
        if (!Array.isArray(value)) fail(jsonKind(value));
        for (const item of value as unknown[]) this.walk(schema.items ?? {}, item, at, undefined);
        return;
      case 'object':
        break;
    }
    if (typeof value !== 'object' || Array.isArray(value)) fail(jsonKind(value));
    const obj = value as Record<string, unknown>;
    if (schema.properties) {
      const struct = name ? GO_STRUCT[name] ?? name : goName ?? at.struct;
      const props = schema.properties;
      for (const [key, v] of Object.entries(obj)) {
        const field = props[key] ? key : caseFold(props, key);
        if (field === undefined) continue; // Go ignores unknown fields
        this.walk(props[field], v, { struct, fields: [...at.fields, field] }, field);
      }
      return;
    }
    if (schema.additionalProperties) {
      for (const v of Object.values(obj)) this.walk(schema.additionalProperties, v, at, undefined);
    }
  }
}

/** Go matches JSON keys to fields case-insensitively when there is no exact match. */
function caseFold(props: Record<string, SchemaNode>, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.keys(props).find((k) => k.toLowerCase() === lower);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'boolean': return 'bool';
    default: return 'object';
  }
}

/** The Go type a schema decodes into, as Go's message names it (without the package). */
function goType(s: SchemaNode, structName: string | undefined): string {
  if (s.ref !== undefined) return structName ?? s.ref;
  switch (s.type) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'float64';
    case 'integer': return s.format ?? 'int';
    case 'array': return `[]${goType(s.items ?? {}, undefined)}`;
    case 'object':
      if (s.properties) return structName ?? 'struct';
      if (s.additionalProperties) return `map[string]${goType(s.additionalProperties, undefined)}`;
      return 'map[string]interface {}';
    default: return 'interface {}';
  }
}
