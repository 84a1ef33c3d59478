#!/usr/bin/env python3
"""Interoperability data for Amanat's SLIP-39 code, made and checked with the reference implementation.

    python3 -m venv /tmp/slip39-venv && /tmp/slip39-venv/bin/pip install -r Tests/Vectors/slip39/requirements.txt
    /tmp/slip39-venv/bin/python Tests/Vectors/slip39/generate.py          # writes reference.json
    /tmp/slip39-venv/bin/python Tests/Vectors/slip39/generate.py --check  # writes nothing, checks all three files

--check (run by `make test` through check.sh) makes reference.json again and fails unless it is the committed file,
combines swift-made.json (below), and has the reference implementation combine every valid vector of vectors.json to
its secret and refuse every invalid one. It exits 1 with what differed.

reference.json: mnemonics that shamir-mnemonic made, each set with the exact random bytes it drew (from a SHAKE-256
stream seeded with the set's name), so that the Swift test can both combine them and split again with the same bytes
and expect the same words. The output is deterministic: rerunning must leave the file unchanged.

swift-made.json: mnemonics that Amanat's Swift code made with real randomness; --check combines every threshold-sized
subset of each set with the reference implementation and compares the secret.

Every secret here is a TEST-ONLY value derived from a public label. Never use one for real data.
"""
import hashlib
import importlib.metadata
import itertools
import json
import os
import sys

import shamir_mnemonic
from shamir_mnemonic import shamir

HERE = os.path.dirname(os.path.abspath(__file__))


def test_secret(label, length=32):
    return hashlib.blake2b(label.encode(), digest_size=length).digest()


class Stream:
    """Deterministic stand-in for shamir.RANDOM_BYTES that records what was drawn."""

    def __init__(self, seed):
        self.data = hashlib.shake_256(seed.encode()).digest(4096)
        self.used = 0

    def __call__(self, n):
        out = self.data[self.used : self.used + n]
        assert len(out) == n, "random stream exhausted"
        self.used += n
        return out


SETS = [
    # name, secret label, passphrase, iteration exponent, extendable, group threshold, groups
    ("3-of-5 with passphrase, extendable", "amanat slip39 test secret 1", "correct horse battery staple", 1, True, 1,
     [(3, 5)]),
    ("3-of-5 without passphrase, extendable", "amanat slip39 test secret 2", "", 1, True, 1, [(3, 5)]),
    ("3-of-5 with passphrase, not extendable", "amanat slip39 test secret 3", "TREZOR", 0, False, 1, [(3, 5)]),
    ("3-of-5 without passphrase, not extendable", "amanat slip39 test secret 4", "", 0, False, 1, [(3, 5)]),
    ("2 of 3 groups (2-of-3, 3-of-5, 1-of-1) with passphrase, extendable", "amanat slip39 test secret 5",
     "amanat", 0, True, 2, [(2, 3), (3, 5), (1, 1)]),
]


def make_reference():
    out = []
    for name, label, passphrase, exponent, extendable, group_threshold, groups in SETS:
        secret = test_secret(label)
        stream = Stream("amanat slip39 random: " + name)
        shamir.RANDOM_BYTES = stream
        mnemonics = shamir.generate_mnemonics(
            group_threshold, groups, secret, passphrase.encode(), extendable=extendable, iteration_exponent=exponent
        )
        # Check the set before writing it.
        assert shamir.combine_mnemonics(
            [g[i] for g, (t, _) in zip(mnemonics[:group_threshold], groups) for i in range(t)], passphrase.encode()
        ) == secret
        out.append({
            "name": name,
            "secret": secret.hex(),
            "passphrase": passphrase,
            "iteration_exponent": exponent,
            "extendable": extendable,
            "group_threshold": group_threshold,
            "groups": [{"threshold": t, "count": n} for t, n in groups],
            "random": stream.data[: stream.used].hex(),
            "mnemonics": mnemonics,
        })
    shamir.RANDOM_BYTES = os.urandom
    return {
        "comment": "Made by shamir-mnemonic %s (the SLIP-39 reference implementation) with generate.py; "
                   "TEST-ONLY secrets." % importlib.metadata.version("shamir-mnemonic"),
        "sets": out,
    }


class CheckFailed(Exception):
    """What --check found wrong; not an assert, which python -O would remove."""


def check(condition, what):
    if not condition:
        raise CheckFailed(what)


def check_reference():
    with open(os.path.join(HERE, "reference.json")) as f:
        committed = json.load(f)
    check(committed == make_reference(),
          "reference.json is not what shamir-mnemonic %s makes now" % importlib.metadata.version("shamir-mnemonic"))
    print("reference.json is what the reference implementation makes (%d sets)" % len(committed["sets"]))


def check_swift():
    with open(os.path.join(HERE, "swift-made.json")) as f:
        data = json.load(f)
    checked = 0
    for entry in data["sets"]:
        secret = bytes.fromhex(entry["secret"])
        passphrase = entry["passphrase"].encode()
        mnemonics = entry["mnemonics"]
        threshold = entry["threshold"]
        for subset in itertools.combinations(mnemonics, threshold):
            try:
                combined = shamir.combine_mnemonics(list(subset), passphrase)
            except shamir_mnemonic.MnemonicError as error:
                raise CheckFailed("%s: the reference refuses a %d-subset: %s" % (entry["name"], threshold, error))
            check(combined == secret, "%s: a %d-subset combines to another secret" % (entry["name"], threshold))
            checked += 1
        for share in mnemonics:
            parsed = shamir_mnemonic.Share.from_mnemonic(share)
            check(parsed.extendable == entry["extendable"], "%s: extendable flag" % entry["name"])
            check(parsed.iteration_exponent == entry["iteration_exponent"], "%s: iteration exponent" % entry["name"])
    check(checked > 0, "swift-made.json holds no sets")
    print("reference combined %d subsets of %d Swift-made sets" % (checked, len(data["sets"])))


def check_vectors():
    with open(os.path.join(HERE, "vectors.json")) as f:
        vectors = json.load(f)
    valid = 0
    for description, mnemonics, secret, _xprv in vectors:
        try:
            combined = shamir.combine_mnemonics(mnemonics, b"TREZOR").hex()
        except shamir_mnemonic.MnemonicError:
            combined = ""
        check(combined == secret, "vector %s: the reference gives %r" % (description, combined or "an error"))
        valid += bool(secret)
    print("reference agrees with all %d vectors (%d valid, %d refused)" % (len(vectors), valid, len(vectors) - valid))


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        try:
            check_reference()
            check_swift()
            check_vectors()
        except CheckFailed as failure:
            print("slip39 check failed: %s" % failure, file=sys.stderr)
            sys.exit(1)
    else:
        with open(os.path.join(HERE, "reference.json"), "w") as f:
            json.dump(make_reference(), f, indent=2)
            f.write("\n")
