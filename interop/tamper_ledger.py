#!/usr/bin/env python3
"""Damage an exported amanat archive in one precise way, for interop/check.sh.

Each change imitates an attacker who can write the archive file but does not hold the site's
signing key (FORMAT.md §12): some edit rows only, others also rewrite the ledger as far as a forger
can. `amanat-keyholder verify` and amanat_verify.py must both reject every result (§12.8), and
`amanat-keyholder open` must refuse it unless given --no-verify.

    tamper_ledger.py DB delete-record N          delete record row N; the ledger keeps its entry
    tamper_ledger.py DB flip-envelope N COLUMN   XOR one byte in the middle of an envelope with 0xff
    tamper_ledger.py DB clear-field N            change one value in clear_json (still canonical JSON)
    tamper_ledger.py DB swap-seq N M             exchange the seq of rows N and M (reorders them)
    tamper_ledger.py DB swap-envelopes N M COLUMN  exchange the COLUMN envelopes of rows N and M
    tamper_ledger.py DB copy-from OTHER N [--rechain]
        copy row N of the archive OTHER (another site) in, with its ledger entry appended as the
        next entry; with --rechain its content digest, prev_hash and entry_hash are recomputed so
        that the chain and the rows hold, and only the missing checkpoint betrays it
    tamper_ledger.py DB cut-signed               delete the last ledger entry, its record row and the
                                                 checkpoints that cover it or the entry before it
                                                 (normally the export's only one): records cut off,
                                                 no checkpoint left that says so
    tamper_ledger.py DB cut                      delete the last ledger entry and its record row, but
                                                 keep the checkpoints
    tamper_ledger.py DB delete-rechain N [--checkpoints]
        delete row N and its ledger entries, then renumber and rehash the whole chain from the
        genesis hash; with --checkpoints also rewrite every checkpoint's head hash and record count
        (the forger cannot sign them)
    tamper_ledger.py DB forge-site N             as delete-rechain --checkpoints, then sign every
                                                 checkpoint again with a new key of the forger's and
                                                 put that key in the site table
    tamper_ledger.py DB view                     rename the records table and put a view in its place (a view
                                                 could answer a second read differently from the first)
    tamper_ledger.py DB stolen-key N KEYFILE     as delete-rechain --checkpoints, but every checkpoint signed
                                                 again with the site's own receipt key (KEYFILE, stolen):
                                                 the archive alone verifies; only another export of the
                                                 same site shows the ledgers diverge
    tamper_ledger.py DB flip-signature           XOR one byte of the last checkpoint's signature
    tamper_ledger.py DB site-text                the site key stored as TEXT of the same 32 bytes
    tamper_ledger.py DB site-id ID               the site row's id set to ID
    tamper_ledger.py DB site-empty               the site row deleted
    tamper_ledger.py DB site-twice               a second site row (id 2) with the same key
    tamper_ledger.py DB ledger-kind SEQ KIND     entry SEQ's kind set to KIND
    tamper_ledger.py DB ledger-length SEQ COLUMN one byte appended to entry SEQ's COLUMN (record_id,
                                                 content_digest, prev_hash or entry_hash)
    tamper_ledger.py DB ill-formed-utf8 N KEYFILE  record N's clear_json gets a byte that is not UTF-8;
                                                 the chain is recomputed over it and every checkpoint
                                                 signed again with the site's stolen receipt key, so
                                                 that only the shape check (§12.8 step 0) refuses it

The site-*, ledger-* changes rebuild the table without its CHECK constraints, as a forger can.

N and M count record rows from 1 in storage order (seq). COLUMN is identity or testimony. The last
ledger entry must be a `record` entry for cut-signed and cut. Exits 2 when the archive does not
allow the change (e.g. too few records).
"""

import hashlib
import json
import sqlite3
import sys

from nacl.signing import SigningKey

COLUMNS = {"identity": "identity_envelope", "testimony": "testimony_envelope"}
RECORD_COLUMNS = ("record_id", "form_id", "form_version", "received", "clear_json", "identity_envelope",
                  "testimony_envelope", "withdrawn")
KIND_RECORD = 1


def blake2b_256(*parts):
    digest = hashlib.blake2b(digest_size=32)
    for part in parts:
        digest.update(part)
    return digest.digest()


