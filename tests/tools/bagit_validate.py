#!/usr/bin/env python3
"""An independent BagIt validator (RFC 8493), written from the RFC for the tests, sharing no code
with lib/custody/export/. Debian 12 packages no BagIt validator (python3-bagit is not in bookworm;
docs/decisions.md, "Court bundles (issue 16)"), so this one is itself checked against the Library of
Congress conformance suite (tests/vectors/bagit/, ctest check:bagit-validator).

    bagit_validate.py BAG            exit 0 valid (warnings on stderr), 1 invalid (reasons on stderr)
    bagit_validate.py --suite DIR    runs every bag of DIR/INDEX.tsv against its expected verdict

Standard library only. Strict for 1.0 bags; 0.97 bags get the leniencies the RFC's history allows.
"""
import codecs
import hashlib
import os
import re
import sys
import unicodedata

ALGORITHMS = {'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'}


class Invalid(Exception):
    pass


def decode_path(text):
    """Only %0A, %0D and %25 are decoded (RFC 8493 section 2.1.3); nothing else."""
    return re.sub(r'%(0[AaDd]|25)', lambda m: chr(int(m.group(1), 16)), text)


def check_scope(path, what):
    parts = path.split('/')
    if path.startswith('/') or path.startswith('~') or '..' in parts or '\\..' in path or '..\\' in path:
        raise Invalid(f'{what}: path {path!r} escapes the bag (RFC 8493 section 5.1)')


def read_lines(path, encoding):
    data = open(path, 'rb').read()
    if encoding.lower().replace('-', '') == 'utf8' and data.startswith(codecs.BOM_UTF8):
        raise Invalid(f'{os.path.basename(path)}: starts with a byte order mark')
    text = data.decode(encoding)
    return [line for line in re.split(r'\r\n|\r|\n', text)][:-1] if text else []


def all_files(base, top):
    out = []
    for directory, dirs, files in os.walk(os.path.join(base, top)):
        for name in files:
            out.append(os.path.relpath(os.path.join(directory, name), base).replace(os.sep, '/'))
    return out


