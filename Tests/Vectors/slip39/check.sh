#!/usr/bin/env bash
# The SLIP-39 cross-check with the reference implementation (shamir-mnemonic from PyPI, pinned in
# requirements.txt), run by `make test`: generate.py --check, which writes nothing (see generate.py).
#
#   SLIP39_VENV=DIR  a Python venv for shamir-mnemonic, made if missing (default: /tmp/amanat-slip39-venv)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${SLIP39_VENV:-/tmp/amanat-slip39-venv}"

if [ ! -x "$venv/bin/python3" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python3" "$here/generate.py" --check
