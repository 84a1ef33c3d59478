#!/usr/bin/env bash
# Interop check: the Swift key holder and interop/amanat_open.py must read a database copy alike.
# amanat_open.py was written from docs/FORMAT.md alone, so agreement shows the spec is sufficient.
#
# The check makes real keys with amanat-keyholder, runs amanatd on a temporary socket and database,
# submits every examples/*.json with `amanat submit`, then one more that it withdraws with its token
# (`amanat withdraw`), then one more; it exports the archive with `amanat export` and stops amanatd
# with SIGTERM. A second amanatd, with its own state directory and so its own signing key, makes a
# second site's export. It then opens copies of the database with both readers:
#   - with various sets of keys;
#   - after damaging a copy in one precise way at a time (interop/tamper.py, opened with --no-verify);
#   - with key files that must be refused;
#   - with a row whose id, form or date cannot be read, late in the file: both must refuse the whole
#     file before writing anything (FORMAT.md section 7.3 step 5).
# Both readers must give the same exit code and the same output, byte for byte, with the number of
# records the case expects (so two readers that both write nothing cannot pass). Where a case says
# why a section did not open, both must give that reason; and every refusal below is checked for its
# reason, not only its exit code (two tools failing alike, for a wrong or generic reason, fail).
#
# Then the ledger (FORMAT.md section 12): `amanat-keyholder verify` and interop/amanat_verify.py,
# written from FORMAT.md alone, must both accept the untampered exports of both sites (one call, two
# --signing-key), and both must reject each archive-level tampering of interop/tamper_ledger.py
# (deleted, altered, reordered, swapped, copied-in and cut-off records, a rewritten chain, a forged
# signature, and each shape that section 12.8 step 0 refuses: the site table, ledger kinds and hash
# lengths, text that is not UTF-8); `amanat-keyholder open` and amanat_open.py must refuse each unless
# given --no-verify. Both trim a --signing-key of ASCII space, tab, CR and LF only (section 2.1), and both
# note a copy that still holds withdrawal tokens (section 12.7).
# Evidence files and addenda (FORMAT.md sections 13 and 14): site b's third testimony is sent with files
# (`amanat submit --attach`, then `amanat attach` and `amanat addendum` with the witness's token); both
# readers must extract each byte for byte, and a marker inside them must be nowhere in site b's state.
# interop/add_evidence.py also adds files (a scan
# with EXIF and GPS text, a three-chunk recording, an empty file) and addenda to a copy of the export and
# to a copy of the live database (streams in attachments/), as amanatd does, signing the new head with the
# site's receipt key; both verifiers must accept them, both readers must list every attachment and addendum
# alike and write files byte for byte the originals, and both must refuse each damaged copy (a changed
# chunk, swapped envelopes, a deleted row, a moved addendum, an attachment envelope as an addendum, a lost
# stream file) for the same reason.
# Key rotation (FORMAT.md section 9): site b's rewrap file, which covers an addendum, is read by
# interop/amanat_rewrap.py, written from FORMAT.md alone, and a line amanatd refuses is refused by it for the same
# reason; both verifiers then accept the rewrapped export, whose rewrap entries restate the attachments and
# addenda (section 12.3).
# Last, `amanat receipt verify` and interop/amanat_receipt.py must accept every receipt amanatd gave
# and refuse altered ones (FORMAT.md section 12.6).
#
#   BIN=DIR           the binaries (default: .build/debug of this checkout)
#   INTEROP_VENV=DIR  a Python venv for PyNaCl, made if missing (default: /tmp/amanat-interop-venv)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bin="${BIN:-$root/.build/debug}"
venv="${INTEROP_VENV:-/tmp/amanat-interop-venv}"

