// Lists exports that only tests reach: production code (the daemon and the CLI) never calls
// them, not even from their own file. The lint counts tests as users, so these pass it; each is
// either a tool that tests need (move it to a *.test-helpers.ts file) or dead code (remove it
// with its test). Informational, exits 0. Run: npm run lint:test-only
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface KnipIssue {
  file: string;
  exports: { name: string; line: number }[];
}

const root = new URL('../', import.meta.url).pathname;
let out: string;
try {
  out = execFileSync(process.execPath, ['node_modules/knip/bin/knip.js', '--production', '--include', 'exports', '--reporter', 'json', '--no-progress'], {
    cwd: root,
    encoding: 'utf8',
  });
} catch (err) {
  // knip exits 1 when it reports anything; the JSON is on stdout all the same.
  out = (err as { stdout?: string }).stdout ?? '';
}
const issues = (JSON.parse(out) as { issues: KnipIssue[] }).issues;
let count = 0;
for (const issue of issues) {
  const text = readFileSync(root + issue.file, 'utf8');
  for (const e of issue.exports) {
    const uses = text.match(new RegExp(`\\b${e.name.replace(/[$]/g, '\\$')}\\b`, 'g'))?.length ?? 0;
    if (uses > 1) continue; // used in its own file: a unit of the production path that a test pins
    console.log(`${issue.file}:${e.line}  ${e.name}`);
    count++;
  }
}
console.log(`${count} export(s) reached only from tests`);
