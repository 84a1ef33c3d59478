#!/usr/bin/env python3
"""Add evidence files and addenda to an amanat archive as amanatd would, for interop/check.sh.

    add_evidence.py DB RECEIPT_KEY RECIPIENT [--record N] [--file PATH ...] [--sealed-to identity|testimony]
                    [--addendum TEXT ...] [--live]

Written from docs/FORMAT.md alone: for record N (counting from 1 in seq order, default 1) each --file is
encrypted into an attachment stream (§13.4) under a fresh key, its key and metadata sealed to RECIPIENT (an
amanat-pk- text) in an attachment envelope (§14.1), and stored as an `attachments` row, with its stream in
`attachment_chunks` (an export, §12.7) or, with --live, in the file attachments/STORAGE beside DB (§7.1); each
--addendum TEXT becomes an addendum (§14.2). Each gets its ledger entry (§12.3, §12.4), and the archive's
checkpoints are signed again over the new head with RECEIPT_KEY, the site's own receipt.key (§12.1): the archive
then verifies, as one amanatd wrote would. It lets the two readers be compared on attachments without amanatd
and amanat, and makes the damaged copies the check needs.
"""

import argparse
import hashlib
import os
import sqlite3
import sys

from nacl import bindings as sodium
from nacl.signing import SigningKey

import amanat_open
import amanat_stream
import amanat_verify

CHUNK = amanat_stream.CHUNK_BYTES
PIECE = amanat_stream.EXPORT_PIECE_BYTES


