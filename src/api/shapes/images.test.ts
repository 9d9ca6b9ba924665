// The image wire shapes (moved from the image box with their tests): what dockerd 28 returns,
// gated by API version, built from the image service's records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diff, imageListFixture as fixture, withTempDir } from '../../image/image.test-helpers.ts';
import { toImageHistory, toImageInspect, toImageSummary } from './images.ts';

test('list: summaries newest first with Docker\'s fields', () =>
  withTempDir(async (dir) => {
    const { svc, a, b, c } = await fixture(dir);
    const all = (await svc.list()).map((e) => toImageSummary(e));
    assert.deepEqual(all.map((s) => s.Id), [c.id, b.id, a.id]);
    assert.deepEqual(all[1], {
      Containers: -1, Created: 1609459200, Id: b.id, Labels: null, ParentId: '', RepoDigests: [], RepoTags: [], SharedSize: -1, Size: 30,
    });
    assert.deepEqual(all[2].RepoTags, ['web:1', 'user/web:2']);
    assert.deepEqual(all[2].Labels, { tier: 'web', team: 'x' });
    // Older API versions: <none> placeholders and VirtualSize.
    const old = (await svc.list()).map((e) => toImageSummary(e, '1.41'));
    assert.deepEqual(old[1].RepoTags, ['<none>:<none>']);
    assert.deepEqual(old[1].RepoDigests, ['<none>@<none>']);
    assert.equal(old[1].VirtualSize, 30);
    // Shared size and container counts when asked.
    const shared = (await svc.list({ sharedSize: true, containerCount: (id) => (id === a.id ? 2 : 0) })).map((e) => toImageSummary(e));
    assert.deepEqual(shared.map((s) => [s.SharedSize, s.Containers]), [[0, 0], [10, 0], [10, 2]]);
  }));

test('inspect and history shapes as dockerd 28 returns them', () =>
  withTempDir(async (dir) => {
    const { svc, a, b } = await fixture(dir);
    const ib = toImageInspect(await svc.inspect(b.id));
    assert.deepEqual(ib, {
      Id: b.id,
      RepoTags: [],
      RepoDigests: [],
      Parent: '',
      Comment: '',
      Created: '2021-01-01T00:00:00.5Z',
      DockerVersion: '',
      Author: '',
      Config: { Cmd: ['sh'], Entrypoint: null, Env: ['PATH=/usr/bin:/bin'], Labels: null, OnBuild: null, User: '', Volumes: null, WorkingDir: '' },
      Architecture: 'amd64',
      Os: 'linux',
      Size: 30,
      GraphDriver: { Data: { MergedDir: `/fake/${b.chainIds[1].slice(7, 19)}/merged` }, Name: 'fake' },
      RootFS: { Type: 'layers', Layers: [diff(1), diff(2)] },
      Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
    });
    const ia = toImageInspect(await svc.inspect('web:1'));
    assert.deepEqual(ia.RepoTags, ['web:1', 'user/web:2']);
    assert.notEqual(ia.Metadata.LastTagTime, '0001-01-01T00:00:00Z');
    assert.deepEqual(ia.Config.Labels, { tier: 'web', team: 'x' });
    const legacy = toImageInspect(await svc.inspect(b.id), '1.43');
    assert.equal(legacy.VirtualSize, 30);
    assert.equal((legacy.Config as Record<string, unknown>).Hostname, '');
    assert.equal((legacy.Config as Record<string, unknown>).AttachStdin, false);

    const h = toImageHistory(await svc.history('web:1'));
    assert.deepEqual(h, [{ Comment: '', Created: 1704164645, CreatedBy: 'step 0', Id: a.id, Size: 10, Tags: ['web:1', 'user/web:2'] }]);
    const hb = toImageHistory(await svc.history(b.id));
    assert.deepEqual(hb.map((r) => [r.Id, r.Size, r.CreatedBy, r.Tags]), [[b.id, 20, 'step 1', null], ['<missing>', 10, 'step 0', null]]);

  }));

test('inspect: Container and ContainerConfig before API 1.45 (a zero config when the image has none), and for docker-compose 1.x at any version', () =>
  withTempDir(async (dir) => {
    const { svc, b } = await fixture(dir);
    const zero = {
      Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false,
      Env: null, Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
    };
    const details = await svc.inspect(b.id);
    // dockerd 20.10 (API 1.41) for a loaded image: both fields, empty.
    const old = toImageInspect(details, '1.41');
    assert.equal(old.Container, '');
    assert.deepEqual(old.ContainerConfig, zero);
    const current = toImageInspect(details);
    assert.equal('Container' in current, false);
    assert.equal('ContainerConfig' in current, false);
    const compose = toImageInspect(details, '1.50', { legacyContainerConfig: true });
    assert.deepEqual(compose.ContainerConfig, zero);
    // A committed or built image keeps its own.
    const built = { ...details, image: { ...details.image, config: { ...details.image.config, container: 'c0ffee', container_config: { Cmd: ['sh'], Volumes: { '/data': {} } } } } };
    const withOwn = toImageInspect(built, '1.50', { legacyContainerConfig: true });
    assert.equal(withOwn.Container, 'c0ffee');
    assert.deepEqual(withOwn.ContainerConfig, { Cmd: ['sh'], Volumes: { '/data': {} } });
  }));
