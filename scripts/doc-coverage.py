#!/usr/bin/env python3
"""Lists public declarations of the library without a DocC comment (`///` or `/** */` just above).

Usage: scripts/doc-coverage.py [--check] [DIR]   (DIR: Sources/BigramSearch by default)
Prints the coverage and each undocumented declaration; with --check exits 1 when any is missing.
A declaration is `public` or `open` (func, init, var, let, subscript, case, struct, class, enum,
protocol, typealias, extension members); `public extension` blocks count their members.
Enum cases count too: every case needs its own comment (a `case a, b` line counts once).
"""
import os, re, sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|open|package)\s+)?(?:(?:static|final|nonisolated|mutating|override|convenience|required|indirect|lazy|dynamic|class)\s+)*(func|init|var|let|subscript|case|struct|class|enum|protocol|typealias|actor)\b')

def scan(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    results = []
    # Track braces to know whether we're inside a public type or public extension.
    stack = []  # each entry: 'public' or 'other'
    depth = 0
    in_block_comment = False
    for i, raw in enumerate(lines):
        line = raw
        stripped = line.strip()
        if in_block_comment:
            if '*/' in stripped: in_block_comment = False
            continue
        if stripped.startswith('/*') and not stripped.startswith('/**'):
            if '*/' not in stripped: in_block_comment = True
            continue
        m = DECL.match(line)
        enclosing_public = bool(stack) and stack[-1][1] == 'public'
        enclosing_kind = stack[-1][2] if stack else None
        kind = m.group(1) if m else None
        modifiers = line[:m.start(1)] if m else ''
        is_public = re.search(r'\b(public|open)\b', modifiers) is not None
        # enum cases of a public enum are public; members of a public protocol are public
        implicit = m and ((kind == 'case' and enclosing_kind == 'enum' and enclosing_public) or
                          (enclosing_kind == 'protocol' and enclosing_public))
        if m and (is_public or implicit) and not re.search(r'\b(private|fileprivate|internal|package)\b', modifiers):
            if kind == 'case' and enclosing_kind != 'enum':
                pass
            else:
                j = i - 1
                while j >= 0 and lines[j].strip().startswith('@'):
                    j -= 1
                prev = lines[j].strip() if j >= 0 else ''
                documented = prev.startswith('///') or prev.endswith('*/')
                results.append((i + 1, stripped[:110], documented))
        # brace tracking (ignores braces in strings well enough for this code base)
        code = re.sub(r'"(?:\\.|[^"\\])*"', '""', line.split('//')[0])
        opens, closes = code.count('{'), code.count('}')
        if opens > closes:
            head = code.split('{')[0]
            typ = None
            mm = re.search(r'\b(struct|class|enum|protocol|extension|actor)\b', head)
            if mm and not re.search(r'\b(func|init|var|let|subscript)\b', head[:mm.start()]):
                typ = mm.group(1)
            pub = 'public' if mm and re.search(r'\b(public|open)\b', head[:mm.start()]) else 'other'
            if typ == 'extension' and re.search(r'\bpublic\b', head): pub = 'public'
            for _ in range(opens - closes):
                stack.append((i, pub if typ else 'other', typ))
        elif closes > opens:
            for _ in range(closes - opens):
                if stack: stack.pop()
    return results

def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    check = '--check' in sys.argv
    root = args[0] if args else os.path.join(os.path.dirname(__file__), '..', 'Sources', 'BigramSearch')
    total = missing = 0
    report = []
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if not f.endswith('.swift'): continue
            p = os.path.join(d, f)
            for line, text, ok in scan(p):
                total += 1
                if not ok:
                    missing += 1
                    report.append(f'{os.path.relpath(p, root)}:{line}: {text}')
    for r in report: print(r)
    pct = 100.0 * (total - missing) / total if total else 100.0
    print(f'documented: {total - missing} of {total} public declarations ({pct:.1f}%)')
    if check and missing: sys.exit(1)

main()
