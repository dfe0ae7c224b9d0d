#!/usr/bin/env bash
# Install everything the tests need and run the whole suite (README's second command; CI runs it too).
# Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit -x`.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(gnome-keyring dbus dbus-x11 libsecret-tools fonts-wqy-microhei postgresql
                 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3)
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  arch=$(dpkg --print-architecture)
  # With a second architecture enabled (i386 for Wine), a bare name is ambiguous: ask for the native one.
  for p in "${SYSTEM_PACKAGES[@]}"; do dpkg -s "$p:$arch" >/dev/null 2>&1 || dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

VENV=${LP_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install -q -e ./protocol -e ./server -e '.[dev]'

PY="$(cd "$VENV/bin" && pwd)/python"
export QT_QPA_PLATFORM=offscreen
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  # A real Secret Service for the keyring tests: a throw-away HOME whose login keyring we unlock.
  exec dbus-run-session -- bash -c '
    export HOME=$(mktemp -d)
    eval "$(printf %s lp-test-keyring | gnome-keyring-daemon --unlock --components=secrets)"
    export LP_HAVE_SECRET_SERVICE=1
    exec "$0" -m pytest "$@"' "$PY" "$@"
fi
exec "$PY" -m pytest "$@"
