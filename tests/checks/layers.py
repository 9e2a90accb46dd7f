#!/usr/bin/env python3
"""The layer check: no folder of lib/custody includes a folder above it.

The order is the numbered list between the `layers` markers in ARCHITECTURE.md: a file in a
folder may include its own folder and the folders of lower numbers; folders that share a number
(records and media) may not include each other. A header named *_internal.hpp is private to its
folder. cmd/, tests/, fuzz/ and bench/ stand above every folder. Exits 1 naming each offending
line (file:line), 2 if ARCHITECTURE.md or a folder is missing from the list.
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
root = os.path.abspath(root)
text = open(os.path.join(root, 'ARCHITECTURE.md'), encoding='utf-8').read()
block = re.search(r'<!-- layers -->(.*?)<!-- /layers -->', text, re.S)
if not block:
    sys.exit('ARCHITECTURE.md: no <!-- layers --> block')
rank = {}
for line in block.group(1).splitlines():
    m = re.match(r'\s*(\d+)\.\s+(.*)', line)
    if not m:
        continue
    for folder in re.findall(r'`([a-z_/]+)/`', m.group(2)):
        rank[folder] = int(m.group(1))

lib = os.path.join(root, 'lib', 'custody')
include = re.compile(r'^\s*#\s*include\s*<custody/(.+)/([a-z_0-9]+\.hpp)>')
problems = []
folders = set()
for directory, _, files in os.walk(lib):
    folder = os.path.relpath(directory, lib)
    if folder == '.':
        continue
    if any(f.endswith(('.cpp', '.hpp')) for f in files):
        folders.add(folder)
    for name in sorted(files):
        if not name.endswith(('.cpp', '.hpp')):
            continue
        path = os.path.join(directory, name)
        for number, line in enumerate(open(path, encoding='utf-8'), 1):
            m = include.match(line)
            if not m:
                continue
            target, header = m.group(1), m.group(2)
            where = f'{os.path.relpath(path, root)}:{number}'
            if target not in rank:
                problems.append(f'{where}: includes <custody/{target}/{header}>, a folder ARCHITECTURE.md does not list')
                continue
            if header.endswith('_internal.hpp') and target != folder:
                problems.append(f'{where}: {target}/{header} is private to {target}/')
            if target == folder or folder not in rank:
                continue
            if rank[target] >= rank[folder]:
                problems.append(f'{where}: {folder}/ (layer {rank[folder]}) includes {target}/ (layer {rank[target]}), '
                                'which is not below it')
missing = sorted(folders - rank.keys())
for folder in missing:
    print(f'lib/custody/{folder}/: not in ARCHITECTURE.md\'s layers; add it there', file=sys.stderr)
for problem in problems:
    print(problem, file=sys.stderr)
if missing:
    sys.exit(2)
if problems:
    sys.exit(1)
print(f'ok: {len(folders)} folders, no include runs up or sideways')