def pad(content, minimum):
    """§5: content ‖ 0x80 ‖ zeros, to the smallest bucket ≥ max(512, n + 1) and ≥ minimum."""
    needed = len(content) + 1
    if needed <= 65536:
        bucket = 512
        while bucket < needed:
            bucket *= 2
    else:
        bucket = -(-needed // 65536) * 65536
    size = max(bucket, minimum)
    return content + b"\x80" + bytes(size - len(content) - 1)


def seal(content, name, record_id, recipients, minimum):
    """§6.2: an envelope named `name` for record_id, sealed to the raw public keys `recipients`."""
    data_key = os.urandom(32)
    nonce = os.urandom(24)
    header = b"AMEV\x01" + bytes([len(name)]) + name.encode() + record_id + bytes([len(recipients)])
    for key in recipients:
        header += amanat_open.key_id(key) + sodium.crypto_box_seal(data_key, key)
    ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(pad(content, minimum), header, nonce, data_key)
    return header + nonce + len(ciphertext).to_bytes(4, "big") + ciphertext


def encrypt_file(path, key):
    """§13.4: the stored stream of the file at `path`, and the SHA-256 of its bytes."""
    with open(path, "rb") as handle:
        plain = handle.read()
    padded = plain + bytes(amanat_stream.padme(len(plain)) - len(plain))
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    count = amanat_stream.chunk_count(len(padded))
    out = [b"AMFS\x01", header]
    for index in range(count):
        tag = amanat_stream.TAG_FINAL if index == count - 1 else amanat_stream.TAG_MESSAGE
        out.append(sodium.crypto_secretstream_xchacha20poly1305_push(
            state, padded[index * CHUNK:(index + 1) * CHUNK], None, tag))
    return b"".join(out), len(plain), hashlib.sha256(plain).digest()


def main(argv):
    parser = argparse.ArgumentParser(prog="add_evidence")
    parser.add_argument("database")
    parser.add_argument("receipt_key")
    parser.add_argument("recipient")
    parser.add_argument("--record", type=int, default=1)
    parser.add_argument("--file", action="append", default=[], dest="files")
    parser.add_argument("--sealed-to", default="identity", choices=("identity", "testimony"))
    parser.add_argument("--addendum", action="append", default=[], dest="addenda")
    parser.add_argument("--live", action="store_true")
    arguments = parser.parse_args(argv)

    recipient = amanat_open.parse_public_key_text(arguments.recipient)
    with open(arguments.receipt_key, "rb") as handle:
        contents = handle.read()
    signing = SigningKey(contents[5:37])
    site_key = bytes(signing.verify_key)

    connection = sqlite3.connect(arguments.database)
    connection.execute("PRAGMA secure_delete = ON")
    (record_id,) = connection.execute("SELECT record_id FROM records ORDER BY seq LIMIT 1 OFFSET ?",
                                      (arguments.record - 1,)).fetchone()
    record_id = bytes(record_id)
    seq, previous = connection.execute("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    records = connection.execute("SELECT count(*) FROM ledger WHERE kind = 1").fetchone()[0]

    def append(kind, digest):
        nonlocal seq, previous
        seq += 1
        previous = amanat_verify.entry_hash(seq, kind, record_id, digest, bytes(previous))
        connection.execute("INSERT INTO ledger (seq, kind, record_id, content_digest, prev_hash, entry_hash) "
                           "VALUES (?, ?, ?, ?, (SELECT entry_hash FROM ledger WHERE seq = ?), ?)",
                           (seq, kind, record_id, digest, seq - 1, previous))

    position = connection.execute("SELECT coalesce(max(position), 0) FROM attachments WHERE record_id = ?",
                                  (record_id,)).fetchone()[0]
    for path in arguments.files:
        position += 1
        attachment_id = os.urandom(16)
        key = sodium.crypto_secretstream_xchacha20poly1305_keygen()
        stream, size, sha = encrypt_file(path, key)
        metadata = amanat_open.canonical_json({
            "attachment_id": attachment_id.hex(), "chunk_bytes": 65536,
            "key": __import__("base64").b64encode(key).decode(), "media_type": "application/octet-stream",
            "name": os.path.basename(path), "sha256": sha.hex(), "size": size, "v": 1})
        envelope = seal(metadata, "attachment", record_id, [recipient], 1024)
        stream_hash = hashlib.sha256(stream).digest()
        storage = None
        if arguments.live:
            storage = os.urandom(16).hex()
            directory = amanat_stream.attachments_directory(arguments.database)
            os.makedirs(directory, mode=0o700, exist_ok=True)
            with open(os.path.join(directory, storage), "xb") as handle:
                handle.write(stream)
        else:
            for piece in range(-(-len(stream) // PIECE)):
                connection.execute("INSERT INTO attachment_chunks (attachment_id, piece, data) VALUES (?, ?, ?)",
                                   (attachment_id, piece, stream[piece * PIECE:(piece + 1) * PIECE]))
        connection.execute(
            "INSERT INTO attachments (attachment_id, record_id, position, sealed_to, envelope, stored_size, "
            "ciphertext_sha256, storage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (attachment_id, record_id, position, arguments.sealed_to, envelope, len(stream), stream_hash, storage))
        append(amanat_verify.KIND_ATTACHMENT, amanat_verify.attachment_digest(
            record_id, attachment_id, position, arguments.sealed_to.encode(), envelope, len(stream), stream_hash))
    position = connection.execute("SELECT coalesce(max(position), 0) FROM addenda WHERE record_id = ?",
                                  (record_id,)).fetchone()[0]
    for text in arguments.addenda:
        position += 1
        addendum_id = os.urandom(16)
        content = amanat_open.canonical_json({"addendum_id": addendum_id.hex(), "text": text, "v": 1})
        envelope = seal(content, "addendum", record_id, [recipient], 32768)
        connection.execute("INSERT INTO addenda (addendum_id, record_id, position, envelope) VALUES (?, ?, ?, ?)",
                           (addendum_id, record_id, position, envelope))
        append(amanat_verify.KIND_ADDENDUM, amanat_verify.addendum_digest(record_id, addendum_id, position, envelope))
    # §12.5: a checkpoint over the new head, as an export ends with one.
    message = amanat_verify.checkpoint_message(site_key, seq, previous, records)
    connection.execute("INSERT INTO checkpoints (ledger_seq, head_hash, record_count, signature) VALUES (?, ?, ?, ?)",
                       (seq, previous, records, signing.sign(message).signature))
    connection.commit()
    connection.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
