// loadProject end to end on temporary directories: discovery, names, .env, interpolation,
// normalisation, profiles, extends, include.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { load, tempProject } from './loader.test-helpers.ts';

test('discovery: compose.yaml in a parent directory with its override; name from the directory', async () => {
  const t = tempProject({
    'compose.yaml': 'services:\n  web:\n    image: nginx\n    environment: [A=1, B=2]\n',
    'compose.override.yaml': 'services:\n  web:\n    environment:\n      B: over\n      C: 3\n',
    'sub/dir/.keep': '',
  }, 'My_Proj.1');
  try {
    const { project } = await load(path.join(t.dir, 'sub/dir'));
    assert.equal(project.name, 'my_proj1');
    assert.equal(project.working_dir, t.dir);
    assert.deepEqual(project.compose_files, [path.join(t.dir, 'compose.yaml'), path.join(t.dir, 'compose.override.yaml')]);
    assert.deepEqual(project.services.web!.environment, { A: '1', B: 'over', C: '3' });
  } finally {
    t.cleanup();
  }
});

test('discovery: compose.yaml and docker-compose.yaml both present warn and use compose.yaml', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n', 'docker-compose.yaml': 'services:\n  b:\n    image: y\n' });
  try {
    const { project, warnings } = await load(t.dir);
    assert.deepEqual(Object.keys(project.services), ['a']);
    assert.deepEqual(warnings, [
      `Found multiple config files with supported names: ${path.join(t.dir, 'compose.yaml')}, ${path.join(t.dir, 'docker-compose.yaml')}`,
      `Using ${path.join(t.dir, 'compose.yaml')}`,
    ]);
  } finally {
    t.cleanup();
  }
});

test('discovery: --project-directory is where the default files (and .env) are looked for, not the current directory', async () => {
  const t = tempProject({
    'app/docker-compose.yml': 'services:\n  web:\n    image: "nginx:${TAG}"\n',
    'app/.env': 'TAG=fromdotenv\n',
    'elsewhere/.keep': '',
  });
  try {
    const { project } = await load(path.join(t.dir, 'elsewhere'), { projectDirectory: '../app' });
    assert.deepEqual(project.compose_files, [path.join(t.dir, 'app/docker-compose.yml')]);
    assert.equal(project.name, 'app');
    assert.equal(project.working_dir, path.join(t.dir, 'app'));
    assert.equal(project.services.web!.image, 'nginx:fromdotenv');
    // -f stays relative to the current directory.
    await assert.rejects(load(path.join(t.dir, 'elsewhere'), { projectDirectory: '../app', files: ['docker-compose.yml'] }), {
      message: `open ${path.join(t.dir, 'elsewhere/docker-compose.yml')}: no such file or directory`,
    });
  } finally {
    t.cleanup();
  }
});

test('discovery: no file anywhere', async () => {
  const t = tempProject({});
  try {
    await assert.rejects(load(t.dir), { message: 'no configuration file provided: not found' });
  } finally {
    t.cleanup();
  }
});

test('COMPOSE_FILE with COMPOSE_PATH_SEPARATOR, -f - from stdin, missing -f file', async () => {
  const t = tempProject({ 'a.yml': 'services:\n  a:\n    image: x\n', 'b.yml': 'services:\n  b:\n    image: y\n' });
  try {
    const { project } = await load(t.dir, { env: { COMPOSE_FILE: 'a.yml;b.yml', COMPOSE_PATH_SEPARATOR: ';' } });
    assert.deepEqual(Object.keys(project.services).sort(), ['a', 'b']);
    const stdin = await load(t.dir, { files: ['-'], stdinText: 'name: fromstdin\nservices:\n  s:\n    image: z\n' });
    assert.equal(stdin.project.name, 'fromstdin');
    assert.deepEqual(stdin.project.compose_files, ['-']);
    await assert.rejects(load(t.dir, { files: ['nope.yml'] }), { message: `open ${path.join(t.dir, 'nope.yml')}: no such file or directory` });
    await assert.rejects(load(path.dirname(t.dir), { files: [t.dir] }), { message: `read ${t.dir}: is a directory` });
  } finally {
    t.cleanup();
  }
});

test('project name: -p over COMPOSE_PROJECT_NAME over top-level name (interpolated, normalised); bad names', async () => {
  const t = tempProject({ 'compose.yaml': 'name: ${PREFIX}-App\nservices:\n  a:\n    image: x\n' });
  try {
    assert.equal((await load(t.dir, { env: { PREFIX: 'My' } })).project.name, 'my-app');
    assert.equal((await load(t.dir, { env: { COMPOSE_PROJECT_NAME: 'envname' } })).project.name, 'envname');
    assert.equal((await load(t.dir, { projectName: 'flag', env: { COMPOSE_PROJECT_NAME: 'envname' } })).project.name, 'flag');
    await assert.rejects(load(t.dir, { projectName: 'Bad Name' }), {
      message: 'invalid project name "Bad Name": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number',
    });
    await assert.rejects(load(t.dir, { env: { COMPOSE_PROJECT_NAME: '-x' } }), { message: /^invalid project name "-x"/ });
  } finally {
    t.cleanup();
  }
});

