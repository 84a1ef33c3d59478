#!/usr/bin/env python3
"""Verify exported Amanat archives without any Amanat code.

Like amanat_open.py, this was written from docs/FORMAT.md alone: it recomputes each archive's
hash-chained ledger (§12.3, §12.4), matches it against the record rows and the rows of attachments and
addenda, hashes every attachment's stored stream (§13, read from an export's attachment_chunks or a live
copy's attachments/ directory, §7.1), and checks the signed checkpoints (§12.5) against pinned site
keys, in the order of §12.8. Section numbers in comments
point into FORMAT.md.

    python3 amanat_verify.py FILE [FILE ...] --signing-key KEY [--signing-key KEY ...]

KEY is a site's signing key in text form (`amanat-sig-…`, §12.1), as `amanat signing-key` prints
it. Each archive must be signed by one of the pinned keys. One line per archive goes to standard
output: `FILE: intact: …` or `FILE: BROKEN: REASON`, where REASON is the first failure found.
Across archives: exports of one site must be prefixes of that site's longest one, and a record must not
appear in archives of two sites; either failure is reported as BROKEN.

Exit codes: 0 every archive is intact, 7 at least one is inconsistent (tampered, cut off, signed
by a key that is not pinned, or a record found in archives of two different sites), 1 error (a
file that cannot be read or is not an amanat archive; it takes precedence), 64 usage error (also a
--signing-key text that does not parse).

amanat_open.py imports this module to verify an archive before opening it.
"""

import argparse
import hashlib
import os
import os
import sqlite3
import stat
import sys
import urllib.parse

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

import amanat_stream

PROGRAM = "amanat_verify"

EXIT_FAILURE = 1
EXIT_BROKEN = 7
EXIT_USAGE = 64


class ArchiveError(Exception):
    """The file cannot be read as an amanat archive at all (exit code 1)."""


class Broken(Exception):
    """The archive is inconsistent; str() is the first failure found (exit code 7)."""


class SigningKeyTextError(Exception):
    pass


# --- §1 Encodings and primitives -------------------------------------------------------------

BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


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
    """Lowercase unpadded base32, or None; leftover bits must be fewer than 5 and zero (§1)."""
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


def lp(data):
    """u32(len(x)) ‖ x (§12)."""
    return len(data).to_bytes(4, "big") + data


def u64(number):
    return number.to_bytes(8, "big")


# --- §12.1 The site signing key ----------------------------------------------------------------

SIGNING_KEY_PREFIX = "amanat-sig-"
SIGNING_KEY_DOMAIN = b"amanat-sig-v1"


def signing_key_checksum(key):
    return blake2b_256(SIGNING_KEY_DOMAIN, key)[:4]


def signing_key_text(key):
    return SIGNING_KEY_PREFIX + base32_encode(key + signing_key_checksum(key))


# §2.1: a key text a person gives is trimmed of these at either end, and of nothing else.
KEY_TEXT_TRIMMED = " \t\r\n"


def trim_key_text(text):
    return text.strip(KEY_TEXT_TRIMMED)


def parse_signing_key_text(text):
    """The 32 key bytes, checked in the order of §2.1 with the prefix and domain of §12.1. The text must
    be exact: callers trim what a person gave with trim_key_text first."""
    if not text.startswith(SIGNING_KEY_PREFIX):
        raise SigningKeyTextError("it must start with amanat-sig-")
    body = text[len(SIGNING_KEY_PREFIX):]
    if len(body.encode("utf-8")) != 58:
        raise SigningKeyTextError("it has the wrong length: it may be truncated")
    decoded = base32_decode(body)
    if decoded is None or len(decoded) != 36:
        raise SigningKeyTextError("it contains a character that is not allowed")
    key, checksum = decoded[:32], decoded[32:]
    if signing_key_checksum(key) != checksum:
        raise SigningKeyTextError("its checksum does not match: it may be mistyped")
    if not any(key):
        raise SigningKeyTextError("it is the all-zero key")
    return key


def fingerprint(key):
    return blake2b_256(key)[:8].hex()


# --- §7.3 Opening an archive read-only ---------------------------------------------------------

APPLICATION_ID = 0x414D4E54
REQUIRED_MIGRATIONS = {"v1", "v2", "v3"}
KNOWN_MIGRATIONS = {"v1", "v2", "v3", "v4"}
# §7.1: v4 added attachments, addenda and ledger kinds 4 and 5.
EVIDENCE_MIGRATION = "v4"


