// Several files merged as compose-go's override rules say, and the YAML features files rely on.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { load, tempProject } from './loader.test-helpers.ts';

const BASE = `services:
  web:
    image: nginx
    command: ["nginx", "-g", "daemon off;"]
    environment:
      A: "1"
      B: "2"
    labels: [x=1]
    ports: ["8080:80", "9090:90"]
    volumes:
      - ./a:/data
      - logs:/logs
    dns: [1.1.1.1]
    cap_add: [NET_ADMIN]
    depends_on: [db]
  db:
    image: postgres
volumes:
  logs: {}
`;

const OVERRIDE = `services:
  web:
    command: echo hi
    environment:
      B: over
      C: new
    labels:
      y: "2"
    ports: ["8080:80", "7070:70"]
    volumes:
      - ./b:/data
    dns: [8.8.8.8]
    cap_add: [NET_ADMIN, SYS_TIME]
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16
`;

test('override merge: maps merged, command replaced, ports and volumes by identity, sequences appended', async () => {
  const t = tempProject({ 'base.yml': BASE, 'over.yml': OVERRIDE });
  try {
    const { project } = await load(t.dir, { files: ['base.yml', 'over.yml'] });
    const web = project.services.web!;
    assert.deepEqual(web.command, ['echo', 'hi']);
    assert.deepEqual(web.environment, { A: '1', B: 'over', C: 'new' });
    assert.deepEqual(web.labels, { x: '1', y: '2' });
    assert.deepEqual(web.ports?.map((p) => `${p.published}:${p.target}`), ['8080:80', '9090:90', '7070:70']);
    assert.deepEqual(web.volumes?.map((v) => `${v.source}:${v.target}`), [`${path.join(t.dir, 'b')}:/data`, 'logs:/logs']);
    assert.deepEqual(web.dns, ['1.1.1.1', '8.8.8.8']);
    assert.deepEqual(web.cap_add, ['NET_ADMIN', 'SYS_TIME']);
    assert.deepEqual(web.depends_on, { db: { condition: 'service_healthy', required: true } });
    assert.equal(project.services.db!.image, 'postgres:16');
  } finally {
    t.cleanup();
  }
});

test('!reset drops what earlier files set, !override replaces without merging', async () => {
  const t = tempProject({
    'base.yml': BASE,
    'reset.yml': 'services:\n  web:\n    ports: !reset []\n    environment: !override\n      ONLY: "1"\n    dns: !reset null\n',
  });
  try {
    const { project } = await load(t.dir, { files: ['base.yml', 'reset.yml'] });
    const web = project.services.web!;
    assert.equal(web.ports, undefined);
    assert.equal(web.dns, undefined);
    assert.deepEqual(web.environment, { ONLY: '1' });
  } finally {
    t.cleanup();
  }
});

test('YAML anchors, aliases and << merge keys (explicit keys win, first merged source wins)', async () => {
  const t = tempProject({
    'compose.yaml': `x-base: &base
  image: busybox
  restart: always
  labels: {a: "1"}
x-more: &more
  restart: "no"
  user: nobody
services:
  one:
    <<: [*base, *more]
    labels: {b: "2"}
  two:
    <<: *base
    image: alpine
`,
  });
  try {
    const { project } = await load(t.dir);
    assert.deepEqual({ image: project.services.one!.image, restart: project.services.one!.restart, user: project.services.one!.user, labels: project.services.one!.labels }, {
      image: 'busybox', restart: 'always', user: 'nobody', labels: { b: '2' },
    });
    assert.equal(project.services.two!.image, 'alpine');
    assert.deepEqual(Object.keys(project.extensions ?? {}), ['x-base', 'x-more']);
  } finally {
    t.cleanup();
  }
});

