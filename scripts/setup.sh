#!/usr/bin/env bash
# Prepare a Debian/Ubuntu machine to run and test branchdesk. Safe to run again:
# it installs only what is missing and reinstalls the Python packages only
# when pyproject.toml (or the virtualenv) changed.
#
#   bash scripts/setup.sh
#
# Settings (environment variables):
#   PYTHON=python3.12                  interpreter for the virtualenv (default python3)
#   BRANCHDESK_VENV=/path              virtualenv folder (default .venv in the repo)
#   BRANCHDESK_WITH_LIBREOFFICE=0      skip LibreOffice Calc (only the Excel exchange tests use it)
#   BRANCHDESK_SKIP_APT=1              do not look at system packages at all
#
# System packages are installed when running as root or with password-less sudo;
# otherwise the missing ones are listed and the set-up carries on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${BRANCHDESK_VENV:-$ROOT/.venv}"
WITH_LIBREOFFICE="${BRANCHDESK_WITH_LIBREOFFICE:-1}"
SKIP_APT="${BRANCHDESK_SKIP_APT:-0}"
STAMP="$VENV/.branchdesk-setup"

say() { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: WARNING: %s\n' "$*" >&2; }

# ---- system packages ----------------------------------------------------------
# Each entry is one package, or alternatives "new|old" (the first one the
# distribution offers is installed; any one installed is enough).
QT_PACKAGES=(
    # Qt itself, offscreen and on any platform
    libgl1 libegl1 libfontconfig1 libfreetype6 libdbus-1-3 "libglib2.0-0t64|libglib2.0-0"
    libxkbcommon0
    # Qt's xcb platform plugin (a real window on X11)
    libx11-6 libx11-xcb1 libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
    libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
    libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
)
TOOL_PACKAGES=(
    poppler-utils  # pdftotext / pdftoppm for the printout tests
    binutils       # objdump / strip: build_installer.py reads and trims the bundle's libraries
)

is_installed() {  # is_installed NAME: the dpkg package is installed
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

spec_installed() {  # spec_installed "a|b": any alternative is installed
    local alt
    local IFS='|'
    for alt in $1; do
        if is_installed "$alt"; then return 0; fi
    done
    return 1
}

candidate() {  # candidate "a|b": the first alternative apt can install, or nothing
    local alt version
    local IFS='|'
    for alt in $1; do
        version="$(apt-cache policy "$alt" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
        if [ -n "$version" ] && [ "$version" != "(none)" ]; then
            printf '%s\n' "$alt"
            return 0
        fi
    done
    return 1
}

python_ok() {  # the interpreter exists, is new enough and can make virtualenvs
    command -v "$PYTHON" >/dev/null 2>&1 &&
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null &&
        "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1
}

python_minor() {
    "$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

libpython_missing() {  # PyInstaller (build_installer.py) needs the interpreter's shared library
    local minor libdir
    minor="$(python_minor)"
    [ -n "$minor" ] || return 1
    libdir="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")' 2>/dev/null || true)"
    [ -n "$libdir" ] && [ -e "$libdir/libpython$minor.so.1.0" ] && return 1
    { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "libpython$minor\.so\.1\.0" && return 1
    return 0
}

missing_specs() {
    local spec
    for spec in "${QT_PACKAGES[@]}" "${TOOL_PACKAGES[@]}"; do
        spec_installed "$spec" || printf '%s\n' "$spec"
    done
    if ! python_ok; then
        if command -v "$PYTHON" >/dev/null 2>&1; then
            local minor
            minor="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
            if [ -n "$minor" ]; then
                printf '%s\n' "python$minor-venv|python3-venv"
            else
                printf '%s\n' "python3-venv"
            fi
        else
            printf '%s\n' "python3" "python3-venv"
        fi
    fi
    if python_ok && libpython_missing; then
        printf '%s\n' "libpython$(python_minor)"
    fi
    if [ "$WITH_LIBREOFFICE" = "1" ] && ! command -v soffice >/dev/null 2>&1 \
            && ! command -v libreoffice >/dev/null 2>&1; then
        printf '%s\n' "libreoffice-calc-nogui|libreoffice-calc"
    fi
}

install_system_packages() {
    if [ "$SKIP_APT" = "1" ]; then
        say "system packages: skipped (BRANCHDESK_SKIP_APT=1)"
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        say "system packages: not a Debian/Ubuntu system, skipped (Qt needs its usual runtime libraries)"
        return 0
    fi
    local specs=()
    mapfile -t specs < <(missing_specs)
    if [ "${#specs[@]}" -eq 0 ]; then
        say "system packages: all present"
        return 0
    fi

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
            sudo=(sudo -n)
        else
            local shown=() spec name
            for spec in "${specs[@]}"; do
                name="$(candidate "$spec")" || name="${spec##*|}"
                shown+=("$name")
            done
            say "system packages missing (run as root or with sudo to install them):"
            say "  apt-get install --no-install-recommends ${shown[*]}"
            say "continuing without them"
            return 0
        fi
    fi

    # sudo drops the environment, so the front end is set on apt-get's own command line
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/branchdesk-apt.XXXXXX")"
    say "system packages: updating the package lists"
    if ! "${apt[@]}" update -q </dev/null >"$log" 2>&1; then
        warn "apt-get update failed (offline?); trying with the lists already on this machine"
        tail -n 5 "$log" >&2 || true
    fi
    local names=() spec name
    for spec in "${specs[@]}"; do
        if name="$(candidate "$spec")"; then
            names+=("$name")
        else
            warn "no package '$spec' in this distribution; skipped"
        fi
    done
    if [ "${#names[@]}" -eq 0 ]; then
        rm -f "$log"
        return 0
    fi
    say "system packages: installing ${names[*]}"
    if "${apt[@]}" install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 "${names[@]}" \
            </dev/null >"$log" 2>&1; then
        say "system packages: done"
    else
        warn "apt-get install failed; the last lines were:"
        tail -n 15 "$log" >&2 || true
        warn "continuing; Qt, PDF or Excel tests may fail until these are installed"
    fi
    rm -f "$log"
}

# ---- the virtualenv --------------------------------------------------------------
python_hash() {  # python_hash FILE: sha256 of the file, without relying on coreutils
    "$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
}

setup_venv() {
    if ! python_ok; then
        warn "$PYTHON (3.10 or newer, with the venv module) is needed; install python3 and python3-venv"
        exit 1
    fi
    cd "$ROOT"
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        say "creating the virtualenv ${VENV#"$ROOT"/}"
        "$PYTHON" -m venv --clear "$VENV"
        rm -f "$STAMP"
    fi
    local want have=""
    want="$(python_hash "$ROOT/pyproject.toml") $ROOT $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')"
    [ -f "$STAMP" ] && have="$(cat "$STAMP")"
    # The editable install must point at this checkout (a moved or copied repo does not).
    local here
    here="$("$VENV/bin/python" -c 'import branchdesk, os; print(os.path.realpath(branchdesk.__file__))' 2>/dev/null || true)"
    if [ "$want" = "$have" ] && [ "$here" = "$(cd "$ROOT/src/branchdesk" && pwd -P)/__init__.py" ]; then
        say "Python packages: up to date"
        return 0
    fi
    say "Python packages: installing (pip install -e .[test])"
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/branchdesk-pip.XXXXXX")"
    if ! PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
            "$VENV/bin/python" -m pip install --quiet --no-input --progress-bar off -e "${ROOT}[test]" \
            </dev/null >"$log" 2>&1; then
        warn "pip install failed; the last lines were:"
        grep -v "^WARNING: Location" "$log" | tail -n 25 >&2 || true
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    printf '%s\n' "$want" >"$STAMP"
    say "Python packages: done"
}

install_system_packages
setup_venv