def migrations_of(connection):
    return {row[0].decode("utf-8", "replace") if isinstance(row[0], bytes) else str(row[0])
            for row in connection.execute("SELECT identifier FROM grdb_migrations")}


def has_evidence(connection):
    """Whether the database may hold attachments and addenda (§7.3 step 3)."""
    return EVIDENCE_MIGRATION in migrations_of(connection)


def open_archive(path):
    """A read-only connection to a checked amanat database (§7.3 steps 2 and 3)."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise ArchiveError(f"{path}: {error.strerror}")
    if not stat.S_ISREG(info.st_mode):
        raise ArchiveError(f"{path}: not a regular file")
    absolute = os.path.abspath(path)
    uri = "file:" + urllib.parse.quote(absolute) + "?mode=ro"
    try:
        wal_size = os.stat(absolute + "-wal").st_size
    except OSError:
        wal_size = 0
    if wal_size == 0:
        # Nothing can be in a WAL, so nothing needs to be written beside the copy (§7.3 step 2).
        uri += "&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        # Bytes, not str: TEXT is hashed as the bytes stored (§12), and ill-formed UTF-8 must not abort.
        connection.text_factory = bytes
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        if application_id != APPLICATION_ID:
            raise ArchiveError(f"{path} is not an amanat database")
        try:
            migrations = migrations_of(connection)
        except sqlite3.OperationalError:
            raise ArchiveError(f"{path} is not an amanat database")
        if migrations - KNOWN_MIGRATIONS:
            raise ArchiveError(f"{path} was written by a newer version of amanat")
        if not REQUIRED_MIGRATIONS <= migrations:
            raise ArchiveError(f"{path} has no ledger or no rewrap signers (schema v2, v3): start this "
                               "version of amanatd on it once to migrate it, then export it")
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"cannot open database {path}: {error}")
    return connection


# --- §12.2 to §12.5 Hashes and signatures ------------------------------------------------------

GENESIS_DOMAIN = b"amanat-ledger-genesis-v1"
ENTRY_DOMAIN = b"amanat-ledger-entry-v1"
RECORD_DOMAIN = b"amanat-record-v1"
WITHDRAWN_DOMAIN = b"amanat-withdrawn-v1"
CHECKPOINT_DOMAIN = b"amanat-checkpoint-v1"
ATTACHMENT_DOMAIN = b"amanat-attachment-v1"
ADDENDUM_DOMAIN = b"amanat-addendum-v1"

KIND_RECORD = 1
KIND_WITHDRAWAL = 2
KIND_REWRAP = 3
KIND_ATTACHMENT = 4
KIND_ADDENDUM = 5
KIND_NAMES = {KIND_RECORD: "record", KIND_WITHDRAWAL: "withdrawal", KIND_REWRAP: "rewrap",
              KIND_ATTACHMENT: "attachment", KIND_ADDENDUM: "addendum"}


def genesis(site_key):
    return blake2b_256(GENESIS_DOMAIN, site_key)


def entry_hash(seq, kind, record_id, content_digest, prev_hash, signer=None):
    """§12.3: a rewrap entry that names its signer has the signer's 32 bytes last; any other entry ends at prev_hash."""
    return blake2b_256(ENTRY_DOMAIN, u64(seq), bytes([kind]), record_id, content_digest, prev_hash, signer or b"")


def record_digest(record_id, form_id, form_version, received, clear_json, identity, testimony):
    return blake2b_256(RECORD_DOMAIN, record_id, lp(form_id), u64(form_version), lp(received),
                       lp(clear_json), lp(identity), lp(testimony))


def withdrawn_digest(record_id, form_id, form_version, received):
    return blake2b_256(WITHDRAWN_DOMAIN, record_id, lp(form_id), u64(form_version), lp(received))


def attachment_digest(record_id, attachment_id, position, sealed_to, envelope, stored_size, ciphertext_sha256):
    """§12.4: an attachment's row, and through its hash its stored stream."""
    return blake2b_256(ATTACHMENT_DOMAIN, record_id, attachment_id, u64(position), lp(sealed_to), lp(envelope),
                       u64(stored_size), ciphertext_sha256)


def addendum_digest(record_id, addendum_id, position, envelope):
    """§12.4: an addendum's row."""
    return blake2b_256(ADDENDUM_DOMAIN, record_id, addendum_id, u64(position), lp(envelope))


def checkpoint_message(site_key, ledger_seq, head_hash, record_count):
    return CHECKPOINT_DOMAIN + site_key + u64(ledger_seq) + head_hash + u64(record_count)


# --- §12.8 Verification ------------------------------------------------------------------------

