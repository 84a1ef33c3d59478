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

step "3. A volunteer submits the example testimony"
"$bin/amanat" submit --json examples/testimony.json

step "4. What the intake host's disk holds: no name, no narrative"
name="$(grep -o '"full_name": *"[^"]*"' examples/testimony.json | sed 's/.*: *"//; s/"$//')"
if grep -rqF "$name" "$work"/amanat.sqlite* "$work/amanatd.log"; then
    echo "LEAK: the witness's name is on disk"; exit 1
fi
echo "searched amanat.sqlite, its WAL and the daemon log for \"$name\": not found"

step "5. amanatd stops cleanly on SIGTERM"
kill -TERM "$daemon"
wait "$daemon"
daemon=""
cat "$work/amanatd.log"

step "6. On the offline machine, the key holder opens a copy of the database"
cp "$work/amanat.sqlite" "$work/copy.sqlite"
"$bin/amanat-keyholder" open "$work/copy.sqlite" --key "$work/keyholder.key" --passphrase-file "$work/passphrase" \
    --out "$work/opened.jsonl"
if command -v python3 >/dev/null; then
    python3 -m json.tool --json-lines --no-ensure-ascii "$work/opened.jsonl"
else
    cat "$work/opened.jsonl"
fi
echo
echo "demo complete"
