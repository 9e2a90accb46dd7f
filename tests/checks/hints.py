#!/usr/bin/env python3
"""The hint rule: a hint in lib/ never names a custody command or a --flag.

The library returns a code and a Remedy (base/error.hpp); cmd/output.cpp words each remedy, so a
flag's spelling lives in cmd/ alone. This reads every lib/custody source with comments removed and
checks the hint arguments of make_error(code, message, hint...), Error{code, message, hint, ...},
age's no_match(what, hint) and any `hint = "..."` assignment: none of their string literals may
hold `custody <command>` or --<flag>. Exits 1 naming each offending file:line.
"""
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..', '..'))
lib = os.path.join(root, 'lib', 'custody')
forbidden = re.compile(r'`custody [a-z]|custody (?:init|key|record|attach|extract|list|show|log|'
                       r'verify|checkpoint|prove|media-facts)\b|(?<![\w-])--[a-z]')
literal = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def strip_comments(text):
    """Comments become spaces (newlines kept, so line numbers hold); string literals stay."""
    out, i = [], 0
    while i < len(text):
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = len(text) if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = len(text) if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text[i] == '"':
            m = literal.match(text, i)
            j = m.end() if m else i + 1
            out.append(text[i:j])
            i = j
        elif text[i] == "'":
            m = re.compile(r"'(?:[^'\\\n]|\\.)*'").match(text, i)
            j = m.end() if m else i + 1
            out.append(text[i:j])
            i = j
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def arguments(text, start):
    """The top-level arguments (text, offset) of the call whose opening bracket is at start."""
    close = {'(': ')', '{': '}'}[text[start]]
    depth, args, begin, i = 0, [], start + 1, start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = literal.match(text, i).end()
            continue
        if c in '({[':
            depth += 1
        elif c in ')}]':
            depth -= 1
            if depth == 0:
                args.append((text[begin:i], begin))
                return args
        elif c == ',' and depth == 1:
            args.append((text[begin:i], begin))
            begin = i + 1
        i += 1
    return args


calls = re.compile(r'\b(make_error|no_match)\s*\(|\bError\s*\{')
assignment = re.compile(r'\bhint\s*=\s*("(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*)')
problems = []
for folder, _, files in os.walk(lib):
    for name in sorted(files):
        if not name.endswith(('.cpp', '.hpp')):
            continue
        path = os.path.join(folder, name)
        text = strip_comments(open(path, encoding='utf-8').read())
        hints = []
        for m in calls.finditer(text):
            args = arguments(text, m.end() - 1)
            first_hint = 1 if m.group(1) == 'no_match' else 2
            hints.extend(args[first_hint:])
        hints.extend((m.group(1), m.start(1)) for m in assignment.finditer(text))
        for hint, offset in hints:
            for piece in literal.finditer(hint):
                if forbidden.search(piece.group(0)):
                    line = text.count('\n', 0, offset + piece.start()) + 1
                    where = os.path.relpath(path, root)
                    problems.append(f'{where}:{line}: a hint names a command or flag: {piece.group(0)} '
                                    '(return a Remedy; cmd/output.cpp words it)')
for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit(1)
print('hints: no hint in lib/ names a custody command or a flag')
