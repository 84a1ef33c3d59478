#!/usr/bin/env python3
"""Attachment streams without any Amanat code: sizes, where a stream is stored, and reading one.

Written from docs/FORMAT.md alone, like amanat_open.py and amanat_verify.py, which import it: section 13
(the stream: Padmé, chunks, the checks a reader makes in order), section 7.1 (where a live database keeps
a stream) and section 12.7 (an export's attachment_chunks). Section numbers in comments point into
FORMAT.md. Nothing here holds a whole file in memory: streams are read a piece at a time.
"""

import errno
import hashlib
import os
import stat

from nacl import bindings as sodium
from nacl.exceptions import CryptoError

# --- §13.1 to §13.3 Layout and sizes -----------------------------------------------------------

MAGIC = b"AMFS"
VERSION = 1
HEADER_BYTES = 24
PREAMBLE_BYTES = 4 + 1 + HEADER_BYTES
CHUNK_BYTES = 65536
CHUNK_OVERHEAD = 17
MINIMUM_PADDED = 256
MAXIMUM_PLAIN = 1 << 50
TAG_MESSAGE = 0
TAG_FINAL = 3

# §12.7: an export stores each stream in pieces of 1 MiB.
EXPORT_PIECE_BYTES = 1 << 20


def padme(plain_size):
    """§13.2: the padded size T of a file of P bytes."""
    if plain_size <= MINIMUM_PADDED:
        return MINIMUM_PADDED
    exponent = plain_size.bit_length() - 1          # E = floor(log2 P)
    exponent_bits = exponent.bit_length()           # s = floor(log2 E) + 1
    mask = (1 << (exponent - exponent_bits)) - 1    # 2^z - 1
    return (plain_size + mask) & ~mask


def chunk_count(padded_size):
    """§13.3: n = max(1, ceil(T / 65536))."""
    return max(1, -(-padded_size // CHUNK_BYTES))


def stored_size(plain_size):
    """§13.3: S = 29 + T + 17 n."""
    padded = padme(plain_size)
    return PREAMBLE_BYTES + padded + CHUNK_OVERHEAD * chunk_count(padded)


# --- §13.5 Reading ------------------------------------------------------------------------------

class StreamError(Exception):
    """A stream refused by a check of §13.5 or §14.4; str() is the description used in reports."""


class ByteSource:
    """Exact reads over an iterator of byte strings (a file's blocks or an export's pieces)."""

    def __init__(self, pieces):
        self._pieces = iter(pieces)
        self._buffer = bytearray()

    def read(self, count):
        """Exactly `count` bytes, or fewer at the end."""
        while len(self._buffer) < count:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        out = bytes(self._buffer[:count])
        del self._buffer[:count]
        return out


def decrypt(pieces, key, plain_size, sealed_sha256, write=None):
    """Reads a stream from `pieces` (whose size the source checked, §13.5 check 1) with checks 2 to 8 of
    §13.5, in order. Calls write(bytes) with the file's plaintext as it is pulled (never the padding);
    raises StreamError at the first failure, after which what was written must be thrown away."""
    padded = padme(plain_size)
    count = chunk_count(padded)
    source = ByteSource(pieces)
    preamble = source.read(PREAMBLE_BYTES)
    if len(preamble) != PREAMBLE_BYTES or preamble[:4] != MAGIC or preamble[4] != VERSION:
        raise StreamError("the stream's preamble is not AMFS version 1")
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, preamble[5:], key)
    digest = hashlib.sha256()
    remaining_plain = plain_size
    for index in range(1, count + 1):
        piece_length = CHUNK_BYTES if index < count else padded - CHUNK_BYTES * (count - 1)
        chunk = source.read(piece_length + CHUNK_OVERHEAD)
        if len(chunk) != piece_length + CHUNK_OVERHEAD:
            # The source holds fewer bytes than its checked size: it changed while it was read.
            raise StreamError(f"the stream ended after {index - 1} of {count} chunks: it was cut")
        try:
            plaintext, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, chunk)
        except CryptoError:
            raise StreamError(f"chunk {index} of {count} does not authenticate (altered, reordered or dropped)")
        if tag not in (TAG_MESSAGE, TAG_FINAL):
            raise StreamError(f"chunk {index} of {count} has a tag other than message or final")
        if index < count and tag != TAG_MESSAGE:
            raise StreamError(f"chunk {index} of {count} is marked final: the stream was cut")
        if index == count and tag != TAG_FINAL:
            raise StreamError("the last chunk is not marked final: the stream was cut")
        file_part = plaintext[:remaining_plain]
        remaining_plain -= len(file_part)
        if any(plaintext[len(file_part):]):
            raise StreamError("the padding after the file's bytes is not zero")
        digest.update(file_part)
        if write is not None and file_part:
            write(file_part)
    if source.read(1):
        raise StreamError("the stream is longer than its sealed size gives")
    if digest.digest() != sealed_sha256:
        raise StreamError("the file's SHA-256 is not the sealed one")


