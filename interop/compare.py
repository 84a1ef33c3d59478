#!/usr/bin/env python3
"""Compare the JSON Lines of `amanat-keyholder open` and `amanat_open.py`, for interop/check.sh.

    compare.py SWIFT.jsonl PYTHON.jsonl --records N [--expect RECORD:SECTION:REASON ...] [--withdrawn RECORD]

Both files must have the same records in the same order, and each line must parse to the same
value. Lines that differ only in their bytes are also a failure: FORMAT.md §8.1 says each line is
canonical JSON, so two faithful readers write the same bytes.

--records is required: both outputs must hold exactly N records (lines), so that two readers that both
write nothing, or both drop records alike, cannot pass.
--expect checks the `unopened` reason of one section in both outputs. This makes sure a tampered
case really was detected, and detected for the right reason, rather than merely reported alike.
RECORD counts from 1, or is * for every record that is not withdrawn. A REASON of - means the
section must have opened.
--withdrawn checks that exactly that record is output as withdrawn (FORMAT.md §8.1): `"withdrawn":
true`, empty `fields` and no `unopened`, and that no other record is.
--expect-attachment RECORD:POSITION:REASON (and --expect-addendum) checks the `error` of that attachment
(addendum) of record RECORD in both outputs (FORMAT.md §14.3); a REASON of - means it opened.
--attachments N checks that both outputs list N attachments in all, so that two readers that both list
none cannot pass.
Each attachment's `path` (where --attachments-dir wrote it) is compared by its file name only: the two
readers write into two directories.
Exits 1 with a one-line explanation on the first difference. Field values are never printed:
even test data is treated like testimony.
"""

import json
import re
import sys

PATH_DIRECTORY = re.compile(rb'"path":"[^"]*/')


def load(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw and not raw.endswith(b"\n"):
        raise SystemExit(f"compare: {path}: the last line has no line feed")
    lines = raw.split(b"\n")[:-1] if raw else []
    try:
        records = [json.loads(line) for line in lines]
    except ValueError as error:
        raise SystemExit(f"compare: {path}: a line is not JSON ({error.msg})")
    # The directory of an extracted file differs between the readers; its name must not. (A safe name has no
    # "/" or '"', FORMAT.md §8, so the bytes of the line can be edited without parsing them again.)
    lines = [PATH_DIRECTORY.sub(b'"path":"', line) for line in lines]
    for record in records:
        for attachment in record.get("attachments", []):
            if "path" in attachment:
                attachment["path"] = attachment["path"].rsplit("/", 1)[-1]
    return lines, records


def check_item(expectation, member, name, records):
    record, position, reason = expectation.split(":", 2)
    index = int(record) - 1
    if index >= len(records):
        raise SystemExit(f"compare: {name} has no record {index + 1}")
    items = [item for item in records[index].get(member, []) if item.get("position") == int(position)]
    if len(items) != 1:
        raise SystemExit(f"compare: {name} record {index + 1} has no {member} at position {position}")
    actual = items[0].get("error", "-")
    if actual != reason:
        raise SystemExit(f"compare: {name} record {index + 1} {member} {position}: expected {reason!r}, got {actual!r}")


def check_expectation(expectation, name, records):
    record, section, reason = expectation.split(":", 2)
    if record == "*":
        indices = [index for index, value in enumerate(records) if "withdrawn" not in value]
    else:
        indices = [int(record) - 1]
    for index in indices:
        if index >= len(records):
            raise SystemExit(f"compare: {name} has no record {index + 1}")
        actual = records[index].get("unopened", {}).get(section, "-")
        if actual != reason:
            raise SystemExit(f"compare: {name} record {index + 1} {section}: expected {reason!r}, got {actual!r}")


def check_withdrawn(number, name, records):
    for index, record in enumerate(records, start=1):
        if "withdrawn" not in record:
            if index == number:
                raise SystemExit(f"compare: {name} record {index} is not marked withdrawn")
            continue
        if index != number:
            raise SystemExit(f"compare: {name} record {index} is marked withdrawn")
        if record["withdrawn"] is not True or record.get("fields") != {} or "unopened" in record:
            raise SystemExit(f"compare: {name} record {index}: a withdrawn record has \"withdrawn\":true, "
                             "no fields and no unopened")


def main(argv):
    swift_path, python_path, *rest = argv
    expectations = [rest[i + 1] for i in range(0, len(rest), 2) if rest[i] == "--expect"]
    withdrawn = [int(rest[i + 1]) for i in range(0, len(rest), 2) if rest[i] == "--withdrawn"]
    counts = [int(rest[i + 1]) for i in range(0, len(rest), 2) if rest[i] == "--records"]
    attachments = [rest[i + 1] for i in range(0, len(rest), 2) if rest[i] == "--expect-attachment"]
    addenda = [rest[i + 1] for i in range(0, len(rest), 2) if rest[i] == "--expect-addendum"]
    attachment_counts = [int(rest[i + 1]) for i in range(0, len(rest), 2) if rest[i] == "--attachments"]
    if len(counts) != 1:
        raise SystemExit("compare: say how many records both outputs must hold, with --records N, once")
    swift_lines, swift = load(swift_path)
    python_lines, python = load(python_path)
    if len(swift) != len(python):
        raise SystemExit(f"compare: amanat-keyholder wrote {len(swift)} records, amanat_open.py {len(python)}")
    for number, (a, b) in enumerate(zip(swift, python), start=1):
        if a != b:
            keys = sorted(set(a) | set(b))
            differing = [key for key in keys if a.get(key) != b.get(key)]
            raise SystemExit(f"compare: record {number} differs in {', '.join(differing)}")
    for number, (a, b) in enumerate(zip(swift_lines, python_lines), start=1):
        if a != b:
            raise SystemExit(f"compare: record {number} parses alike but its bytes differ (not canonical JSON)")
    if len(swift) != counts[0]:
        raise SystemExit(f"compare: both readers wrote {len(swift)} records, expected {counts[0]}")
    for expectation in expectations:
        check_expectation(expectation, "amanat-keyholder", swift)
        check_expectation(expectation, "amanat_open.py", python)
    for number in withdrawn:
        check_withdrawn(number, "amanat-keyholder", swift)
        check_withdrawn(number, "amanat_open.py", python)
    for expectation in attachments:
        check_item(expectation, "attachments", "amanat-keyholder", swift)
        check_item(expectation, "attachments", "amanat_open.py", python)
    for expectation in addenda:
        check_item(expectation, "addenda", "amanat-keyholder", swift)
        check_item(expectation, "addenda", "amanat_open.py", python)
    for count in attachment_counts:
        listed = sum(len(record.get("attachments", [])) for record in swift)
        if listed != count:
            raise SystemExit(f"compare: both readers list {listed} attachments, expected {count}")


if __name__ == "__main__":
    main(sys.argv[1:])
