#!/usr/bin/env python3
"""Open a copy of an Amanat database without any Amanat code.

This reader was written from docs/FORMAT.md alone, to prove that the spec is enough to get the
archive back: if Amanat's own tools are lost, a key holder with this file, PyNaCl and a key file can
still read every testimony. Section numbers in comments (§6.3) point into FORMAT.md.

Its output has the shape of `amanat-keyholder open` (JSON Lines, §8.1), so interop/check.sh can
compare the two line by line.

    python3 amanat_open.py DATABASE [DATABASE ...] --key KEYFILE [--key KEYFILE ...]
                           [--passphrase-file FILE] [--signing-key KEY ...] [--no-verify]
                           [--attachments-dir NEWDIR]

Each record's attachments (evidence files) and addenda are listed with it (§14.3). With --attachments-dir,
every attachment that opens is decrypted (§13.5) into a file of NEWDIR, which must not exist yet: the
stream is read from the export's attachment_chunks or from the attachments/ directory beside a copy of
the live database (§7.1), a chunk at a time.

Before it reads any record it verifies the archive's ledger (§7.3 step 4, §12.8, with
amanat_verify.py) against the pinned `--signing-key` texts, and refuses a broken archive. Without
`--signing-key` it checks the archive against the key the archive itself names, and warns: that
shows the archive is consistent, not that it comes from the site you expect. `--no-verify` skips
the check (to read what is left of a damaged archive). Several archives (several intake sites) are
all verified before any output, then written in the order given; a record found in more than one
is written once, from the first.

Exit codes follow §8.1: 0 all opened, 1 error, 3 wrong passphrase, 4 key file refused, 5 some
records not openable with these keys, 6 tampered records found, 7 the ledger does not verify,
64 usage error.
"""

import argparse
import base64
import getpass
import hashlib
import json
import os
import re
import sqlite3
import stat
import sys
import unicodedata

from nacl import bindings as sodium
from nacl.exceptions import CryptoError

import amanat_stream
import amanat_verify

PROGRAM = "amanat_open"

EXIT_FAILURE = 1
EXIT_WRONG_PASSPHRASE = 3
EXIT_KEY_REFUSED = 4
EXIT_UNOPENED = 5
EXIT_TAMPERED = 6
EXIT_BROKEN = amanat_verify.EXIT_BROKEN
EXIT_USAGE = 64

NOT_OPENABLE = "not openable with these keys"


class Failure(Exception):
    """Ends the program with `code`; the message never holds secret material."""

    def __init__(self, message, code=EXIT_FAILURE):
        super().__init__(message)
        self.code = code


# --- §1 Encodings and primitives -------------------------------------------------------------

BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
BASE64_SHAPE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def blake2b_256(*parts):
    digest = hashlib.blake2b(digest_size=32)
    for part in parts:
        digest.update(part)
    return digest.digest()