def entry_hash(seq, kind, record_id, content_digest, prev_hash):
    """FORMAT.md §12.3: anyone can compute it, no key needed."""
    return blake2b_256(b"amanat-ledger-entry-v1", seq.to_bytes(8, "big"), bytes([kind]), record_id,
                       content_digest, prev_hash)


def record_digest(row):
    """FORMAT.md §12.4 for a record that is not withdrawn: anyone can compute it from the row."""
    def lp(data):
        data = data.encode("utf-8") if isinstance(data, str) else data
        return len(data).to_bytes(4, "big") + data
    return blake2b_256(b"amanat-record-v1", row["record_id"], lp(row["form_id"]), row["form_version"].to_bytes(8, "big"),
                       lp(row["received"]), lp(row["clear_json"]), lp(row["identity_envelope"]),
                       lp(row["testimony_envelope"]))


def genesis(site_key):
    return blake2b_256(b"amanat-ledger-genesis-v1", site_key)


def refuse(message):
    sys.stderr.write(f"tamper_ledger.py: {message}\n")
    sys.exit(2)


# A record or withdrawal entry: the signer column (schema v3) stays NULL.
LEDGER_INSERT = ("INSERT INTO ledger (seq, kind, record_id, content_digest, prev_hash, entry_hash) "
                 "VALUES (?, ?, ?, ?, ?, ?)")

class Archive:
    def __init__(self, path):
        self.connection = sqlite3.connect(path)
        self.seqs = [row[0] for row in self.connection.execute("SELECT seq FROM records ORDER BY seq")]

    def seq(self, number):
        index = int(number) - 1
        if not 0 <= index < len(self.seqs):
            refuse(f"there is no record row {number}")
        return self.seqs[index]

    def row(self, number):
        columns = ", ".join(RECORD_COLUMNS)
        values = self.connection.execute(f"SELECT {columns} FROM records WHERE seq = ?",
                                         (self.seq(number),)).fetchone()
        return dict(zip(RECORD_COLUMNS, values))

    def site_key(self):
        return self.connection.execute("SELECT signing_key FROM site").fetchone()[0]

    def ledger(self):
        return [list(row) for row in self.connection.execute(
            "SELECT seq, kind, record_id, content_digest, prev_hash, entry_hash FROM ledger ORDER BY seq")]

    def last_entry(self):
        return self.connection.execute(
            "SELECT seq, kind, record_id FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()

    def rewrite_ledger(self, entries):
        """Replace the ledger with `entries` (kind, record_id, content_digest), renumbered and rehashed."""
        self.connection.execute("DELETE FROM ledger")
        previous = genesis(self.site_key())
        hashes, counts, records = [], [], 0
        for seq, (kind, record_id, content_digest) in enumerate(entries, start=1):
            current = entry_hash(seq, kind, record_id, content_digest, previous)
            self.connection.execute(LEDGER_INSERT, (seq, kind, record_id, content_digest, previous, current))
            records += kind == KIND_RECORD
            hashes.append(current)
            counts.append(records)
            previous = current
        return hashes, counts

    def delete_record(self, number):
        """Delete row N and its ledger entries, then rehash the chain. Returns the new hashes and counts."""
        record_id = self.row(number)["record_id"]
        self.connection.execute("DELETE FROM records WHERE record_id = ?", (record_id,))
        kept = [(kind, rid, digest) for _, kind, rid, digest, _, _ in self.ledger() if rid != record_id]
        return self.rewrite_ledger(kept)

    def rewrite_checkpoints(self, hashes, counts, signing_key=None):
        """Point every checkpoint that still has an entry at the rewritten chain; drop the others."""
        checkpoints = self.connection.execute(
            "SELECT ledger_seq, signature FROM checkpoints ORDER BY ledger_seq").fetchall()
        self.connection.execute("DELETE FROM checkpoints")
        for ledger_seq, signature in checkpoints:
            ledger_seq = min(ledger_seq, len(hashes))
            if ledger_seq < 1:
                continue
            head, count = hashes[ledger_seq - 1], counts[ledger_seq - 1]
            if signing_key is not None:
                message = (b"amanat-checkpoint-v1" + bytes(signing_key.verify_key) + ledger_seq.to_bytes(8, "big")
                           + head + count.to_bytes(8, "big"))
                signature = signing_key.sign(message).signature
            self.connection.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?)",
                                    (ledger_seq, head, count, signature))

    def unconstrained(self, table):
        """Rebuild `table` without its CHECK constraints, so that it can hold what amanatd never writes."""
        self.connection.executescript(f"""
            CREATE TABLE copy AS SELECT * FROM {table};
            DROP TABLE {table};
            ALTER TABLE copy RENAME TO {table};
            """)

    def cut_last(self):
        last = self.last_entry()
        if last is None or last[1] != KIND_RECORD:
            refuse("the last ledger entry is not a record entry")
        self.connection.execute("DELETE FROM ledger WHERE seq = ?", (last[0],))
        self.connection.execute("DELETE FROM records WHERE record_id = ?", (last[2],))
        return last[0]


