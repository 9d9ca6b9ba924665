import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from './changes.ts';
import { processWord, splitWords } from './shell-words.ts';

test('CMD and ENTRYPOINT: JSON exec form or shell form', () => {
  assert.deepEqual(applyChanges({}, ['CMD ["echo","hi"]']).Cmd, ['echo', 'hi']);
  assert.deepEqual(applyChanges({}, ['cmd echo hi there']).Cmd, ['/bin/sh', '-c', 'echo hi there']);
  assert.deepEqual(applyChanges({}, ['CMD [not json']).Cmd, ['/bin/sh', '-c', '[not json']);
  const c = applyChanges({ Cmd: ['old'] }, ['ENTRYPOINT /start.sh --x']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', '/start.sh --x']);
  assert.equal(c.Cmd, null, 'ENTRYPOINT resets an inherited CMD');
  const d = applyChanges({}, ['CMD ["a"]', 'ENTRYPOINT ["e"]']);
  assert.deepEqual([d.Entrypoint, d.Cmd], [['e'], ['a']], 'a CMD set by the same changes stays');
});

test('ENV in both forms, with expansion and quotes', () => {
  const c = applyChanges({ Env: ['PATH=/bin'] }, [
    'ENV A=1 B="two words" C=\'$A\'',
    'ENV LEGACY some value with spaces',
    'ENV PATH=$PATH:/opt/bin D=${A}x E=${NOPE:-dflt} F=${A:+set}',
    'ENV A=overwritten',
  ]);
  assert.deepEqual(c.Env, [
    'PATH=/bin:/opt/bin',
    'A=overwritten',
    'B=two words',
    'C=$A',
    'LEGACY=some value with spaces',
    'D=1x',
    'E=dflt',
    'F=set',
  ]);
  assert.throws(() => applyChanges({}, ['ENV A=1 B']), /Syntax error - can't find = in "B". Must be of the form: name=value/);
  assert.throws(() => applyChanges({}, ['ENV lonely']), /ENV must have two arguments/);
});

test('LABEL, EXPOSE, USER, VOLUME, WORKDIR, STOPSIGNAL, ONBUILD, HEALTHCHECK', () => {
  const c = applyChanges({}, [
    'LABEL a=b "c d"="e f"',
    'EXPOSE 80 53/udp 8000-8002',
    'USER app:app',
    'VOLUME ["/data", "/logs"]',
    'VOLUME /cache',
    'WORKDIR /srv',
    'WORKDIR app',
    'STOPSIGNAL SIGINT',
    'ONBUILD RUN make',
    'HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/',
  ]);
  assert.deepEqual(c.Labels, { a: 'b', 'c d': 'e f' });
  assert.deepEqual(Object.keys(c.ExposedPorts!), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp', '8002/tcp']);
  assert.equal(c.User, 'app:app');
  assert.deepEqual(c.Volumes, { '/data': {}, '/logs': {}, '/cache': {} });
  assert.equal(c.WorkingDir, '/srv/app');
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.OnBuild, ['RUN make']);
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 5_000_000_000, Retries: 3 });
  assert.deepEqual(applyChanges({}, ['HEALTHCHECK NONE']).Healthcheck, { Test: ['NONE'] });
  assert.deepEqual(applyChanges({}, ['HEALTHCHECK CMD ["true"]']).Healthcheck, { Test: ['CMD', 'true'] });
});

test('refuses what Docker refuses, with its words', () => {
  const table: [string, RegExp][] = [
    ['RUN make', /^run is not a valid change command$/],
    ['FROM scratch', /^from is not a valid change command$/],
    ['ADD . /', /^add is not a valid change command$/],
    ['EXPOSE 80/icmp', /^invalid proto: icmp$/],
    ['EXPOSE http', /^invalid containerPort: http$/],
    ['STOPSIGNAL SIGNOPE', /^Invalid signal: SIGNOPE$/],
    ['ONBUILD ONBUILD RUN x', /Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed/],
    ['ONBUILD FROM x', /^FROM isn't allowed as an ONBUILD trigger$/],
    ['VOLUME [""]', /VOLUME specified can not be an empty string/],
    ['HEALTHCHECK --bogus=1 CMD x', /Unknown flag: bogus/],
    ['HEALTHCHECK RUN x', /Unknown type "RUN" in HEALTHCHECK \(try CMD\)/],
  ];
  for (const [change, re] of table) {
    assert.throws(() => applyChanges({}, [change]), (e: Error & { kind: string }) => re.test(e.message) && e.kind === 'InvalidParameter', change);
  }
  // Nothing is applied when any instruction is invalid.
  assert.throws(() => applyChanges({}, ['ENV A=1', 'MAINTAINER me']), /maintainer is not a valid change command/);
});

test('shell words: splitting keeps quotes, processing removes them', () => {
  assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ['a', '"b c"', "'d e'", 'f\\ g']);
  assert.equal(processWord(`"a \\"q\\" $X"`, ['X=1']), 'a "q" 1');
  assert.equal(processWord(`'$X'`, ['X=1']), '$X');
  assert.equal(processWord('f\\ g', []), 'f g');
  assert.equal(processWord('${X-d}${Y:-e}', ['X=', 'Y=']), 'e');
});
