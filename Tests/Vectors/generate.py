#!/usr/bin/env python3
"""Generates Amanat's test vectors independently of the Swift code under test.

Everything here is built from libsodium primitives through PyNaCl and from the Python standard library
(hashlib's BLAKE2b, base64, json), following docs/FORMAT.md, the normative spec. It never calls Amanat.
The examples published in FORMAT.md (sections 2.2 and 3.5) become vectors after this script has checked them.

The output is deterministic: every key, data key, nonce and salt is derived from a fixed label, and
crypto_box_seal is computed by hand from a fixed ephemeral key (ephemeral pk || crypto_box(m, nonce =
BLAKE2b-192(epk || pk))), exactly as libsodium builds it; each sealed box is checked with crypto_box_seal_open.
Running this script again must leave `git status Tests/Vectors` clean.

Usage:
    python3 -m venv /tmp/vec-venv && /tmp/vec-venv/bin/pip install pynacl
    /tmp/vec-venv/bin/python Tests/Vectors/generate.py

Every key in these files is a TEST-ONLY key derived from a public label, or FORMAT.md's published example.
Never use one for real data.
Argon2id at libsodium's MODERATE limits takes about a second and 256 MiB per call; the script makes four calls.
"""

import base64
import hashlib
import json
import os
import pathlib
import shutil
import sys
import unicodedata

from nacl import bindings as sodium

ROOT = pathlib.Path(__file__).resolve().parent
KINDS = ("envelope", "keyfile", "pubkey")

# --------------------------------------------------------------------------------------------- primitives


def blake2b(data: bytes, size: int = 32) -> bytes:
    return hashlib.blake2b(data, digest_size=size).digest()


def derive(label: str, size: int = 32) -> bytes:
    """Fixed bytes for a label, so that the vectors do not change from run to run."""
    return blake2b(b"amanat TEST-ONLY vector material: " + label.encode(), size)


class TestKey:
    """A TEST-ONLY X25519 key pair derived from a label."""

    def __init__(self, label: str):
        self.label = label
        self.secret = derive("secret key " + label)
        self.public = sodium.crypto_scalarmult_base(self.secret)
        self.key_id = blake2b(self.public)[:8]


def seal_box(message: bytes, recipient: bytes, ephemeral_label: str) -> bytes:
    """crypto_box_seal with a fixed ephemeral key (libsodium draws it at random)."""
    ephemeral_secret = derive("ephemeral " + ephemeral_label)
    ephemeral_public = sodium.crypto_scalarmult_base(ephemeral_secret)
    nonce = blake2b(ephemeral_public + recipient, 24)
    return ephemeral_public + sodium.crypto_box(message, nonce, recipient, ephemeral_secret)


def seal_box_checked(message: bytes, recipient: TestKey, ephemeral_label: str) -> bytes:
    box = seal_box(message, recipient.public, ephemeral_label)
    assert len(box) == 80 or len(message) != 32
    assert sodium.crypto_box_seal_open(box, recipient.public, recipient.secret) == message
    return box


def aead_seal(plaintext: bytes, ad: bytes, nonce: bytes, key: bytes) -> bytes:
    return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key)


