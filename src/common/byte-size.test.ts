import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHumanSize, ramInBytes } from './byte-size.ts';

test('FromHumanSize takes decimal multiples, RAMInBytes binary ones, as go-units', () => {
  const cases: Array<[string, number, number]> = [
    ['100', 100, 100],
    ['1k', 1000, 1024],
    ['1KB', 1000, 1024],
    ['1KiB', 1000, 1024],
    ['1.5m', 1_500_000, 1_572_864],
    ['2 g', 2e9, 2 * 1024 ** 3],
    ['3b', 3, 3],
  ];
  for (const [v, human, ram] of cases) {
    assert.equal(fromHumanSize(v), human, v);
    assert.equal(ramInBytes(v), ram, v);
  }
  assert.throws(() => fromHumanSize('10x'), { message: "invalid suffix: 'x'" });
  assert.throws(() => fromHumanSize('-1'), { message: "invalid size: '-1'" });
  assert.throws(() => fromHumanSize('m'), { message: "invalid size: 'm'" });
});
