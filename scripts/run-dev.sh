#!/usr/bin/env bash
# amanatd in the foreground with the development config, and a development key made on first run.
# The key and the database live in .dev/ (ignored by git). Never use this key for real testimonies.
set -euo pipefail
bin="$(swift build --show-bin-path)"
mkdir -p .dev
chmod 700 .dev
if [ ! -f .dev/dev.key ]; then
    head -c 24 /dev/urandom | base64 > .dev/passphrase
    chmod 600 .dev/passphrase
    "$bin/amanat-keyholder" init --out .dev/dev.key --passphrase-file .dev/passphrase >/dev/null
fi
pubkey="$("$bin/amanat-keyholder" pubkey .dev/dev.key)"
echo "amanatd (development): socket .dev/amanatd.sock; open with:" >&2
echo "  $bin/amanat-keyholder open .dev/amanat.sqlite --key .dev/dev.key --passphrase-file .dev/passphrase" >&2
root_flag=""
[ "$(id -u)" -eq 0 ] && root_flag="--allow-root"
exec "$bin/amanatd" $root_flag --config config/amanatd.dev.toml --recipient "$pubkey"