def canonical_json(value) -> bytes:
    """Canonical JSON for values without numbers (see Sources/AmanatJSON/CanonicalJSON.swift)."""

    def nfc(v):
        if isinstance(v, str):
            return unicodedata.normalize("NFC", v)
        if isinstance(v, dict):
            return {nfc(k): nfc(x) for k, x in v.items()}
        if isinstance(v, list):
            return [nfc(x) for x in v]
        return v

    return json.dumps(nfc(value), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def bucket(length: int) -> int:
    """The padded size: the next power of two >= 512 with room for the 0x80 marker, then multiples of 64 KiB."""
    needed = length + 1
    if needed <= 65536:
        size = 512
        while size < needed:
            size *= 2
        return size
    return -(-needed // 65536) * 65536


def pad(plaintext: bytes) -> bytes:
    """ISO/IEC 7816-4 padding, as sodium_pad produces it, to the bucket."""
    size = bucket(len(plaintext))
    return plaintext + b"\x80" + bytes(size - len(plaintext) - 1)


def base32(data: bytes) -> str:
    return base64.b32encode(data).decode().lower().rstrip("=")


def pubkey_text(public: bytes) -> str:
    checksum = blake2b(b"amanat-pk-v1" + public)[:4]
    return "amanat-pk-" + base32(public + checksum)


# --------------------------------------------------------------------------------------------- envelopes

MAGIC = b"AMEV"
RECORD_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
OTHER_RECORD_ID = bytes.fromhex("ffeeddccbbaa99887766554433221100")

ALICE = TestKey("alice")  # the key every envelope vector opens with
BOB = TestKey("bob")
CAROL = TestKey("carol")
MALLORY = TestKey("mallory")

IDENTITY = {"full_name": "Қайрат Мұхаметжанұлы", "other_names": ["Qairat"], "birth_year": "1978"}
TESTIMONY = {
    "narrative": "Мен 2018 жылы ұсталдым. I was held for eleven months.",
    "places_of_detention": ["Tacheng"],
    "period": "2018-03/2019-02",
}


def stanza(key_id: bytes, sealed: bytes) -> bytes:
    assert len(key_id) == 8 and len(sealed) == 80
    return key_id + sealed


def header(section: bytes, record_id: bytes, stanzas, version: int = 1, magic: bytes = MAGIC, count=None) -> bytes:
    n = len(stanzas) if count is None else count
    return magic + bytes([version, len(section)]) + section + record_id + bytes([n]) + b"".join(stanzas)


def assemble(head: bytes, nonce: bytes, ciphertext: bytes, length=None) -> bytes:
    n = len(ciphertext) if length is None else length
    return head + nonce + n.to_bytes(4, "big") + ciphertext


class Sealed:
    """One well-formed envelope with its parts kept, so that scenarios can alter exactly one thing."""

    def __init__(self, label, plaintext: bytes, section=b"identity", record_id=RECORD_ID, recipients=(ALICE,),
                 padded=None, extra_stanzas=()):
        self.data_key = derive("data key " + label)
        self.nonce = derive("nonce " + label, 24)
        self.plaintext = plaintext
        self.section = section
        self.record_id = record_id
        self.stanzas = [
            stanza(k.key_id, seal_box_checked(self.data_key, k, f"{label} stanza {i}"))
            for i, k in enumerate(recipients)
        ] + list(extra_stanzas)
        self.header = header(section, record_id, self.stanzas)
        self.padded = pad(plaintext) if padded is None else padded
        self.ciphertext = aead_seal(self.padded, self.header, self.nonce, self.data_key)
        self.bytes = assemble(self.header, self.nonce, self.ciphertext)
        self.nonce_offset = len(self.header)
        self.ciphertext_offset = len(self.header) + 24 + 4


def flip(data: bytes, offset: int, mask: int = 0x01) -> bytes:
    out = bytearray(data)
    out[offset] ^= mask
    return bytes(out)


def envelope_vectors():
    vectors = []

    def add(name, expect, comment, envelope: bytes, section="identity", record_id=RECORD_ID, plaintext=None):
        fields = [("expect", expect), ("comment", comment), ("section", section),
                  ("record_id", record_id.hex()), ("secret_key", ALICE.secret.hex()),
                  ("public_key", pubkey_text(ALICE.public))]
        if plaintext is not None:
            fields.append(("plaintext", plaintext.decode()))
        fields.append(("envelope", envelope.hex()))
        vectors.append((name, fields))

    identity = canonical_json(IDENTITY)
    testimony = canonical_json(TESTIMONY)
    base = Sealed("identity", identity)

    # ok
    add("ok-identity", "ok", "a one-recipient identity envelope", base.bytes, plaintext=identity)
    ok_testimony = Sealed("testimony", testimony, section=b"testimony")
    add("ok-testimony", "ok", "a one-recipient testimony envelope", ok_testimony.bytes, "testimony",
        plaintext=testimony)
    three = Sealed("three", identity, recipients=(BOB, ALICE, CAROL))
    add("ok-three-stanzas-second", "ok", "three recipients; the test key is in the second stanza", three.bytes,
        plaintext=identity)
    sixteen_keys = [TestKey(f"recipient {i}") for i in range(15)] + [ALICE]
    sixteen = Sealed("sixteen", testimony, section=b"testimony", recipients=sixteen_keys)
    add("ok-sixteen-stanzas-last", "ok", "the maximum of 16 recipients; the test key is the last stanza",
        sixteen.bytes, "testimony", plaintext=testimony)
    empty = canonical_json({})
    add("ok-empty-object", "ok", "an empty section, {}, still pads to the 512-byte bucket",
        Sealed("empty", empty).bytes, plaintext=empty)
    full = canonical_json({"narrative": "x" * (511 - len(canonical_json({"narrative": ""})))})
    assert len(full) == 511
    add("ok-511-bytes-bucket-512", "ok", "511 bytes of plaintext: the 0x80 marker is the last byte of a 512 bucket",
        Sealed("511", full, section=b"testimony").bytes, "testimony", plaintext=full)
    over = canonical_json({"narrative": "x" * (512 - len(canonical_json({"narrative": ""})))})
    assert len(over) == 512
    add("ok-512-bytes-bucket-1024", "ok", "512 bytes of plaintext need the 1024-byte bucket",
        Sealed("512", over, section=b"testimony").bytes, "testimony", plaintext=over)
    small = canonical_json({"full_name": "Ли"})
    add("ok-bucket-not-smallest", "ok",
        "content padded to 1024 although 512 would do: readers must not require the smallest bucket (FORMAT.md 5)",
        Sealed("not smallest", small, padded=small + b"\x80" + bytes(1024 - len(small) - 1)).bytes, plaintext=small)
    misaddressed = stanza(ALICE.key_id, seal_box_checked(derive("data key duplicate"), BOB, "duplicate first"))
    duplicate = Sealed("duplicate", identity, recipients=(ALICE,), extra_stanzas=())
    duplicate.stanzas = [misaddressed] + duplicate.stanzas
    duplicate.header = header(b"identity", RECORD_ID, duplicate.stanzas)
    duplicate.ciphertext = aead_seal(duplicate.padded, duplicate.header, duplicate.nonce, duplicate.data_key)
    add("ok-duplicate-key-id-first-does-not-open", "ok",
        "two stanzas carry the test key's id; the first does not open, so the reader goes on to the second",
        assemble(duplicate.header, duplicate.nonce, duplicate.ciphertext), plaintext=identity)
    large = canonical_json({"narrative": "Тергеу. " * 5000})
    assert 65536 < len(large) + 1 <= 131072, len(large)
    large_env = Sealed("large", large, section=b"testimony")
    assert len(large_env.ciphertext) == 131072 + 16
    add("ok-large-bucket-131072", "ok", f"{len(large)} bytes of plaintext (over 64 KiB) pad to the 131072 bucket",
        large_env.bytes, "testimony", plaintext=large)

    # no matching key
    add("no-matching-key", "no matching key", "sealed to two other keys; no stanza carries the test key's id",
        Sealed("others", identity, recipients=(BOB, CAROL)).bytes)
    add("no-matching-key-flipped-key-id", "no matching key",
        "the test key's stanza has one key id bit flipped, so no stanza names the test key",
        flip(base.bytes, 4 + 1 + 1 + 8 + 16 + 1))

    # structure, rejected before any cryptography
    add("bad-magic", "bad magic", "magic AMEX instead of AMEV", b"AMEX" + base.bytes[4:])
    add("bad-magic-lowercase", "bad magic", "magic amev: the magic is case-sensitive", b"amev" + base.bytes[4:])
    add("bad-magic-key-file", "bad magic", "a secret key file's magic, AMSK", b"AMSK" + base.bytes[4:])
    for version in (0, 2, 255):
        add(f"unsupported-version-{version}", "unsupported version", f"version byte {version}; only 1 is defined",
            base.bytes[:4] + bytes([version]) + base.bytes[5:])
    for name, section, comment in [
        ("unknown", b"identit", "section name 'identit' is not a section"),
        ("clear", b"clear", "the clear section is never sealed"),
        ("uppercase", b"Identity", "section names are lowercase"),
        ("empty", b"", "a zero-length section name"),
        ("nul", b"identity\x00", "a NUL after the section name, counted in its length"),
        ("invalid-utf8", b"identit\xff", "a section name that is not UTF-8"),
    ]:
        head = header(section, RECORD_ID, base.stanzas)
        add(f"bad-section-{name}", "bad section", comment,
            assemble(head, base.nonce, aead_seal(base.padded, head, base.nonce, base.data_key)))
    for count, comment in [(0, "no stanzas at all"), (17, "17 stanzas, one more than the maximum"),
                           (255, "a stanza count of 255 (only one stanza follows)")]:
        stanzas = [] if count == 0 else base.stanzas if count == 255 else \
            [stanza(TestKey(f"extra {i}").key_id, seal_box_checked(base.data_key, TestKey(f"extra {i}"), f"17 {i}"))
             for i in range(16)] + base.stanzas
        head = header(b"identity", RECORD_ID, stanzas, count=count)
        add(f"bad-stanza-count-{count}", "bad stanza count", comment,
            assemble(head, base.nonce, aead_seal(base.padded, head, base.nonce, base.data_key)))
    for length, comment in [
        (512 + 15, "ciphertext of 527 bytes: one short of a bucket plus the tag"),
        (512 + 17, "ciphertext of 529 bytes: one over a bucket plus the tag"),
        (768 + 16, "768 is not a power of two"),
        (66048 + 16, "above 64 KiB a bucket is a multiple of 64 KiB; 66048 is not"),
        (256 + 16, "256 is below the smallest bucket"),
        (16, "a tag and no padded plaintext"),
        (0, "a zero-length ciphertext"),
    ]:
        add(f"bad-ciphertext-length-{length}", "bad ciphertext length", comment,
            assemble(base.header, base.nonce, bytes(range(256)) * (length // 256) + bytes(length % 256)))
    add("bad-ciphertext-length-huge", "bad ciphertext length",
        "a declared length of 2^32-1 with nothing after it: refused before any allocation",
        assemble(base.header, base.nonce, b"", length=0xFFFFFFFF))
    add("bad-ciphertext-length-over-maximum", "bad ciphertext length",
        "a declared length of 16 MiB + 64 KiB + 16, a bucket plus the tag above the 16 MiB ceiling",
        assemble(base.header, base.nonce, b"", length=(16 << 20) + 65536 + 16))
    add("bad-ciphertext-length-16-mib", "bad ciphertext length",
        "a declared length of exactly 16 MiB: 16 MiB - 16 is not a bucket", assemble(base.header, base.nonce, b"",
                                                                                   length=16 << 20))
    add("truncated-largest-legal-length", "truncated",
        "the largest legal length, 16 MiB - 64 KiB + 16, declared with only 528 bytes after it",
        assemble(base.header, base.nonce, base.ciphertext, length=(16 << 20) - 65536 + 16))
    add("bad-ciphertext-length-says-shorter", "bad ciphertext length",
        "the length field is one less than the ciphertext that follows", assemble(base.header, base.nonce,
                                                                                 base.ciphertext,
                                                                                 length=len(base.ciphertext) - 1))

    header_end = len(base.header)
    cuts = [
        (0, "empty input"),
        (3, "inside the magic"),
        (4, "after the magic"),
        (5, "after the version"),
        (10, "inside the section name"),
        (20, "inside the record id"),
        (30, "after the record id, before the stanza count"),
        (31 + 4, "inside the stanza's key id"),
        (31 + 50, "inside the stanza's sealed key"),
        (header_end, "after the stanzas, before the nonce"),
        (header_end + 12, "inside the nonce"),
        (header_end + 26, "inside the length field"),
        (base.ciphertext_offset, "right after the length field"),
        (base.ciphertext_offset + 100, "inside the ciphertext"),
        (len(base.bytes) - 1, "one byte short of the end of the tag"),
    ]
    assert base.bytes[30] == 1  # the stanza count is at offset 30 for "identity"
    for at, comment in cuts:
        add(f"truncated-at-{at}", "truncated", f"cut at byte {at}: {comment}", base.bytes[:at])
    add("truncated-large-length", "truncated", "a declared 131072+16 length with only 512+16 bytes after it",
        assemble(base.header, base.nonce, base.ciphertext, length=131072 + 16)[: base.ciphertext_offset + 528])
    add("trailing-bytes-one", "trailing bytes", "one zero byte after the tag", base.bytes + b"\x00")
    add("trailing-bytes-second-envelope", "trailing bytes", "two envelopes back to back", base.bytes + base.bytes)

    # misplaced: the caller's record id or section differs from the envelope's
    add("record-id-mismatch", "record id mismatch", "an intact envelope for another record",
        base.bytes, record_id=OTHER_RECORD_ID)
    add("section-mismatch", "section mismatch", "an intact testimony envelope where identity was expected",
        ok_testimony.bytes, section="identity")

    # authentication failures: the header is the associated data
    add("auth-failure-ciphertext-first-byte", "auth failure", "first ciphertext byte flipped",
        flip(base.bytes, base.ciphertext_offset))
    add("auth-failure-tag-last-byte", "auth failure", "last tag byte flipped", flip(base.bytes, len(base.bytes) - 1))
    add("auth-failure-nonce", "auth failure", "a nonce byte flipped", flip(base.bytes, base.nonce_offset + 5))
    moved = flip(base.bytes, 4 + 1 + 1 + 8 + 3)
    add("auth-failure-record-id", "auth failure",
        "a record id byte flipped, and the caller asks for the flipped id: the header is authenticated",
        moved, record_id=flip(RECORD_ID, 3))
    renamed_head = header(b"testimony", RECORD_ID, base.stanzas)
    add("auth-failure-section-renamed", "auth failure",
        "an identity envelope relabelled testimony (header rewritten, ciphertext kept), opened as testimony",
        assemble(renamed_head, base.nonce, base.ciphertext), section="testimony")
    dropped = header(b"identity", RECORD_ID, three.stanzas[:2])
    add("auth-failure-stanza-removed", "auth failure",
        "the third recipient's stanza removed from a three-recipient envelope",
        assemble(dropped, three.nonce, three.ciphertext))
    added = header(b"identity", RECORD_ID, base.stanzas +
                   [stanza(MALLORY.key_id, seal_box_checked(base.data_key, MALLORY, "mallory added"))])
    add("auth-failure-stanza-added", "auth failure",
        "a stanza sealing the same data key to another key appended to the recipient list",
        assemble(added, base.nonce, base.ciphertext))
    other_id = bytearray(three.bytes)
    other_id[31] ^= 0x80  # the first stanza's (Bob's) key id
    add("auth-failure-other-key-id", "auth failure",
        "another recipient's key id altered; the test key's stanza still opens, the header does not authenticate",
        bytes(other_id))
    swapped = header(b"identity", RECORD_ID, [three.stanzas[1], three.stanzas[0], three.stanzas[2]])
    add("auth-failure-stanzas-reordered", "auth failure", "the first two stanzas swapped",
        assemble(swapped, three.nonce, three.ciphertext))
    other_key_head = base.header
    wrong_dek = aead_seal(base.padded, other_key_head, base.nonce, derive("some other data key"))
    add("auth-failure-other-data-key", "auth failure",
        "the stanza opens to a data key, but the ciphertext was made under a different one",
        assemble(other_key_head, base.nonce, wrong_dek))
    spliced = assemble(base.header, base.nonce, ok_testimony.ciphertext)
    add("auth-failure-spliced-ciphertext", "auth failure",
        "another envelope's nonce-less ciphertext spliced under this header", spliced)

    # bad padding inside a correctly authenticated ciphertext
    content = b'{"full_name":"x"}'
    for name, padded, comment in [
        ("no-marker", content + bytes(512 - len(content)), "no 0x80 marker, only zeros after the content"),
        ("nonzero-after-marker", content + b"\x80" + bytes(100) + b"\x01" + bytes(512 - len(content) - 102),
         "a non-zero byte after the 0x80 marker"),
        ("marker-0x81", content + b"\x81" + bytes(512 - len(content) - 1), "0x81 where the marker should be"),
        ("all-content", bytes(range(256)) * 2, "512 bytes without any padding"),
        ("all-zero", bytes(512), "512 zero bytes"),
    ]:
        assert len(padded) == 512
        add(f"bad-padding-{name}", "bad padding", comment,
            Sealed("padding " + name, content, padded=padded).bytes)

    # a stanza that names the test key but does not open with it
    wrong_recipient = stanza(ALICE.key_id, seal_box_checked(base.data_key, BOB, "misaddressed"))
    head = header(b"identity", RECORD_ID, [wrong_recipient])
    add("stanza-does-not-open-misaddressed", "stanza does not open",
        "the stanza carries the test key's id but was sealed to another key",
        assemble(head, base.nonce, aead_seal(base.padded, head, base.nonce, base.data_key)))
    garbage = stanza(ALICE.key_id, derive("garbage stanza", 64) + derive("garbage stanza tail", 16))
    head = header(b"identity", RECORD_ID, [garbage])
    add("stanza-does-not-open-garbage", "stanza does not open", "the sealed key is 80 random bytes",
        assemble(head, base.nonce, aead_seal(base.padded, head, base.nonce, base.data_key)))
    add("stanza-does-not-open-flipped", "stanza does not open", "one byte of the sealed data key flipped",
        flip(base.bytes, 4 + 1 + 1 + 8 + 16 + 1 + 8 + 40))
    return vectors


# --------------------------------------------------------------------------------------------- key files

# FORMAT.md's published example (sections 2.2 and 3.5). Its secret is public: never use it.
FORMAT_EXAMPLE_TEXT = "amanat-pk-7wt4dsgbjn2sifvzm2w2y57mvwambp4gk4ykkqu7hv4tjzk6jzyezbuut4"
FORMAT_EXAMPLE_KEY = "fda7c1c8c14b752416b966adac77ecad80c0bf865730a5429f3d7934e55e4e70"
FORMAT_EXAMPLE_KEY_ID = "9cae075ccda5e1d4"
FORMAT_EXAMPLE_SECRET = "9f340a8e6a6434430d643e31a2ff6e30fbfeeb3b055d9de2c82295e06160255f"
FORMAT_EXAMPLE_KEY_FILE = (
    "# amanat secret key file. Keep it offline; it is useless without its passphrase.\n"
    "# public key: amanat-pk-7wt4dsgbjn2sifvzm2w2y57mvwambp4gk4ykkqu7hv4tjzk6jzyezbuut4\n"
    "# created: 2026-11-29T03:06:47Z\n"
    "AMANAT-SECRET-KEY-1\n"
    "QU1TSwEBAAAAAwAAAAAQAAAASsxQGogWV78Xzi/fdCT3UP2nwcjBS3UkFrlmrax37K2AwL+GVzClQp89eTTlXk5wu4LXhtlmEk2bhsrAVJCZjcCHUW"
    "UwNiKq2rd9QRe4Daw7PTcf94lG1yuxxfaaML1YR2FTgF5AXqolCpyraqfF9dV+aXH6C+tC\n"
)

MODERATE_OPS = sodium.crypto_pwhash_argon2id_OPSLIMIT_MODERATE
MODERATE_MEM = sodium.crypto_pwhash_argon2id_MEMLIMIT_MODERATE
assert (MODERATE_OPS, MODERATE_MEM) == (3, 268435456)
KEYFILE_MARKER = "AMANAT-SECRET-KEY-1"


def keyfile_header(public: bytes, salt: bytes, nonce: bytes, ops=MODERATE_OPS, mem=MODERATE_MEM,
                   magic=b"AMSK", version=1, kdf=1) -> bytes:
    return magic + bytes([version, kdf]) + ops.to_bytes(4, "big") + mem.to_bytes(8, "big") + salt + public + nonce


def keyfile_body(secret: bytes, public: bytes, passphrase: str, label: str, ops=MODERATE_OPS,
                 mem=MODERATE_MEM) -> bytes:
    salt = derive("salt " + label, 16)
    nonce = derive("keyfile nonce " + label, 24)
    head = keyfile_header(public, salt, nonce, ops, mem)
    assert len(head) == 90
    wrapping = sodium.crypto_pwhash_alg(32, passphrase.encode(), salt, ops, mem,
                                        sodium.crypto_pwhash_ALG_ARGON2ID13)
    body = head + aead_seal(secret, head, nonce, wrapping)
    assert len(body) == 138
    return body


def keyfile_text(body: bytes, comment_key=None, comments=True, eol="\n") -> bytes:
    lines = []
    if comments:
        lines.append("# amanat secret key file. Keep it offline; it is useless without its passphrase.")
        if comment_key is not None:
            lines.append("# public key: " + comment_key)
        lines.append("# created: 2025-01-01T00:00:00Z")
    lines += [KEYFILE_MARKER, base64.b64encode(body).decode()]
    return (eol.join(lines) + eol).encode()


def keyfile_vectors():
    vectors = []
    key = TestKey("key file")
    other = TestKey("key file other")
    passphrase = "correct horse battery staple"
    unicode_passphrase = "Қайрат құпия сөз 🔑"
    body = keyfile_body(key.secret, key.public, passphrase, "ok")
    text_key = pubkey_text(key.public)

    def add(name, expect, comment, file: bytes, phrase=passphrase, ok_key=None, ops=MODERATE_OPS,
            mem=MODERATE_MEM):
        fields = [("expect", expect), ("comment", comment), ("passphrase", phrase)]
        if ok_key is not None:
            fields += [("secret_key", ok_key.secret.hex()), ("public_key", pubkey_text(ok_key.public)),
                       ("opslimit", str(ops)), ("memlimit", str(mem))]
        fields.append(("line_endings", "crlf" if b"\r\n" in file else "lf"))
        vectors.append((name, fields, file))

    def with_body(b: bytes, **kw) -> bytes:
        return keyfile_text(b, comment_key=text_key, **kw)

    add("ok", "ok", "a key file as amanat-keyholder init writes it", with_body(body), ok_key=key)
    add("bad-format-crlf", "bad format",
        "CRLF line endings: CR is not a line separator, so the marker line does not match (FORMAT.md 3.1)",
        with_body(body, eol="\r\n"))
    add("ok-public-key-comment-starts-the-line", "ok",
        "only lines starting '# public key: ' announce a key (FORMAT.md 3.1): '##' and '#public' lines are not",
        with_body(body).replace(b"# created:", ("## public key: " + pubkey_text(other.public) + "\n#public key: "
                                                 + pubkey_text(other.public) + "\n# created:").encode()),
        ok_key=key)
    add("ok-no-comments", "ok", "only the marker and body lines; the public key comment is optional",
        keyfile_text(body, comments=False), ok_key=key)
    unicode_body = keyfile_body(key.secret, key.public, unicode_passphrase, "unicode", ops=4)
    add("ok-unicode-passphrase-ops-4", "ok", "a non-ASCII UTF-8 passphrase and opslimit 4",
        with_body(unicode_body), phrase=unicode_passphrase, ok_key=key, ops=4)

    # FORMAT.md 3.5's published example, checked here before it becomes a vector.
    example_text = FORMAT_EXAMPLE_KEY_FILE.encode()
    example_body = base64.b64decode(example_text.split(b"\n")[4], validate=True)
    example_wrapping = sodium.crypto_pwhash_alg(32, b"correct horse battery staple", example_body[18:34], 3,
                                                268435456, sodium.crypto_pwhash_ALG_ARGON2ID13)
    example_secret = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(example_body[90:], example_body[:90],
                                                                       example_body[66:90], example_wrapping)
    assert example_secret.hex() == FORMAT_EXAMPLE_SECRET
    assert sodium.crypto_scalarmult_base(example_secret) == example_body[34:66] == bytes.fromhex(FORMAT_EXAMPLE_KEY)
    example = TestKey("unused")
    example.secret, example.public = example_secret, example_body[34:66]
    add("ok-format-md-example", "ok", "the example key file of FORMAT.md 3.5", example_text,
        phrase="correct horse battery staple", ok_key=example)

    add("wrong-passphrase", "wrong passphrase", "the passphrase differs in the case of one letter",
        with_body(body), phrase="Correct horse battery staple")
    corrupt_head_salt = "corrupt"
    salt = derive("salt " + corrupt_head_salt, 16)
    nonce = derive("keyfile nonce " + corrupt_head_salt, 24)
    head = keyfile_header(key.public, salt, nonce)
    wrapping = sodium.crypto_pwhash_alg(32, passphrase.encode(), salt, MODERATE_OPS, MODERATE_MEM,
                                        sodium.crypto_pwhash_ALG_ARGON2ID13)
    corrupt_body = head + aead_seal(other.secret, head, nonce, wrapping)
    add("corrupt", "corrupt",
        "authenticates, but the encrypted secret key is not the one whose public key is in the header",
        with_body(corrupt_body))

    def patched(offset: int, new: bytes) -> bytes:
        return body[:offset] + new + body[offset + len(new):]

    b64 = base64.b64encode(body).decode()
    add("bad-format-no-marker", "bad format", "the marker line is missing",
        ("# public key: " + text_key + "\n" + b64 + "\n").encode())
    add("bad-format-marker-version-2", "bad format", "the marker line names a version this reader does not know",
        ("AMANAT-SECRET-KEY-2\n" + b64 + "\n").encode())
    add("bad-format-bad-base64", "bad format", "a character outside the base64 alphabet in the body line",
        (KEYFILE_MARKER + "\n" + b64[:40] + "!" + b64[41:] + "\n").encode())
    add("bad-format-base64-extra-padding", "bad format", "'==' after the canonical base64 (FORMAT.md 1)",
        (KEYFILE_MARKER + "\n" + b64 + "==\n").encode())
    add("bad-format-base64-space", "bad format", "a space inside the base64 line",
        (KEYFILE_MARKER + "\n" + b64[:60] + " " + b64[60:] + "\n").encode())
    add("bad-format-base64-trailing-space", "bad format", "a space after the base64 line",
        (KEYFILE_MARKER + "\n" + b64 + " \n").encode())
    add("bad-format-body-split", "bad format", "the body wrapped over two lines",
        (KEYFILE_MARKER + "\n" + b64[:64] + "\n" + b64[64:] + "\n").encode())
    add("bad-format-no-body", "bad format", "the marker line and nothing after it",
        (KEYFILE_MARKER + "\n").encode())
    add("bad-format-body-137", "bad format", "the body is one byte short",
        keyfile_text(body[:-1], comments=False))
    add("bad-format-body-139", "bad format", "the body has one byte too many",
        keyfile_text(body + b"\x00", comments=False))
    add("bad-format-bad-magic", "bad format", "body magic AMEV instead of AMSK",
        keyfile_text(patched(0, b"AMEV"), comments=False))
    add("bad-format-zero-public-key", "bad format", "the all-zero public key in the header",
        keyfile_text(patched(34, bytes(32)), comments=False))
    add("bad-format-empty", "bad format", "an empty file", b"")
    add("unsupported-version-2", "unsupported version", "body version 2",
        keyfile_text(patched(4, b"\x02"), comments=False))
    add("unsupported-kdf-2", "unsupported version", "KDF id 2, which is not defined (1 is Argon2id v1.3)",
        keyfile_text(patched(5, b"\x02"), comments=False))
    add("unsupported-kdf-0", "unsupported version", "KDF id 0",
        keyfile_text(patched(5, b"\x00"), comments=False))
    for name, ops, mem, comment in [
        ("opslimit-2", 2, MODERATE_MEM, "opslimit 2, below MODERATE's 3"),
        ("opslimit-0", 0, MODERATE_MEM, "opslimit 0"),
        ("opslimit-33", 33, MODERATE_MEM, "opslimit 33, above the maximum of 32"),
        ("memlimit-64-mib", MODERATE_OPS, 64 << 20, "memlimit 64 MiB, below MODERATE's 256 MiB"),
        ("memlimit-one-below", MODERATE_OPS, MODERATE_MEM - 1, "memlimit one byte below 256 MiB"),
        ("memlimit-above-maximum", MODERATE_OPS, (4 << 30) + 1, "memlimit one byte above the 4 GiB maximum"),
        ("memlimit-2-64", MODERATE_OPS, (1 << 64) - 1, "memlimit 2^64-1"),
    ]:
        # Refused before any key derivation, so the ciphertext is simply the ok file's.
        add(f"unacceptable-{name}", "unacceptable parameters", comment + "; refused before key derivation",
            keyfile_text(patched(6, ops.to_bytes(4, "big") + mem.to_bytes(8, "big")), comments=False))
    add("public-key-mismatch", "public key mismatch", "the public key comment names another valid key",
        keyfile_text(body, comment_key=pubkey_text(other.public)))
    add("public-key-mismatch-truncated", "public key mismatch", "the public key comment is truncated",
        keyfile_text(body, comment_key=text_key[:-1]))
    add("public-key-mismatch-first-of-two-comments", "public key mismatch",
        "two public key comments: the last is right, the first (which a person reads) names another key",
        ("# public key: " + pubkey_text(other.public) + "\n").encode() + with_body(body))
    add("public-key-mismatch-last-of-two-comments", "public key mismatch",
        "two public key comments: the first is right, the last names another key; every one must match",
        with_body(body).replace(b"# created:", ("# public key: " + pubkey_text(other.public)
                                                 + "\n# created:").encode()))
    return vectors


# --------------------------------------------------------------------------------------------- public keys

def pubkey_vectors():
    vectors = []
    key = TestKey("public key text")
    text = pubkey_text(key.public)
    assert len(text) == 68
    body = text[len("amanat-pk-"):]

    def add(name, expect, comment, value, ok=False, public=key.public):
        fields = [("expect", expect), ("comment", comment), ("text", value)]
        if ok:
            fields += [("public_key", public.hex()), ("key_id", blake2b(public)[:8].hex())]
        vectors.append((name, fields))

    def replace(s: str, index: int, char: str) -> str:
        assert s[index] != char
        return s[:index] + char + s[index + 1:]

    add("ok", "ok", "a valid public key", text, ok=True)
    example = bytes.fromhex(FORMAT_EXAMPLE_KEY)
    assert pubkey_text(example) == FORMAT_EXAMPLE_TEXT
    assert blake2b(example)[:8].hex() == FORMAT_EXAMPLE_KEY_ID
    add("ok-format-md-example", "ok", "the example key of FORMAT.md 2.2", FORMAT_EXAMPLE_TEXT, ok=True,
        public=example)
    for i in range(2):
        k = TestKey(f"public key text {i + 2}")
        add(f"ok-{i + 2}", "ok", "another valid public key", pubkey_text(k.public), ok=True, public=k.public)
    add("bad-prefix-uppercase", "bad prefix", "the prefix in capitals", "AMANAT-PK-" + body)
    add("bad-prefix-age", "bad prefix", "an age recipient",
        "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
    add("bad-prefix-underscore", "bad prefix", "amanat_pk- instead of amanat-pk-", "amanat_pk-" + body)
    add("bad-prefix-leading-space", "bad prefix", "a leading space (callers trim lines)", " " + text)
    add("bad-prefix-empty", "bad prefix", "an empty string", "")
    add("bad-length-prefix-only", "bad length", "the prefix and nothing else", "amanat-pk-")
    add("bad-length-truncated", "bad length", "the last character missing", text[:-1])
    add("bad-length-truncated-half", "bad length", "cut in half", text[:40])
    add("bad-length-extra-char", "bad length", "one extra character", text + "a")
    add("bad-length-trailing-space", "bad length", "a trailing space (callers trim lines)", text + " ")
    add("bad-character-uppercase", "bad character", "the body in capitals", "amanat-pk-" + body.upper())
    add("bad-character-one-uppercase", "bad character", "one letter of the body in capitals",
        replace(text, 20, text[20].upper() if text[20].isalpha() else "A"))
    for digit in "0189":
        add(f"bad-character-{digit}", "bad character", f"'{digit}' is not in the base32 alphabet",
            replace(text, 30, digit))
    add("bad-character-padding", "bad character", "a base32 '=' padding character", text[:-1] + "=")
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    first = alphabet[(alphabet.index(body[0]) + 1) % 32]
    add("bad-checksum-key-char", "bad checksum", "one character of the key part changed",
        "amanat-pk-" + first + body[1:])
    add("bad-checksum-checksum-char", "bad checksum", "one character of the checksum part changed",
        replace(text, len(text) - 3, alphabet[(alphabet.index(text[-3]) + 1) % 32]))
    swapped = body[:10] + body[11] + body[10] + body[12:]
    assert swapped != body
    add("bad-checksum-transposed", "bad checksum", "two adjacent characters transposed", "amanat-pk-" + swapped)
    zero = bytes(32)
    add("weak-key-all-zero", "weak key", "the all-zero key, with a correct checksum", pubkey_text(zero))
    # 36 bytes are 288 bits; 58 characters carry 290, so the last character's two low bits must be zero.
    last = alphabet.index(text[-1])
    assert last & 3 == 0
    add("non-canonical-trailing-bits", "bad character",
        "the two unused low bits of the last character set: the same bytes, a second spelling",
        text[:-1] + alphabet[last | 1])
    return vectors


# --------------------------------------------------------------------------------------------- output

def render(fields) -> bytes:
    for key, value in fields:
        assert "\n" not in value and "\r" not in value, key
    return "".join(f"{key}: {value}\n" for key, value in fields).encode()


def main() -> int:
    out = {kind: {} for kind in KINDS}
    for name, fields in envelope_vectors():
        out["envelope"][name] = render(fields)
    for name, fields, file in keyfile_vectors():
        out["keyfile"][name] = render(fields) + b"\n" + file
    for name, fields in pubkey_vectors():
        out["pubkey"][name] = render(fields)
    for kind, files in out.items():
        directory = ROOT / kind
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir()
        for name, content in sorted(files.items()):
            (directory / f"{name}.txt").write_bytes(content)
        print(f"{kind}: {len(files)} vectors", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
