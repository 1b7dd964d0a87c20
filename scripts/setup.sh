#!/usr/bin/env bash
# Set up xlcost on a fresh Debian/Ubuntu machine: system libraries for WeasyPrint and the report's
# fonts, a virtual environment in .venv, and xlcost with its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { echo "setup: $*"; }  # one line per step: a person waiting sees what is being done

DEBIAN_PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0  # WeasyPrint's text layout
  libharfbuzz-subset0               # fast font subsetting (10x faster PDFs)
  fonts-dejavu-core                 # the report's Latin font
  fonts-dejavu-extra                # DejaVu Sans Condensed: the report's tables (headers fit their columns)
  fonts-noto-cjk                    # Noto Sans CJK SC: the Chinese edition of the report (regular and bold)
  fonts-wqy-microhei                # Chinese fallback: small, one weight
  poppler-utils                     # pdftoppm, used to look at report pages
)
if command -v apt-get >/dev/null 2>&1; then
  say "checking the system libraries and fonts the PDF report needs..."
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    case "$pkg" in \#*) continue ;; esac
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    say "installing ${#missing[@]} Debian package(s): ${missing[*]}..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup.sh: no apt-get; install Pango, HarfBuzz (hb-subset) and DejaVu fonts with your package manager" >&2
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment .venv..."
  "$PYTHON" -m venv .venv
fi
say "installing Python packages (about a minute)..."
# pip's own output (and the build backend's warnings) go to a log, shown only if something fails
log=.venv/setup-pip.log
if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e ".[test]"; } \
    >"$log" 2>&1; then
  cat "$log" >&2
  say "installing the Python packages failed (the output above is also in $log)" >&2
  exit 1
fi
say "done in $((SECONDS - started)) s: xlcost is installed in .venv; run .venv/bin/xlcost --help"