def base32_encode(data):
    bits, buffer, out = 0, 0, []
    for byte in data:
        buffer = (buffer << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append(BASE32_ALPHABET[(buffer >> bits) & 31])
    if bits:
        out.append(BASE32_ALPHABET[(buffer << (5 - bits)) & 31])
    return "".join(out)


def base32_decode(text):
    """Lowercase unpadded base32, or None. Leftover bits must be fewer than 5 and all zero, so that
    every byte string has exactly one text form (§1)."""
    bits, buffer, out = 0, 0, bytearray()
    for char in text:
        value = BASE32_ALPHABET.find(char)
        if value < 0:
            return None
        buffer = ((buffer << 5) | value) & 0xFFFF
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
    if bits >= 5 or buffer & ((1 << bits) - 1):
        return None
    return bytes(out)


def base64_decode_strict(text):
    """Standard base64 with padding, and only its canonical form (§1), or None."""
    if len(text) % 4 or not BASE64_SHAPE.fullmatch(text):
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    # b64decode ignores non-zero bits in the last character; re-encoding catches them.
    return data if base64.b64encode(data).decode("ascii") == text else None


# --- §2 Public key text ------------------------------------------------------------------------

PUBLIC_KEY_PREFIX = "amanat-pk-"
CHECKSUM_DOMAIN = b"amanat-pk-v1"


class PublicKeyTextError(Exception):
    pass


def public_key_checksum(key):
    return blake2b_256(CHECKSUM_DOMAIN, key)[:4]


def public_key_text(key):
    return PUBLIC_KEY_PREFIX + base32_encode(key + public_key_checksum(key))


def parse_public_key_text(text):
    """The 32 key bytes, checked in the order of §2.1 so the error says what to fix."""
    if not text.startswith(PUBLIC_KEY_PREFIX):
        raise PublicKeyTextError("it must start with amanat-pk-")
    body = text[len(PUBLIC_KEY_PREFIX):]
    if len(body.encode("utf-8")) != 58:
        raise PublicKeyTextError("it has the wrong length: it may be truncated")
    decoded = base32_decode(body)
    if decoded is None or len(decoded) != 36:
        raise PublicKeyTextError("it contains a character that is not allowed")
    key, checksum = decoded[:32], decoded[32:]
    if public_key_checksum(key) != checksum:
        raise PublicKeyTextError("its checksum does not match: it may be mistyped")
    if not any(key):
        raise PublicKeyTextError("it is the all-zero key")
    return key


def key_id(public_key):
    return blake2b_256(public_key)[:8]


# --- §3 Secret key file ------------------------------------------------------------------------

KEY_FILE_MARKER = "AMANAT-SECRET-KEY-1"
KEY_FILE_MAX_SIZE = 65536
PUBLIC_KEY_COMMENT = "# public key: "
BODY_MAGIC = b"AMSK"
BODY_LENGTH = 138
BODY_HEADER_LENGTH = 90
OPSLIMIT_RANGE = (3, 32)
MEMLIMIT_RANGE = (268435456, 4294967296)
PASSPHRASE_MAX = 1024


class SecretKeyFile:
    def __init__(self, path, body):
        self.path = path
        self.header = body[:BODY_HEADER_LENGTH]
        self.opslimit = int.from_bytes(body[6:10], "big")
        self.memlimit = int.from_bytes(body[10:18], "big")
        self.salt = body[18:34]
        self.public_key = body[34:66]
        self.nonce = body[66:90]
        self.ciphertext = body[90:138]


class UnlockedKey:
    def __init__(self, public_key, secret_key):
        self.public_key = public_key
        self.secret_key = secret_key
        self.key_id = key_id(public_key)


def refuse_key_file(path, why):
    return Failure(f"{path} {why}", EXIT_KEY_REFUSED)


def read_key_file(path):
    """Checks 1 to 11 of §3.5, in order."""
    try:
        # O_NOFOLLOW: a key file is never reached through a link someone else may have planted.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise Failure(f"{path}: {error.strerror}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Failure(f"{path}: not a regular file")
        if info.st_mode & 0o077:
            raise refuse_key_file(path, f"is readable or writable by group or others; run: chmod 600 {path}")
        if info.st_size > KEY_FILE_MAX_SIZE:
            raise refuse_key_file(path, "is not an amanat secret key file")
        raw = b""
        while len(raw) < info.st_size:
            chunk = os.read(fd, info.st_size - len(raw))
            if not chunk:
                raise Failure(f"{path}: short read")
            raw += chunk
    finally:
        os.close(fd)

    malformed = refuse_key_file(path, "is not an amanat secret key file")
    # Only the marker and base64 lines must be ASCII; a stray byte in a comment is not an error.
    lines = raw.decode("utf-8", errors="replace").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    comment_keys = []
    index = 0
    while index < len(lines) and (lines[index] == "" or lines[index].startswith("#")):
        if lines[index].startswith(PUBLIC_KEY_COMMENT):
            comment_keys.append(lines[index][len(PUBLIC_KEY_COMMENT):])
        index += 1
    if len(lines) - index != 2 or lines[index] != KEY_FILE_MARKER:
        raise malformed
    body = base64_decode_strict(lines[index + 1])
    if body is None or len(body) < 6 or body[:4] != BODY_MAGIC:
        raise malformed
    if body[4] != 1 or body[5] != 1:
        raise refuse_key_file(path, "has an unsupported version or key derivation")
    if len(body) != BODY_LENGTH:
        raise malformed
    key_file = SecretKeyFile(path, body)
    if not (OPSLIMIT_RANGE[0] <= key_file.opslimit <= OPSLIMIT_RANGE[1]
            and MEMLIMIT_RANGE[0] <= key_file.memlimit <= MEMLIMIT_RANGE[1]):
        raise refuse_key_file(path, "uses Argon2id parameters outside the accepted range")
    if not any(key_file.public_key):
        raise malformed
    mismatched = [key for key in comment_keys if key != public_key_text(key_file.public_key)]
    if mismatched:
        comment_key = mismatched[0]
        # Parsing the comment tells a mistyped key (bad checksum) from a swapped one.
        try:
            parse_public_key_text(comment_key)
            why = "it is a different key"
        except PublicKeyTextError as error:
            why = str(error)
        raise Failure(f"{path}: the public key comment does not match the key inside ({why})", EXIT_KEY_REFUSED)
    return key_file


def read_passphrase_file(path):
    """The first line without its line ending (§3.4)."""
    try:
        with open(path, "rb") as handle:
            line = handle.readline()
    except OSError as error:
        raise Failure(f"cannot read passphrase file {path}: {error.strerror}")
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    if len(line) > PASSPHRASE_MAX:
        raise Failure(f"the passphrase is longer than {PASSPHRASE_MAX} bytes")
    return line


def unlock(key_file, passphrase):
    """Steps 12 to 14 of §3.5."""
    try:
        wrapping_key = sodium.crypto_pwhash_alg(
            32, passphrase, key_file.salt, key_file.opslimit, key_file.memlimit,
            sodium.crypto_pwhash_ALG_ARGON2ID13,
        )
    except (CryptoError, RuntimeError, MemoryError):
        raise Failure(f"key derivation failed for {key_file.path} (out of memory?)")
    try:
        secret_key = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            key_file.ciphertext, key_file.header, key_file.nonce, wrapping_key
        )
    except CryptoError:
        # A wrong passphrase and an altered file look the same; the passphrase is the likelier.
        raise Failure(f"wrong passphrase for {key_file.path}", EXIT_WRONG_PASSPHRASE)
    if len(secret_key) != 32 or sodium.crypto_scalarmult_base(secret_key) != key_file.public_key:
        raise Failure(f"{key_file.path} is corrupt: its secret key does not match its public key", EXIT_KEY_REFUSED)
    return UnlockedKey(key_file.public_key, secret_key)


