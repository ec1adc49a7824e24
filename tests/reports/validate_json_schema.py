#!/usr/bin/python3
"""Validate a JSON document against a JSON schema (draft 4, as the OASIS
SARIF 2.1.0 schema uses) with Debian's python3-jsonschema. No network: the
schema is a local file and it has no external $ref.
Usage: validate_json_schema.py SCHEMA DOCUMENT   (exit 0 valid, 1 invalid)"""
import json
import sys

import jsonschema

def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    doc = json.load(open(sys.argv[2], encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:20]:
        print("schema error at /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message), file=sys.stderr)
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main())