test('.env: interpolation, process env wins, COMPOSE_PROFILES, --env-file, missing env file', async () => {
  const t = tempProject({
    'compose.yaml': 'services:\n  a:\n    image: "img:${TAG}"\n    environment:\n      X: ${X}\n      PN: ${COMPOSE_PROJECT_NAME}\n  b:\n    image: b\n    profiles: [extra]\n',
    '.env': 'TAG=1.0\nX="from .env"\nCOMPOSE_PROFILES=extra\n',
    'other.env': 'TAG=2.0\n',
  });
  try {
    const { project } = await load(t.dir, { env: { X: 'from process' } });
    assert.equal(project.services.a!.image, 'img:1.0');
    assert.deepEqual(project.services.a!.environment, { X: 'from process', PN: 'proj' });
    assert.deepEqual(Object.keys(project.services).sort(), ['a', 'b']);
    assert.deepEqual(project.profiles, ['extra']);
    assert.deepEqual(project.env_files, [path.join(t.dir, '.env')]);
    const other = await load(t.dir, { envFiles: ['other.env'] });
    assert.equal(other.project.services.a!.image, 'img:2.0');
    assert.deepEqual(Object.keys(other.project.disabled_services), ['b']);
    await assert.rejects(load(t.dir, { envFiles: ['missing.env'] }), { message: `Couldn't find env file: ${path.join(t.dir, 'missing.env')}` });
  } finally {
    t.cleanup();
  }
});

test('interpolation: unset variable warning, missing required variable, invalid format (paths as compose-go names them)', async () => {
  const t = tempProject({
    'ok.yml': 'services:\n  web:\n    image: "x${UNSET}"\n    tty: "${TTY:-true}"\n    ports: ["${P:-80}:80"]\n',
    'req.yml': 'services:\n  web:\n    image: ${IMG:?set IMG please}\n',
    'bad.yml': 'services:\n  web:\n    image: x\n    volumes:\n      - "${HOME:-/tmp"\n',
    'cast.yml': 'services:\n  web:\n    image: x\n    privileged: "${PRIV:-maybe}"\n',
  });
  try {
    const ok = await load(t.dir, { files: ['ok.yml'] });
    assert.equal(ok.project.services.web!.image, 'x');
    assert.equal(ok.project.services.web!.tty, true);
    assert.deepEqual(ok.warnings, ['The "UNSET" variable is not set. Defaulting to a blank string.']);
    await assert.rejects(load(t.dir, { files: ['req.yml'] }), { message: 'error while interpolating services.web.image: required variable IMG is missing a value: set IMG please' });
    await assert.rejects(load(t.dir, { files: ['bad.yml'] }), {
      message: 'invalid interpolation format for services.web.volumes.[].\nYou may need to escape any $ with another $.\n${HOME:-/tmp',
    });
    await assert.rejects(load(t.dir, { files: ['cast.yml'] }), { message: 'error while interpolating services.web.privileged: failed to cast to expected type: invalid boolean: maybe' });
  } finally {
    t.cleanup();
  }
});

test('bad files: invalid YAML names the file and line; unknown key and wrong type name the path', async () => {
  const t = tempProject({
    'yaml.yml': 'services:\n  web:\n    image: x\n   bad: [\n',
    'key.yml': 'services:\n  web:\n    image: x\n    foo: bar\n',
    'type.yml': 'services:\n  web:\n    image: x\n    ports: "80:80"\n',
    'top.yml': 'services: {}\nbogus: 1\n',
    'noimage.yml': 'services:\n  web:\n    command: echo\n',
    'port.yml': 'services:\n  web:\n    image: x\n    ports: ["80:abc"]\n',
    'empty.yml': '# nothing here\n',
  });
  try {
    await assert.rejects(load(t.dir, { files: ['yaml.yml'] }), (e: Error) => e.message.startsWith(`failed to parse ${path.join(t.dir, 'yaml.yml')}: yaml: line 4: `));
    await assert.rejects(load(t.dir, { files: ['key.yml'] }), { message: `validating ${path.join(t.dir, 'key.yml')}: services.web additional properties 'foo' not allowed (line 2)` });
    await assert.rejects(load(t.dir, { files: ['type.yml'] }), { message: `validating ${path.join(t.dir, 'type.yml')}: services.web.ports must be a array (line 4)` });
    await assert.rejects(load(t.dir, { files: ['top.yml'] }), { message: `validating ${path.join(t.dir, 'top.yml')}:  additional properties 'bogus' not allowed` });
    await assert.rejects(load(t.dir, { files: ['noimage.yml'] }), { message: 'service "web" has neither an image nor a build context specified: invalid compose project' });
    await assert.rejects(load(t.dir, { files: ['port.yml'] }), { message: 'services.web.ports: invalid containerPort: abc' });
    await assert.rejects(load(t.dir, { files: ['empty.yml'] }), { message: 'empty compose file' });
  } finally {
    t.cleanup();
  }
});

