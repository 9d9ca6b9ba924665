// Validation of one compose file against the compose specification's JSON schema (ajv), with
// compose-go's error wording (schema/schema.go over gojsonschema): the most specific error only,
// "<path> <description>", e.g. "services.web Additional property foo is not allowed",
// "services.web.ports must be a list".
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ComposeError } from '../errors.ts';
import { composeSpecSchema } from './compose-spec.ts';
import { lineOf, type LineIndex } from './yaml-file.ts';

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
    // The spec names draft-07 by a URL without '#', which ajv does not know: it is draft-07 anyway.
    const { $schema: _draft, ...schema } = composeSpecSchema;
    void _draft;
    validator = ajv.compile(schema);
  }
  return validator;
}

/** Throws ComposeError "validating <file>: <path> <description> (line N)" when `config` breaks the schema. */
export function validateSchema(config: Record<string, unknown>, filename: string, lines?: LineIndex): void {
  const validate = compiled();
  if (validate(config)) return;
  const err = mostSpecific(validate.errors ?? []);
  if (!err) throw new ComposeError(`validating ${filename}: invalid compose file`);
  const path = fieldOf(err);
  const line = lineOf(lines, path === '(root)' ? '' : path);
  throw new ComposeError(`validating ${filename}: ${path} ${describe(err)}${line ? ` (line ${line})` : ''}`);
}

function segments(e: ErrorObject): string[] {
  return e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function fieldOf(e: ErrorObject): string {
  const s = segments(e);
  return s.length ? s.join('.') : '(root)';
}

function specificity(e: ErrorObject): number {
  return Math.max(1, segments(e).length);
}

const COMBINERS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'not']);

function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const e of errors) {
    if (!best || specificity(e) > specificity(best)) best = e;
    else if (specificity(e) === specificity(best)) {
      if (e.keyword === 'type' && best.keyword !== 'type') best = e;
      else if (COMBINERS.has(best.keyword) && !COMBINERS.has(e.keyword)) best = e;
    }
  }
  return best;
}

function humanType(t: string): string {
  if (t.includes(',')) {
    const all = t.split(',').map(humanType);
    return `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
  }
  if (t === 'object') return 'mapping';
  if (t === 'array') return 'list';
  return t;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `Additional property ${String(p.additionalProperty)} is not allowed`;
    case 'type':
      return `must be a ${humanType(Array.isArray(p.type) ? p.type.join(',') : String(p.type))}`;
    case 'required':
      return `${String(p.missingProperty)} is required`;
    case 'enum': {
      const seg = segments(e);
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return `${seg[seg.length - 1] ?? '(root)'} must be one of the following: ${allowed}`;
    }
    case 'const':
      return `${JSON.stringify(p.allowedValue)} is the only allowed value`;
    case 'pattern':
      return `Does not match pattern '${String(p.pattern)}'`;
    case 'format':
      return `Does not match format '${String(p.format)}'`;
    case 'minimum':
      return `Must be greater than or equal to ${String(p.limit)}`;
    case 'maximum':
      return `Must be less than or equal to ${String(p.limit)}`;
    case 'minItems':
      return `Array must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `Array must have at most ${String(p.limit)} items`;
    case 'minProperties':
      return `Must have at least ${String(p.limit)} properties`;
    case 'uniqueItems':
      return `array items[${String(p.j)},${String(p.i)}] must be unique`;
    case 'oneOf':
      return 'Must validate one and only one schema (oneOf)';
    case 'anyOf':
      return 'Must validate at least one schema (anyOf)';
    case 'not':
      return 'Must not validate the schema (not)';
    default:
      return e.message ?? 'is invalid';
  }
}
