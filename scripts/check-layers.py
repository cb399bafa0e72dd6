#!/usr/bin/env python3
"""Which folders of the library name which other folders' types, and whether that follows the
layers (README "Architecture"):

    Analysis   Storage        (bottom: text → tokens; files, maps, locks, checksums, compression)
         \     /
          Index               (term keys, postings, dictionaries, segments, writer, merges, commits)
         /     \
    Search   Corpus           (queries, ranking, collectors, highlights; reading JSONL/text corpora)

Each folder may name the types of the folders listed for it in ALLOWED and no other.

Usage: scripts/check-layers.py [--check]   (CI runs it with --check)
Prints the dependency graph (folder → folder: the types named, counted over top-level types, with
comments and string literals stripped) and every edge that goes against the layer order; with
--check exits 1 when there is one. A type is attributed to the folder of the file declaring it.
"""
import os, re, sys

ROOT = os.path.join(os.path.dirname(__file__), '..', 'Sources', 'BigramSearch')
ORDER = ['Analysis', 'Storage', 'Index', 'Search', 'Corpus']
ALLOWED = {
    'Analysis': set(),
    'Storage': set(),
    'Index': {'Analysis', 'Storage'},
    # Search reports damage as the storage layer's error (SearchError.damagedIndex(StorageError)).
    'Search': {'Analysis', 'Index', 'Storage'},
    'Corpus': {'Analysis', 'Index', 'Storage'},
}

def strip(code):
    code = re.sub(r'/\*.*?\*/', '', code, flags=re.S)
    code = re.sub(r'"""(?:.|\n)*?"""', '""', code)
    code = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', code)
    return '\n'.join(l.split('//')[0] for l in code.split('\n'))

def main():
    files = {}
    for folder in ORDER:
        d = os.path.join(ROOT, folder)
        for f in sorted(os.listdir(d)):
            if f.endswith('.swift'):
                files[os.path.join(folder, f)] = strip(open(os.path.join(d, f), encoding='utf-8').read())
    owner = {}
    decl = re.compile(r'^((?:@\w+[ \t]+)*(?:(?:public|package|internal|fileprivate|private|final|indirect)[ \t]+)*)(?:struct|class|enum|protocol|actor|typealias)[ \t]+(\w+)', re.M)
    for path, code in files.items():
        for m in decl.finditer(code):   # top-level declarations only (no indentation)
            owner.setdefault(m.group(2), path.split('/')[0])
    edges = {}
    for path, code in files.items():
        here = path.split('/')[0]
        names = set(re.findall(r'\b([A-Z]\w*)\b', code))
        for n in names:
            there = owner.get(n)
            if there and there != here:
                edges.setdefault((here, there), set()).add(n)
    bad = []
    for (a, b), types in sorted(edges.items()):
        upward = b not in ALLOWED[a]
        mark = '  ✗ against the layers' if upward else ''
        print(f'{a} → {b}: {len(types)} types ({", ".join(sorted(types)[:8])}{", …" if len(types) > 8 else ""}){mark}')
        if upward: bad.append((a, b))
    print(f'{len(bad)} edge(s) against the layers')
    if '--check' in sys.argv and bad: sys.exit(1)

main()
