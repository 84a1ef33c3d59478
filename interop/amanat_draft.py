#!/usr/bin/env python3
"""Opens a guided intake's draft (docs/FORMAT.md section 15) with its code, as a person typed it, and prints its
snapshot as JSON. Written from FORMAT.md alone: hashlib for the id and the key, PyNaCl for XChaCha20-Poly1305.

    amanat_draft.py DRAFT_FILE CODE

Exit 0 with the snapshot on standard output; 1 with the reason on standard error (a typo in the code, a file of
another draft, bytes that are not a draft or do not open)."""
import base64
import hashlib
import json
import os
import sys

from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
from nacl.exceptions import CryptoError

ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def check_letter(letters):
    """Luhn mod 32 over the alphabet, factors 2, 1, 2, ... from the last letter (section 15.1)."""
    factor, total = 2, 0
    for letter in reversed(letters):
        addend = factor * ALPHABET.index(letter)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def code_bytes(typed):
    letters = "".join(c for c in typed.lower() if c not in " \t-")
    if len(letters) not in (24, 25) or any(c not in ALPHABET for c in letters):
        raise ValueError("a draft code is 24 base32 letters and a check letter")
    if len(letters) == 25 and letters[24] != check_letter(letters[:24]):
        raise ValueError("the code has a typo: the check letter does not match")
    return base64.b32decode(letters[:24].upper())


def main():
    path, typed = sys.argv[1], sys.argv[2]
    try:
        code = code_bytes(typed)
    except ValueError as error:
        sys.exit(f"amanat_draft.py: {error}")
    draft_id = hashlib.blake2b(b"amanat draft id v1" + code, digest_size=32).digest()
    key = hashlib.blake2b(b"amanat draft key v1" + code, digest_size=32).digest()
    # amanatd names the file UID-ID (PROTOCOL.md section 2.13).
    if not os.path.basename(path).endswith("-" + draft_id.hex()):
        sys.exit("amanat_draft.py: the file is not the draft of this code")
    data = open(path, "rb").read()
    if len(data) < 5 + 24 + 16 or data[:4] != b"AMDR" or data[4] != 1:
        sys.exit("amanat_draft.py: not a draft of version 1")
    try:
        padded = crypto_aead_xchacha20poly1305_ietf_decrypt(data[29:], data[:5] + draft_id, data[5:29], key)
    except CryptoError:
        sys.exit("amanat_draft.py: the draft does not open under this code")
    content = padded.rstrip(b"\0")
    if not content.endswith(b"\x80"):
        sys.exit("amanat_draft.py: the snapshot's padding is malformed")
    snapshot = json.loads(content[:-1].decode("utf-8"))
    print(json.dumps(snapshot, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