def _is_hash(value, length=32):
    return isinstance(value, bytes) and len(value) == length


def _is_u64(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 64


def _text_bytes(value):
    """A TEXT column's bytes as stored; NULL as no bytes (it then fails the digest)."""
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


class Report:
    """What an intact archive holds."""

    def __init__(self, site_key):
        self.site_key = site_key
        self.entries = 0
        self.records = 0
        self.withdrawals = 0
        self.rewraps = 0
        self.unsigned_rewraps = 0  # rewrap entries naming no signer (imported before rewrap files were signed)
        self.rewrap_signers = []   # raw keys that signed rewraps, in the order of their first entry
        self.record_ids = []
        self.checkpoints = 0
        self.signed_up_to = 0
        self.entry_hashes = []
        self.withdrawal_tokens = 0
        self.attachments = 0
        self.addenda = 0
        self.attachment_bytes = 0
        # The digests of the verified attachment and addendum rows, for a reader that reads them again (§12.8).
        self.evidence_digests = set()

    def hash_at(self, seq):
        """Entry `seq`'s hash; the genesis hash for 0."""
        return self.entry_hashes[seq - 1] if seq else genesis(self.site_key)

    def signers_text(self):
        parts = []
        if self.rewrap_signers:
            parts.append("signed by " + ", ".join(signing_key_text(key) for key in self.rewrap_signers))
        if self.unsigned_rewraps:
            parts.append(f"{self.unsigned_rewraps} naming no signer")
        return f" ({'; '.join(parts)})" if parts else ""

    def summary(self):
        return (f"{self.entries} ledger entries: {self.records} records, {self.withdrawals} withdrawn, "
                f"{self.rewraps} rewraps{self.signers_text()}, {self.attachments} attachments "
                f"({self.attachment_bytes} bytes stored), {self.addenda} addenda; {self.checkpoints} checkpoints, the last at entry "
                f"{self.signed_up_to}; site key {fingerprint(self.site_key)}")


def site_key_of(connection):
    """§12.8 step 0: the site table has exactly one row, with id 1 and a 32-byte BLOB key that is not all zero.
    (TEXT comes back as bytes here too, so SQL tells the types apart.)"""
    rows = connection.execute(
        "SELECT typeof(id) = 'integer' AND id = 1, typeof(signing_key) = 'blob' AND length(signing_key) = 32, "
        "signing_key FROM site").fetchall()
    if not rows:
        raise Broken("the site table is empty: the archive names no signing key")
    if len(rows) > 1:
        raise Broken(f"the site table has {len(rows)} rows: the archive must name exactly one signing key")
    right_id, right_key, key = rows[0]
    if not (right_id and right_key):
        raise Broken("the site signing key is malformed: the site row must have id 1 and a 32-byte BLOB key")
    if not any(key):
        raise Broken("the site signing key is the all-zero key")
    return key


# §7.3 step 5 and §12.8 step 0: rows no reader can use, whether it verifies or not.
UNUSABLE_ROW = (
    "typeof(record_id) != 'blob' OR length(record_id) != 16 OR typeof(form_id) != 'text' "
    "OR typeof(form_version) != 'integer' OR form_version < 1 OR typeof(received) != 'text' "
    "OR typeof(withdrawn) != 'integer' OR withdrawn NOT IN (0, 1) "
    "OR typeof(clear_json) NOT IN ('text', 'null') OR typeof(identity_envelope) NOT IN ('blob', 'null') "
    "OR typeof(testimony_envelope) NOT IN ('blob', 'null')")
# §12.8 step 0 only: content that a withdrawn row keeps, or that another row lacks.
INCONSISTENT_CONTENT = (
    "(withdrawn = 1 AND (clear_json IS NOT NULL OR identity_envelope IS NOT NULL "
    "OR testimony_envelope IS NOT NULL)) "
    "OR (withdrawn = 0 AND (typeof(clear_json) != 'text' OR typeof(identity_envelope) != 'blob' "
    "OR typeof(testimony_envelope) != 'blob'))")


def first_ill_formed_text(connection, columns):
    """The position (from 1, in seq order) of the first row with a text in `columns` that is not
    well-formed UTF-8 (§4.2's definition), or None. SQLite does not check this, so Python does."""
    cursor = connection.execute(f"SELECT {', '.join(columns)} FROM records ORDER BY seq")
    for position, row in enumerate(cursor, start=1):
        for value in row:
            if isinstance(value, bytes):
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    return position
    return None


def first_unusable_row(connection):
    """§7.3 step 5: a reason if some row's id, form, version, date or withdrawn mark cannot be read, so
    that a reader refuses the file before it writes anything; None if every row can be read."""
    row = connection.execute(
        "SELECT position FROM (SELECT row_number() OVER (ORDER BY seq) AS position, * FROM records) "
        f"WHERE {UNUSABLE_ROW} LIMIT 1").fetchone()
    if row is not None:
        return f"a record is malformed (record {row[0]}: an id that is not 16 bytes, or a value of the wrong type)"
    position = first_ill_formed_text(connection, ("form_id", "received"))
    if position is not None:
        return f"a record is malformed (record {position}: a form or date that is not well-formed UTF-8)"
    if has_evidence(connection):
        malformed = connection.execute(MALFORMED_EVIDENCE).fetchone()
        if malformed is not None:
            return f"{malformed[0].decode()} is malformed (a value of the wrong type, length or range)"
    return None


def withdrawal_token_count(connection):
    """§12.7: an export's withdrawal_tokens table is present and empty; rows mean a copy of the live
    database. That is no failure of the ledger, but such a copy should not be passed on."""
    row = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'withdrawal_tokens'").fetchone()
    if row[0] != 1:
        return 0
    return connection.execute("SELECT count(*) FROM withdrawal_tokens").fetchone()[0]


# §12.8 step 0, with v4: the rows of attachments, attachment_chunks and addenda.
MALFORMED_EVIDENCE = (
    "SELECT 'an attachment' FROM attachments WHERE typeof(attachment_id) != 'blob' OR length(attachment_id) != 16 "
    "OR typeof(record_id) != 'blob' OR length(record_id) != 16 OR typeof(position) != 'integer' OR position < 1 "
    "OR typeof(sealed_to) != 'text' OR sealed_to NOT IN ('identity', 'testimony') OR typeof(envelope) != 'blob' "
    "OR typeof(stored_size) != 'integer' OR stored_size < 302 "
    "OR typeof(ciphertext_sha256) != 'blob' OR length(ciphertext_sha256) != 32 "
    "OR (storage IS NOT NULL AND (typeof(storage) != 'text' OR length(CAST(storage AS BLOB)) != 32 "
    "OR storage GLOB '*[^0-9a-f]*')) "
    "UNION ALL SELECT 'an attachment chunk' FROM attachment_chunks WHERE typeof(attachment_id) != 'blob' "
    "OR length(attachment_id) != 16 OR typeof(piece) != 'integer' OR piece < 0 OR typeof(data) != 'blob' "
    "UNION ALL SELECT 'an addendum' FROM addenda WHERE typeof(addendum_id) != 'blob' OR length(addendum_id) != 16 "
    "OR typeof(record_id) != 'blob' OR length(record_id) != 16 OR typeof(position) != 'integer' OR position < 1 "
    "OR typeof(envelope) != 'blob' "
    "LIMIT 1")


def verify_evidence(connection, path, states, evidence_entries, report):
    """§12.8 step 3, attachments and addenda: each row matches an unmatched entry of its record, each stream
    has its size and hash, every entry of a record that is not withdrawn has its row, and no export piece
    is left over."""
    matched = set()   # seqs of the entries rows have matched
    cursor = connection.execute(
        "SELECT attachment_id, record_id, position, sealed_to, envelope, stored_size, ciphertext_sha256, storage "
        "FROM attachments ORDER BY record_id, position")
    for attachment_id, record_id, position, sealed_to, envelope, stored, sha256, storage in cursor:
        name = f"attachment {attachment_id.hex()} (record {record_id.hex()}, position {position})"
        state = states.get(record_id)
        if state is None:
            raise Broken(f"{name} belongs to no record of the ledger: it was injected or copied in")
        if state[1]:
            raise Broken(f"{name} belongs to a withdrawn record, whose files are deleted: it was put back")
        digest = attachment_digest(record_id, attachment_id, position, _text_bytes(sealed_to), envelope, stored,
                                   sha256)
        entry = next((seq for seq, kind, value in evidence_entries.get(record_id, ())
                      if kind == KIND_ATTACHMENT and value == digest and seq not in matched), None)
        if entry is None:
            raise Broken(f"{name} does not match any attachment entry of its record in the ledger: its row "
                         "(envelope, position, size or hash) was altered, or it was injected or duplicated")
        matched.add(entry)
        if storage is not None:
            count = connection.execute("SELECT count(*) FROM attachment_chunks WHERE attachment_id = ?",
                                       (attachment_id,)).fetchone()[0]
            if count:
                raise Broken(f"{name} is stored in a file, yet attachment_chunks holds {count} pieces of it")
        # The stream is read once, a piece at a time; its source checks its size and layout (§12.7, §14.4).
        hasher = hashlib.sha256()
        try:
            for block in amanat_stream.stream(connection, path, attachment_id, storage, stored):
                hasher.update(block)
        except amanat_stream.StreamError as error:
            raise Broken(f"{error} (record {record_id.hex()}, position {position})")
        if hasher.digest() != sha256:
            raise Broken(f"{name}: its stream does not have the SHA-256 the ledger covers: the stored file "
                         "was altered")
        report.attachments += 1
        report.attachment_bytes += stored
        report.evidence_digests.add(digest)
    cursor = connection.execute("SELECT addendum_id, record_id, position, envelope FROM addenda "
                                "ORDER BY record_id, position")
    for addendum_id, record_id, position, envelope in cursor:
        name = f"addendum {addendum_id.hex()} (record {record_id.hex()}, position {position})"
        state = states.get(record_id)
        if state is None:
            raise Broken(f"{name} belongs to no record of the ledger: it was injected or copied in")
        if state[1]:
            raise Broken(f"{name} belongs to a withdrawn record, whose addenda are deleted: it was put back")
        digest = addendum_digest(record_id, addendum_id, position, envelope)
        entry = next((seq for seq, kind, value in evidence_entries.get(record_id, ())
                      if kind == KIND_ADDENDUM and value == digest and seq not in matched), None)
        if entry is None:
            raise Broken(f"{name} does not match any addendum entry of its record in the ledger: its row was "
                         "altered, or it was injected or duplicated")
        matched.add(entry)
        report.addenda += 1
        report.evidence_digests.add(digest)
    for record_id, entries in evidence_entries.items():
        if states[record_id][1]:
            continue
        for seq, kind, _ in entries:
            if seq not in matched:
                raise Broken(f"ledger entry {seq} ({KIND_NAMES[kind]}) of record {record_id.hex()} has no row: the "
                             f"{KIND_NAMES[kind]} was deleted")
    orphan = connection.execute(
        "SELECT attachment_id FROM attachment_chunks WHERE attachment_id NOT IN "
        "(SELECT attachment_id FROM attachments WHERE storage IS NULL) LIMIT 1").fetchone()
    if orphan is not None:
        raise Broken(f"attachment_chunks holds pieces of {orphan[0].hex()}, which is no attachment stored in the "
                     "archive: data the ledger does not cover")


def verify_archive(connection, pinned, path):
    """Checks §12.8 in order and returns a Report; raises Broken at the first failure.

    `pinned` is a collection of raw 32-byte keys; `path` is the database file's, beside which a live copy
    keeps its attachments (§7.1). sqlite3 errors go to the caller."""
    # Step 0: tables and indexes only; a view or trigger could answer a later read differently.
    # (TEXT may come back as bytes, so SQL does the comparing.)
    other = connection.execute(
        "SELECT type || ' ' || name FROM sqlite_master WHERE type NOT IN ('table', 'index') LIMIT 1").fetchone()
    if other is not None:
        text = other[0].decode("utf-8", "replace") if isinstance(other[0], bytes) else other[0]
        raise Broken(f"the archive contains a {text}: an amanat archive has tables and indexes only")
    evidence = has_evidence(connection)
    tables = ("records", "ledger", "checkpoints", "site")
    if evidence:
        tables += ("attachments", "attachment_chunks", "addenda")
    for table in tables:
        row = connection.execute("SELECT count(*) FROM sqlite_master WHERE name = ? AND type = 'table'",
                                 (table,)).fetchone()
        if row[0] != 1:
            raise Broken(f"the archive has no table {table}")
    # Every value has its type, length and range; texts are well-formed UTF-8.
    malformed = connection.execute(
        f"SELECT 'a record' FROM records WHERE {UNUSABLE_ROW} OR {INCONSISTENT_CONTENT} "
        "UNION ALL SELECT 'a ledger entry' FROM ledger WHERE typeof(seq) != 'integer' "
        f"OR typeof(kind) != 'integer' OR kind NOT IN ({'1, 2, 3, 4, 5' if evidence else '1, 2, 3'}) "
        "OR typeof(record_id) != 'blob' OR length(record_id) != 16 "
        "OR typeof(content_digest) != 'blob' OR length(content_digest) != 32 "
        "OR typeof(prev_hash) != 'blob' OR length(prev_hash) != 32 "
        "OR typeof(entry_hash) != 'blob' OR length(entry_hash) != 32 "
        "UNION ALL SELECT 'a checkpoint' FROM checkpoints WHERE typeof(ledger_seq) != 'integer' "
        "OR ledger_seq < 1 OR typeof(head_hash) != 'blob' OR length(head_hash) != 32 "
        "OR typeof(record_count) != 'integer' OR record_count < 0 "
        "OR typeof(signature) != 'blob' OR length(signature) != 64 "
        "LIMIT 1").fetchone()
    if malformed is not None:
        raise Broken(f"{malformed[0].decode()} is malformed: a value of the wrong type, length or range, or "
                     "content in a withdrawn record")
    if evidence:
        malformed = connection.execute(MALFORMED_EVIDENCE).fetchone()
        if malformed is not None:
            raise Broken(f"{malformed[0].decode()} is malformed: a value of the wrong type, length or range")
    position = first_ill_formed_text(connection, ("form_id", "received", "clear_json"))
    if position is not None:
        raise Broken(f"record {position} is malformed: its form, date or clear fields are not well-formed UTF-8")
    site_key = site_key_of(connection)
    if site_key not in pinned:
        raise Broken(f"it is signed by site key {fingerprint(site_key)} ({signing_key_text(site_key)}), "
                     "which is not pinned with --signing-key")
    report = Report(site_key)
    report.withdrawal_tokens = withdrawal_token_count(connection)

    # Step 1: the chain.
    states = {}                # record id -> [content digest, withdrawn]
    evidence_entries = {}      # record id -> [(seq, kind, content digest)] of its attachment and addendum entries
    entry_hashes = []          # entry i's hash at index i - 1
    record_counts = []         # number of record entries up to entry i, at index i - 1
    previous = genesis(site_key)
    cursor = connection.execute(
        "SELECT seq, kind, record_id, content_digest, prev_hash, entry_hash, signer FROM ledger ORDER BY seq")
    for index, (seq, kind, record_id, content_digest, prev_hash, stored_hash, signer) in enumerate(cursor, start=1):
        if not _is_u64(seq) or seq < index:
            raise Broken(f"ledger entry {index} has a malformed seq")
        if seq != index:
            raise Broken(f"ledger entry {index} is missing (the next is {seq}): an entry was deleted")
        if (kind not in KIND_NAMES or not _is_hash(record_id, 16) or not _is_hash(content_digest)
                or not _is_hash(prev_hash) or not _is_hash(stored_hash)
                or (signer is not None and (kind != KIND_REWRAP or not _is_hash(signer)))):
            raise Broken(f"ledger entry {seq} is malformed")
        if prev_hash != previous:
            what = "the genesis hash of this site" if seq == 1 else f"the hash of entry {seq - 1}"
            raise Broken(f"ledger entry {seq} does not follow {what}: the chain is broken there")
        if entry_hash(seq, kind, record_id, content_digest, prev_hash, signer) != stored_hash:
            raise Broken(f"ledger entry {seq} was altered: its hash does not match its contents")
        state = states.get(record_id)
        if kind == KIND_RECORD:
            if state is not None:
                raise Broken(f"ledger entry {seq} stores record {record_id.hex()} a second time")
            states[record_id] = [content_digest, False]
            report.record_ids.append(record_id)
            report.records += 1
        else:
            if state is None:
                raise Broken(f"ledger entry {seq} ({KIND_NAMES[kind]}) names record {record_id.hex()}, "
                             "which no earlier entry stored")
            if state[1]:
                raise Broken(f"ledger entry {seq} ({KIND_NAMES[kind]}) names record {record_id.hex()}, "
                             "which was already withdrawn")
            if kind in (KIND_ATTACHMENT, KIND_ADDENDUM):
                # The record's own digest stays; the entry waits for its row (step 3).
                evidence_entries.setdefault(record_id, []).append((seq, kind, content_digest))
            elif kind == KIND_WITHDRAWAL:
                state[0] = content_digest
                state[1] = True
                report.withdrawals += 1
            else:
                state[0] = content_digest
                report.rewraps += 1
                # §12.3: a rewrap entry restates the record's attachments and addenda in the entries that follow
                # it (their envelopes may be new); the earlier ones no longer name rows.
                evidence_entries.pop(record_id, None)
                if signer is None:
                    report.unsigned_rewraps += 1
                elif signer not in report.rewrap_signers:
                    report.rewrap_signers.append(signer)
        entry_hashes.append(stored_hash)
        record_counts.append(report.records)
        previous = stored_hash
    report.entries = len(entry_hashes)
    report.entry_hashes = entry_hashes
    expected = report.record_ids

    # Step 2: the checkpoints.
    verify_key = VerifyKey(site_key)
    cursor = connection.execute(
        "SELECT ledger_seq, head_hash, record_count, signature FROM checkpoints ORDER BY ledger_seq")
    for ledger_seq, head_hash, record_count, signature in cursor:
        if not (_is_u64(ledger_seq) and ledger_seq >= 1 and _is_hash(head_hash) and _is_u64(record_count)
                and _is_hash(signature, 64)):
            raise Broken(f"a checkpoint (at entry {ledger_seq!r}) is malformed")
        try:
            verify_key.verify(checkpoint_message(site_key, ledger_seq, head_hash, record_count), signature)
        except BadSignatureError:
            raise Broken(f"the checkpoint at entry {ledger_seq} has a bad signature: it was altered or forged")
        if ledger_seq > report.entries:
            raise Broken(f"a signed checkpoint covers entry {ledger_seq}, but the ledger ends at entry "
                         f"{report.entries}: entries were cut off")
        if head_hash != entry_hashes[ledger_seq - 1]:
            raise Broken(f"the checkpoint at entry {ledger_seq} signed another head hash: the chain up to "
                         "it was rewritten")
        if record_count != record_counts[ledger_seq - 1]:
            raise Broken(f"the checkpoint at entry {ledger_seq} counts {record_count} records, the ledger "
                         f"{record_counts[ledger_seq - 1]}")
        report.checkpoints += 1
        report.signed_up_to = ledger_seq

    # Step 3: the rows, in seq order, against the list of record entries.
    row_ids = []
    for record_id, kind in connection.execute("SELECT record_id, typeof(record_id) FROM records ORDER BY seq"):
        if kind != b"blob" or not _is_hash(record_id, 16):
            raise Broken(f"record row {len(row_ids) + 1} has a malformed record id")
        row_ids.append(record_id)
    present = set(row_ids)
    cursor = connection.execute(
        "SELECT record_id, form_id, form_version, received, clear_json, identity_envelope, "
        "testimony_envelope, withdrawn FROM records ORDER BY seq")
    for row_number, row in enumerate(cursor, start=1):
        record_id, form_id, form_version, received, clear_json, identity, testimony, withdrawn = row
        if row_number > len(row_ids) or record_id != row_ids[row_number - 1]:
            raise Broken("the records table changed while it was read")
        name = record_id.hex()
        if record_id not in states:
            raise Broken(f"record {name} (row {row_number}) has no ledger entry: it was injected or "
                         "copied in from another archive")
        if row_number > len(expected) or expected[row_number - 1] != record_id:
            wanted = expected[row_number - 1] if row_number <= len(expected) else None
            if wanted is not None and wanted not in present:
                raise Broken(f"record {wanted.hex()} (ledger record {row_number}) was deleted: it has a "
                             "ledger entry but no row")
            raise Broken(f"the records were reordered: row {row_number} is record {name}, the ledger "
                         f"stored {wanted.hex() if wanted else 'no record'} in that place")
        digest, is_withdrawn = states[record_id]
        if withdrawn not in (0, 1) or isinstance(withdrawn, bool):
            raise Broken(f"record {name} (row {row_number}) has a malformed withdrawn mark")
        if bool(withdrawn) != is_withdrawn:
            if is_withdrawn:
                raise Broken(f"record {name} (row {row_number}) was withdrawn, but its row is not marked so")
            raise Broken(f"record {name} (row {row_number}) is marked withdrawn, but the ledger has no "
                         "withdrawal for it")
        if not _is_u64(form_version):
            raise Broken(f"record {name} (row {row_number}) has a malformed form version")
        if is_withdrawn:
            if clear_json is not None or identity is not None or testimony is not None:
                raise Broken(f"record {name} (row {row_number}) is withdrawn but still holds content")
            actual = withdrawn_digest(record_id, _text_bytes(form_id), form_version, _text_bytes(received))
        else:
            actual = record_digest(record_id, _text_bytes(form_id), form_version, _text_bytes(received),
                                   _text_bytes(clear_json), _text_bytes(identity), _text_bytes(testimony))
        if actual != digest:
            raise Broken(f"record {name} (row {row_number}) does not match its ledger entry: a clear "
                         "field, an envelope, the form or the date was altered, or envelopes were swapped "
                         "between records")
    if len(row_ids) < len(expected):
        missing = expected[len(row_ids)]
        raise Broken(f"record {missing.hex()} (ledger record {len(row_ids) + 1}) was deleted: it has a "
                     "ledger entry but no row")

    # Step 3, continued: attachments and addenda.
    if evidence:
        verify_evidence(connection, path, states, evidence_entries, report)

    # Step 4: coverage.
    if report.signed_up_to < report.entries:
        first = report.signed_up_to + 1
        if first == report.entries:
            span, them = f"entry {first} is", "it"
        else:
            span, them = f"entries {first} to {report.entries} are", "them"
        raise Broken(f"{span} unsigned: no checkpoint covers {them}, so records after {them} may have been "
                     "cut off")
    return report


def verify_path(path, pinned):
    """(Report, None) for an intact archive, (None, reason) for a broken one; raises ArchiveError."""
    connection = open_archive(path)
    try:
        return verify_archive(connection, pinned, path), None
    except Broken as broken:
        return None, str(broken)
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"cannot read database {path}: {error}")
    finally:
        connection.close()


