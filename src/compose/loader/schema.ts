// Validation of one compose file against the compose specification's JSON schema (ajv), with
// compose-go's error wording (schema/schema.go over gojsonschema): the most specific error only,
// "<path> <description>", e.g. "services.web Additional property foo is not allowed",
// "services.web.ports must be a list".
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ComposeError } from '../errors.ts';
import generatedValidator from './compose-spec-validator.generated.ts';
import { lineOf, type LineIndex } from './yaml-file.ts';

// The schema compiled ahead of time (schema-validator.generate.ts): compiling it at run time costs
// every CLI run ~400 ms.
const validate = generatedValidator as unknown as ValidateFunction;

/** Throws ComposeError "validating <file>: <path> <description> (line N)" when `config` breaks the schema. */
export function validateSchema(config: Record<string, unknown>, filename: string, lines?: LineIndex): void {
  if (validate(config)) return;
  const err = mostSpecific(validate.errors ?? []);
  if (!err) throw new ComposeError(`validating ${filename}: invalid compose file`);
  const path = segments(err).join('.');
  const line = lineOf(lines, path);
  throw new ComposeError(`validating ${filename}: ${path} ${describe(err, config)}${line ? ` (line ${line})` : ''}`);
}

function segments(e: ErrorObject): string[] {
  return e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const COMBINERS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'not']);

/**
 * compose-go descends into the validator's causes and keeps the deepest instance location: the
 * leaf errors, never a oneOf/anyOf wrapper when it has causes; on a tie, the first error of the
 * alternative whose type matched the value.
 */
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  const leaves = errors.filter((e) => !COMBINERS.has(e.keyword));
  let best: ErrorObject | undefined;
  for (const e of leaves.length ? leaves : errors) {
    if (!best || segments(e).length > segments(best).length) best = e;
    // On a tie the branch whose type matched says more than "must be a <other branch's type>".
    else if (segments(e).length === segments(best).length && best.keyword === 'type' && e.keyword !== 'type') best = e;
  }
  return best;
}

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** The validator's wording as docker compose v2 prints it (santhosh-tekuri/jsonschema, type errors rewritten by compose-go). */
function describe(e: ErrorObject, data: unknown): string {
  const p = e.params as Record<string, unknown>;
  const valueAt = (): unknown => {
    let v = data;
    for (const s of segments(e)) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
    return v;
  };
  switch (e.keyword) {
    case 'additionalProperties':
      return `additional properties ${quote(p.additionalProperty)} not allowed`;
    case 'type':
      return `must be a ${(Array.isArray(p.type) ? p.type.map(String) : String(p.type).split(',')).join(' or ')}`;
    case 'required':
      return `missing property ${quote(p.missingProperty)}`;
    case 'enum':
      return `value must be one of ${(p.allowedValues as unknown[]).map(quote).join(', ')}`;
    case 'const':
      return `value must be ${quote(p.allowedValue)}`;
    case 'pattern':
      return `${quote(valueAt())} does not match pattern ${quote(p.pattern)}`;
    case 'minimum':
      return `must be >= ${String(p.limit)} but found ${String(valueAt())}`;
    case 'maximum':
      return `must be <= ${String(p.limit)} but found ${String(valueAt())}`;
    case 'minItems':
      return `minItems: got ${Array.isArray(valueAt()) ? (valueAt() as unknown[]).length : '?'}, want ${String(p.limit)}`;
    case 'uniqueItems':
      return `items at ${String(p.j)} and ${String(p.i)} are equal`;
    case 'oneOf':
      return 'oneOf failed, none matched';
    case 'anyOf':
      return 'anyOf failed, none matched';
    default:
      return e.message ?? 'is invalid';
  }
}