def main(argv):
    path, operation, *arguments = argv
    archive = Archive(path)
    db = archive.connection

    if operation == "delete-record":
        db.execute("DELETE FROM records WHERE seq = ?", (archive.seq(arguments[0]),))
    elif operation == "flip-envelope":
        number, column = arguments
        data = bytearray(archive.row(number)[COLUMNS[column]])
        data[len(data) // 2] ^= 0xFF
        db.execute(f"UPDATE records SET {COLUMNS[column]} = ? WHERE seq = ?", (bytes(data), archive.seq(number)))
    elif operation == "clear-field":
        row = archive.row(arguments[0])
        if row["clear_json"] is None:
            refuse("that record is withdrawn")
        fields = json.loads(row["clear_json"])
        name = sorted(fields)[0]
        fields[name] = "other" if fields[name] != "other" else "ru"
        text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        db.execute("UPDATE records SET clear_json = ? WHERE seq = ?", (text, archive.seq(arguments[0])))
    elif operation == "swap-seq":
        first, second = archive.seq(arguments[0]), archive.seq(arguments[1])
        db.execute("UPDATE records SET seq = ? WHERE seq = ?", (-first, first))
        db.execute("UPDATE records SET seq = ? WHERE seq = ?", (first, second))
        db.execute("UPDATE records SET seq = ? WHERE seq = ?", (second, -first))
    elif operation == "swap-envelopes":
        first, second, column = arguments
        a, b = archive.row(first)[COLUMNS[column]], archive.row(second)[COLUMNS[column]]
        if a is None or b is None:
            refuse("one of the records is withdrawn")
        db.execute(f"UPDATE records SET {COLUMNS[column]} = ? WHERE seq = ?", (b, archive.seq(first)))
        db.execute(f"UPDATE records SET {COLUMNS[column]} = ? WHERE seq = ?", (a, archive.seq(second)))
    elif operation == "copy-from":
        other_path, number, *flags = arguments
        other = Archive(other_path)
        row = other.row(number)
        entry = other.connection.execute(
            "SELECT kind, record_id, content_digest, prev_hash, entry_hash FROM ledger WHERE record_id = ? "
            "AND kind = ?", (row["record_id"], KIND_RECORD)).fetchone()
        other.connection.close()
        placeholders = ", ".join("?" for _ in RECORD_COLUMNS)
        db.execute(f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({placeholders})",
                   tuple(row[column] for column in RECORD_COLUMNS))
        last = db.execute("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
        seq = last[0] + 1
        kind, record_id, digest, prev_hash, stored_hash = entry
        if flags == ["--rechain"]:
            if row["withdrawn"]:
                refuse("that record is withdrawn")
            # The digest of the row as it is now (the other site may have rewrapped it since).
            digest = record_digest(row)
            prev_hash = last[1]
            stored_hash = entry_hash(seq, kind, record_id, digest, prev_hash)
        elif flags:
            refuse(f"unknown flags {flags}")
        db.execute(LEDGER_INSERT, (seq, kind, record_id, digest, prev_hash, stored_hash))
    elif operation == "cut-signed":
        cut = archive.cut_last()
        if db.execute("SELECT count(*) FROM checkpoints WHERE ledger_seq >= ?", (cut - 1,)).fetchone()[0] == 0:
            refuse("no checkpoint covers the last two entries")
        # A checkpoint at exactly the new last entry would vouch for the cut archive: a cut there
        # cannot be seen (FORMAT.md §12.8, step 4). Drop it too, as if amanatd had not signed one
        # there (normally the only checkpoint is the export's).
        db.execute("DELETE FROM checkpoints WHERE ledger_seq >= ?", (cut - 1,))
    elif operation == "cut":
        archive.cut_last()
    elif operation == "delete-rechain":
        number, *flags = arguments
        hashes, counts = archive.delete_record(number)
        if flags == ["--checkpoints"]:
            archive.rewrite_checkpoints(hashes, counts)
        elif flags:
            refuse(f"unknown flags {flags}")
    elif operation == "forge-site":
        hashes, counts = archive.delete_record(arguments[0])
        forger = SigningKey.generate()
        db.execute("UPDATE site SET signing_key = ?", (bytes(forger.verify_key),))
        # The genesis hash depends on the site key: rehash once more under the forger's key.
        entries = [(kind, rid, digest) for _, kind, rid, digest, _, _ in archive.ledger()]
        hashes, counts = archive.rewrite_ledger(entries)
        archive.rewrite_checkpoints(hashes, counts, signing_key=forger)
    elif operation == "view":
        db.execute("ALTER TABLE records RENAME TO records_real")
        db.execute("CREATE VIEW records AS SELECT * FROM records_real")
    elif operation == "stolen-key":
        # The site's own receipt key (FORMAT.md §12.1: "AMRK" ‖ 0x01 ‖ seed), as a thief of the intake host's
        # state would have it: delete row N, rehash and re-sign everything with the real key.
        with open(arguments[1], "rb") as key_file:
            contents = key_file.read()
        if len(contents) != 37 or contents[:5] != b"AMRK\x01":
            refuse("not a receipt key file")
        stolen = SigningKey(contents[5:])
        hashes, counts = archive.delete_record(arguments[0])
        archive.rewrite_checkpoints(hashes, counts, signing_key=stolen)
    elif operation == "flip-signature":
        row = db.execute("SELECT ledger_seq, signature FROM checkpoints ORDER BY ledger_seq DESC LIMIT 1").fetchone()
        if row is None:
            refuse("the archive has no checkpoint")
        signature = bytearray(row[1])
        signature[10] ^= 0x01
        db.execute("UPDATE checkpoints SET signature = ? WHERE ledger_seq = ?", (bytes(signature), row[0]))
    elif operation == "site-text":
        archive.unconstrained("site")
        db.execute("UPDATE site SET signing_key = CAST(signing_key AS TEXT)")
    elif operation == "site-id":
        archive.unconstrained("site")
        db.execute("UPDATE site SET id = ?", (int(arguments[0]),))
    elif operation == "site-empty":
        db.execute("DELETE FROM site")
    elif operation == "site-twice":
        archive.unconstrained("site")
        db.execute("INSERT INTO site SELECT 2, signing_key FROM site")
    elif operation == "ledger-kind":
        archive.unconstrained("ledger")
        db.execute("UPDATE ledger SET kind = ? WHERE seq = ?", (int(arguments[1]), int(arguments[0])))
    elif operation == "ledger-length":
        seq, column = arguments
        if column not in ("record_id", "content_digest", "prev_hash", "entry_hash"):
            refuse(f"no ledger column {column}")
        archive.unconstrained("ledger")
        db.execute(f"UPDATE ledger SET {column} = {column} || x'00' WHERE seq = ?", (int(seq),))
    elif operation == "ill-formed-utf8":
        number, key_path = arguments
        with open(key_path, "rb") as key_file:
            contents = key_file.read()
        if len(contents) != 37 or contents[:5] != b"AMRK\x01":
            refuse("not a receipt key file")
        stolen = SigningKey(contents[5:])
        row = archive.row(number)
        if row["clear_json"] is None:
            refuse("that record is withdrawn")
        # {"language":"<0xff>"}: JSON in shape, but not UTF-8. Bound as bytes, cast so the column stays TEXT.
        bad = b'{"language":"\xff"}'
        db.execute("UPDATE records SET clear_json = CAST(? AS TEXT) WHERE seq = ?", (bad, archive.seq(number)))
        row["clear_json"] = bad
        changed, digest = row["record_id"], record_digest(row)
        entries = [(kind, rid, digest if rid == changed else old) for _, kind, rid, old, _, _ in archive.ledger()]
        if sum(rid == changed for _, rid, _ in entries) != 1:
            refuse("that record has more than one ledger entry")
        hashes, counts = archive.rewrite_ledger(entries)
        archive.rewrite_checkpoints(hashes, counts, signing_key=stolen)
    else:
        refuse(f"unknown operation {operation}")
    db.commit()
    db.close()


if __name__ == "__main__":
    main(sys.argv[1:])