# --- §4 Canonical JSON -------------------------------------------------------------------------

MAX_JSON_DEPTH = 64


class NumberLiteral(str):
    """A JSON number kept as the text it was parsed from (§4.1, §4.2)."""


def nfc(text):
    return unicodedata.normalize("NFC", text)


def parse_json_object(data):
    """The object in `data` under the rules of §4.2, or None when they are broken."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        return None

    def unique_members(pairs):
        seen = set()
        for key, _ in pairs:
            normal = nfc(key)
            if normal in seen:
                return _DUPLICATE
            seen.add(normal)
        return dict(pairs)

    def refuse_constant(_):
        raise ValueError("not an RFC 8259 token")

    try:
        value = json.loads(
            text, object_pairs_hook=unique_members, parse_int=NumberLiteral, parse_float=NumberLiteral,
            parse_constant=refuse_constant,
        )
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not _well_formed(value, 1):
        return None
    return value


class _Duplicate:
    """Marks an object that repeated a key; json offers no way to abort from the hook's caller."""


_DUPLICATE = _Duplicate()


def _well_formed(value, depth):
    """No duplicate keys, no lone surrogates (json accepts "\\ud800"), and not too deep."""
    if isinstance(value, (dict, list)) and depth > MAX_JSON_DEPTH:
        return False
    if isinstance(value, _Duplicate):
        return False
    if isinstance(value, str) and not isinstance(value, NumberLiteral):
        return not any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if isinstance(value, list):
        return all(_well_formed(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(_well_formed(key, depth) and _well_formed(item, depth + 1) for key, item in value.items())
    return True


_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _canonical_string(text, out):
    out.append('"')
    for char in nfc(text):
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append("\\u%04x" % ord(char))
        else:
            out.append(char)
    out.append('"')


def _canonical(value, out):
    if value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, NumberLiteral):
        out.append(str(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, str):
        _canonical_string(value, out)
    elif isinstance(value, list):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _canonical(item, out)
        out.append("]")
    elif isinstance(value, dict):
        # UTF-8 byte order of the NFC keys; the original key only breaks ties between hand-built keys.
        members = sorted(value.items(), key=lambda member: (nfc(member[0]).encode("utf-8"), member[0].encode("utf-8")))
        out.append("{")
        for position, (key, item) in enumerate(members):
            if position:
                out.append(",")
            _canonical_string(key, out)
            out.append(":")
            _canonical(item, out)
        out.append("}")
    else:
        raise TypeError(f"no canonical JSON for {type(value).__name__}")


def canonical_json(value):
    out = []
    _canonical(value, out)
    return "".join(out).encode("utf-8")


# --- §5 Padding --------------------------------------------------------------------------------

MIN_BUCKET = 512
LARGE_STEP = 65536


def is_bucket(size):
    if size < MIN_BUCKET:
        return False
    if size <= LARGE_STEP:
        return size & (size - 1) == 0
    return size % LARGE_STEP == 0


def unpad(padded):
    """The content before the 0x80 marker, or None (§5)."""
    size = len(padded)
    if not is_bucket(size):
        return None
    window = min(size, LARGE_STEP)
    for position in range(size - 1, size - 1 - window, -1):
        if padded[position] == 0x80:
            return padded[:position]
        if padded[position] != 0:
            return None
    return None


# --- §6 Envelope v1 ----------------------------------------------------------------------------

ENVELOPE_MAGIC = b"AMEV"
SEALED_SECTIONS = ("identity", "testimony")
# §6.1: the names an envelope may carry: a record's sealed sections, and the items added to a record (§14).
ENVELOPE_NAMES = SEALED_SECTIONS + ("attachment", "addendum")
MAX_STANZAS = 16
KEY_ID_LENGTH = 8
SEALED_KEY_LENGTH = 80
NONCE_LENGTH = 24
TAG_LENGTH = 16
MAX_CIPHERTEXT = 16 << 20


class Tampered(Exception):
    """The section is malformed, misplaced or does not authenticate; str() is the reason (§6.3, §6.4)."""


class NotOpenable(Exception):
    """No given key is a recipient of the section."""


class Envelope:
    def __init__(self, header, section, record_id, stanzas, nonce, ciphertext):
        self.header = header
        self.section = section
        self.record_id = record_id
        self.stanzas = stanzas
        self.nonce = nonce
        self.ciphertext = ciphertext


class _Cursor:
    def __init__(self, data):
        self.data = data
        self.offset = 0

    def take(self, count):
        if len(self.data) - self.offset < count:
            raise Tampered("envelope is truncated")
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk


def decode_envelope(data):
    """§6.3, in order, before any cryptography."""
    cursor = _Cursor(data)
    if cursor.take(4) != ENVELOPE_MAGIC:
        raise Tampered("not an envelope (bad magic bytes)")
    if cursor.take(1) != b"\x01":
        raise Tampered("unsupported envelope version")
    name = cursor.take(cursor.take(1)[0])
    if name not in (known.encode("ascii") for known in ENVELOPE_NAMES):
        raise Tampered("envelope names an unknown section")
    record_id = cursor.take(16)
    count = cursor.take(1)[0]
    # Bounding the count here is what keeps a hostile envelope from buying X25519 work.
    if not 1 <= count <= MAX_STANZAS:
        raise Tampered("envelope has a recipient stanza count outside 1...16")
    stanzas = [(cursor.take(KEY_ID_LENGTH), cursor.take(SEALED_KEY_LENGTH)) for _ in range(count)]
    header_end = cursor.offset
    nonce = cursor.take(NONCE_LENGTH)
    length = int.from_bytes(cursor.take(4), "big")
    if not (TAG_LENGTH <= length <= MAX_CIPHERTEXT and is_bucket(length - TAG_LENGTH)):
        raise Tampered("envelope has an impossible ciphertext length")
    ciphertext = cursor.take(length)
    if cursor.offset != len(data):
        raise Tampered("envelope has trailing bytes")
    return Envelope(data[:header_end], name.decode("ascii"), record_id, stanzas, nonce, ciphertext)


def open_envelope(data, section, record_id, keys):
    """The section's fields (§6.4); raises Tampered or NotOpenable."""
    fields = parse_json_object(open_envelope_content(data, section, record_id, keys))
    if fields is None:
        raise Tampered("the sealed fields are not a JSON object")
    return fields


def open_envelope_content(data, section, record_id, keys):
    """The unpadded content of an envelope named `section` (§6.4 steps 1 to 7); raises Tampered or NotOpenable."""
    envelope = decode_envelope(data)
    if envelope.section != section:
        raise Tampered("envelope is for another section")
    if envelope.record_id != record_id:
        raise Tampered("envelope is for another record")
    data_key = None
    matched = False
    for stanza_key_id, sealed_key in envelope.stanzas:
        for key in keys:
            if key.key_id != stanza_key_id:
                continue
            matched = True
            try:
                candidate = sodium.crypto_box_seal_open(sealed_key, key.public_key, key.secret_key)
            except CryptoError:
                continue
            if len(candidate) == 32:
                data_key = candidate
                break
        if data_key is not None:
            break
    if data_key is None:
        if matched:
            raise Tampered("a recipient stanza does not open")
        raise NotOpenable(NOT_OPENABLE)
    try:
        padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            envelope.ciphertext, envelope.header, envelope.nonce, data_key
        )
    except CryptoError:
        raise Tampered("authentication failed")
    content = unpad(padded)
    if content is None:
        raise Tampered("bad padding")
    return content


# --- §7 SQLite database ------------------------------------------------------------------------

def open_database(path):
    """A read-only connection to a checked amanat database (§7.3 steps 2 and 3)."""
    try:
        return amanat_verify.open_archive(path)
    except amanat_verify.ArchiveError as error:
        raise Failure(str(error))


def text_column(value):
    """A form or date: checked to be well-formed UTF-8 before any record is read (§7.3 step 5)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def check_rows(connection, path):
    """§7.3 step 5: every row's id, form, version, date and withdrawn mark can be read, checked before
    anything is written, so that a malformed row late in the file leaves no partial output. Verification
    (§12.8 step 0) checks this and more; with --no-verify this is all that is checked."""
    reason = amanat_verify.first_unusable_row(connection)
    if reason is not None:
        raise Failure(f"{path}: {reason}")


def blob_column(value):
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def records(connection, path):
    cursor = connection.execute(
        "SELECT record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope, "
        "withdrawn, typeof(record_id) FROM records ORDER BY seq"
    )
    for record_id, form_id, form_version, received, clear_json, identity, testimony, withdrawn, id_type in cursor:
        if id_type != b"blob" or len(record_id) != 16:
            raise Failure(f"{path}: a record has a malformed id")
        yield {
            "record_id": record_id,
            "form": text_column(form_id),
            "form_version": form_version if isinstance(form_version, int) else NumberLiteral(text_column(form_version)),
            "received": text_column(received),
            # The stored bytes, never repaired: ill-formed UTF-8 does not parse under §4.2 (§7.3 step 5).
            "clear_json": clear_json if isinstance(clear_json, bytes) else b"",
            "identity": blob_column(identity),
            "testimony": blob_column(testimony),
            "withdrawn": withdrawn == 1,
        }


# --- §14 Attachments and addenda -----------------------------------------------------------------

ATTACHMENT_MEMBERS = {"attachment_id", "chunk_bytes", "key", "media_type", "name", "sha256", "size", "v"}
ADDENDUM_MEMBERS = {"addendum_id", "fields", "text", "v"}
HEX_64 = re.compile(r"[0-9a-f]{64}")
SIZE_LITERAL = re.compile(r"0|[1-9][0-9]*")
MAX_PLAIN_SIZE = 1 << 50


def is_string(value):
    """A JSON string (a number's literal is kept as a str subclass, §4.2, and is not one)."""
    return isinstance(value, str) and not isinstance(value, NumberLiteral)


def is_number(value, literal):
    return isinstance(value, NumberLiteral) and str(value) == literal


class AttachmentMetadata:
    def __init__(self, name, media_type, size, sha256, key):
        self.name = name
        self.media_type = media_type
        self.size = size
        self.sha256 = sha256
        self.key = key


def attachment_metadata(content, attachment_id, stored_size):
    """§14.3 step 2, checks a to j in order; raises Tampered with the description."""
    value = parse_json_object(content)
    if value is None:
        raise Tampered("the sealed metadata is not a JSON object")
    if set(value) != ATTACHMENT_MEMBERS:
        raise Tampered("the sealed metadata does not have exactly the members of version 1")
    if not is_number(value["v"], "1"):
        raise Tampered("the sealed metadata is not version 1")
    if not is_number(value["chunk_bytes"], "65536"):
        raise Tampered("the sealed metadata names another chunk size than 65536")
    if not is_string(value["attachment_id"]) or value["attachment_id"] != attachment_id.hex():
        raise Tampered("the sealed metadata is for another attachment")
    if not is_string(value["name"]) or not is_string(value["media_type"]):
        raise Tampered("the sealed name or media type is not a string")
    size = value["size"]
    if not isinstance(size, NumberLiteral) or not SIZE_LITERAL.fullmatch(size) or int(size) > MAX_PLAIN_SIZE:
        raise Tampered("the sealed size is not an integer from 0 to 2^50")
    if not is_string(value["sha256"]) or not HEX_64.fullmatch(value["sha256"]):
        raise Tampered("the sealed SHA-256 is not 64 lowercase hex digits")
    key = base64_decode_strict(value["key"]) if is_string(value["key"]) else None
    if key is None or len(key) != 32:
        raise Tampered("the sealed file key is not 32 bytes of base64")
    size = int(size)
    if amanat_stream.stored_size(size) != stored_size:
        raise Tampered(f"the stored size {stored_size} is not the stream size of the sealed size")
    return AttachmentMetadata(value["name"], value["media_type"], size, bytes.fromhex(value["sha256"]), key)


def addendum_content(content, addendum_id):
    """§14.3, an addendum's checks a to f in order: (text, fields), either None when absent; raises Tampered."""
    value = parse_json_object(content)
    if value is None:
        raise Tampered("the sealed addendum is not a JSON object")
    if not set(value) <= ADDENDUM_MEMBERS or "v" not in value or not is_number(value["v"], "1"):
        raise Tampered("the sealed addendum is not version 1")
    if not is_string(value.get("addendum_id")) or value["addendum_id"] != addendum_id.hex():
        raise Tampered("the sealed addendum is for another addendum")
    text, fields = value.get("text"), value.get("fields")
    if "text" in value and not is_string(text):
        raise Tampered("the addendum's text is not a string")
    if "fields" in value and not isinstance(fields, dict):
        raise Tampered("the addendum's fields are not an object")
    if "text" not in value and "fields" not in value:
        raise Tampered("the addendum has neither text nor fields")
    return text, fields


SAFE_NAME_MAX_BYTES = 100
SAFE_EXTENSION_MAX_BYTES = 16


def safe_name(name):
    """The name an extracted file gets, from the sealed name, which is never trusted as a path: letters
    (Unicode L*) and decimal digits (Nd), `.`, `-` and `_` are kept, every other character becomes `_`, a
    leading `.` becomes `_`, the result is cut to 100 bytes of UTF-8 (keeping an extension of at most 16
    bytes), and is `file` if nothing is left."""
    kept = "".join(char if char in ".-_" or unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")
                   else "_" for char in name)
    if kept.startswith("."):
        kept = "_" + kept[1:]
    if len(kept.encode("utf-8")) > SAFE_NAME_MAX_BYTES:
        dot = kept.rfind(".")
        suffix = kept[dot:] if dot > 0 and len(kept[dot:].encode("utf-8")) <= SAFE_EXTENSION_MAX_BYTES else ""
        budget = SAFE_NAME_MAX_BYTES - len(suffix.encode("utf-8"))
        head, used = [], 0
        for char in kept:
            length = len(char.encode("utf-8"))
            if used + length > budget:
                break
            head.append(char)
            used += length
        kept = "".join(head) + suffix
    return kept or "file"


def extract(connection, database_path, row, metadata, directory, record_hex):
    """Decrypts the attachment's stream (§13.5, §14.4) into a new file of `directory` (0600, O_EXCL,
    O_NOFOLLOW, fsynced) and returns its path; a stream that fails a check leaves no file (§14.3 step 3)."""
    path = f"{directory}/{record_hex}-{row['position']}-{safe_name(metadata.name)}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise Tampered(f"not written: {path}: {error.strerror}")

    def write(data):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    try:
        pieces = amanat_stream.stream(connection, database_path, row["attachment_id"], row["storage"],
                                      row["stored_size"])
        amanat_stream.decrypt(pieces, metadata.key, metadata.size, metadata.sha256, write)
        os.fsync(fd)
    except amanat_stream.StreamError as error:
        os.close(fd)
        os.unlink(path)
        raise Tampered(str(error))
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)
    return path


def evidence_rows(connection, record_id):
    """§7.3 step 5: a record's attachments and addenda, each in position order."""
    attachments = [
        {"attachment_id": bytes(row[0]), "position": row[1], "sealed_to": row[2], "envelope": blob_column(row[3]),
         "stored_size": row[4], "ciphertext_sha256": row[5], "storage": row[6]}
        for row in connection.execute(
            "SELECT attachment_id, position, sealed_to, envelope, stored_size, ciphertext_sha256, storage "
            "FROM attachments WHERE record_id = ? ORDER BY position", (record_id,))]
    addenda = [
        {"addendum_id": bytes(row[0]), "position": row[1], "envelope": blob_column(row[2])}
        for row in connection.execute(
            "SELECT addendum_id, position, envelope FROM addenda WHERE record_id = ? ORDER BY position",
            (record_id,))]
    return attachments, addenda


def check_verified_row(digest, verified):
    """§12.8: a row read again after verification must be one that was verified."""
    if verified is not None and digest not in verified:
        raise Failure("an attachment or addendum row differs from the one verified: the archive changed while it "
                      "was read", EXIT_BROKEN)


def open_attachments(connection, database_path, record, keys, directory, verified):
    """The §14.3 items of a record's attachments and addenda, and the reasons of those that did not open."""
    attachments, addenda = evidence_rows(connection, record["record_id"])
    record_hex = record["record_id"].hex()
    items, reasons = [], []
    for row in attachments:
        check_verified_row(amanat_verify.attachment_digest(
            record["record_id"], row["attachment_id"], row["position"], amanat_verify._text_bytes(row["sealed_to"]),
            row["envelope"], row["stored_size"], row["ciphertext_sha256"]), verified)
        item = {"attachment_id": row["attachment_id"].hex(), "position": row["position"]}
        try:
            content = open_envelope_content(row["envelope"], "attachment", record["record_id"], keys)
            metadata = attachment_metadata(content, row["attachment_id"], row["stored_size"])
            if directory is not None:
                item["path"] = extract(connection, database_path, row, metadata, directory, record_hex)
            item.update(name=metadata.name, media_type=metadata.media_type, size=metadata.size,
                        sha256=metadata.sha256.hex())
        except Tampered as reason:
            item = {"attachment_id": item["attachment_id"], "position": item["position"],
                    "error": f"tampered: {reason}"}
        except NotOpenable as reason:
            item = {"attachment_id": item["attachment_id"], "position": item["position"], "error": str(reason)}
        if "error" in item:
            reasons.append((f"attachment {row['position']}", item["error"]))
        items.append(item)
    notes = []
    for row in addenda:
        check_verified_row(amanat_verify.addendum_digest(
            record["record_id"], row["addendum_id"], row["position"], row["envelope"]), verified)
        note = {"addendum_id": row["addendum_id"].hex(), "position": row["position"]}
        try:
            content = open_envelope_content(row["envelope"], "addendum", record["record_id"], keys)
            text, fields = addendum_content(content, row["addendum_id"])
            if text is not None:
                note["text"] = text
            if fields is not None:
                note["fields"] = fields
        except Tampered as reason:
            note["error"] = f"tampered: {reason}"
        except NotOpenable as reason:
            note["error"] = str(reason)
        if "error" in note:
            reasons.append((f"addendum {row['position']}", note["error"]))
        notes.append(note)
    return items, notes, reasons


# --- §8 Output ---------------------------------------------------------------------------------

def warn(message):
    sys.stderr.write(f"{PROGRAM}: {message}\n")


def open_record(record, keys, evidence=None):
    """The output object of §8.1 and the reasons why its sections, attachments and addenda did not open (None
    for a withdrawn record). `evidence`, when the archive may hold attachments, gives their items (§14.3)."""
    result = {
        "record_id": record["record_id"].hex(),
        "form": record["form"],
        "form_version": record["form_version"],
        "received": record["received"],
        "fields": {},
    }
    if record["withdrawn"]:
        # No content is left to open (§7.3 step 5); the record is neither opened nor unopened.
        result["withdrawn"] = True
        return result, None
    fields = result["fields"]
    unopened = {}
    clear = parse_json_object(record["clear_json"])
    if clear is None:
        unopened["clear"] = "tampered: the clear fields are not a JSON object"
    else:
        fields.update(clear)
    for section in SEALED_SECTIONS:
        try:
            fields.update(open_envelope(record[section], section, record["record_id"], keys))
        except Tampered as reason:
            unopened[section] = f"tampered: {reason}"
        except NotOpenable as reason:
            unopened[section] = str(reason)
    if unopened:
        result["unopened"] = unopened
    reasons = sorted(unopened.items())
    if evidence is not None:
        attachments, addenda, more = evidence()
        if attachments:
            result["attachments"] = attachments
        if addenda:
            result["addenda"] = addenda
        reasons += more
    return result, reasons


def verify(connection, path, pinned):
    """§7.3 step 4: refuse an archive whose ledger does not verify (§12.8)."""
    try:
        if not pinned:
            # Only a pinned key shows where the archive comes from; its own key shows consistency.
            site_key = amanat_verify.site_key_of(connection)
            warn(f"warning: no --signing-key given: {path} is checked against the site key it names "
                 f"itself, {amanat_verify.signing_key_text(site_key)}; pin your site's key to know the "
                 "archive is its own")
            pinned = {site_key}
        return amanat_verify.verify_archive(connection, pinned, path)
    except amanat_verify.Broken as broken:
        raise Failure(f"{path} does not verify: {broken}; nothing was opened (--no-verify opens it anyway)",
                      EXIT_BROKEN)
    except sqlite3.DatabaseError as error:
        raise Failure(f"cannot read database {path}: {error}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description="Open a copy of an amanat database, read-only, following docs/FORMAT.md."
    )
    parser.add_argument("databases", nargs="+", metavar="database",
                        help="an exported archive or a copy of the amanat database (one or more)")
    parser.add_argument("--key", action="append", required=True, dest="keys", help="a secret key file (repeatable)")
    parser.add_argument("--passphrase-file", help="read the passphrase (for every key) from this file")
    parser.add_argument("--signing-key", action="append", default=[], dest="signing_keys", metavar="KEY",
                        help="a pinned site signing key, amanat-sig-… (repeatable)")
    parser.add_argument("--no-verify", action="store_true", help="open the archive without verifying its ledger")
    parser.add_argument("--attachments-dir", metavar="NEWDIR",
                        help="decrypt every attachment that opens into this new directory (made 0700)")
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else 0

    try:
        # Every key is parsed, then unlocked, before any output: a wrong passphrase leaves none (§3.5).
        try:
            pinned = set(amanat_verify.parse_pinned(arguments.signing_keys))
        except amanat_verify.ArchiveError as error:
            # A key text that does not parse is a bad option value, as for amanat-keyholder.
            raise Failure(str(error), EXIT_USAGE)
        key_files = [read_key_file(path) for path in arguments.keys]
        shared = read_passphrase_file(arguments.passphrase_file) if arguments.passphrase_file else None
        keys = []
        for key_file in key_files:
            passphrase = shared
            if passphrase is None:
                passphrase = getpass.getpass(f"passphrase for {key_file.path}: ").encode("utf-8")
            keys.append(unlock(key_file, passphrase))

        # Every archive is opened and verified before any output: a broken one leaves none.
        connections = []
        try:
            for path in arguments.databases:
                connections.append((path, open_database(path)))
            to_write = connections
            verified = {}
            if arguments.no_verify:
                warn("warning: --no-verify: the ledger is not checked; records may be forged, altered or missing")
                try:
                    for path, connection in connections:
                        check_rows(connection, path)
                except sqlite3.DatabaseError as error:
                    raise Failure(f"cannot read database: {error}")
            else:
                reports = [(path, verify(connection, path, pinned)) for path, connection in connections]
                verified = {path: report.evidence_digests for path, report in reports}
                failures, notes, redundant = amanat_verify.cross_check(reports)
                if failures:
                    raise Failure(f"{failures[0]}; nothing was opened (--no-verify opens it anyway)", EXIT_BROKEN)
                for note in notes:
                    warn(f"warning: {note}; it is skipped, so the newest state (withdrawals, rewraps) counts")
                to_write = [pair for index, pair in enumerate(connections) if index not in redundant]
            directory = arguments.attachments_dir
            if directory is not None:
                if os.path.lexists(directory):
                    raise Failure(f"--attachments-dir {directory} exists: name a new directory", EXIT_USAGE)
                try:
                    os.mkdir(directory, 0o700)
                    os.chmod(directory, 0o700)
                except OSError as error:
                    raise Failure(f"--attachments-dir {directory}: {error.strerror}")
            counts = write_records(to_write, keys, directory, verified)
            if directory is not None:
                # §8.4: the files are fsynced as they are written, the directory once the last is.
                fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        finally:
            for _, connection in connections:
                connection.close()
    except Failure as failure:
        warn(f"error: {failure}")
        return failure.code

    opened, not_openable, tampered, withdrawn = counts
    warn(f"opened {opened} records; {not_openable} not openable with these keys; {tampered} tampered"
         + (f"; {withdrawn} withdrawn" if withdrawn else ""))
    if tampered:
        return EXIT_TAMPERED
    if not_openable:
        return EXIT_UNOPENED
    return 0


def write_records(connections, keys, directory=None, verified=None):
    """Writes the records of every archive in the order given, each in seq order; a record id that an
    earlier archive already had is written once (the first copy), with a warning. Returns the counts
    of opened, not openable, tampered and withdrawn records."""
    opened = not_openable = tampered = withdrawn = 0
    output = sys.stdout.buffer
    written = {}   # record id -> the archive that had it first
    for path, connection in connections:
        try:
            has_evidence = amanat_verify.has_evidence(connection)
            for record in records(connection, path):
                if record["record_id"] in written:
                    warn(f"warning: record {record['record_id'].hex()} is in more than one archive "
                         f"({written[record['record_id']]}, {path}); it is written once")
                    continue
                written[record["record_id"]] = path
                evidence = None
                if has_evidence:
                    evidence = (lambda record=record, path=path, connection=connection: open_attachments(
                        connection, path, record, keys, directory, (verified or {}).get(path)))
                result, unopened = open_record(record, keys, evidence)
                output.write(canonical_json(result) + b"\n")
                if unopened is None:
                    withdrawn += 1
                    continue
                if not unopened:
                    opened += 1
                    continue
                if any(reason != NOT_OPENABLE for _, reason in unopened):
                    tampered += 1
                else:
                    not_openable += 1
                reasons = "; ".join(f"{what}: {reason}" for what, reason in unopened)
                warn(f"warning: record {result['record_id']}: {reasons}")
        except sqlite3.DatabaseError as error:
            raise Failure(f"cannot read database {path}: {error}")
    output.flush()
    return opened, not_openable, tampered, withdrawn


if __name__ == "__main__":
    sys.exit(main())
