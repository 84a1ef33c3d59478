#!/usr/bin/env python3
"""Attachment stream vectors (docs/FORMAT.md section 13), made with PyNaCl, independently of the Swift code.

    python3 -m venv /tmp/vec-venv && /tmp/vec-venv/bin/pip install pynacl
    /tmp/vec-venv/bin/python Tests/Vectors/stream.py            # check the committed vectors
    /tmp/vec-venv/bin/python Tests/Vectors/stream.py --write    # make them afresh (new random headers)

`crypto_secretstream_xchacha20poly1305_init_push` draws its 24-byte header at random, so a stream cannot be made
twice alike: the vectors were made once and committed, and a vector is a key and stored bytes, with what a reader
must find in them. Without --write this script reads every committed vector with interop/amanat_stream.py (the
Python reader written from FORMAT.md) and fails unless each gives its expected outcome, and it checks the Padmé
table (padme.txt) against section 13.2's formula computed here from scratch. With --write it makes the stream
vectors afresh (and the table); commit the result.

Every key here is a TEST-ONLY key derived from a public label. Never use one for real data.
"""

import base64
import hashlib
import pathlib
import sys

from nacl import bindings as sodium

ROOT = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent.parent / "interop"))
import amanat_stream  # noqa: E402  (the reader under test, from interop/)

STREAM_DIR = ROOT / "stream"
PADME_FILE = ROOT / "padme.txt"
CHUNK = 65536
MESSAGE, PUSH, REKEY, FINAL = 0, 1, 2, 3


def derive(label, size=32):
    return hashlib.blake2b(b"amanat TEST-ONLY vector material: " + label.encode(), digest_size=size).digest()


def plaintext(size):
    """The file of every vector: byte i is i mod 251 (a prime, so no chunk repeats another)."""
    return bytes(i % 251 for i in range(size))


# --- Section 13.2 and 13.3, from scratch (not amanat_stream's code) ------------------------------