def cross_check(reports):
    """Compares intact archives, given as (path, Report) in the order given (docs/FORMAT.md 12.8, several
    archives). Exports of one site must be prefixes of that site's longest one (an earlier export is;
    a rewritten one is not); a record must not appear in archives of two sites. Returns (failures, notes,
    redundant), where redundant holds the indices of archives another archive of the same site holds
    entirely: `open` skips them, so the newest state counts."""
    failures, notes, redundant = [], [], set()
    sites = {}
    for index, (_, report) in enumerate(reports):
        sites.setdefault(report.site_key, []).append(index)
    for members in sites.values():
        if len(members) < 2:
            continue
        longest = max(members, key=lambda index: reports[index][1].entries)
        long_path, long_report = reports[longest]
        for index in members:
            if index == longest:
                continue
            path, report = reports[index]
            if long_report.hash_at(report.entries) == report.hash_at(report.entries):
                redundant.add(index)
                notes.append(f"{path} is an earlier export of the same site as {long_path}, which holds all of it")
            else:
                failures.append(f"{path} and {long_path} are signed by the same site but their ledgers diverge "
                                f"by entry {report.entries}: one of them was rewritten")
    owner = {}
    for index, (path, report) in enumerate(reports):
        if index in redundant:
            continue
        for record_id in report.record_ids:
            other = owner.get(record_id)
            if other is not None and reports[other][1].site_key != report.site_key:
                failures.append(f"record {record_id.hex()} is in archives of two sites ({reports[other][0]} and "
                                f"{path}): it was copied from one into the other")
            else:
                owner[record_id] = index
    return failures, notes, redundant


