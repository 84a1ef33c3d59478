#!/usr/bin/env python3
"""Check an Amanat receipt offline without any Amanat code, from docs/FORMAT.md §12.6 alone.

    python3 amanat_receipt.py RECEIPT --signing-key KEY [--archive FILE]

RECEIPT is a file (or - for standard input) holding the receipt object, or the whole answer of
`amanat submit --json`, whose `receipt` member it then checks. The receipt must be signed by the
pinned site key KEY (`amanat-sig-…`). With --archive, the receipt's entry is also looked up in an
exported archive of that site: ledger entry `seq` must have the receipt's record id and entry hash.
The archive itself is not verified here; amanat_verify.py does that.

Exit codes, as `amanat receipt verify`: 0 valid, 1 invalid or unreadable, 64 usage error (also a
--signing-key text that does not parse).
"""

import argparse
import base64
import json
import re
import sqlite3
import sys

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

import amanat_verify

PROGRAM = "amanat_receipt"
EXIT_INVALID = 1
EXIT_USAGE = 64

RECEIPT_DOMAIN = b"amanat-receipt-v1"
MEMBERS = {"v", "record_id", "seq", "entry_hash", "signing_key", "signature"}
HEX32 = re.compile(r"[0-9a-f]{32}")
HEX64 = re.compile(r"[0-9a-f]{64}")
BASE64_SHAPE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


class Invalid(Exception):
    pass


def base64_decode_strict(text):
    """Standard base64 with padding, and only its canonical form (§1), or None."""
    if len(text) % 4 or not BASE64_SHAPE.fullmatch(text):
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    return data if base64.b64encode(data).decode("ascii") == text else None


def read_receipt(path):
    try:
        raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    except OSError as error:
        raise Invalid(f"cannot read {path}: {error.strerror}")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Invalid(f"{path} is not JSON")
    if isinstance(value, dict) and isinstance(value.get("receipt"), dict):
        value = value["receipt"]
    if not isinstance(value, dict):
        raise Invalid(f"{path} holds no receipt object")
    return value


def check_receipt(receipt, pinned):
    """The receipt's (record id, seq, entry hash) once its fields and signature check (§12.6)."""
    if set(receipt) != MEMBERS:
        raise Invalid("the receipt does not have exactly the members " + ", ".join(sorted(MEMBERS)))
    if receipt["v"] != 1 or isinstance(receipt["v"], bool):
        raise Invalid("the receipt's version is not 1")
    record_id, seq, entry_hash = receipt["record_id"], receipt["seq"], receipt["entry_hash"]
    if not isinstance(record_id, str) or not HEX32.fullmatch(record_id):
        raise Invalid("the record id is not 32 lowercase hex digits")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 1 << 64:
        raise Invalid("the sequence number is not a positive integer")
    if not isinstance(entry_hash, str) or not HEX64.fullmatch(entry_hash):
        raise Invalid("the entry hash is not 64 lowercase hex digits")
    if receipt["signing_key"] != amanat_verify.signing_key_text(pinned):
        raise Invalid("the receipt names another signing key than the pinned one")
    signature = base64_decode_strict(receipt["signature"]) if isinstance(receipt["signature"], str) else None
    if signature is None or len(signature) != 64:
        raise Invalid("the signature is not 64 bytes of base64")
    message = (RECEIPT_DOMAIN + pinned + bytes.fromhex(record_id) + amanat_verify.u64(seq)
               + bytes.fromhex(entry_hash))
    try:
        VerifyKey(pinned).verify(message, signature)
    except BadSignatureError:
        raise Invalid("the signature does not verify: the receipt was altered or forged")
    return bytes.fromhex(record_id), seq, bytes.fromhex(entry_hash)


def look_up(path, pinned, record_id, seq, entry_hash):
    try:
        connection = amanat_verify.open_archive(path)
    except amanat_verify.ArchiveError as error:
        raise Invalid(str(error))
    try:
        if amanat_verify.site_key_of(connection) != pinned:
            raise Invalid(f"{path} is another site's archive")
        row = connection.execute("SELECT record_id, entry_hash, kind FROM ledger WHERE seq = ?", (seq,)).fetchone()
    except (amanat_verify.Broken, sqlite3.DatabaseError) as error:
        raise Invalid(f"cannot read {path}: {error}")
    finally:
        connection.close()
    if row is None:
        raise Invalid(f"{path} has no ledger entry {seq}: it was cut off, or the archive is older")
    if row[0] != record_id or row[1] != entry_hash:
        raise Invalid(f"ledger entry {seq} of {path} is not the receipt's")
    # §12.6: a receipt is given for a stored record, attachment or addendum, never for a withdrawal or rewrap.
    if row[2] not in (amanat_verify.KIND_RECORD, amanat_verify.KIND_ATTACHMENT, amanat_verify.KIND_ADDENDUM):
        raise Invalid(f"ledger entry {seq} of {path} is a {amanat_verify.KIND_NAMES.get(row[2], 'malformed')} entry, "
                      "for which no receipt is given")


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROGRAM, description="Check an amanat receipt (FORMAT.md 12.6).")
    parser.add_argument("receipt", help="the receipt file, or - for standard input")
    parser.add_argument("--signing-key", required=True, metavar="KEY", help="the site's pinned key, amanat-sig-…")
    parser.add_argument("--archive", help="also find the receipt's entry in this exported archive")
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else 0
    try:
        pinned = amanat_verify.parse_signing_key_text(amanat_verify.trim_key_text(arguments.signing_key))
    except amanat_verify.SigningKeyTextError as error:
        sys.stderr.write(f"{PROGRAM}: error: --signing-key: {error}\n")
        return EXIT_USAGE
    try:
        record_id, seq, entry_hash = check_receipt(read_receipt(arguments.receipt), pinned)
        if arguments.archive:
            look_up(arguments.archive, pinned, record_id, seq, entry_hash)
    except Invalid as invalid:
        print(f"{arguments.receipt}: INVALID: {invalid}")
        return EXIT_INVALID
    where = f"; it is ledger entry {seq} of {arguments.archive}" if arguments.archive else ""
    print(f"{arguments.receipt}: valid: record {record_id.hex()}, ledger entry {seq}, signed by "
          f"{amanat_verify.fingerprint(pinned)}{where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