def padme(p):
    if p <= 256:
        return 256
    e = 0
    while (1 << (e + 1)) <= p:
        e += 1                      # E = floor(log2 P)
    s = 0
    while (1 << s) <= e:
        s += 1                      # s = floor(log2 E) + 1
    z = e - s
    return -(-p // (1 << z)) * (1 << z)


def sizes(p):
    t = padme(p)
    n = max(1, -(-t // CHUNK))
    return t, n, 29 + t + 17 * n


PADME_SIZES = sorted({0, 1, 2, 255, 256, 257, 258, 271, 272, 273, 300, 511, 512, 513, 1000, 1023, 1024, 1025,
                      4095, 4096, 4097, 65535, 65536, 65537, 70000, 131071, 131072, 131073, 1000000, 1048575,
                      1048576, 1048577, 10 ** 7, 10 ** 8, 2 ** 30 - 1, 2 ** 30, 2 ** 30 + 1, 2 ** 31 + 12345,
                      2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 10 ** 12, 2 ** 40 + 1, 2 ** 50 - 1, 2 ** 50})


def padme_table():
    lines = ["# P T n S: a file of P bytes is padded to T (Padmé, FORMAT.md 13.2), encrypted in n chunks and stored",
             "# in S bytes (13.3). Made by Tests/Vectors/stream.py; checked by FileStreamLayoutVectorTests."]
    for p in PADME_SIZES:
        t, n, s = sizes(p)
        lines.append(f"{p} {t} {n} {s}")
    return "\n".join(lines) + "\n"


# --- Writing streams, honest and not -------------------------------------------------------------

def push_stream(key, plain, tags=None, padding=None):
    """The stored bytes for `plain` (section 13.4). `tags` overrides the tag of each chunk and `padding` the
    padding bytes, to make streams an honest writer never makes."""
    t, n, _ = sizes(len(plain))
    padded = plain + (padding if padding is not None else bytes(t - len(plain)))
    assert len(padded) == t
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    chunks = []
    for index in range(n):
        tag = (tags[index] if tags else (FINAL if index == n - 1 else MESSAGE))
        chunks.append(sodium.crypto_secretstream_xchacha20poly1305_push(
            state, padded[index * CHUNK:(index + 1) * CHUNK], None, tag))
    return b"AMFS\x01" + header, chunks


def joined(preamble, chunks):
    return preamble + b"".join(chunks)


def flip(data, offset):
    out = bytearray(data)
    out[offset] ^= 0x01
    return bytes(out)


def scenarios():
    """(name, comment, key, size, sha256, stream, expect, failure)."""
    key = derive("stream key 1")
    other = derive("stream key 2")
    out = []

    def ok(name, comment, size):
        plain = plaintext(size)
        stream = joined(*push_stream(key, plain))
        out.append((name, comment, key, size, hashlib.sha256(plain).digest(), stream, "ok", ""))

    ok("ok-empty", "an empty file: 256 zero bytes of padding, one final chunk, 302 bytes stored", 0)
    ok("ok-1000", "1000 bytes padded to 1024, one chunk", 1000)
    ok("ok-65536", "exactly one full chunk, no padding (padme(65536) = 65536)", 65536)
    ok("ok-two-chunks", "65537 bytes padded to 67584: a full chunk, then a final one of 2048 bytes", 65537)

    plain = plaintext(1000)
    digest = hashlib.sha256(plain).digest()
    preamble, chunks = push_stream(key, plain)
    stream = joined(preamble, chunks)

    def bad(name, comment, stream, expect, failure, size=1000, sha=digest, use_key=key):
        out.append((name, comment, use_key, size, sha, stream, expect, failure))

    one = "chunk 1 of 1 does not authenticate (altered, reordered or dropped)"
    bad("wrong-size-cut-one-byte", "the last byte cut off", stream[:-1], "wrong size", "")
    bad("wrong-size-one-byte-appended", "one byte appended", stream + b"\x00", "wrong size", "")
    bad("wrong-size-preamble-only", "only the 29-byte preamble", stream[:29], "wrong size", "")
    bad("bad-preamble-magic", "AMFT instead of AMFS", b"AMFT" + stream[4:], "bad preamble",
        "the stream's preamble is not AMFS version 1")
    bad("bad-preamble-version-2", "version 02", stream[:4] + b"\x02" + stream[5:], "bad preamble",
        "the stream's preamble is not AMFS version 1")
    bad("auth-failure-flipped-bit", "one bit flipped in the middle of the only chunk", flip(stream, 29 + 500),
        "auth failure", one)
    bad("auth-failure-flipped-tag-byte", "one bit flipped in the encrypted tag byte, the chunk's first",
        flip(stream, 29), "auth failure", one)
    bad("auth-failure-flipped-mac", "one bit flipped in the chunk's last byte (its MAC)", flip(stream, len(stream) - 1),
        "auth failure", one)
    bad("auth-failure-flipped-header", "one bit flipped in the secretstream header", flip(stream, 10),
        "auth failure", one)
    bad("auth-failure-other-key", "the right stream, read with another key", stream, "auth failure", one,
        use_key=other)
    other_stream = joined(*push_stream(key, plain))
    bad("auth-failure-header-of-another-stream", "the header of another stream of the same key and file",
        other_stream[:29] + stream[29:], "auth failure", one)

    # Several chunks: a 2-chunk stream (65553 + 2065 bytes) and a 3-chunk one (65553, 65553, 4113).
    plain2 = plaintext(65537)
    digest2 = hashlib.sha256(plain2).digest()
    preamble2, chunks2 = push_stream(key, plain2)
    bad("auth-failure-second-chunk-flipped", "one bit flipped in chunk 2 of 2", flip(joined(preamble2, chunks2), 29 + 65553 + 7),
        "auth failure", "chunk 2 of 2 does not authenticate (altered, reordered or dropped)", size=65537, sha=digest2)
    bad("auth-failure-chunks-reordered", "chunks 1 and 2 swapped: the stored size is the same, and the reader reads "
        "the first 65553 bytes as chunk 1", joined(preamble2, [chunks2[1], chunks2[0]]), "auth failure",
        "chunk 1 of 2 does not authenticate (altered, reordered or dropped)", size=65537, sha=digest2)
    plain3 = plaintext(131073)
    preamble3, chunks3 = push_stream(key, plain3)
    assert [len(c) for c in chunks3] == [65553, 65553, 4113]
    bad("auth-failure-chunk-dropped", "chunk 2 of 3 dropped, and the sealed size forged to 69632, whose stream has "
        "this stored size: chunk 3 stands where chunk 2 should", joined(preamble3, [chunks3[0], chunks3[2]]),
        "auth failure", "chunk 2 of 2 does not authenticate (altered, reordered or dropped)", size=69632,
        sha=hashlib.sha256(plaintext(69632)).digest())
    bad("not-final-cut-at-chunk-boundary", "the final chunk of 2 cut off, and the sealed size forged to 65536, whose "
        "stream has this stored size: the chunk now last was pushed with TAG_MESSAGE", joined(preamble2, chunks2[:1]),
        "not final", "the last chunk is not marked final: the stream was cut", size=65536,
        sha=hashlib.sha256(plaintext(65536)).digest())
    preamble, chunks = push_stream(key, plain, tags=[MESSAGE])
    bad("not-final-only-chunk-message", "the only chunk pushed with TAG_MESSAGE", joined(preamble, chunks),
        "not final", "the last chunk is not marked final: the stream was cut")
    preamble, chunks = push_stream(key, plain2, tags=[FINAL, FINAL])
    bad("final-too-early", "chunk 1 of 2 pushed with TAG_FINAL", joined(preamble, chunks), "final too early",
        "chunk 1 of 2 is marked final: the stream was cut", size=65537, sha=digest2)
    preamble, chunks = push_stream(key, plain2, tags=[PUSH, FINAL])
    bad("unknown-tag-push", "chunk 1 of 2 pushed with TAG_PUSH (1)", joined(preamble, chunks), "unknown tag",
        "chunk 1 of 2 has a tag other than message or final", size=65537, sha=digest2)
    preamble, chunks = push_stream(key, plain, tags=[REKEY])
    bad("unknown-tag-rekey", "the only chunk pushed with TAG_REKEY (2)", joined(preamble, chunks), "unknown tag",
        "chunk 1 of 1 has a tag other than message or final")
    padding = bytearray(24)
    padding[23] = 0x01
    preamble, chunks = push_stream(key, plain, padding=bytes(padding))
    bad("bad-padding-last-byte", "the last padding byte is 01", joined(preamble, chunks), "bad padding",
        "the padding after the file's bytes is not zero")
    padding = bytearray(24)
    padding[0] = 0x80
    preamble, chunks = push_stream(key, plain, padding=bytes(padding))
    bad("bad-padding-first-byte", "the first padding byte is 80, as ISO/IEC 7816-4 padding would have it",
        joined(preamble, chunks), "bad padding", "the padding after the file's bytes is not zero")
    bad("hash-mismatch", "an authentic stream whose sealed SHA-256 is of other bytes", stream, "hash mismatch",
        "the file's SHA-256 is not the sealed one", sha=hashlib.sha256(plaintext(999)).digest())
    return out


def render(scenario):
    name, comment, key, size, sha, stream, expect, failure = scenario
    lines = [f"expect: {expect}", f"comment: {comment}", f"key: {key.hex()}", f"size: {size}",
             f"sha256: {sha.hex()}", "plaintext: byte i is i mod 251"]
    if failure:
        lines.append(f"failure: {failure}")
    lines.append(f"stored_size: {len(stream)}")
    lines.append(f"stream: {base64.b64encode(stream).decode()}")
    return name, "\n".join(lines) + "\n"


# --- Reading the committed vectors back --------------------------------------------------------------

def read_vector(path):
    fields = {}
    for line in path.read_text().split("\n"):
        if not line:
            break
        key, _, value = line.partition(": ")
        fields[key] = value
    return fields


def outcome(fields):
    """What the Python reader finds: ("ok", sha) or (kind, description)."""
    stream = base64.b64decode(fields["stream"])
    size = int(fields["size"])
    if len(stream) != amanat_stream.stored_size(size):
        return "wrong size", ""
    written = hashlib.sha256()
    try:
        amanat_stream.decrypt([stream], bytes.fromhex(fields["key"]), size, bytes.fromhex(fields["sha256"]),
                              written.update)
    except amanat_stream.StreamError as error:
        return "failed", str(error)
    assert written.digest() == hashlib.sha256(plaintext(size)).digest()
    return "ok", ""


def check():
    failures = 0
    if PADME_FILE.read_text() != padme_table():
        print("padme.txt differs from section 13.2's formula")
        failures += 1
    for line in PADME_FILE.read_text().splitlines():
        if line.startswith("#"):
            continue
        p, t, n, s = map(int, line.split())
        if (amanat_stream.padme(p), amanat_stream.stored_size(p)) != (t, s):
            print(f"amanat_stream disagrees with padme.txt at P = {p}")
            failures += 1
    paths = sorted(STREAM_DIR.glob("*.txt"))
    for path in paths:
        fields = read_vector(path)
        kind, description = outcome(fields)
        expect = fields["expect"]
        if expect == "ok" and kind == "ok" or expect == "wrong size" and kind == "wrong size":
            continue
        if kind == "failed" and description == fields.get("failure"):
            continue
        print(f"{path.name}: expected {expect} ({fields.get('failure', '')}), the reader found {kind} ({description})")
        failures += 1
    print(f"stream vectors: {len(paths)} checked, padme.txt {len(PADME_SIZES)} sizes, {failures} failures")
    return 1 if failures or not paths else 0


def write():
    PADME_FILE.write_text(padme_table())
    STREAM_DIR.mkdir(exist_ok=True)
    for old in STREAM_DIR.glob("*.txt"):
        old.unlink()
    for scenario in scenarios():
        name, text = render(scenario)
        (STREAM_DIR / f"{name}.txt").write_text(text)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    sys.exit(check())