# --- §7.1, §12.7 and §14.4 Where a stream is -------------------------------------------------------

READ_BLOCK = 1 << 20


def attachments_directory(database_path):
    """§7.1 and §14.4: a live database keeps its streams in `attachments/` beside the database file; the path
    is built from the path the reader was given."""
    return (os.path.dirname(database_path) or ".") + "/attachments"


def file_stream(database_path, attachment_hex, storage, stored):
    """A live copy's stream as an iterator of blocks, its size checked (§14.4); raises StreamError."""
    path = attachments_directory(database_path) + "/" + storage
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ENOENT:
            raise StreamError(f"attachment {attachment_hex}: its stream file {path} is missing")
        raise StreamError(f"attachment {attachment_hex}: cannot open its stream file {path}: "
                          f"{os.strerror(error.errno)}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StreamError(f"attachment {attachment_hex}: its stream {path} is not a regular file")
        if info.st_size != stored:
            raise StreamError(f"attachment {attachment_hex}: its stream file has {info.st_size} bytes, not the "
                              f"{stored} stored: it was cut or extended")
    except BaseException:
        os.close(fd)
        raise

    def blocks():
        try:
            total = 0
            while total < stored:
                block = os.read(fd, min(READ_BLOCK, stored - total))
                if not block:
                    raise StreamError(f"attachment {attachment_hex}: its stream file ended after {total} of "
                                      f"{stored} bytes: it was cut")
                total += len(block)
                yield block
        finally:
            os.close(fd)

    return blocks()


def export_stream(connection, attachment_id, stored):
    """An export's stream (§12.7) as an iterator of pieces, each checked before it is used (§14.4); the
    iterator raises StreamError."""
    name = attachment_id.hex()
    cursor = connection.execute(
        "SELECT piece, typeof(data) = 'blob', length(data), data FROM attachment_chunks "
        "WHERE attachment_id = ? ORDER BY piece", (attachment_id,))
    expected = 0
    total = 0
    previous_short = False
    for number, is_blob, length, data in cursor:
        if number != expected or isinstance(number, bool):
            raise StreamError(f"attachment {name}: its piece {expected} is missing in attachment_chunks")
        if not is_blob or not isinstance(length, int) or not 0 < length <= EXPORT_PIECE_BYTES:
            raise StreamError(f"attachment {name}: its piece {number} in attachment_chunks is not a blob of 1 to "
                              f"{EXPORT_PIECE_BYTES} bytes")
        if previous_short:
            raise StreamError(f"attachment {name}: its piece {number - 1} in attachment_chunks is shorter than "
                              f"{EXPORT_PIECE_BYTES} bytes but not the last")
        total += length
        if total > stored:
            raise StreamError(f"attachment {name}: attachment_chunks holds more than its {stored} stored bytes")
        yield bytes(data)
        previous_short = length < EXPORT_PIECE_BYTES
        expected += 1
    if total != stored:
        if expected == 0:
            raise StreamError(f"attachment {name}: its stream is missing (no piece in attachment_chunks)")
        raise StreamError(f"attachment {name}: attachment_chunks holds {total} of its {stored} stored bytes: "
                          "the stream was cut")


def stream(connection, database_path, attachment_id, storage, stored):
    """The stored stream of an attachment row, from wherever it is (§14.4), as an iterator of byte strings
    whose total is `stored`; StreamError (from the call or the iteration) when it is not there as it
    should be."""
    if storage is None:
        return export_stream(connection, attachment_id, stored)
    text = storage.decode("utf-8", "replace") if isinstance(storage, bytes) else str(storage)
    return file_stream(database_path, attachment_id.hex(), text, stored)