if [ ! -x "$venv/bin/python3" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
py="$venv/bin/python3"
export PYTHONDONTWRITEBYTECODE=1  # amanat_open.py imports amanat_verify.py: keep the tree clean

work="$(mktemp -d /tmp/amanat-interop.XXXXXX)"
# amanat-keyholder remembers each site's verified head in $XDG_STATE_HOME/amanat/heads (FORMAT.md section 12.9),
# which the Python readers do not: each of its runs here gets a fresh place, so each is a site's first verify.
fresh_state() { mktemp -d "$work/state.XXXXXX"; }
daemon=""
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; fi
    if [ -n "${NOTIFY_PID:-}" ]; then kill "$NOTIFY_PID" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

die() {
    echo "interop: setup failed: $*" >&2
    exit 1
}

passed=0
failed=0
pass() {
    passed=$((passed + 1))
    printf 'ok    %s\n' "$1"
}
fail() {
    failed=$((failed + 1))
    printf 'FAIL  %s: %s\n' "$1" "$2"
}

# --- The Python stream reader against the committed vectors (FORMAT.md §11, §13) -----------------

if vectors="$("$py" "$root/Tests/Vectors/stream.py" 2>&1)"; then
    pass "amanat_stream.py reads every stream vector as it says, and padme.txt is section 13.2's ($vectors)"
else
    fail "amanat_stream.py against Tests/Vectors/stream" "$vectors"
fi

# --- Setup: keys, amanatd, submissions -----------------------------------------------------------

head -c 24 /dev/urandom | base64 > "$work/passphrase"
printf 'not the passphrase\n' > "$work/wrong-passphrase"
chmod 600 "$work/passphrase" "$work/wrong-passphrase"
for name in a b c; do
    "$bin/amanat-keyholder" init --out "$work/$name.key" --passphrase-file "$work/passphrase" \
        > "$work/$name.pub" 2> "$work/init.err" || die "amanat-keyholder init: $(cat "$work/init.err")"
done
pk_a="$(tail -n 1 "$work/a.pub")"
pk_b="$(tail -n 1 "$work/b.pub")"
key_a="$work/a.key"
key_b="$work/b.key"
# Key a's rewrap-signing key (FORMAT.md section 9.1), which both daemons trust in rewrap_signers.
signer_a="$("$bin/amanat-keyholder" signer "$key_a" --passphrase-file "$work/passphrase" 2> "$work/signer.err")" \
    || die "amanat-keyholder signer: $(cat "$work/signer.err")"
key_c="$work/c.key" # never a recipient

# Wait for amanatd's READY=1 on a notify socket of our own, rather than polling with sleeps.
coproc NOTIFY { exec "$py" "$here/notify.py" "$work/notify.sock"; }
read -r -t 10 state <&"${NOTIFY[0]}" || die "notify listener did not start"
root_flag=""
[ "$(id -u)" -eq 0 ] && root_flag="--allow-root"  # amanatd refuses root otherwise

# start_daemon DIR: amanatd with its database (and so its receipt.key, its signing key) in DIR and
# its socket at DIR/amanatd.sock. This script runs as amanatd's own user, so it is an admin (export).
start_daemon() {
    local dir=$1
    mkdir -p "$dir"
    NOTIFY_SOCKET="$work/notify.sock" "$bin/amanatd" $root_flag --socket "$dir/amanatd.sock" \
        --database "$dir/amanat.sqlite" --forms "$root/config/forms" --recipient "$pk_a" --recipient "$pk_b" \
        --rewrap-signer "$signer_a" 2> "$dir/amanatd.log" &
    daemon=$!
    state=""
    while [ "$state" != "READY=1" ]; do
        read -r -t 60 state <&"${NOTIFY[0]}" || die "amanatd did not become ready: $(cat "$dir/amanatd.log")"
    done
}

# stop_daemon DIR: SIGTERM, which must end amanatd cleanly.
stop_daemon() {
    kill -TERM "$daemon"
    local status=0
    wait "$daemon" || status=$?
    daemon=""
    [ "$status" -eq 0 ] || die "amanatd exited $status on SIGTERM: $(cat "$1/amanatd.log")"
}

# submit DIR FILE OUT: `amanat submit --json`, its answer (record_id, receipt, withdrawal_token) in OUT.
submit() {
    "$bin/amanat" --socket "$1/amanatd.sock" submit --json "$2" > "$3" 2> "$work/submit.err" \
        || die "amanat submit $(basename "$2"): $(cat "$work/submit.err")"
}

# --- A guided intake's draft (FORMAT.md section 15) --------------------------------------------------
# amanat answers one question on a pseudo-terminal and is killed; interop/amanat_draft.py, written from
# FORMAT.md alone, must open the draft left on the host with the code the screen showed, and nothing else.

drafts_site="$work/drafts-site"
start_daemon "$drafts_site"
draft_marker="Draft-marker-Ω-$$"
draft_code="$("$py" "$here/draft_session.py" "$bin/amanat" "$drafts_site/amanatd.sock" "$draft_marker")" \
    || die "draft_session.py: $draft_code"
stop_daemon "$drafts_site"
draft_files=("$drafts_site"/drafts/*)
if [ "${#draft_files[@]}" -ne 1 ] || [ ! -f "${draft_files[0]}" ]; then
    fail "one draft is left on the host" "drafts/ holds: ${draft_files[*]}"
elif "$py" "$here/amanat_draft.py" "${draft_files[0]}" "$draft_code" > "$work/draft.json" 2> "$work/draft.err" \
    && grep -q "\"full_name\": \"$draft_marker\"" "$work/draft.json" && grep -q '"next": 1' "$work/draft.json"; then
    pass "amanat_draft.py opens the draft of a killed guided intake with its code, as FORMAT.md section 15 says"
else
    fail "amanat_draft.py opens the draft of a killed guided intake" "$(cat "$work/draft.json" "$work/draft.err")"
fi
# Another code (each letter shifted by one, the check letter left off, so no typo is seen) must not open it.
wrong_code="$(printf '%s' "${draft_code// /}" | cut -c1-24 | tr 'a-y' 'b-z')"
if "$py" "$here/amanat_draft.py" "${draft_files[0]}" "$wrong_code" > /dev/null 2> "$work/draft.err"; then
    fail "amanat_draft.py refuses another code" "it opened the draft"
elif grep -q "not the draft of this code" "$work/draft.err"; then
    pass "amanat_draft.py refuses another code: the draft's id is not that code's"
else
    fail "amanat_draft.py refuses another code for the right reason" "$(cat "$work/draft.err")"
fi

# json_member FILE NAME: a string member of the JSON object in FILE.
json_member() {
    "$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

site="$work/site-a"
start_daemon "$site"

# One more testimony, made here, reaches what the examples do not: text that is not in NFC (the
# stored form must be), escapes, characters outside the BMP, fields left empty, and a narrative
# big enough for a padding bucket above 64 KiB (FORMAT.md §5).
"$py" - > "$work/edge-cases.json" <<'PYTHON'
import json
fields = {
    "full_name": "Ae\u0301 \U0001F600 \"quoted\" back\\slash / solidus \u00a0 \u0410\u0306",
    "narrative": "\u4e2d" * 59000 + "\ttab\r\nCR LF\n",
    "detention_places": "\u049b\u0430\u0437\u0430\u049b\u2028\u2029 \u0626\u06c7\u064a\u063a\u06c7\u0631 \u4e2d\u6587",
    "birth_date": "2000-02-29",
    "contact": None,
    "other_names": "",
    "relatives": [{"name": "n", "relation": "other", "notes": ""}],
    "language": "other",
    "consent": "archive_only",
    "violation_types": [],
}
print(json.dumps({"form": "testimony", "fields": fields}))
PYTHON

examples=0
for example in "$root"/examples/*.json; do
    examples=$((examples + 1))
    submit "$site" "$example" "$work/submitted-$examples.json"
done
[ "$examples" -gt 0 ] || die "no examples/*.json"

# One more record, whose witness then withdraws it with the token they were given (FORMAT.md §12.6).
# It comes after the examples, so that the tamper cases below keep their record numbers.
examples=$((examples + 1))
withdrawn_number=$examples
submit "$site" "$root/examples/testimony.json" "$work/submitted-$examples.json"
withdrawn_id="$(json_member "$work/submitted-$examples.json" record_id)"
json_member "$work/submitted-$examples.json" withdrawal_token > "$work/withdrawal-token"
# An export taken before the withdrawal: it still holds the record (the multi-archive cases use it).
export_a_early="$work/export-a-before-withdrawal.sqlite"
"$bin/amanat" --socket "$site/amanatd.sock" export --out "$export_a_early" > /dev/null 2> "$work/export.err" \
    || die "amanat export (early): $(cat "$work/export.err")"
"$bin/amanat" --socket "$site/amanatd.sock" withdraw "$withdrawn_id" --token-file "$work/withdrawal-token" \
    > /dev/null 2> "$work/withdraw.err" || die "amanat withdraw: $(cat "$work/withdraw.err")"
# One record after the withdrawal, so that the last ledger entry stores a record.
examples=$((examples + 1))
submit "$site" "$work/edge-cases.json" "$work/submitted-$examples.json"

export_a="$work/export-a.sqlite"
"$bin/amanat" --socket "$site/amanatd.sock" export --out "$export_a" > /dev/null 2> "$work/export.err" \
    || die "amanat export: $(cat "$work/export.err")"
sig_a="$("$bin/amanat" --socket "$site/amanatd.sock" signing-key 2> "$work/signing-key.err")" \
    || die "amanat signing-key: $(cat "$work/signing-key.err")"
stop_daemon "$site"

# amanatd checkpoints on a clean stop, so the main file alone is a complete copy (FORMAT.md §7.3).
pristine="$work/pristine.sqlite"
cp "$site/amanat.sqlite" "$pristine"

# Evidence files as a volunteer brings them (FORMAT.md §13, §14): a scan whose bytes carry EXIF and GPS text,
# kept as evidence, and a marker that must never be found at rest; a recording of three chunks; an empty file;
# and a letter the witness brings later.
mkdir "$work/files"
marker="amanat-interop-marker-$RANDOM$RANDOM$RANDOM"
{ printf 'JFIF Exif GPS 43.2567N 76.9286E %s ' "$marker"; head -c 3000 /dev/urandom; } > "$work/files/scan.jpg"
head -c 140000 /dev/urandom > "$work/files/interview.mp4"
: > "$work/files/empty.txt"
{ printf '%s ' "$marker"; head -c 70000 /dev/urandom; } > "$work/files/letter.pdf"
printf 'My brother was released on %s.\n' "$marker" > "$work/files/addendum.txt"

# A second intake site: its own state directory, so its own signing key and ledger.
site_b="$work/site-b"
start_daemon "$site_b"
submit "$site_b" "$root/examples/testimony.json" "$work/submitted-b-1.json"
submit "$site_b" "$work/edge-cases.json" "$work/submitted-b-2.json"
# Site b's third testimony comes with files, through amanat (which encrypts them) and amanatd's resumable
# uploads; the witness then adds a letter and an addendum with the record id and token.
"$bin/amanat" --socket "$site_b/amanatd.sock" submit --json "$root/examples/testimony.json" \
    --attach "$work/files/scan.jpg" --attach "$work/files/interview.mp4" --attach "$work/files/empty.txt" \
    > "$work/submitted-b-3.json" 2> "$work/submit.err" || die "amanat submit --attach: $(cat "$work/submit.err")"
record_b3="$(json_member "$work/submitted-b-3.json" record_id)"
json_member "$work/submitted-b-3.json" withdrawal_token > "$work/token-b3"
"$bin/amanat" --socket "$site_b/amanatd.sock" attach "$record_b3" --token-file "$work/token-b3" \
    "$work/files/letter.pdf" > /dev/null 2> "$work/attach.err" || die "amanat attach: $(cat "$work/attach.err")"
"$bin/amanat" --socket "$site_b/amanatd.sock" addendum "$record_b3" --token-file "$work/token-b3" \
    "$work/files/addendum.txt" > /dev/null 2> "$work/addendum.err" || die "amanat addendum: $(cat "$work/addendum.err")"
# Site b rotates its testimony sections to key a alone (FORMAT.md §9), so that its ledger also
# holds `rewrap` entries (§12.3) for both verifiers to check.
"$bin/amanat" --socket "$site_b/amanatd.sock" export --out "$work/export-b-before-rewrap.sqlite" \
    > /dev/null 2> "$work/export.err" || die "amanat export (site b, before the rewrap): $(cat "$work/export.err")"
sig_b="$("$bin/amanat" --socket "$site_b/amanatd.sock" signing-key 2> "$work/signing-key.err")" \
    || die "amanat signing-key (site b): $(cat "$work/signing-key.err")"
XDG_STATE_HOME="$(fresh_state)" "$bin/amanat-keyholder" rewrap "$work/export-b-before-rewrap.sqlite" --key "$key_a" --passphrase-file "$work/passphrase" \
    --signing-key "$sig_b" --sections testimony --testimony-to "$pk_a" --out "$work/site-b.rewrap" 2> "$work/rewrap.err" \
    || die "amanat-keyholder rewrap: $(cat "$work/rewrap.err")"
# The rewrap file covers site b's addendum (testimony recipients), so it is version 2 (FORMAT.md section 9.1).
# interop/amanat_rewrap.py reads it as written from FORMAT.md alone; an addendum line turned into an attachment
# line (digest recomputed) must be refused by amanatd and by it for the same reason (section 9.3, check 11b).
if rewrap_read="$("$py" "$here/amanat_rewrap.py" "$work/site-b.rewrap" 2>&1)" \
    && [[ "$rewrap_read" == "amanat-rewrap-2: 3 record lines, "*" attachment lines, 1 addendum lines, signed by $signer_a" ]]; then
    pass "amanat_rewrap.py reads the rewrap file amanat-keyholder wrote, with its addendum line ($rewrap_read)"
else
    fail "amanat_rewrap.py reads the rewrap file amanat-keyholder wrote" "$rewrap_read"
fi
"$py" - "$work/site-b.rewrap" "$work/site-b-misnamed.rewrap" <<'PYTHON'
import hashlib, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-2]  # without the trailer
body = b"".join(line.replace(b'{"addendum_id":', b'{"attachment_id":') + b"\n" for line in lines)
digest = hashlib.blake2b(body, digest_size=32).hexdigest().encode()
open(sys.argv[2], "wb").write(body + b'{"digest":"' + digest + b'"}\n')
PYTHON
misnamed_line=$(( $(grep -n '"attachment_id":' "$work/site-b-misnamed.rewrap" | tail -1 | cut -d: -f1) ))
misnamed_reason="line $misnamed_line: the attachment envelope belongs elsewhere"
swift_refusal="$("$bin/amanat" --socket "$site_b/amanatd.sock" import-rewrap "$work/site-b-misnamed.rewrap" 2>&1)" && swift_refusal="imported"
python_refusal="$("$py" "$here/amanat_rewrap.py" "$work/site-b-misnamed.rewrap" 2>&1)" && python_refusal="read"
if [[ "$swift_refusal" == *"$misnamed_reason"* && "$python_refusal" == "$misnamed_reason" ]]; then
    pass "amanatd and amanat_rewrap.py refuse an addendum's envelope on an attachment line alike ($misnamed_reason)"
else
    fail "an addendum's envelope on an attachment line" "amanatd: $swift_refusal; python: $python_refusal"
fi
"$bin/amanat" --socket "$site_b/amanatd.sock" import-rewrap "$work/site-b.rewrap" > /dev/null 2> "$work/import.err" \
    || die "amanat import-rewrap: $(cat "$work/import.err")"
export_b="$work/export-b.sqlite"
"$bin/amanat" --socket "$site_b/amanatd.sock" export --out "$export_b" > /dev/null 2> "$work/export.err" \
    || die "amanat export (site b): $(cat "$work/export.err")"
stop_daemon "$site_b"
[ "$sig_a" != "$sig_b" ] || die "the two sites have the same signing key"

# --- Helpers -------------------------------------------------------------------------------------

# open_both DB PASSPHRASE-FILE KEY...: run both readers; outputs in $work/{swift,python}.jsonl.
# Both verify the ledger first against $sig_a, or skip it when $verify is --no-verify.
verify="--signing-key"
open_both() {
    local db=$1 passphrase=$2
    shift 2
    local args=()
    for key in "$@"; do args+=(--key "$key"); done
    if [ "$verify" = "--no-verify" ]; then args+=(--no-verify); else args+=(--signing-key "$sig_a"); fi
    swift_rc=0
    py_rc=0
    XDG_STATE_HOME="$(fresh_state)" "$bin/amanat-keyholder" open "$db" "${args[@]}" --passphrase-file "$passphrase" \
        > "$work/swift.jsonl" 2> "$work/swift.err" || swift_rc=$?
    "$py" "$here/amanat_open.py" "$db" "${args[@]}" --passphrase-file "$passphrase" \
        > "$work/python.jsonl" 2> "$work/python.err" || py_rc=$?
}

# check_open NAME EXIT DB "KEY..." --records N [--expect RECORD:SECTION:REASON]... [--withdrawn RECORD]
# (compare.py: both must write exactly N records, so that two readers that both write nothing cannot pass).
check_open() {
    local name=$1 want=$2 db=$3 keys=$4
    shift 4
    # shellcheck disable=SC2086 # key paths come from mktemp and hold no spaces
    open_both "$db" "$work/passphrase" $keys
    if [ "$swift_rc" != "$want" ] || [ "$py_rc" != "$want" ]; then
        fail "$name" "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc, expected $want"
        return
    fi
    local why
    if why="$("$py" "$here/compare.py" "$work/swift.jsonl" "$work/python.jsonl" "$@" 2>&1)"; then
        pass "$name"
    else
        fail "$name" "$why"
    fi
}

# tamper_case NAME EXIT "KEY..." EXPECTATION TAMPER-ARGUMENT...: damage a fresh copy, then open it.
tamper_case() {
    local name=$1 want=$2 keys=$3 expect=$4
    shift 4
    local db="$work/case-$((passed + failed)).sqlite"
    cp "$pristine" "$db"
    "$py" "$here/tamper.py" "$db" "$@" || die "tamper.py $*"
    # These edits do not touch the ledger, so verification would refuse them before any envelope is
    # opened; --no-verify shows that both readers still find each damaged envelope alike.
    verify="--no-verify"
    check_open "$name" "$want" "$db" "$keys" --records "$examples" --expect "$expect"
    verify="--signing-key"
}

# says_why NAME SWIFT-OUTPUT SWIFT-REASON PYTHON-OUTPUT PYTHON-REASON: each tool's output (a file) holds
# its own expected reason, so that two tools refusing alike for a wrong or generic reason cannot pass.
says_why() {
    local name=$1 swift_out=$2 swift_reason=$3 py_out=$4 py_reason=$5
    if ! grep -qF -- "$swift_reason" "$swift_out"; then
        fail "$name" "the Swift tool does not say '$swift_reason': $(head -c 300 "$swift_out")"
    elif ! grep -qF -- "$py_reason" "$py_out"; then
        fail "$name" "the Python tool does not say '$py_reason': $(head -c 300 "$py_out")"
    else
        pass "$name"
    fi
}

# key_case NAME EXIT REASON KEY-FILE [PASSPHRASE-FILE]: both readers must refuse the key, before any
# output, both saying REASON on stderr (the two readers word key faults alike).
key_case() {
    local name=$1 want=$2 reason=$3 key=$4 passphrase=${5:-$work/passphrase}
    open_both "$pristine" "$passphrase" "$key"
    if [ "$swift_rc" != "$want" ] || [ "$py_rc" != "$want" ]; then
        fail "$name" "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc, expected $want"
    elif [ -s "$work/swift.jsonl" ] || [ -s "$work/python.jsonl" ]; then
        fail "$name" "a refused key must leave no output"
    else
        says_why "$name" "$work/swift.err" "$reason" "$work/python.err" "$reason"
    fi
}

# edit_key_body SRC DST OFFSET HEX: a copy of a key file with body bytes replaced (FORMAT.md §3.2).
edit_key_body() {
    "$py" - "$@" <<'EOF'
import base64, sys
source, target, offset, new = sys.argv[1:]
lines = open(source).read().split("\n")
at = lines.index("AMANAT-SECRET-KEY-1") + 1
body = bytearray(base64.b64decode(lines[at]))
body[int(offset):int(offset) + len(bytes.fromhex(new))] = bytes.fromhex(new)
lines[at] = base64.b64encode(bytes(body)).decode()
open(target, "w").write("\n".join(lines))
EOF
    chmod 600 "$2"
}

all_opened=(--expect '*:clear:-' --expect '*:identity:-' --expect '*:testimony:-')
tampered="tampered: "

# --- Keys ----------------------------------------------------------------------------------------

check_open "key a opens every record; the withdrawn one is marked" 0 "$pristine" "$key_a" --records "$examples" \
    "${all_opened[@]}" --withdrawn "$withdrawn_number"
lines="$(wc -l < "$work/python.jsonl")"
if [ "$lines" -eq "$examples" ]; then
    pass "one output line per submitted record ($examples)"
else
    fail "one output line per submitted record" "$lines lines for $examples records"
fi
check_open "key b opens every record" 0 "$pristine" "$key_b" --records "$examples" "${all_opened[@]}"
check_open "keys a and b open every record" 0 "$pristine" "$key_a $key_b" --records "$examples" "${all_opened[@]}"
check_open "key c, not a recipient, opens nothing" 5 "$pristine" "$key_c" --records "$examples" \
    --expect "*:identity:not openable with these keys" --expect "*:testimony:not openable with these keys" \
    --expect '*:clear:-'
check_open "keys c and a open every record" 0 "$pristine" "$key_c $key_a" --records "$examples" "${all_opened[@]}"

# --- Tampered envelopes (FORMAT.md §6.3, §6.4) ---------------------------------------------------

tamper_case "identity ciphertext byte flipped" 6 "$key_a" "1:identity:${tampered}authentication failed" \
    1 flip identity ciphertext
tamper_case "identity last byte flipped" 6 "$key_a" "2:identity:${tampered}authentication failed" \
    2 flip identity last
tamper_case "identity nonce byte flipped" 6 "$key_a" "2:identity:${tampered}authentication failed" \
    2 flip identity nonce
tamper_case "another recipient's key id edited (the header is the AD)" 6 "$key_a" \
    "1:identity:${tampered}authentication failed" 1 flip identity key-id:2
tamper_case "bad magic" 6 "$key_a" "1:identity:${tampered}not an envelope (bad magic bytes)" \
    1 flip identity magic
tamper_case "unknown version" 6 "$key_a" "1:testimony:${tampered}unsupported envelope version" \
    1 set testimony version 2
tamper_case "unknown section name" 6 "$key_a" "1:identity:${tampered}envelope names an unknown section" \
    1 flip identity section-name
tamper_case "record id in the header changed" 6 "$key_a" "4:testimony:${tampered}envelope is for another record" \
    4 flip testimony record-id
tamper_case "zero stanzas" 6 "$key_a" \
    "1:identity:${tampered}envelope has a recipient stanza count outside 1...16" 1 set identity stanza-count 0
tamper_case "17 stanzas" 6 "$key_a" \
    "1:identity:${tampered}envelope has a recipient stanza count outside 1...16" 1 set identity stanza-count 17
tamper_case "ciphertext length not a bucket" 6 "$key_a" \
    "1:identity:${tampered}envelope has an impossible ciphertext length" 1 length identity 1
tamper_case "truncated by one byte" 6 "$key_a" "1:identity:${tampered}envelope is truncated" \
    1 truncate identity 1
tamper_case "one trailing byte" 6 "$key_a" "5:identity:${tampered}envelope has trailing bytes" \
    5 append identity 00
tamper_case "identity and testimony swapped" 6 "$key_a" "3:identity:${tampered}envelope is for another section" \
    3 swap-sections
tamper_case "envelope moved to another record" 6 "$key_a" "2:identity:${tampered}envelope is for another record" \
    2 copy-from 1 identity
tamper_case "own stanza's sealed key damaged" 6 "$key_a" "1:identity:${tampered}a recipient stanza does not open" \
    1 flip identity sealed-key:1
# Key b's stanza still gives the data key, but the damaged stanza is part of the AD.
tamper_case "own stanza damaged, the other recipient's opens, the AD fails" 6 "$key_a $key_b" \
    "1:identity:${tampered}authentication failed" 1 flip identity sealed-key:1
tamper_case "own key id changed: not openable, not tampered" 5 "$key_a" "1:identity:not openable with these keys" \
    1 flip identity key-id:1

# --- Clear fields (FORMAT.md §4.2) ---------------------------------------------------------------

clear_tampered="${tampered}the clear fields are not a JSON object"
tamper_case "clear_json not an object" 6 "$key_a" "1:clear:$clear_tampered" 1 clear-json '[]'
tamper_case "clear_json with a duplicate key" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json '{"language":"kk","language":"ru"}'
tamper_case "clear_json with keys equal under NFC" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json-hex 7b22c3a9223a312c2265cc81223a327d
tamper_case "clear_json with a lone surrogate escape" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json '{"language":"\ud800"}'
tamper_case "clear_json with a byte order mark" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json-hex efbbbf7b7d
tamper_case "clear_json with NaN" 6 "$key_a" "1:clear:$clear_tampered" 1 clear-json '{"n":NaN}'
# Ill-formed UTF-8 is refused, never repaired to U+FFFD and then parsed (FORMAT.md §4.2, §7.3 step 5).
tamper_case "clear_json not well-formed UTF-8 (a lone 0xff)" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json-hex 7b226c616e6775616765223a22ff227d
tamper_case "clear_json with an encoded surrogate (not UTF-8)" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json-hex 7b226c616e6775616765223a22eda080227d
tamper_case "clear_json with an overlong encoding (not UTF-8)" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json-hex 7b226c616e6775616765223a22c0af227d
open_brackets="$(printf '[%.0s' {1..63})"
close_brackets="$(printf ']%.0s' {1..63})"
tamper_case "clear_json nested 64 deep" 0 "$key_a" "1:clear:-" \
    1 clear-json "{\"a\":$open_brackets$close_brackets}"
tamper_case "clear_json nested 65 deep" 6 "$key_a" "1:clear:$clear_tampered" \
    1 clear-json "{\"a\":[$open_brackets$close_brackets]}"
tamper_case "clear_json not canonical but valid: output is canonical" 0 "$key_a" "1:clear:-" \
    1 clear-json ' { "region" : "ili" , "language":"e\u0301" } '

# --- Key files (FORMAT.md §3) --------------------------------------------------------------------

key_case "wrong passphrase" 3 "wrong passphrase for $key_a" "$key_a" "$work/wrong-passphrase"
cp "$key_a" "$work/open.key"
chmod 640 "$work/open.key"
key_case "group-readable key file" 4 "open.key is readable or writable by group or others" \
    "$work/open.key"
sed "s/^# public key: .*/# public key: $pk_b/" "$key_a" > "$work/swapped.key"
chmod 600 "$work/swapped.key"
key_case "public key comment names another key" 4 \
    "swapped.key: the public key comment does not match the key inside" "$work/swapped.key"
# Change a character in the middle: the last one also carries padding bits, which fail earlier.
if [ "${pk_a:30:1}" = "a" ]; then typo="b"; else typo="a"; fi
sed "s/^# public key: .*/# public key: ${pk_a:0:30}$typo${pk_a:31}/" "$key_a" > "$work/mistyped.key"
chmod 600 "$work/mistyped.key"
key_case "public key comment with a bad checksum" 4 \
    "mistyped.key: the public key comment does not match the key inside" "$work/mistyped.key"
edit_key_body "$key_a" "$work/ops2.key" 6 00000002
key_case "opslimit below MODERATE" 4 "ops2.key uses Argon2id parameters outside the accepted range" \
    "$work/ops2.key"
edit_key_body "$key_a" "$work/mem.key" 10 0000000100000001
key_case "memlimit above 4 GiB" 4 "mem.key uses Argon2id parameters outside the accepted range" \
    "$work/mem.key"
edit_key_body "$key_a" "$work/version.key" 4 02
key_case "unknown key file version" 4 "version.key has an unsupported version or key derivation" \
    "$work/version.key"
# Byte 18 set to 00, or to 01 when it already was 00 (1 time in 256), so the salt really changes.
salt_byte="$("$py" -c 'import base64, sys; l = open(sys.argv[1]).read().split("\n"); print("%02x" % base64.b64decode(l[l.index("AMANAT-SECRET-KEY-1") + 1])[18])' "$key_a")"
if [ "$salt_byte" = 00 ]; then new_salt_byte=01; else new_salt_byte=00; fi
edit_key_body "$key_a" "$work/salt.key" 18 "$new_salt_byte"
key_case "salt changed (authenticated: looks like a wrong passphrase)" 3 "wrong passphrase for $work/salt.key" \
    "$work/salt.key"
sed 's/$/\r/' "$key_a" > "$work/crlf.key"
chmod 600 "$work/crlf.key"
key_case "CR LF line endings" 4 "crlf.key is not an amanat secret key file" "$work/crlf.key"
grep -v '^#' "$key_a" > "$work/bare.key"
chmod 600 "$work/bare.key"
check_open "key file without comments" 0 "$pristine" "$work/bare.key" --records "$examples" "${all_opened[@]}"

# --- Ledger: verify and open exports (FORMAT.md §12) ---------------------------------------------

# verify_both NAME EXIT FILE... [-- KEY...]: `amanat-keyholder verify` and amanat_verify.py must
# both exit EXIT; the keys default to both sites'. With EXIT 0 or 7 each must also write one verdict
# per archive, and the two must agree on each. Sets verified=1 if the case passed.
verify_both() {
    verified=0
    local name=$1 want=$2
    shift 2
    local files=() keys=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
    if [ $# -gt 0 ]; then shift; for key in "$@"; do keys+=(--signing-key "$key"); done
    else keys=(--signing-key "$sig_a" --signing-key "$sig_b"); fi
    local swift_rc=0 py_rc=0
    XDG_STATE_HOME="$(fresh_state)" "$bin/amanat-keyholder" verify "${files[@]}" "${keys[@]}" > "$work/swift.verify" 2> "$work/swift.err" \
        || swift_rc=$?
    "$py" "$here/amanat_verify.py" "${files[@]}" "${keys[@]}" > "$work/python.verify" 2> "$work/python.err" \
        || py_rc=$?
    if [ "$swift_rc" != "$want" ] || [ "$py_rc" != "$want" ]; then
        fail "$name" "exit codes: amanat-keyholder verify $swift_rc, amanat_verify.py $py_rc, expected $want:" \
            "$(head -c 300 "$work/swift.verify") / $(head -c 300 "$work/python.verify")"
        return 0
    fi
    if [ "$want" != 0 ] && [ "$want" != 7 ]; then
        verified=1
        pass "$name"
        return 0
    fi
    # One line per archive from each, saying the same thing.
    local verdicts
    for out in "$work/swift.verify" "$work/python.verify"; do
        verdicts="$(grep -c -E '^.*: (intact|BROKEN): ' "$out" || true)"
        if [ "$verdicts" != "${#files[@]}" ]; then
            fail "$name" "$(basename "$out") has $verdicts verdict lines for ${#files[@]} archives"
            return 0
        fi
    done
    if [ "$(grep -o -E ': (intact|BROKEN): ' "$work/swift.verify")" != \
         "$(grep -o -E ': (intact|BROKEN): ' "$work/python.verify")" ]; then
        fail "$name" "the two verifiers disagree on an archive"
        return 0
    fi
    verified=1
    pass "$name"
}

verify_both "export verifies against its site key" 0 "$export_a" -- "$sig_a"
verify_both "two sites' exports verify in one call, each against its own key" 0 "$export_a" "$export_b"
verify_both "the clean-stop copy verifies (signed on stop)" 0 "$pristine" -- "$sig_a"
# A copy of the live database keeps its withdrawal token hashes; an export has the table, empty (FORMAT.md §12.7).
if grep -q '^note: .* withdrawal token hashes' "$work/swift.verify" \
    && grep -q '^note: .* withdrawal token hashes' "$work/python.verify"; then
    pass "both verifiers note that the clean-stop copy holds withdrawal tokens (not an export)"
else
    fail "both verifiers note that the clean-stop copy holds withdrawal tokens" "$(cat "$work/swift.verify" "$work/python.verify")"
fi
verify_both "an export verifies with no note" 0 "$export_a" -- "$sig_a"
tokens_in_export="$("$py" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM withdrawal_tokens").fetchone()[0])' "$export_a")"
# (The Swift verifier's other note, that it remembered a site's first head, is not about tokens.)
if [ "$tokens_in_export" = 0 ] && ! grep -q '^note:.*withdrawal token' "$work/swift.verify" \
    && ! grep -q '^note:.*withdrawal token' "$work/python.verify"; then
    pass "an export holds withdrawal_tokens, empty, and neither verifier notes it"
else
    fail "an export holds withdrawal_tokens, empty" "$tokens_in_export rows; $(cat "$work/swift.verify" "$work/python.verify")"
fi
# Key texts a person gives are trimmed of ASCII space, tab, CR and LF at either end, and of nothing else (§2.1).
verify_both "a --signing-key with space, tab, CR and LF around it is trimmed" 0 "$export_a" -- \
    " "$'\t'"$sig_a"$'\r\n'
nbsp="$(printf '\xc2\xa0')"
verify_both "a --signing-key with a no-break space after it is refused" 64 "$export_a" -- "$sig_a$nbsp"
verify_both "a --signing-key with an ideographic space before it is refused" 64 "$export_a" -- \
    "$(printf '\xe3\x80\x80')$sig_a"
verify_both "site b's export, with rewrap entries, verifies" 0 "$export_b" -- "$sig_b"
if grep -q ' 3 rewrap entries' "$work/swift.verify" && grep -q ' 3 rewraps' "$work/python.verify"; then
    pass "both verifiers count site b's 3 rewrap entries (one per record)"
else
    fail "both verifiers count site b's 3 rewrap entries (one per record)" "$(cat "$work/swift.verify" "$work/python.verify")"
fi
if grep -q ' 4 attachment entries' "$work/swift.verify" && grep -q ' 4 attachments' "$work/python.verify"; then
    pass "both verifiers count and hash site b's 4 attachments"
else
    fail "both verifiers count site b's 4 attachments" "$(cat "$work/swift.verify" "$work/python.verify")"
fi
if grep -q "rewrap entries (signed by $signer_a)" "$work/swift.verify" \
    && grep -q "rewraps (signed by $signer_a)" "$work/python.verify"; then
    pass "both verifiers name key a's rewrap-signing key as the signer of site b's rewraps"
else
    fail "both verifiers name the rewraps' signer" "$(cat "$work/swift.verify" "$work/python.verify")"
fi
verify_both "another site's key is not this archive's" 7 "$export_a" -- "$sig_b"
verify_both "two sites, one key pinned: the other archive is refused" 7 "$export_a" "$export_b" -- "$sig_a"
verify_both "a missing file is an error" 1 "$export_a" "$work/no-such-export.sqlite"
verify_both "a signing key that does not parse is a usage error" 64 "$export_a" -- "${sig_a:0:30}"

check_open "the export opens alike in both readers" 0 "$export_a" "$key_a" --records "$examples" "${all_opened[@]}" \
    --withdrawn "$withdrawn_number"
check_open "the other site's export opens alike (pinned key is site a's)" 7 "$export_b" "$key_a" --records 0
# sql DB STATEMENT: one statement on a copy, with Python's sqlite3 (the sqlite3 shell may be missing).
sql() {
    "$py" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$1" "$2"
}

cp "$export_a" "$work/schema-v1.sqlite"
sql "$work/schema-v1.sqlite" "DELETE FROM grdb_migrations WHERE identifier = 'v2'"
check_open "a database without migration v2 is refused" 1 "$work/schema-v1.sqlite" "$key_a" --records 0
verify_both "a database without migration v2 cannot be verified" 1 "$work/schema-v1.sqlite"
cp "$export_a" "$work/schema-v99.sqlite"
sql "$work/schema-v99.sqlite" "INSERT INTO grdb_migrations VALUES ('v99')"
check_open "a database with an unknown migration is refused" 1 "$work/schema-v99.sqlite" "$key_a" --records 0

# ledger_case NAME EXIT RECORDS SWIFT-REASON PYTHON-REASON TAMPER-ARGUMENT...: damage a fresh copy of site
# a's export with tamper_ledger.py. Both verifiers must exit 7, amanat-keyholder verify giving SWIFT-REASON and
# amanat_verify.py PYTHON-REASON; both readers must refuse to open it (exit 7) while verifying; with
# --no-verify both must still read it alike, exit EXIT and write RECORDS records.
ledger_case() {
    local name=$1 want=$2 records=$3 swift_reason=$4 py_reason=$5
    shift 5
    local db="$work/ledger-$((passed + failed)).sqlite"
    cp "$export_a" "$db"
    "$py" "$here/tamper_ledger.py" "$db" "$@" || die "tamper_ledger.py $*"
    verify_both "verify detects: $name" 7 "$db"
    [ "$verified" -eq 1 ] || return 0
    says_why "verify says why: $name" "$work/swift.verify" "$swift_reason" "$work/python.verify" "$py_reason"
    open_both "$db" "$work/passphrase" "$key_a"
    if [ "$swift_rc" != 7 ] || [ "$py_rc" != 7 ]; then
        fail "open refuses: $name" "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc, expected 7"
        return 0
    elif [ -s "$work/swift.jsonl" ] || [ -s "$work/python.jsonl" ]; then
        fail "open refuses: $name" "a refused archive must leave no output"
        return 0
    fi
    pass "open refuses: $name"
    verify="--no-verify"
    open_both "$db" "$work/passphrase" "$key_a"
    verify="--signing-key"
    local why
    if [ "$swift_rc" != "$want" ] || [ "$py_rc" != "$want" ]; then
        fail "open --no-verify reads alike: $name" \
            "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc, expected $want"
    elif why="$("$py" "$here/compare.py" "$work/swift.jsonl" "$work/python.jsonl" --records "$records" 2>&1)"; then
        pass "open --no-verify reads alike: $name"
    else
        fail "open --no-verify reads alike: $name" "$why"
    fi
}

# Each case: its exit code and record count with --no-verify, then the reason each verifier gives.
fewer=$((examples - 1)) # one record row deleted or cut off
more=$((examples + 1))  # one record copied in
entries=$((examples + 1)) # ledger entries of the export: a record each, and the withdrawal
altered_swift="(position 2) differs from its ledger entry: its clear fields, envelopes, form or date were altered"
altered_python="(row 2) does not match its ledger entry: a clear field, an envelope, the form or the date"
cut_both="a signed checkpoint covers entry $entries, but the ledger ends at entry $examples: entries were cut off"
bad_signature_swift="the checkpoint at entry $entries has an invalid signature"
bad_signature_python="the checkpoint at entry $entries has a bad signature: it was altered or forged"
malformed_site_swift="the archive's site signing key is malformed (the site row must have id 1 and a 32-byte BLOB key)"
malformed_site_python="the site signing key is malformed: the site row must have id 1 and a 32-byte BLOB key"
malformed_entry_swift="a ledger entry is malformed (a value of the wrong type, length or range"
malformed_entry_python="a ledger entry is malformed: a value of the wrong type, length or range"
ledger_case "a deleted record" 0 "$fewer" \
    "(position 3) is in the ledger but missing: it was deleted" \
    "(ledger record 3) was deleted: it has a ledger entry but no row" delete-record 3
ledger_case "a deleted withdrawn record" 0 "$fewer" \
    "(position $withdrawn_number) is in the ledger but missing: it was deleted" \
    "(ledger record $withdrawn_number) was deleted: it has a ledger entry but no row" delete-record "$withdrawn_number"
ledger_case "one byte of an identity envelope changed" 6 "$examples" "$altered_swift" "$altered_python" \
    flip-envelope 2 identity
ledger_case "one byte of a testimony envelope changed" 6 "$examples" \
    "(position $examples) differs from its ledger entry" "(row $examples) does not match its ledger entry" \
    flip-envelope "$examples" testimony
ledger_case "a clear field changed" 0 "$examples" "$altered_swift" "$altered_python" clear-field 2
ledger_case "two records reordered (seq swapped)" 0 "$examples" \
    "is at position 2, where the ledger has" "the records were reordered: row 2 is record" swap-seq 2 4
ledger_case "identity envelopes swapped between two records" 6 "$examples" "$altered_swift" "$altered_python" \
    swap-envelopes 2 3 identity
ledger_case "a record copied in from another site, with its ledger entry" 0 "$more" \
    "ledger entry $((entries + 1)) does not link to entry $entries: the chain was cut or spliced here" \
    "ledger entry $((entries + 1)) does not follow the hash of entry $entries: the chain is broken there" copy-from "$export_b" 1
ledger_case "a record copied in from another site, chain extended over it" 0 "$more" \
    "ledger entries $((entries + 1)) to $((entries + 1)) (1 records) are unsigned: no signed checkpoint covers them" \
    "entry $((entries + 1)) is unsigned: no checkpoint covers it" copy-from "$export_b" 1 --rechain
ledger_case "the last record cut off with the last checkpoint (unsigned)" 0 "$fewer" \
    "ledger entries 1 to $examples ($fewer records) are unsigned: no signed checkpoint covers them" \
    "entries 1 to $examples are unsigned: no checkpoint covers them" cut-signed
ledger_case "the last record cut off, checkpoints kept" 0 "$fewer" "$cut_both" "$cut_both" cut
ledger_case "a record deleted and the chain recomputed" 0 "$fewer" "$cut_both" "$cut_both" delete-rechain 3
ledger_case "a record deleted, chain and checkpoints recomputed (signatures fail)" 0 "$fewer" \
    "the checkpoint at entry $examples has an invalid signature" \
    "the checkpoint at entry $examples has a bad signature: it was altered or forged" delete-rechain 3 --checkpoints
ledger_case "a record deleted and the archive re-signed with a forger's key" 0 "$fewer" \
    ", which is not a given --signing-key" ", which is not pinned with --signing-key" forge-site 3
ledger_case "one byte of a checkpoint signature changed" 0 "$examples" \
    "$bad_signature_swift" "$bad_signature_python" flip-signature
view_both="the archive contains a view records: an amanat archive has tables and indexes only"
ledger_case "a view standing in for the records table" 0 "$examples" "$view_both" "$view_both" view
# The shape of §12.8 step 0: the site table, ledger kinds, hash lengths, and texts that are not UTF-8.
ledger_case "the site key stored as TEXT of the same bytes" 0 "$examples" \
    "$malformed_site_swift" "$malformed_site_python" site-text
ledger_case "the site row with id 2" 0 "$examples" "$malformed_site_swift" "$malformed_site_python" site-id 2
ledger_case "an empty site table" 0 "$examples" "the archive's site table is empty: it names no signing key" \
    "the site table is empty: the archive names no signing key" site-empty
ledger_case "two site rows" 0 "$examples" "the archive's site table has 2 rows: it must name exactly one" \
    "the site table has 2 rows: the archive must name exactly one" site-twice
ledger_case "a ledger entry of kind 6" 0 "$examples" "$malformed_entry_swift" "$malformed_entry_python" ledger-kind 1 6
ledger_case "a ledger entry of kind 0" 0 "$examples" "$malformed_entry_swift" "$malformed_entry_python" ledger-kind 2 0
ledger_case "a content digest of 33 bytes" 0 "$examples" "$malformed_entry_swift" "$malformed_entry_python" \
    ledger-length 2 content_digest
ledger_case "a prev_hash of 33 bytes" 0 "$examples" "$malformed_entry_swift" "$malformed_entry_python" \
    ledger-length 3 prev_hash
ledger_case "a record id of 17 bytes in the ledger" 0 "$examples" "$malformed_entry_swift" "$malformed_entry_python" \
    ledger-length 3 record_id
not_utf8_both="record 2 is malformed: its form, date or clear fields are not well-formed UTF-8"
ledger_case "clear fields not UTF-8, chain and checkpoints re-signed with the stolen site key" 6 "$examples" \
    "$not_utf8_both" "$not_utf8_both" ill-formed-utf8 2 "$site/receipt.key"

# --- Rows no reader can use (FORMAT.md §7.3 step 5) ----------------------------------------------

# row_case NAME TAMPER-ARGUMENT...: a row whose id, form or date cannot be read, in the last record.
# Opened with --no-verify, both readers must refuse the whole file (exit 1) before writing any record,
# not after the records before it; verifying, both must refuse it (§12.8 step 0).
row_case() {
    local name=$1
    shift
    local db="$work/row-$((passed + failed)).sqlite"
    cp "$pristine" "$db"
    "$py" "$here/tamper.py" "$db" "$@" || die "tamper.py $*"
    verify="--no-verify"
    open_both "$db" "$work/passphrase" "$key_a"
    verify="--signing-key"
    if [ "$swift_rc" != 1 ] || [ "$py_rc" != 1 ]; then
        fail "$name" "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc, expected 1"
    elif [ -s "$work/swift.jsonl" ] || [ -s "$work/python.jsonl" ]; then
        fail "$name" "a file refused for a malformed row must leave no output"
    else
        pass "$name"
    fi
    verify_both "verify refuses: $name" 7 "$db" -- "$sig_a"
}

row_case "the last record's id is 15 bytes: nothing is written" "$examples" short-id
row_case "the last record's form is not UTF-8: nothing is written" "$examples" text-hex form_id 74657374ff
row_case "the last record's date is not UTF-8: nothing is written" "$examples" text-hex received 323032ff

# open_many NAME EXIT RECORDS FILE...: both readers open several archives at once, verified against
# both sites' keys; they must agree byte for byte, write RECORDS records and exit EXIT.
open_many() {
    local name=$1 want=$2 records=$3
    shift 3
    swift_rc=0
    py_rc=0
    local args=(--key "$key_a" --passphrase-file "$work/passphrase" --signing-key "$sig_a" --signing-key "$sig_b")
    XDG_STATE_HOME="$(fresh_state)" "$bin/amanat-keyholder" open "$@" "${args[@]}" > "$work/swift.jsonl" 2> "$work/swift.err" || swift_rc=$?
    "$py" "$here/amanat_open.py" "$@" "${args[@]}" > "$work/python.jsonl" 2> "$work/python.err" || py_rc=$?
    local why
    if [ "$swift_rc" != "$want" ] || [ "$py_rc" != "$want" ]; then
        fail "$name" "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc, expected $want"
    elif why="$("$py" "$here/compare.py" "$work/swift.jsonl" "$work/python.jsonl" --records "$records" \
        "${all_opened[@]}" 2>&1)"; then
        pass "$name"
    else
        fail "$name" "$why"
    fi
}

open_many "two sites' exports open alike, in the order given" 0 $((examples + 3)) "$export_b" "$export_a"
if [ "$(wc -l < "$work/python.jsonl")" -eq $((examples + 3)) ]; then
    pass "two sites' exports: one line per record of either"
else
    fail "two sites' exports: one line per record of either" "$(wc -l < "$work/python.jsonl") lines"
fi
open_many "one export given twice: each record written once" 0 "$examples" "$export_a" "$export_a"
if [ "$(wc -l < "$work/python.jsonl")" -eq "$examples" ]; then
    pass "one export given twice: $examples lines"
else
    fail "one export given twice: $examples lines" "$(wc -l < "$work/python.jsonl") lines"
fi
# An earlier and a later export of one site: the earlier is a prefix, so it is skipped and the withdrawal
# in the later one counts, whatever the order given.
open_many "an earlier export before a later one: the later state counts" 0 "$examples" "$export_a_early" "$export_a"
if grep -q "\"withdrawn\":true" "$work/swift.jsonl" && ! grep -q "\"record_id\":\"$withdrawn_id\",\"unopened\"\|\"received\":\"[^\"]*\",\"record_id\":\"$withdrawn_id\"}" "$work/swift.jsonl" \
    && [ "$(grep -c "$withdrawn_id" "$work/swift.jsonl")" -eq 1 ] && grep "$withdrawn_id" "$work/swift.jsonl" | grep -q '"fields":{}'; then
    pass "the withdrawn record stays withdrawn when an earlier export comes first"
else
    fail "the withdrawn record stays withdrawn when an earlier export comes first" "$(grep "$withdrawn_id" "$work/swift.jsonl" | head -c 300)"
fi
verify_both "an earlier and a later export of one site verify together" 0 "$export_a_early" "$export_a"
# An export rewritten with the site's stolen receipt key verifies alone; beside a true export of the same
# site, the ledgers diverge.
diverged="$work/diverged.sqlite"
cp "$export_a" "$diverged"
"$py" "$here/tamper_ledger.py" "$diverged" stolen-key 3 "$site/receipt.key" || die "tamper_ledger.py stolen-key"
verify_both "an export re-signed with the stolen site key verifies on its own" 0 "$diverged"
verify_both "beside an earlier true export, its rewritten ledger diverges" 7 "$export_a_early" "$diverged"
open_many "an export rewritten with the stolen key and a true one: nothing is opened" 7 0 "$export_a_early" "$diverged"
cp "$export_a" "$work/broken-in-a-pair.sqlite"
"$py" "$here/tamper_ledger.py" "$work/broken-in-a-pair.sqlite" flip-signature || die "tamper_ledger.py flip-signature"
open_many "one broken archive among two: nothing is opened" 7 0 "$export_b" "$work/broken-in-a-pair.sqlite"

# A record copied in, and both archives given: besides the broken chain, the record is in both.
copied="$work/copied.sqlite"
cp "$export_a" "$copied"
"$py" "$here/tamper_ledger.py" "$copied" copy-from "$export_b" 1 || die "tamper_ledger.py copy-from"
verify_both "two sites, a record of one copied into the other" 7 "$copied" "$export_b"

# --- Evidence files and addenda (FORMAT.md §12.8, §13, §14) --------------------------------------

# The files of the setup (a scan, a recording of three chunks, an empty file): interop/add_evidence.py adds
# them and addenda to copies of site a's archive as amanatd does (§12.3, §13.4, §14), then signs the new head
# with the site's own receipt key, so the archive verifies. Damaged copies need no daemon this way. Both readers must then agree on every attachment and
# addendum, write byte-identical files, and refuse each damaged copy for the same reason.
evidence="$work/evidence.sqlite"
cp "$export_a" "$evidence"
"$py" "$here/add_evidence.py" "$evidence" "$site/receipt.key" "$pk_a" --record 2 --file "$work/files/scan.jpg" \
    --file "$work/files/interview.mp4" --addendum "news of a relative" --addendum "a correction" \
    || die "add_evidence.py (export)"
"$py" "$here/add_evidence.py" "$evidence" "$site/receipt.key" "$pk_a" --record 3 --file "$work/files/empty.txt" \
    --sealed-to testimony --addendum "Уйғур тили, қазақ тілі" || die "add_evidence.py (export, record 3)"

# same_files DIR: every file extracted into DIR is byte for byte the original it was made from.
same_files() {
    local dir=$1 name found
    for name in scan.jpg interview.mp4 empty.txt; do
        found=("$dir"/*-"$name")
        [ -f "${found[0]}" ] && cmp -s "${found[0]}" "$work/files/$name" || return 1
    done
}

# open_evidence NAME EXIT DB VERIFY KEY COMPARE-ARGUMENT...: both readers open DB with KEY, writing the
# files into two new directories; their outputs must agree (compare.py), and with EXIT 0 both
# directories must hold the original files, byte for byte (unless $all_files is 0: a case that removed one).
open_evidence() {
    local name=$1 want=$2 db=$3 check=$4 key=$5
    shift 5
    local dirs=("$work/files-swift-$((passed + failed))" "$work/files-python-$((passed + failed))")
    local args=(--key "$key" --passphrase-file "$work/passphrase")
    if [ "$check" = "--no-verify" ]; then args+=(--no-verify); else args+=(--signing-key "$sig_a"); fi
    swift_rc=0
    py_rc=0
    XDG_STATE_HOME="$(fresh_state)" "$bin/amanat-keyholder" open "$db" "${args[@]}" --attachments-dir "${dirs[0]}" \
        > "$work/swift.jsonl" 2> "$work/swift.err" || swift_rc=$?
    "$py" "$here/amanat_open.py" "$db" "${args[@]}" --attachments-dir "${dirs[1]}" \
        > "$work/python.jsonl" 2> "$work/python.err" || py_rc=$?
    local why
    if [ "$swift_rc" != "$want" ] || [ "$py_rc" != "$want" ]; then
        fail "$name" "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc, expected $want: $(tail -n 1 "$work/swift.err")"
    elif ! why="$("$py" "$here/compare.py" "$work/swift.jsonl" "$work/python.jsonl" --records "$examples" "$@" 2>&1)"; then
        fail "$name" "$why"
    elif [ "$want" = 0 ] && [ "${all_files:-1}" = 1 ] && ! { same_files "${dirs[0]}" && same_files "${dirs[1]}"; }; then
        fail "$name" "the extracted files are not byte for byte the originals"
    else
        pass "$name"
    fi
}

opened_evidence=(--attachments 3 --expect-attachment 2:1:- --expect-attachment 2:2:- --expect-attachment 3:1:-
    --expect-addendum 2:1:- --expect-addendum 2:2:- --expect-addendum 3:1:-)
verify_both "an export with attachments and addenda verifies" 0 "$evidence" -- "$sig_a"
open_evidence "key a opens every attachment and addendum; the files are the originals" 0 "$evidence" \
    --signing-key "$key_a" "${opened_evidence[@]}"
# Without --attachments-dir both list the sealed metadata only (§14.3): compared as they are.
check_open "without --attachments-dir both list the attachments alike" 0 "$evidence" "$key_a" --records "$examples" \
    "${all_opened[@]}" --attachments 3 --expect-attachment 2:2:- --expect-addendum 3:1:-
check_open "key b, not a recipient of the files, opens the records but no attachment or addendum" 5 "$evidence" \
    "$key_b" --records "$examples" "${all_opened[@]}" --attachments 3 \
    --expect-attachment "2:1:not openable with these keys" --expect-attachment "3:1:not openable with these keys" \
    --expect-addendum "2:2:not openable with these keys"

# A copy of the live database keeps each stream in attachments/STORAGE beside it (§7.1).
mkdir "$work/live"
live="$work/live/amanat.sqlite"
cp "$pristine" "$live"
"$py" "$here/add_evidence.py" "$live" "$site/receipt.key" "$pk_a" --record 2 --file "$work/files/scan.jpg" \
    --file "$work/files/interview.mp4" --addendum "news" --live || die "add_evidence.py (live)"
"$py" "$here/add_evidence.py" "$live" "$site/receipt.key" "$pk_a" --record 3 --file "$work/files/empty.txt" \
    --live || die "add_evidence.py (live, record 3)"
verify_both "a live copy with attachments/ beside it verifies" 0 "$live" -- "$sig_a"
open_evidence "a live copy: every file from attachments/, the originals" 0 "$live" --signing-key "$key_a" \
    --attachments 3 --expect-attachment 2:1:- --expect-attachment 2:2:- --expect-attachment 3:1:-

# evidence_case NAME OPEN-EXIT SQL COMPARE-ARGUMENT...: a copy of the export with evidence, changed by SQL,
# must fail verification in both, and opened with --no-verify both must report the same reasons.
evidence_case() {
    local name=$1 want=$2 sql=$3
    shift 3
    local db="$work/evidence-$((passed + failed)).sqlite"
    cp "$evidence" "$db"
    sql "$db" "$sql" || die "sql $sql"
    verify_both "verify refuses: $name" 7 "$db" -- "$sig_a"
    all_files=0
    open_evidence "open --no-verify: $name" "$want" "$db" --no-verify "$key_a" "$@"
    all_files=1
}

second="(SELECT attachment_id FROM attachments WHERE position = 2 AND record_id = (SELECT record_id FROM records ORDER BY seq LIMIT 1 OFFSET 1))"
evidence_case "one byte of a recording's stored chunk 1 changed" 6 \
    "UPDATE attachment_chunks SET data = CAST(substr(data, 1, 40000) || CAST(CASE WHEN substr(data, 40001, 1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) || substr(data, 40002) AS BLOB) WHERE attachment_id = $second" \
    --expect-attachment "2:2:tampered: chunk 1 of 3 does not authenticate (altered, reordered or dropped)" \
    --expect-attachment 2:1:-
evidence_case "two attachments' envelopes swapped" 6 \
    "CREATE TEMP TABLE kept AS SELECT position, envelope FROM attachments WHERE record_id = (SELECT record_id FROM records ORDER BY seq LIMIT 1 OFFSET 1); UPDATE attachments SET envelope = (SELECT envelope FROM kept WHERE kept.position = 3 - attachments.position) WHERE position IN (1, 2) AND record_id = (SELECT record_id FROM records ORDER BY seq LIMIT 1 OFFSET 1)" \
    --expect-attachment "2:1:tampered: the sealed metadata is for another attachment" \
    --expect-attachment "2:2:tampered: the sealed metadata is for another attachment"
evidence_case "an attachment row deleted (its chunks left behind)" 0 \
    "DELETE FROM attachments WHERE attachment_id = $second" --expect-attachment 2:1:-
evidence_case "an addendum moved to another record" 6 \
    "UPDATE addenda SET record_id = (SELECT record_id FROM records ORDER BY seq LIMIT 1 OFFSET 2), position = 7 WHERE position = 2" \
    --expect-addendum "3:7:tampered: envelope is for another record"
evidence_case "an attachment envelope stored as an addendum" 6 \
    "INSERT INTO addenda (addendum_id, record_id, position, envelope) SELECT randomblob(16), record_id, 9, envelope FROM attachments WHERE attachment_id = $second" \
    --expect-addendum "2:9:tampered: envelope is for another section"
read -r empty_id empty_storage < <("$py" -c 'import sqlite3, sys; print(*(bytes(v).hex() if isinstance(v, bytes) else v for v in sqlite3.connect(sys.argv[1]).execute("SELECT attachment_id, storage FROM attachments WHERE stored_size = 302").fetchone()))' "$live")
rm "$work/live/attachments/$empty_storage"
verify_both "verify refuses: a live copy whose empty file's stream was deleted" 7 "$live" -- "$sig_a"
open_evidence "open --no-verify: a live copy whose empty file's stream was deleted" 6 "$live" --no-verify "$key_a" \
    --expect-attachment "3:1:tampered: attachment $empty_id: its stream file $work/live/attachments/$empty_storage is missing" \
    --expect-attachment 2:1:-

# Files sent through amanat and amanatd (site b's third record): both readers extract each, byte for byte
# the original, and the marker inside two of them is nowhere in site b's state at rest (database, WAL,
# attachment files, log).
dirs=("$work/files-b-swift" "$work/files-b-python")
swift_rc=0
py_rc=0
XDG_STATE_HOME="$(fresh_state)" "$bin/amanat-keyholder" open "$export_b" --key "$key_a" --passphrase-file "$work/passphrase" \
    --signing-key "$sig_b" --attachments-dir "${dirs[0]}" > "$work/swift.jsonl" 2> "$work/swift.err" || swift_rc=$?
"$py" "$here/amanat_open.py" "$export_b" --key "$key_a" --passphrase-file "$work/passphrase" \
    --signing-key "$sig_b" --attachments-dir "${dirs[1]}" > "$work/python.jsonl" 2> "$work/python.err" || py_rc=$?
if [ "$swift_rc" != 0 ] || [ "$py_rc" != 0 ]; then
    fail "files sent with amanat open alike" "exit codes: amanat-keyholder $swift_rc, amanat_open.py $py_rc: $(tail -n 1 "$work/python.err")"
elif ! why="$("$py" "$here/compare.py" "$work/swift.jsonl" "$work/python.jsonl" --records 3 --attachments 4 \
    --expect-attachment 3:1:- --expect-attachment 3:2:- --expect-attachment 3:3:- --expect-attachment 3:4:- \
    --expect-addendum 3:1:- 2>&1)"; then
    fail "files sent with amanat open alike" "$why"
else
    identical=1
    for dir in "${dirs[@]}"; do
        for name in scan.jpg interview.mp4 empty.txt letter.pdf; do
            found=("$dir/$record_b3"-*-"$name")
            [ -f "${found[0]}" ] && cmp -s "${found[0]}" "$work/files/$name" || identical=0
        done
    done
    if [ "$identical" = 1 ] && grep -q "$marker" "$work/python.jsonl" && grep -q "$marker" "$work/swift.jsonl"; then
        pass "files sent with amanat open alike: each byte for byte the original, the addendum's text read back"
    else
        fail "files sent with amanat open alike" "an extracted file differs from its original, or the addendum was not read"
    fi
fi
if grep -rqF "$marker" "$site_b"; then
    fail "no marker from a sent file or addendum is at rest in site b's state" "$(grep -rlF "$marker" "$site_b" | head -3)"
else
    pass "no marker from a sent file or addendum is at rest in site b's state"
fi

# --- Receipts (FORMAT.md §12.6) ------------------------------------------------------------------

# receipt_both NAME EXIT SWIFT-REASON PYTHON-REASON RECEIPT KEY: `amanat receipt verify` and amanat_receipt.py
# must both exit EXIT, each saying its REASON (on standard output or error).
receipt_both() {
    local name=$1 want=$2 swift_reason=$3 py_reason=$4 receipt=$5 key=$6
    local swift_rc=0 py_rc=0
    "$bin/amanat" receipt verify "$receipt" --signing-key "$key" > "$work/swift.receipt" 2>&1 || swift_rc=$?
    "$py" "$here/amanat_receipt.py" "$receipt" --signing-key "$key" > "$work/python.receipt" 2>&1 || py_rc=$?
    if [ "$swift_rc" = "$want" ] && [ "$py_rc" = "$want" ]; then
        says_why "$name" "$work/swift.receipt" "$swift_reason" "$work/python.receipt" "$py_reason"
    else
        fail "$name" "exit codes: amanat receipt verify $swift_rc, amanat_receipt.py $py_rc, expected $want"
    fi
}

# edit_receipt SRC DST PYTHON: DST is SRC's answer with its receipt `r` changed by PYTHON.
edit_receipt() {
    "$py" - "$1" "$2" "$3" <<'EOF'
import base64, json, sys
source, target, change = sys.argv[1:]
answer = json.load(open(source))
r = answer["receipt"]
exec(change)
json.dump(answer, open(target, "w"))
EOF
}

receipts_ok=1
for number in $(seq 1 "$examples"); do
    receipt="$work/submitted-$number.json"
    rc=0
    "$bin/amanat" receipt verify "$receipt" --signing-key "$sig_a" > /dev/null 2>&1 || rc=$?
    "$py" "$here/amanat_receipt.py" "$receipt" --signing-key "$sig_a" --archive "$export_a" > /dev/null \
        2> "$work/receipt.err" || rc=$((rc + $?))
    [ "$rc" -eq 0 ] || receipts_ok=0
done
if [ "$receipts_ok" -eq 1 ]; then
    pass "every receipt of site a verifies in both, and names its entry in the export ($examples)"
else
    fail "every receipt of site a verifies in both" "a receipt was refused"
fi
receipt_both "a receipt against another site's key" 1 "not by the given --signing-key" \
    "the receipt names another signing key than the pinned one" "$work/submitted-2.json" "$sig_b"
receipt_both "a receipt's --signing-key with CR LF after it is trimmed" 0 "valid: record" ": valid: record" \
    "$work/submitted-2.json" "$sig_a"$'\r\n'
receipt_both "a receipt's --signing-key with a no-break space is refused" 64 \
    "--signing-key: not an amanat public key of this kind" "--signing-key: it must start with amanat-sig-" \
    "$work/submitted-2.json" "$nbsp$sig_a"
# Any change to a receipt's record id, seq or entry hash is a signature that does not verify.
forged_swift="the receipt's signature does not verify: it was altered or forged"
forged_python="the signature does not verify: the receipt was altered or forged"
edit_receipt "$work/submitted-2.json" "$work/receipt-seq.json" 'r["seq"] += 1'
receipt_both "a receipt with another seq" 1 "$forged_swift" "$forged_python" \
    "$work/receipt-seq.json" "$sig_a"
edit_receipt "$work/submitted-2.json" "$work/receipt-id.json" \
    'r["record_id"] = json.load(open(source.replace("-2.json", "-3.json")))["record_id"]'
receipt_both "a receipt with another record's id" 1 "$forged_swift" "$forged_python" \
    "$work/receipt-id.json" "$sig_a"
edit_receipt "$work/submitted-2.json" "$work/receipt-hash.json" \
    'r["entry_hash"] = r["entry_hash"][:10] + ("0" if r["entry_hash"][10] != "0" else "1") + r["entry_hash"][11:]'
receipt_both "a receipt with one hex digit of its entry hash changed" 1 "$forged_swift" "$forged_python" \
    "$work/receipt-hash.json" "$sig_a"
edit_receipt "$work/submitted-2.json" "$work/receipt-signature.json" \
    's = bytearray(base64.b64decode(r["signature"])); s[5] ^= 1; r["signature"] = base64.b64encode(bytes(s)).decode()'
receipt_both "a receipt with one signature bit changed" 1 "$forged_swift" "$forged_python" \
    "$work/receipt-signature.json" "$sig_a"

# A receipt shows what the archive alone cannot: its record was cut off. The last record is deleted and the
# ledger rewritten and re-signed with the stolen site key, so the archive alone verifies (amanat-keyholder
# checks receipts only against an intact archive); only the receipt of entry $entries betrays the cut.
cut="$work/receipt-cut.sqlite"
cp "$export_a" "$cut"
"$py" "$here/tamper_ledger.py" "$cut" stolen-key "$examples" "$site/receipt.key" || die "tamper_ledger.py stolen-key"
verify_both "an export cut with the stolen site key verifies on its own" 0 "$cut" -- "$sig_a"
# amanat_receipt.py looks the receipt up with --archive; amanat-keyholder verify with --receipts DIR.
mkdir "$work/last-receipt"
cp "$work/submitted-$examples.json" "$work/last-receipt/"
swift_rc=0
py_rc=0
XDG_STATE_HOME="$(fresh_state)" "$bin/amanat-keyholder" verify "$cut" --signing-key "$sig_a" \
    --receipts "$work/last-receipt" > "$work/swift.receipt" 2>&1 || swift_rc=$?
"$py" "$here/amanat_receipt.py" "$work/submitted-$examples.json" --signing-key "$sig_a" --archive "$cut" \
    > "$work/python.receipt" 2>&1 || py_rc=$?
if [ "$swift_rc" != 7 ] || [ "$py_rc" != 1 ]; then
    fail "the last record's receipt finds no entry in an archive cut before it" \
        "exit codes: amanat-keyholder verify $swift_rc (expected 7), amanat_receipt.py $py_rc (expected 1)"
else
    says_why "the last record's receipt finds no entry in an archive cut before it" \
        "$work/swift.receipt" "was stored as ledger entry $entries, but the archive ends at entry $examples" \
        "$work/python.receipt" "has no ledger entry $entries: it was cut off"
fi

echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
