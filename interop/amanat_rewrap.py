#!/usr/bin/env python3
"""Reads an amanat rewrap file (docs/FORMAT.md section 9), written from FORMAT.md alone.

    amanat_rewrap.py FILE

Applies the checks of section 9.3 (1 to 11, and 7b to 11b for attachment and addendum lines of version 2) in
their order, and verifies the signature (check 14) when the trailer has one. On success it prints one line,
`FORMAT: R record lines, A attachment lines, D addendum lines, signed by amanat-sig-…` (or `unsigned`), and
exits 0; on the first failure it prints the check's description to standard error and exits 1."""

import hashlib
import json
import sys

import nacl.exceptions
import nacl.signing

from amanat_open import NumberLiteral, Tampered, base64_decode_strict, canonical_json, decode_envelope, nfc
from amanat_verify import SigningKeyTextError, parse_signing_key_text, signing_key_text

VERSION_1 = "amanat-rewrap-1"
VERSION_2 = "amanat-rewrap-2"
SIGNATURE_DOMAIN = b"amanat-rewrap-signature-v1"
HEX = set("0123456789abcdef")


class Refused(Exception):
    pass


def is_hex(value, digits):
    return isinstance(value, str) and not isinstance(value, NumberLiteral) and len(value) == digits \
        and set(value) <= HEX


def parse_line(line):
    """Any JSON value under §4.2, nested at most 2 deep (section 9.3), or None."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        return None

    def unique(pairs):
        keys = [nfc(key) for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate member")
        return dict(pairs)

    def refuse(_):
        raise ValueError("not an RFC 8259 token")

    try:
        value = json.loads(text, object_pairs_hook=unique, parse_int=NumberLiteral, parse_float=NumberLiteral,
                           parse_constant=refuse)
    except (ValueError, RecursionError):
        return None

    def depth(item):
        if isinstance(item, dict):
            return 1 + max((depth(member) for member in item.values()), default=0)
        if isinstance(item, list):
            return 1 + max((depth(member) for member in item), default=0)
        return 0
    return value if depth(value) <= 2 else None


def check_envelope(value, name, record_id, number, what):
    """Checks 9 to 11 (or 9b to 11b) for the envelope `value` of line `number`, named `what`."""
    data = base64_decode_strict(value) if isinstance(value, str) and not isinstance(value, NumberLiteral) else None
    if data is None:
        raise Refused(f"line {number}: the {what} envelope is not base64")
    try:
        envelope = decode_envelope(data)
    except Tampered as error:
        raise Refused(f"line {number}: the {what} envelope: {error}")
    if envelope.section != name or envelope.record_id != bytes.fromhex(record_id):
        raise Refused(f"line {number}: the {what} envelope belongs elsewhere")


def read(data):
    """The counts of a rewrap file, and its signer's text or None; raises Refused."""
    if not data.endswith(b"\n"):
        raise Refused("the file does not end with a complete line")
    lines = data[:-1].split(b"\n")
    if len(lines) < 3:
        raise Refused("the file holds no records")
    trailer = parse_line(lines[-1])
    if not isinstance(trailer, dict) or not isinstance(trailer.get("digest"), str) \
            or isinstance(trailer["digest"], NumberLiteral) \
            or set(trailer) not in ({"digest"}, {"digest", "signature", "signer"}):
        raise Refused("the last line is not the digest")
    body = data[:len(data) - len(lines[-1]) - 1]
    digest = hashlib.blake2b(body, digest_size=32).digest()
    if trailer["digest"] != digest.hex():
        raise Refused("the digest does not match: the file was altered or truncated")
    signer = None
    if "signer" in trailer:
        try:
            signer = parse_signing_key_text(trailer["signer"]) if isinstance(trailer["signer"], str) else None
        except SigningKeyTextError:
            signer = None
        signature = base64_decode_strict(trailer["signature"]) if isinstance(trailer["signature"], str) else None
        if signer is None or signature is None or len(signature) != 64:
            raise Refused("the last line's signer or signature is malformed")
    values = []
    for number, line in enumerate(lines, start=1):
        value = parse_line(line)
        if value is None or canonical_json(value) != line:
            raise Refused(f"line {number} is not canonical JSON")
        values.append(value)
    header, count = values[0], len(lines) - 2
    version = None
    if isinstance(header, dict) and len(header) == 2:
        for name, member in ((VERSION_1, "records"), (VERSION_2, "lines")):
            literal = header.get(member)
            if header.get("format") == name and isinstance(literal, NumberLiteral) and literal.isdigit() \
                    and (literal == "0" or not literal.startswith("0")) and int(literal) == count:
                version = name
    if version is None:
        named = isinstance(header, dict) and header.get("format") == VERSION_2
        raise Refused(f"the first line is not an {VERSION_2 if named else VERSION_1} header with the right count")
    counts = {"record": 0, "attachment": 0, "addendum": 0}
    seen = {"record": set(), "attachment": set(), "addendum": set()}
    for number, value in enumerate(values[1:-1], start=2):
        kind = "record"
        if version == VERSION_2 and isinstance(value, dict):
            kind = next((name for name in ("attachment", "addendum") if f"{name}_id" in value), "record")
        if kind == "record":
            if not isinstance(value, dict) or not is_hex(value.get("record_id"), 32) \
                    or not is_hex(value.get("replaces"), 64) \
                    or not set(value) <= {"record_id", "replaces", "identity", "testimony"} or len(value) < 3:
                raise Refused(f"line {number} is not a record line")
            identifier = value["record_id"]
        else:
            member = f"{kind}_id"
            if set(value) != {member, "envelope", "record_id", "replaces"} or not is_hex(value[member], 32) \
                    or not is_hex(value["record_id"], 32) or not is_hex(value["replaces"], 64):
                raise Refused(f"line {number} is not an {kind} line")
            identifier = value[member]
        if identifier in seen[kind]:
            raise Refused(f"line {number} repeats {'a record' if kind == 'record' else 'an ' + kind}")
        seen[kind].add(identifier)
        if kind == "record":
            for section in ("identity", "testimony"):
                if section in value:
                    check_envelope(value[section], section, value["record_id"], number, section)
        else:
            check_envelope(value["envelope"], kind, value["record_id"], number, kind)
        counts[kind] += 1
    if signer is not None:
        try:
            nacl.signing.VerifyKey(signer).verify(SIGNATURE_DOMAIN + signer + digest, signature)
        except nacl.exceptions.BadSignatureError:
            raise Refused("the file's signature does not verify: it was altered or forged")
    return version, counts, signer


def main(argv):
    if len(argv) != 2:
        print("usage: amanat_rewrap.py FILE", file=sys.stderr)
        return 64
    with open(argv[1], "rb") as handle:
        data = handle.read()
    try:
        version, counts, signer = read(data)
    except Refused as error:
        print(error, file=sys.stderr)
        return 1
    signed = f"signed by {signing_key_text(signer)}" if signer is not None else "unsigned"
    print(f"{version}: {counts['record']} record lines, {counts['attachment']} attachment lines, "
          f"{counts['addendum']} addendum lines, {signed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