def digest(path, algorithm):
    h = hashlib.new(algorithm)
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def validate(base):
    warnings = []
    bagit = os.path.join(base, 'bagit.txt')
    if not os.path.isfile(bagit):
        raise Invalid('no bagit.txt')
    raw = open(bagit, 'rb').read()
    if raw.startswith(codecs.BOM_UTF8):
        raise Invalid('bagit.txt: starts with a byte order mark')
    lines = re.split(r'\r\n|\r|\n', raw.decode('utf-8'))
    if lines and lines[-1] == '':
        lines.pop()
    if len(lines) != 2:
        raise Invalid(f'bagit.txt: {len(lines)} lines, 2 expected')
    m = re.fullmatch(r'BagIt-Version: (\d+)\.(\d+)', lines[0])
    if not m:
        raise Invalid(f'bagit.txt: bad version line {lines[0]!r}')
    version = (int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r'Tag-File-Character-Encoding: (\S+)', lines[1])
    if not m:
        raise Invalid(f'bagit.txt: bad encoding line {lines[1]!r}')
    encoding = m.group(1)
    strict = version >= (1, 0)

    if not os.path.isdir(os.path.join(base, 'data')):
        raise Invalid('no data/ directory')
    names = os.listdir(base)
    payload_manifests = sorted(n for n in names if re.fullmatch(r'manifest-([a-z0-9]+)\.txt', n))
    tag_manifests = sorted(n for n in names if re.fullmatch(r'tagmanifest-([a-z0-9]+)\.txt', n))
    if not payload_manifests:
        raise Invalid('no payload manifest')
    actual = set(all_files(base, 'data'))
    nfc_actual = {unicodedata.normalize('NFC', p): p for p in actual}

    def parse(manifest, payload):
        algorithm = re.fullmatch(r'(?:tag)?manifest-([a-z0-9]+)\.txt', manifest).group(1)
        if algorithm not in ALGORITHMS:
            raise Invalid(f'{manifest}: unknown algorithm {algorithm}')
        entries = {}
        for number, line in enumerate(read_lines(os.path.join(base, manifest), encoding), 1):
            if not line.strip():
                continue
            m = re.fullmatch(r'([0-9A-Fa-f]+)[ \t]+(.*)', line)
            if not m:
                raise Invalid(f'{manifest}:{number}: not "<checksum> <path>"')
            checksum, path = m.group(1).lower(), decode_path(m.group(2))
            if path.startswith('*'):
                warnings.append(f'{manifest}:{number}: md5sum binary marker')
                path = path[1:]
            if path.startswith('./'):
                warnings.append(f'{manifest}:{number}: path starts with ./')
                path = path[2:]
            check_scope(path, f'{manifest}:{number}')
            if payload and not path.startswith('data/'):
                raise Invalid(f'{manifest}:{number}: {path!r} is not under data/')
            if not payload and path.startswith('data/'):
                raise Invalid(f'{manifest}:{number}: a tag manifest lists payload {path!r}')
            if path in entries:
                if strict or entries[path] != checksum:
                    raise Invalid(f'{manifest}:{number}: {path!r} listed twice')
                warnings.append(f'{manifest}:{number}: {path!r} listed twice')
            entries[path] = checksum
        return algorithm, entries

    def check(manifest, algorithm, entries, payload):
        seen_nfc = set()
        for path, checksum in entries.items():
            full = os.path.join(base, path)
            nfc = unicodedata.normalize('NFC', path)
            if nfc in seen_nfc:
                warnings.append(f'{manifest}: {path!r} listed twice under Unicode normalisation')
                continue
            seen_nfc.add(nfc)
            if not os.path.isfile(full):
                if payload and nfc in nfc_actual:
                    warnings.append(f'{manifest}: {path!r} found only after Unicode normalisation')
                    full = os.path.join(base, nfc_actual[nfc])
                else:
                    raise Invalid(f'{manifest}: {path!r} is missing (bag incomplete)')
            if digest(full, algorithm) != checksum:
                raise Invalid(f'{manifest}: {path!r} does not match its {algorithm} checksum')

    fetched = set()
    fetch = os.path.join(base, 'fetch.txt')
    if os.path.isfile(fetch):
        for number, line in enumerate(read_lines(fetch, encoding), 1):
            m = re.fullmatch(r'(\S+)[ \t]+(\d+|-)[ \t]+(.*)', line)
            if not m:
                raise Invalid(f'fetch.txt:{number}: not "<url> <length> <path>"')
            path = decode_path(m.group(3))
            check_scope(path, f'fetch.txt:{number}')
            fetched.add(path)

    listed = []
    for manifest in payload_manifests:
        algorithm, entries = parse(manifest, True)
        check(manifest, algorithm, entries, True)
        for path in actual:
            if path not in entries and unicodedata.normalize('NFC', path) not in {
                    unicodedata.normalize('NFC', p) for p in entries}:
                raise Invalid(f'{manifest}: payload file {path!r} is not listed')
        listed.append(entries)
    for path in fetched:
        if any(path not in entries for entries in listed):
            raise Invalid(f'fetch.txt: {path!r} is in no payload manifest')
    for manifest in tag_manifests:
        algorithm, entries = parse(manifest, False)
        check(manifest, algorithm, entries, False)

    info = os.path.join(base, 'bag-info.txt')
    if os.path.isfile(info):
        labels = []
        for number, line in enumerate(read_lines(info, encoding), 1):
            if line[:1] in (' ', '\t'):
                if not labels:
                    raise Invalid(f'bag-info.txt:{number}: continuation with no label')
                continue
            m = re.fullmatch(r'([^:\s][^:]*?): (.*)', line) if strict else \
                re.fullmatch(r'([^:]+?)\s*:\s*(.*)', line)
            if not m:
                raise Invalid(f'bag-info.txt:{number}: not "Label: value"')
            labels.append((m.group(1), m.group(2)))
        oxum = [v for k, v in labels if k.lower() == 'payload-oxum']
        if len(oxum) > 1:
            raise Invalid('bag-info.txt: Payload-Oxum repeated')
        if oxum:
            m = re.fullmatch(r'(\d+)\.(\d+)', oxum[0].strip())
            octets = sum(os.path.getsize(os.path.join(base, p)) for p in actual)
            if not m or (int(m.group(1)), int(m.group(2))) != (octets, len(actual)):
                raise Invalid(f'bag-info.txt: Payload-Oxum {oxum[0]} but the payload is {octets}.{len(actual)}')
    return warnings


def verdict(base):
    try:
        return 'valid', validate(base)
    except (Invalid, UnicodeDecodeError, LookupError) as e:
        return 'invalid', [str(e)]


def suite(directory):
    failures = 0
    count = 0
    for line in open(os.path.join(directory, 'INDEX.tsv'), encoding='utf-8'):
        if line.startswith('#') or line.startswith('path\t'):
            continue
        path, expected = line.rstrip('\n').split('\t')[:2]
        if expected == 'invalid on Windows':
            continue  # drive letters and UNC paths are plain names on POSIX
        got, reasons = verdict(os.path.join(directory, 'conformance-suite', path))
        want = {'valid': {'valid'}, 'warning': {'valid'}, 'invalid': {'invalid'},
                'invalid on POSIX': {'invalid'}}[expected]
        if path.endswith('duplicate-file-with-different-case'):
            want = {'valid', 'invalid'}  # lists data/HELLO.txt, absent on a case-sensitive filesystem
        if path.endswith('special-system-files'):
            want = {'valid', 'invalid'}  # lists data/.DS_Store, which this copy of the suite lacks
        count += 1
        if got not in want:
            failures += 1
            print(f'FAIL {path}: expected {expected}, got {got}: {"; ".join(reasons)}', file=sys.stderr)
    print(f'{count} bags, {failures} failures')
    return 1 if failures else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--suite':
        sys.exit(suite(sys.argv[2]))
    if len(sys.argv) != 2:
        sys.exit('usage: bagit_validate.py BAG | --suite DIR')
    got, reasons = verdict(sys.argv[1])
    for reason in reasons:
        print(('warning: ' if got == 'valid' else 'invalid: ') + reason, file=sys.stderr)
    sys.exit(0 if got == 'valid' else 1)


if __name__ == '__main__':
    main()
