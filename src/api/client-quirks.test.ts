import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readsLegacyImageFields } from './client-quirks.ts';

test('docker-compose 1.x is told apart by its User-Agent', () => {
  assert.equal(readsLegacyImageFields('docker-compose/1.29.2 docker-py/5.0.3 Linux/6.1.0-28-amd64'), true);
  assert.equal(readsLegacyImageFields('docker-compose/1.25.0 docker-py/4.1.0 Linux/5.10.0'), true);
  // docker compose v2 (a CLI plugin), the docker CLI, docker-py alone, none at all: no.
  assert.equal(readsLegacyImageFields('compose/v2.29.7'), false);
  assert.equal(readsLegacyImageFields('Docker-Client/28.2.2 (linux)'), false);
  assert.equal(readsLegacyImageFields('docker-sdk-python/7.1.0'), false);
  assert.equal(readsLegacyImageFields('docker-compose/2.0.0'), false);
  assert.equal(readsLegacyImageFields(undefined), false);
});