test('extends: same file, another file (paths relative to that file), recursion, cycle, unknown service', async () => {
  const t = tempProject({
    'compose.yaml': `services:
  base:
    image: busybox
    environment: {A: "1"}
  mid:
    extends: base
    environment: {B: "2"}
  web:
    extends: mid
    command: [sh]
  remote:
    extends:
      file: lib/common.yml
      service: builder
    environment: {C: "3"}
`,
    'lib/common.yml': 'services:\n  builder:\n    build: ./ctx\n    env_file: common.env\n    volumes: ["./src:/src"]\n',
    'lib/common.env': 'FROM_FILE=yes\n',
    'cycle.yml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n',
    'unknown.yml': 'services:\n  a:\n    extends: nope\n',
  });
  try {
    const { project } = await load(t.dir);
    assert.deepEqual(project.services.web!.environment, { A: '1', B: '2' });
    assert.deepEqual(project.services.web!.command, ['sh']);
    assert.equal(project.services.web!.image, 'busybox');
    const remote = project.services.remote!;
    assert.equal(remote.build?.context, path.join(t.dir, 'lib/ctx'));
    assert.equal(remote.volumes?.[0]?.source, path.join(t.dir, 'lib/src'));
    assert.deepEqual(remote.environment, { FROM_FILE: 'yes', C: '3' });
    const cyc = path.join(t.dir, 'cycle.yml');
    await assert.rejects(load(t.dir, { files: ['cycle.yml'] }), { message: `Circular reference:\n  a in ${cyc}\n  extends b in ${cyc}\n  extends a in ${cyc}` });
    await assert.rejects(load(t.dir, { files: ['unknown.yml'] }), { message: `cannot extend service "a" in ${path.join(t.dir, 'unknown.yml')}: service not found` });
  } finally {
    t.cleanup();
  }
});

test('include: short and long forms, own project directory and env_file, conflicts', async () => {
  const t = tempProject({
    'compose.yaml': 'include:\n  - sub/compose.yaml\n  - path: other/o.yml\n    env_file: other/o.env\nservices:\n  main:\n    image: x\n    depends_on: [inc]\n',
    'sub/compose.yaml': 'services:\n  inc:\n    image: "inc:${SUBTAG}"\n    volumes: ["./data:/data"]\n',
    'sub/.env': 'SUBTAG=7\n',
    'other/o.yml': 'services:\n  other:\n    image: "o:${OTAG}"\n',
    'other/o.env': 'OTAG=9\n',
    'conflict.yml': 'include: [sub/compose.yaml]\nservices:\n  inc:\n    image: different\n',
  });
  try {
    const { project } = await load(t.dir);
    assert.equal(project.services.inc!.image, 'inc:7');
    assert.equal(project.services.inc!.volumes?.[0]?.source, path.join(t.dir, 'sub/data'));
    assert.equal(project.services.other!.image, 'o:9');
    await assert.rejects(load(t.dir, { files: ['conflict.yml'] }), { message: `imported compose file [${path.join(t.dir, 'sub/compose.yaml')}] defines conflicting service inc` });
  } finally {
    t.cleanup();
  }
});

test('relative paths of every -f file resolve against the project directory; --project-directory moves it', async () => {
  const t = tempProject({
    'base.yml': 'services:\n  a:\n    image: x\n',
    'sub/over.yml': 'services:\n  a:\n    volumes: ["./data:/data"]\n    build: ./ctx\n',
    'inc/compose.yaml': 'include:\n  - path: lib/lib.yml\n    project_directory: other\nservices: {}\n',
    'inc/lib/lib.yml': 'services:\n  l:\n    build: .\n',
  });
  try {
    const { project } = await load(t.dir, { files: ['base.yml', 'sub/over.yml'] });
    assert.equal(project.services.a!.volumes?.[0]?.source, path.join(t.dir, 'data'));
    assert.equal(project.services.a!.build?.context, path.join(t.dir, 'ctx'));
    const moved = await load(t.dir, { files: ['base.yml', 'sub/over.yml'], projectDirectory: 'sub' });
    assert.equal(moved.project.working_dir, path.join(t.dir, 'sub'));
    assert.equal(moved.project.name, 'sub');
    assert.equal(moved.project.services.a!.volumes?.[0]?.source, path.join(t.dir, 'sub/data'));
    const inc = await load(path.join(t.dir, 'inc'));
    assert.equal(inc.project.services.l!.build?.context, path.join(t.dir, 'inc/other'));
  } finally {
    t.cleanup();
  }
});
