#!/usr/bin/env python3
"""Damage a copy of an amanat database in one precise way, for interop/check.sh.

Each change imitates an attacker who can write the database file (threat A3 in DESIGN.md). Both
readers must then report the record as tampered, with the same reason. Places inside an envelope
are named after the fields of docs/FORMAT.md §6.1, so a case reads like the spec it tests.

    tamper.py DB RECORD flip COLUMN PLACE      XOR one byte with 0xff
    tamper.py DB RECORD set COLUMN PLACE BYTE  overwrite one byte
    tamper.py DB RECORD length COLUMN DELTA    add DELTA to the ciphertext length field
    tamper.py DB RECORD truncate COLUMN N      drop the last N bytes
    tamper.py DB RECORD append COLUMN HEX      add bytes at the end
    tamper.py DB RECORD swap-sections          exchange the identity and testimony envelopes
    tamper.py DB RECORD copy-from OTHER COLUMN put record OTHER's envelope into RECORD
    tamper.py DB RECORD clear-json TEXT        replace clear_json
    tamper.py DB RECORD clear-json-hex HEX     replace clear_json with these bytes (e.g. a BOM)
    tamper.py DB RECORD short-id               drop the last byte of record_id (the table is rebuilt
                                               without its CHECK constraints first)
    tamper.py DB RECORD text-hex COLUMN HEX    set form_id or received to these bytes, as TEXT

RECORD and OTHER count records from 1 in storage order (seq). COLUMN is identity or testimony.
PLACE is magic, version, section-name, record-id, stanza-count, key-id:N, sealed-key:N (N from 1),
nonce, ciphertext or last.
"""

import sqlite3
import sys

COLUMNS = {"identity": "identity_envelope", "testimony": "testimony_envelope"}


def offset_of(envelope, place):
    """The offset of the first byte of PLACE, from the layout in FORMAT.md §6.1."""
    name_length = envelope[5]
    stanzas = 23 + name_length
    header_end = stanzas + 88 * envelope[22 + name_length]
    if place.startswith(("key-id:", "sealed-key:")):
        kind, number = place.split(":")
        start = stanzas + 88 * (int(number) - 1)
        return start if kind == "key-id" else start + 8
    fixed = {
        "magic": 0,
        "version": 4,
        "section-name": 6,
        "record-id": 6 + name_length,
        "stanza-count": 22 + name_length,
        "nonce": header_end,
        "ciphertext": header_end + 28,
        "last": len(envelope) - 1,
    }
    return fixed[place]


def main(argv):
    path, record, operation, *arguments = argv
    connection = sqlite3.connect(path)
    seqs = [row[0] for row in connection.execute("SELECT seq FROM records ORDER BY seq")]
    seq = seqs[int(record) - 1]

    def envelope(column, at=seq):
        row = connection.execute(f"SELECT {COLUMNS[column]} FROM records WHERE seq = ?", (at,)).fetchone()
        return bytearray(row[0])

    def store(column, data, at=seq):
        connection.execute(f"UPDATE records SET {COLUMNS[column]} = ? WHERE seq = ?", (bytes(data), at))

    if operation in ("flip", "set"):
        column, place = arguments[:2]
        data = envelope(column)
        offset = offset_of(data, place)
        data[offset] = data[offset] ^ 0xFF if operation == "flip" else int(arguments[2], 0)
        store(column, data)
    elif operation == "length":
        column, delta = arguments
        data = envelope(column)
        at = offset_of(data, "nonce") + 24
        length = int.from_bytes(data[at:at + 4], "big") + int(delta)
        data[at:at + 4] = length.to_bytes(4, "big")
        store(column, data)
    elif operation == "truncate":
        column, count = arguments
        store(column, envelope(column)[:-int(count)])
    elif operation == "append":
        column, extra = arguments
        store(column, envelope(column) + bytes.fromhex(extra))
    elif operation == "swap-sections":
        identity, testimony = envelope("identity"), envelope("testimony")
        store("identity", testimony)
        store("testimony", identity)
    elif operation == "copy-from":
        other, column = arguments
        store(column, envelope(column, seqs[int(other) - 1]))
    elif operation in ("clear-json", "clear-json-hex"):
        text = arguments[0].encode("utf-8") if operation == "clear-json" else bytes.fromhex(arguments[0])
        # Bytes are bound as a BLOB; cast so the column stays TEXT, as amanatd writes it.
        connection.execute("UPDATE records SET clear_json = CAST(? AS TEXT) WHERE seq = ?", (text, seq))
    elif operation == "short-id":
        connection.executescript("""
            CREATE TABLE copy AS SELECT * FROM records;
            DROP TABLE records;
            ALTER TABLE copy RENAME TO records;
            """)
        connection.execute("UPDATE records SET record_id = substr(record_id, 1, 15) WHERE seq = ?", (seq,))
    elif operation == "text-hex":
        column, data = arguments
        if column not in ("form_id", "received"):
            sys.exit(f"tamper.py: text-hex is for form_id or received, not {column}")
        connection.execute(f"UPDATE records SET {column} = CAST(? AS TEXT) WHERE seq = ?", (bytes.fromhex(data), seq))
    else:
        sys.exit(f"tamper.py: unknown operation {operation}")
    connection.commit()
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1:])
