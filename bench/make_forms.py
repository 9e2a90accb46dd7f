#!/usr/bin/python3
"""Writes N incident forms as JSON Lines, cycling through examples/incidents with a fresh person_ref
and a date spread over two years, so a benchmark batch looks like real intake. With START, the
forms are numbered from START: batches made with different STARTs hold no form twice (record
refuses a form recorded before as a likely duplicate).
Usage: bench/make_forms.py N OUT.jsonl [START]"""
import glob, json, os, sys
import yaml

n, out = int(sys.argv[1]), sys.argv[2]
start = int(sys.argv[3]) if len(sys.argv) > 3 else 0
here = os.path.dirname(os.path.abspath(__file__))
examples = [yaml.safe_load(open(p)) for p in sorted(glob.glob(os.path.join(here, "..", "examples", "incidents", "*.yaml")))]
with open(out, "w") as f:
    for i in range(start, start + n):
        form = json.loads(json.dumps(examples[i % len(examples)]))
        form["person"]["person_ref"] = f"B-{i:07d}"
        year, month = 2024 + (i // 12) % 2, 1 + i % 12
        if len(form["incident"]["date"]) == 10:
            form["incident"]["date"] = f"{year}-{month:02d}-{1 + i % 28:02d}"
            form["response"].pop("first_contact_at", None) if "response" in form else None
        elif len(form["incident"]["date"]) == 7:
            form["incident"]["date"] = f"{year}-{month:02d}"
        f.write(json.dumps(form, ensure_ascii=False) + "\n")
