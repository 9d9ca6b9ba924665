// compose-go's template_test.go cases (template/template_test.go), with its mapping FOO=first, BAR=''.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidTemplateError, MissingRequiredError, substitute } from './template.ts';

const env: Record<string, string> = { FOO: 'first', BAR: '' };
const lookup = (k: string): string | undefined => (Object.hasOwn(env, k) ? env[k] : undefined);
const sub = (t: string): string => substitute(t, lookup);

test('escaped $$ and no match', () => {
  assert.equal(sub('$${foo}'), '${foo}');
  assert.equal(sub('foo'), 'foo');
});

test('unescaped $ kept as written', () => {
  for (const t of ['a $ string', '^REGEX$', '$}', '$']) assert.equal(sub(t), t);
});

test('invalid templates', () => {
  for (const t of ['${', '${}', '${ }', '${ foo}', '${foo }', '${foo!}']) {
    assert.throws(() => sub(t), (e: unknown) => e instanceof InvalidTemplateError && e.message === `Invalid template: ${JSON.stringify(t)}`);
  }
});

test('non-braced name stops at the first non-name character', () => {
  assert.equal(sub('$FOO-bar'), 'first-bar');
});

test('no value, no default; value, no default', () => {
  const missing: string[] = [];
  for (const t of ['This ${missing} var', 'This ${BAR} var']) assert.equal(substitute(t, lookup, (n) => missing.push(n)), 'This  var');
  assert.deepEqual(missing, ['missing']);
  for (const t of ['This $FOO var', 'This ${FOO} var']) assert.equal(sub(t), 'This first var');
});

test('defaults', () => {
  assert.equal(sub('ok ${missing:-def}'), 'ok def');
  assert.equal(sub('ok ${missing-def}'), 'ok def');
  assert.equal(sub('ok ${BAR:-def}'), 'ok def');
  assert.equal(sub('ok ${FOO:-def}'), 'ok first');
  assert.equal(sub('ok ${BAR-def}'), 'ok ');
  assert.equal(sub('ok ${BAR:-/non:-alphanumeric}'), 'ok /non:-alphanumeric');
});

test('presence values', () => {
  assert.equal(sub('ok ${UNSET_VAR:+presence_value}'), 'ok ');
  assert.equal(sub('ok ${UNSET_VAR+presence_value}'), 'ok ');
  assert.equal(sub('ok ${FOO:+presence_value}'), 'ok presence_value');
  assert.equal(sub('ok ${FOO+presence_value}'), 'ok presence_value');
  assert.equal(sub('ok ${BAR+presence_value}'), 'ok presence_value');
  assert.equal(sub('ok ${BAR:+presence_value}'), 'ok ');
});

test('interpolation not impacted by outer text', () => {
  const cases: [string, string][] = [
    ['-ok ${BAR:-defaultValue}', '-ok defaultValue'],
    ['+ok ${UNSET:-${BAR-defaultValue}}', '+ok '],
    ['-ok ${FOO:-defaultValue}', '-ok first'],
    [':-ok ${UNSET-defaultValue}', ':-ok defaultValue'],
    [':-ok ${BAR-defaultValue}', ':-ok '],
    [':?ok ${BAR-defaultValue}', ':?ok '],
    [':?ok ${BAR:-defaultValue}', ':?ok defaultValue'],
    [':+ok ${BAR:-defaultValue}', ':+ok defaultValue'],
    ['+ok ${BAR-defaultValue}', '+ok '],
    ['?ok ${BAR:-defaultValue}', '?ok defaultValue'],
  ];
  for (const [t, want] of cases) assert.equal(sub(t), want, t);
});

test('defaults with nested expansion', () => {
  const cases: [string, string][] = [
    ['ok ${UNSET_VAR-$FOO}', 'ok first'],
    ['ok ${UNSET_VAR-${FOO}}', 'ok first'],
    ['ok ${UNSET_VAR-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR:-$FOO}', 'ok first'],
    ['ok ${BAR:-${FOO}}', 'ok first'],
    ['ok ${BAR:-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR+$FOO}', 'ok first'],
    ['ok ${BAR+$FOO ${FOO:+second}}', 'ok first second'],
  ];
  for (const [t, want] of cases) assert.equal(sub(t), want, t);
});

test('mandatory variable errors, word for word', () => {
  const cases: [string, string][] = [
    ['not ok ${UNSET_VAR:?Mandatory Variable Unset}', 'required variable UNSET_VAR is missing a value: Mandatory Variable Unset'],
    ['not ok ${BAR:?Mandatory Variable Empty}', 'required variable BAR is missing a value: Mandatory Variable Empty'],
    ['not ok ${UNSET_VAR:?}', 'required variable UNSET_VAR is missing a value'],
    ['not ok ${UNSET_VAR?Mandatory Variable Unset}', 'required variable UNSET_VAR is missing a value: Mandatory Variable Unset'],
    ['not ok ${UNSET_VAR?}', 'required variable UNSET_VAR is missing a value'],
    ['not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}', 'required variable UNSET_VAR is missing a value: Mandatory Variable first'],
    ['not ok ${UNSET_VAR?Mandatory Variable ${FOO}}', 'required variable UNSET_VAR is missing a value: Mandatory Variable first'],
  ];
  for (const [t, msg] of cases) assert.throws(() => sub(t), (e: unknown) => e instanceof MissingRequiredError && e.message === msg, t);
});

test('defaults for mandatory variables', () => {
  assert.equal(sub('ok ${FOO:?err}'), 'ok first');
  assert.equal(sub('ok ${FOO?err}'), 'ok first');
  assert.equal(sub('ok ${BAR?err}'), 'ok ');
});

test('precedence is the first operator', () => {
  assert.throws(() => sub('${UNSET_VAR?bar-baz}'), { message: 'required variable UNSET_VAR is missing a value: bar-baz' });
  assert.equal(sub('${UNSET_VAR-myerror?msg}'), 'myerror?msg');
  assert.equal(sub('${FOO?bar-baz}'), 'first');
  assert.equal(sub('${BAR:-default_value_for_empty_var}'), 'default_value_for_empty_var');
  assert.equal(sub('${UNSET_VAR-default_value_for_unset_var}'), 'default_value_for_unset_var');
});

test('several templates in one string, and $1 left alone', () => {
  assert.equal(sub('${FOO:-x}-${BAR:-y}-$FOO'), 'first-y-first');
  assert.equal(sub('cost $1'), 'cost $1');
  assert.throws(() => sub('${1}/dashboard/'), InvalidTemplateError);
});
