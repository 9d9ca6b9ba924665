// `config` output (key order, YAML and JSON) and the small helpers behind config's flags, through
// the box's index as the CLI uses them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allProfiles, imageNames, serializeProject, serviceHashes, serviceNames, volumeNames, withServicesEnabled } from '../index.ts';
import { load, tempProject } from './loader.test-helpers.ts';

const FILE = `name: demo
services:
  web:
    x-note: hi
    image: nginx
    ports: ["8080:80"]
    environment: {Z: "1", A: "2"}
    depends_on: [db]
    command: nginx -g "daemon off;" $$HOME
    build:
      context: .
      args: [B=2, A=1]
  db:
    image: postgres
    profiles: [data]
    volumes: ["pg:/var/lib/postgresql/data"]
  tool:
    build: ./tool
    profiles: [tools, data]
volumes:
  pg: {}
x-top: 1
`;

test('config YAML: compose-go key order, sorted maps, names, extensions last', async () => {
  const t = tempProject({ 'compose.yaml': FILE });
  try {
    const { project } = await load(t.dir, { profiles: ['data'] });
    const yaml = serializeProject(project, 'yaml');
    const expected = `name: demo
services:
  db:
    profiles:
      - data
    image: postgres
    networks:
      default: null
    volumes:
      - type: volume
        source: pg
        target: /var/lib/postgresql/data
        volume: {}
  tool:
    profiles:
      - tools
      - data
    build:
      context: ${t.dir}/tool
      dockerfile: Dockerfile
    networks:
      default: null
  web:
    build:
      context: ${t.dir}
      dockerfile: Dockerfile
      args:
        A: "1"
        B: "2"
    command:
      - nginx
      - -g
      - daemon off;
      - $$HOME
    depends_on:
      db:
        condition: service_started
        required: true
    environment:
      A: "2"
      Z: "1"
    image: nginx
    networks:
      default: null
    ports:
      - mode: ingress
        target: 80
        published: "8080"
        protocol: tcp
    x-note: hi
networks:
  default:
    name: demo_default
volumes:
  pg:
    name: demo_pg
x-top: 1
`;
    assert.equal(yaml, expected);
    const json = JSON.parse(serializeProject(project, 'json')) as { services: Record<string, Record<string, unknown>> };
    assert.equal(json.services.db!.command, null);
    assert.deepEqual(json.services.web!.command, ['nginx', '-g', 'daemon off;', '$$HOME']);
    assert.deepEqual(project.services.web!.command, ['nginx', '-g', 'daemon off;', '$HOME']);
    assert.equal(json.services.db!.entrypoint, null);
    assert.deepEqual(Object.keys(json.services.web!).slice(0, 4), ['build', 'command', 'depends_on', 'entrypoint']);
    assert.deepEqual(Object.keys(json.services.db!).slice(0, 3), ['profiles', 'command', 'entrypoint']);
  } finally {
    t.cleanup();
  }
});

test('config --services/--volumes/--profiles/--images, withServicesEnabled, --hash of an unknown service', async () => {
  const t = tempProject({ 'compose.yaml': FILE });
  try {
    const { project } = await load(t.dir, { services: ['db'] });
    assert.deepEqual(serviceNames(project), ['db', 'tool', 'web']);
    assert.deepEqual(serviceNames({ ...project, services: { a: { name: 'a', depends_on: { z: { condition: 'service_started', required: true } } }, z: { name: 'z' } } }), ['z', 'a']);
    assert.deepEqual(volumeNames(project), ['pg']);
    assert.deepEqual(allProfiles(project), ['data', 'tools']);
    assert.deepEqual(imageNames(withServicesEnabled(project, ['tool'])), ['postgres', 'demo-tool', 'nginx']);
    assert.throws(() => withServicesEnabled(project, ['nope']), { message: 'no such service: nope' });
    assert.throws(() => serviceHashes(project, ['nope']), { message: 'no such service: nope' });
  } finally {
    t.cleanup();
  }
});

test('config --no-interpolate keeps the variables as written', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG:-1}"\n    mem_limit: ${MEM}\n    ports: ["${PORT}:80"]\n' });
  try {
    const { project } = await load(t.dir, { interpolate: false });
    const yaml = serializeProject(project, 'yaml', { noInterpolate: true });
    assert.match(yaml, /image: nginx:\$\{TAG:-1\}/);
    assert.match(yaml, /mem_limit: \$\{MEM\}/);
    assert.match(yaml, /- \$\{PORT\}:80/);
  } finally {
    t.cleanup();
  }
});

test('config never prints a secret\'s content, nor a config\'s read from the environment', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\nsecrets:\n  s: {environment: HOME}\nconfigs:\n  c: {content: shown}\n  e: {environment: HOME}\n' });
  try {
    const { project } = await load(t.dir);
    // What the engine part may fill in before a container is created.
    project.secrets.s!.content = 'hidden';
    project.configs.e!.content = 'alsohidden';
    const yaml = serializeProject(project, 'yaml');
    assert.doesNotMatch(yaml, /hidden/);
    assert.match(yaml, /content: shown/);
  } finally {
    t.cleanup();
  }
});

test('config YAML quotes the strings YAML 1.1 reads as booleans, as yaml.v3 does; JSON is unchanged', async () => {
  const t = tempProject({
    'compose.yaml': 'services:\n  a:\n    image: x\n    environment: {FLAG: "yes", OFF: "off", N: "n", T: "true", WORD: "yesterday"}\n    labels: {"on": "On"}\n',
  });
  try {
    const { project } = await load(t.dir);
    const yaml = serializeProject(project, 'yaml');
    assert.match(yaml, /^ {6}FLAG: "yes"$/m);
    // Keys too (yaml.v3 writes a map key as any other string).
    assert.match(yaml, /^ {6}"N": "n"$/m);
    assert.match(yaml, /^ {6}"OFF": "off"$/m);
    // Quoted as before by the YAML 1.2 core schema; a longer word stays plain.
    assert.match(yaml, /^ {6}T: "true"$/m);
    assert.match(yaml, /^ {6}WORD: yesterday$/m);
    assert.match(yaml, /^ {6}"on": "On"$/m);
    assert.equal(JSON.parse(serializeProject(project, 'json')).services.a.environment.FLAG, 'yes');
  } finally {
    t.cleanup();
  }
});
