#!/usr/bin/env python3
"""The doc-reference check: every section of docs/formats.md or docs/design.md, and every invariant,
that the code and the docs cite exists.

Reads lib/, cmd/, tests/, fuzz/, bench/, docs/, man/ and the top-level Markdown files for
"formats.md section 6.2.1", "formats.md 10.2", "design.md section 8", "invariant 7",
"invariants 16-18", "invariants 7 and 10-14", "invariants 1-5, 7, 10-13". Sections are the
numbered headings of the document; invariants the numbered list of formats.md section 11. Exits 1
naming file:line for each citation that does not exist.
"""
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..'))


def headings(name):
    text = open(os.path.join(root, 'docs', name), encoding='utf-8').read()
    return set(re.findall(r'^#+\s+(\d+(?:\.\d+)*)\.?\s', text, re.M)), text


formats, formats_text = headings('formats.md')
design, _ = headings('design.md')
invariants_block = re.search(r'^## 11\..*?(?=^## )', formats_text, re.S | re.M)
if not invariants_block:
    sys.exit('docs/formats.md: no section 11 (the invariants)')
invariants = {int(n) for n in re.findall(r'^(\d+)\. ', invariants_block.group(0), re.M)}

section_ref = re.compile(r'(formats|design)\.md(?:[\s,]+(?:section|§)\s*|\s+)(\d+(?:\.\d+)*)\b')
invariant_ref = re.compile(r'\binvariants?\s+((?:\d+(?:\s*[-–]\s*\d+)?(?:\s*(?:,|and)\s*)?)+)')


def numbers(text):
    out = []
    for part in re.split(r'\s*(?:,|and)\s*', text.strip()):
        if not part:
            continue
        m = re.fullmatch(r'(\d+)\s*[-–]\s*(\d+)', part)
        if m:
            out += list(range(int(m.group(1)), int(m.group(2)) + 1))
        elif part.isdigit():
            out.append(int(part))
    return out


problems = []
checked = 0
scan = ['lib', 'cmd', 'tests', 'fuzz', 'bench', 'docs', 'man', 'scripts']
paths = [os.path.join(root, f) for f in os.listdir(root) if f.endswith('.md')]
for folder in scan:
    for directory, _, files in os.walk(os.path.join(root, folder)):
        if '/vectors' in directory or '/corpus' in directory:
            continue
        paths += [os.path.join(directory, f) for f in files
                  if f.endswith(('.cpp', '.hpp', '.md', '.sh', '.py', '.1', '.5', '.cmake', '.txt')) or '.' not in f]
for path in sorted(paths):
    if os.path.abspath(path) == os.path.abspath(__file__):
        continue
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
    except (UnicodeDecodeError, IsADirectoryError):
        continue
    rel = os.path.relpath(path, root)
    # A citation may wrap onto the next line: read each line with the one after it.
    for number, line in enumerate(lines, 1):
        text = line + ' ' + (lines[number].lstrip(' /#*-') if number < len(lines) else '')
        for m in section_ref.finditer(line + ' ' + (lines[number].lstrip(' /#*') if number < len(lines) else '')):
            if m.start() >= len(line):
                continue
            doc, section = m.group(1), m.group(2)
            checked += 1
            if section not in (formats if doc == 'formats' else design):
                problems.append(f'{rel}:{number}: cites {doc}.md section {section}, which has no such heading')
        for m in invariant_ref.finditer(text):
            if m.start() >= len(line):
                continue
            for n in numbers(m.group(1)):
                checked += 1
                if n not in invariants:
                    problems.append(f'{rel}:{number}: cites invariant {n}; formats.md section 11 lists 1-{max(invariants)}')
for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit(1)
print(f'ok: {checked} citations of sections and invariants, all found')
