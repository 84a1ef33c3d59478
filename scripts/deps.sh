#!/usr/bin/env bash
# Installs the Debian packages amanat builds against, only when they are missing.
set -euo pipefail
missing=()
# sqlite3 (the shell): end-to-end tests cut and tamper with exported archives the way an attacker would.
# systemd: systemd-analyze and systemd-socket-activate (SystemdTests); util-linux: setpriv (PeerCredentialTests,
# UnixHTTPClientTests); bsdutils: script (ReportTests); openssh-server, openssh-client and passwd (useradd):
# sshd on loopback for RemoteVolunteerTests. In CI (CI=true) a test whose tool is missing fails.
for pkg in libsodium-dev libsqlite3-dev sqlite3 systemd util-linux bsdutils make openssh-server openssh-client passwd; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
# The interop check (make test) runs the independent Python reader in a venv.
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    missing+=(python3 python3-venv)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
