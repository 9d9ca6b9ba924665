#!/usr/bin/env python3
"""Rewrites imports of another box's internals to that box's index.ts, merging the imports of
one index into one statement: the mechanical half of fixing a `box-internals` finding of
`npm run lint` (typically after a merge). Then run `tsc --noEmit -p .`: each name it reports
missing is to be exported from that box's index.ts (or moved to common/).

    python3 scripts/fix-box-imports.py [FILE...]     (default: every .ts file under src/ test/ bench/)
"""
import os
import re
import subprocess
import sys

IMPORT = re.compile(r"import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)';\n", re.S)


def box_index(path: str, spec: str):
    """The index.ts that should replace `spec` imported from `path`, or None when it is fine."""
    if not spec.startswith('.'):
        return None
    target = os.path.normpath(os.path.join(os.path.dirname(path), spec)).split('/')
    if len(target) < 3 or target[0] != 'src':
        return None
    own = path.split('/')[1] if path.startswith('src/') else None
    if target[1] == own or (len(target) == 3 and target[2] == 'index.ts'):
        return None
    # A test may use another box's test helpers (the lint's test-uses-box-index-or-helpers rule).
    if path.endswith('.test.ts') and target[-1].endswith('.test-helpers.ts'):
        return None
    rel = os.path.relpath(os.path.join('src', target[1], 'index.ts'), os.path.dirname(path))
    return rel if rel.startswith('.') else './' + rel


def fix(path: str) -> bool:
    src = open(path).read()
    groups: dict[str, list] = {}
    for m in IMPORT.finditer(src):
        ns = box_index(path, m.group(3))
        if ns is None:
            # an import of the index itself joins the group too
            t = os.path.normpath(os.path.join(os.path.dirname(path), m.group(3)))
            if m.group(3).startswith('.') and re.fullmatch(r'src/[^/]+/index\.ts', t):
                groups.setdefault(m.group(3), []).append(m)
            continue
        groups.setdefault(ns, []).append(m)
    edits = []
    for spec, matches in groups.items():
        if all(m.group(3) == spec for m in matches):
            continue  # only imports of the index already: nothing to fix
        names: list[str] = []
        for m in matches:
            for n in (x.strip() for x in m.group(2).split(',')):
                if n and m.group(1) and not n.startswith('type '):
                    n = 'type ' + n
                if n and n not in names:
                    names.append(n)
        all_types = all(n.startswith('type ') for n in names)
        shown = [n[5:] for n in names] if all_types else names
        head = 'import type {' if all_types else 'import {'
        one = f"{head} {', '.join(shown)} }} from '{spec}';\n"
        stmt = one if len(one) <= 110 else head + '\n' + ''.join(f'  {n},\n' for n in shown) + f"}} from '{spec}';\n"
        edits.append((matches[0].start(), matches[0].end(), stmt))
        edits.extend((m.start(), m.end(), '') for m in matches[1:])
    if not edits:
        return False
    for start, end, text in sorted(edits, reverse=True):
        src = src[:start] + text + src[end:]
    open(path, 'w').write(src)
    return True


def main() -> None:
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    files = sys.argv[1:] or subprocess.run(
        ['git', 'ls-files', '--cached', '--others', '--exclude-standard', 'src/*.ts', 'test/*.ts', 'bench/*.ts'],
        capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        if f.endswith('.ts') and fix(f):
            print('rewrote', f)


if __name__ == '__main__':
    main()