def parse_pinned(texts):
    """The raw keys of --signing-key texts; raises ArchiveError naming the bad one."""
    keys = []
    for position, text in enumerate(texts, start=1):
        try:
            keys.append(parse_signing_key_text(trim_key_text(text)))
        except SigningKeyTextError as error:
            raise ArchiveError(f"--signing-key {position}: {error}")
    return keys


# --- Command line ------------------------------------------------------------------------------

def warn(message):
    sys.stderr.write(f"{PROGRAM}: {message}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description="Verify exported amanat archives against pinned site signing keys "
        "(docs/FORMAT.md section 12.8).")
    parser.add_argument("archives", nargs="+", metavar="FILE", help="an exported archive")
    parser.add_argument("--signing-key", action="append", required=True, dest="signing_keys", metavar="KEY",
                        help="a site signing key, amanat-sig-… (repeatable)")
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else 0

    try:
        pinned = set(parse_pinned(arguments.signing_keys))
    except ArchiveError as error:
        # A key text that does not parse is a bad option value (as for amanat-keyholder verify).
        warn(f"error: {error}")
        return EXIT_USAGE

    output = sys.stdout
    errors = broken = 0
    intact = []   # (path, Report)
    for path in arguments.archives:
        try:
            report, reason = verify_path(path, pinned)
        except ArchiveError as error:
            warn(f"error: {error}")
            errors += 1
            continue
        if report is None:
            output.write(f"{path}: BROKEN: {reason}\n")
            broken += 1
            continue
        output.write(f"{path}: intact: {report.summary()}\n")
        intact.append((path, report))
    for path, report in intact:
        if report.withdrawal_tokens:
            output.write(f"note: {path} holds {report.withdrawal_tokens} withdrawal token hashes: it is a copy of "
                         "the live database, not an export\n")

    failures, notes, _ = cross_check(intact)
    for note in notes:
        output.write(f"note: {note}\n")
    for failure in failures:
        output.write(f"BROKEN across archives: {failure}\n")
    output.flush()
    if errors:
        return EXIT_FAILURE
    if broken or failures:
        return EXIT_BROKEN
    return 0


if __name__ == "__main__":
    sys.exit(main())
