// Box boundaries, checked by `npm run lint` (scripts/lint.sh) before the unit tests.
// A box is a folder directly under src/ (api, cli, common, content, daemon, image, ...): new
// boxes need no entry here. See docs/architecture.md, "Boundaries".
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'box-internals',
      comment:
        'A box uses another box only through its index.ts (src/<box>/index.ts). ' +
        'Export what you need from that index.ts, or move what both boxes share to src/common/.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/[^/]+/.', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'test-uses-box-index-or-helpers',
      comment:
        "A unit test uses another box through its index.ts, or through that box's test helpers " +
        '(*.test-helpers.ts: fakes and fixtures shared by tests, never by production code).',
      severity: 'error',
      from: { path: '^src/([^/]+)/.*\\.test\\.ts$' },
      to: { path: '^src/[^/]+/.', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '\\.test-helpers\\.ts$'] },
    },
    {
      name: 'outside-uses-box-index',
      comment:
        'test/, bench/ and scripts/ stand outside the boxes: they reach src/ through a box index.ts ' +
        '(integration tests drive berthd as a black box and must not pin internals).',
      severity: 'error',
      from: { path: '^(test|bench|scripts)/' },
      to: { path: '^src/[^/]+/.', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    {
      name: 'src-not-on-test',
      comment: 'Code in src/ does not import test/ or bench/ (only the golden-file recorders in testdata/ may).',
      severity: 'error',
      from: { path: '^src/', pathNot: '/testdata/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'common-is-a-leaf',
      comment: 'src/common/ holds what every box shares; it depends on no other box.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'api-not-on-daemon',
      comment:
        'api/ declares the backend interfaces that daemon/ implements; it never depends on daemon/ ' +
        '(nor on cli/: the CLI is a client of the wire format only).',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(daemon|cli)/' },
    },
    {
      name: 'entries-not-imported',
      comment: 'daemon/ is the composition root and cli/ a separate program: no other box imports them.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '^src/(daemon|cli)/' },
      to: { path: '^src/(daemon|cli)/' },
    },
    {
      name: 'registry-is-a-separate-program',
      comment:
        'registry/ is berth-registry, a program of its own (src/registry/main.ts): berthd and the CLI never ' +
        'import it; what both need lives in a shared box (content/, common/).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/registry/' },
      to: { path: '^src/registry/' },
    },
    {
      name: 'test-helpers-only-in-tests',
      comment: 'Test helpers (*.test-helpers.ts) are imported by tests and other test helpers only.',
      severity: 'error',
      from: { pathNot: ['\\.test\\.ts$', '\\.test-helpers\\.ts$', '^test/', '^bench/', '/testdata/'] },
      to: { path: '\\.test-helpers\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|build|dist|native)/' },
    // Type-only imports count: a type is as much a box's internals as a function.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      conditionNames: ['import', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