test('version is obsolete: warned with the file name and ignored', async () => {
  const t = tempProject({ 'compose.yaml': 'version: "3.9"\nservices:\n  a:\n    image: x\n' });
  try {
    const { warnings } = await load(t.dir);
    assert.deepEqual(warnings, [`${path.join(t.dir, 'compose.yaml')}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`]);
  } finally {
    t.cleanup();
  }
});

test('depends_on: cycle, undefined service, disabled by profile, a service named on the command line', async () => {
  const t = tempProject({
    'cycle.yml': 'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n',
    'undef.yml': 'services:\n  web:\n    image: x\n    depends_on: [db]\n',
    'prof.yml': 'services:\n  web:\n    image: x\n    depends_on: [db]\n  db:\n    image: x\n    profiles: [data]\n  tool:\n    image: x\n    profiles: [tools]\n',
  });
  try {
    await assert.rejects(load(t.dir, { files: ['cycle.yml'] }), { message: 'dependency cycle detected: a -> b -> c -> a' });
    await assert.rejects(load(t.dir, { files: ['undef.yml'] }), { message: 'service "web" depends on undefined service "db": invalid compose project' });
    await assert.rejects(load(t.dir, { files: ['prof.yml'] }), { message: 'service "db" is required by "web" but is disabled. Can be enabled by profiles [data]' });
    const withProfile = await load(t.dir, { files: ['prof.yml'], profiles: ['data'] });
    assert.deepEqual(Object.keys(withProfile.project.services).sort(), ['db', 'web']);
    assert.deepEqual(Object.keys(withProfile.project.disabled_services), ['tool']);
    const named = await load(t.dir, { files: ['prof.yml'], services: ['db'] });
    assert.deepEqual(Object.keys(named.project.services).sort(), ['db', 'web']);
    assert.deepEqual(named.project.profiles, ['data']);
    await assert.rejects(load(t.dir, { files: ['prof.yml'], services: ['web'] }), { message: 'service "db" is required by "web" but is disabled. Can be enabled by profiles [data]' });
    await assert.rejects(load(t.dir, { files: ['prof.yml'], profiles: ['data'], services: ['nope'] }), { message: 'no such service: nope' });
    const all = await load(t.dir, { files: ['prof.yml'], profiles: ['*'] });
    assert.deepEqual(Object.keys(all.project.services).sort(), ['db', 'tool', 'web']);
  } finally {
    t.cleanup();
  }
});

test('undefined network, volume and secret references', async () => {
  const t = tempProject({
    'n.yml': 'services:\n  a:\n    image: x\n    networks: [front]\n',
    'v.yml': 'services:\n  a:\n    image: x\n    volumes: ["data:/d"]\n',
    's.yml': 'services:\n  a:\n    image: x\n    secrets: [pw]\n',
  });
  try {
    await assert.rejects(load(t.dir, { files: ['n.yml'] }), { message: 'service "a" refers to undefined network front: invalid compose project' });
    await assert.rejects(load(t.dir, { files: ['v.yml'] }), { message: 'service "a" refers to undefined volume data: invalid compose project' });
    await assert.rejects(load(t.dir, { files: ['s.yml'] }), { message: 'service "a" refers to undefined secret pw: invalid compose project' });
  } finally {
    t.cleanup();
  }
});

test('.env next to a compose file found in a parent directory; COMPOSE_FILE from .env', async () => {
  const t = tempProject({
    'compose.yaml': 'services:\n  a:\n    image: "x:${TAG}"\n',
    '.env': 'TAG=parent\n',
    'sub/.keep': '',
  });
  const cf = tempProject({ '.env': 'COMPOSE_FILE=one.yml\n', 'one.yml': 'services:\n  one:\n    image: y\n' });
  try {
    assert.equal((await load(path.join(t.dir, 'sub'))).project.services.a!.image, 'x:parent');
    assert.deepEqual(Object.keys((await load(cf.dir)).project.services), ['one']);
  } finally {
    t.cleanup();
    cf.cleanup();
  }
});

test('include cycle', async () => {
  const t = tempProject({ 'compose.yaml': 'include: [b.yml]\nservices: {}\n', 'b.yml': 'include: [compose.yaml]\nservices: {}\n' });
  try {
    await assert.rejects(load(t.dir), { message: /^include cycle detected:\n/ });
  } finally {
    t.cleanup();
  }
});
