#!/usr/bin/env bash
# The whole job end to end with the real binaries: a throwaway key, amanatd on a temporary socket,
# a submission, a clean stop, and the key holder opening the database copy.
set -euo pipefail
bin="${BIN:-$(swift build --show-bin-path)}"
work="$(mktemp -d /tmp/amanat-demo.XXXXXX)"
daemon=""
cleanup() {
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n==> %s\n' "$*"; }

step "1. A key holder makes a key pair (offline, passphrase-protected)"
head -c 24 /dev/urandom | base64 > "$work/passphrase"
chmod 600 "$work/passphrase"
pubkey="$("$bin/amanat-keyholder" init --out "$work/keyholder.key" --passphrase-file "$work/passphrase" | tail -n 1)"
echo "public key: $pubkey"
ls -l "$work/keyholder.key"

step "2. amanatd starts on a temporary socket, holding only the public key"
root_flag=""
[ "$(id -u)" -eq 0 ] && root_flag="--allow-root"  # amanatd refuses root otherwise; a server runs it as its own user
"$bin/amanatd" $root_flag --socket "$work/amanatd.sock" --database "$work/amanat.sqlite" --forms config/forms \
    --recipient "$pubkey" 2> "$work/amanatd.log" &
daemon=$!
export AMANAT_SOCKET="$work/amanatd.sock"
for _ in $(seq 1 100); do
    "$bin/amanat" health >/dev/null 2>&1 && break
    kill -0 "$daemon" 2>/dev/null || { cat "$work/amanatd.log"; exit 1; }
    sleep 0.1
done
"$bin/amanat" health

step "3. Volunteers submit testimonies; each gets a signed receipt and a one-time withdrawal token"
"$bin/amanat" submit examples/testimony.json | tee "$work/first.txt"
"$bin/amanat" submit --json examples/testimony-kk.json > "$work/second.json"
cat "$work/second.json"; echo
signing_key="$("$bin/amanat" signing-key)"
echo "the site's signing key, pinned by the key holders: $signing_key"
"$bin/amanat" receipt verify "$work/second.json" --signing-key "$signing_key"

step "3b. The first witness withdraws consent with their token"
sed -n 's/^withdrawal-token //p' "$work/first.txt" > "$work/token"
"$bin/amanat" withdraw "$(head -n 1 "$work/first.txt")" --token-file "$work/token"

step "3c. An admin exports a consistent, signed snapshot for the offline machine"
"$bin/amanat" export --out "$work/archive.sqlite"

step "4. What the intake host's disk holds: no name, no narrative"
name="$(grep -o '"full_name": *"[^"]*"' examples/testimony.json | sed 's/.*: *"//; s/"$//')"
if grep -rqF "$name" "$work"/amanat.sqlite* "$work/archive.sqlite" "$work/amanatd.log"; then
    echo "LEAK: the witness's name is on disk"; exit 1
fi
echo "searched amanat.sqlite, its WAL, the export and the daemon log for \"$name\": not found"

step "5. amanatd stops cleanly on SIGTERM"
kill -TERM "$daemon"
wait "$daemon"
daemon=""
cat "$work/amanatd.log"

step "6. On the offline machine, the key holder verifies the export's hash chain and signatures, then opens it"
"$bin/amanat-keyholder" verify "$work/archive.sqlite" --signing-key "$signing_key"
"$bin/amanat-keyholder" open "$work/archive.sqlite" --key "$work/keyholder.key" --passphrase-file "$work/passphrase" \
    --signing-key "$signing_key" --out "$work/opened.jsonl"
if command -v python3 >/dev/null; then
    python3 -m json.tool --json-lines --no-ensure-ascii "$work/opened.jsonl"
else
    cat "$work/opened.jsonl"
fi

step "7. A case worker's readable report: one HTML page per testimony, labelled in Kazakh, no scripts"
"$bin/amanat-keyholder" open "$work/archive.sqlite" --key "$work/keyholder.key" --passphrase-file "$work/passphrase" \
    --signing-key "$signing_key" --format html --lang kk --forms config/forms --out "$work/report"
ls -l "$work/report"
echo
echo "demo complete"
