// Schema validation with docker compose v2's wording and the line the error is about.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateSchema } from './schema.ts';
import { parseComposeYaml } from './yaml-file.ts';

function check(yaml: string): string | undefined {
  const { value, lines } = parseComposeYaml(yaml, '/p/compose.yaml');
  try {
    validateSchema(value, '/p/compose.yaml', lines);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

test('a valid file passes, x- fields anywhere are allowed', () => {
  assert.equal(check('x-a: 1\nservices:\n  web:\n    image: x\n    x-b: {c: 1}\n    ports: ["80", {target: 81}]\nvolumes:\n  v: {}\n'), undefined);
});

test('unknown keys, wrong types, missing properties, bad enum values', () => {
  assert.equal(check('services:\n  web:\n    image: x\n    imgae: y\n'), "validating /p/compose.yaml: services.web additional properties 'imgae' not allowed (line 2)");
  assert.equal(check('services:\n  web:\n    image: 5\n'), 'validating /p/compose.yaml: services.web.image must be a string (line 3)');
  assert.equal(check('services:\n  web:\n    image: x\n    depends_on:\n      db: {required: false}\n'), "validating /p/compose.yaml: services.web.depends_on.db missing property 'condition' (line 5)");
  assert.equal(check('services:\n  web:\n    image: x\n    ports:\n      - {target: 80, bogus: 1}\n'), "validating /p/compose.yaml: services.web.ports.0 additional properties 'bogus' not allowed (line 5)");
  assert.equal(
    check('services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: started\n'),
    "validating /p/compose.yaml: services.web.depends_on.db.condition value must be one of 'service_started', 'service_healthy', 'service_completed_successfully' (line 6)",
  );
  assert.equal(check('services:\n  web:\n    image: x\n    ports: ["80", "80"]\n'), 'validating /p/compose.yaml: services.web.ports items at 0 and 1 are equal (line 4)');
  assert.equal(check('services: []\n'), 'validating /p/compose.yaml: services must be a object (line 1)');
  assert.equal(check('services:\n  "bad name":\n    image: x\n'), "validating /p/compose.yaml: services additional properties 'bad name' not allowed (line 1)");
});

test('the ahead-of-time validator is the one the schema compiles to (regenerate: node src/compose/loader/schema-validator.generate.ts)', async () => {
  const { readFileSync } = await import('node:fs');
  const { GENERATED_PATH, generateValidatorSource } = await import('./schema-validator.generate.ts');
  assert.equal(readFileSync(GENERATED_PATH, 'utf8'), generateValidatorSource());
});
