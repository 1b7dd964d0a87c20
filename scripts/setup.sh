#!/usr/bin/env bash
# Set up xlcost on a fresh Debian/Ubuntu machine: system libraries for WeasyPrint and the report's
# fonts, a virtual environment in .venv, and xlcost with its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0  # WeasyPrint's text layout
  libharfbuzz-subset0               # fast font subsetting (10x faster PDFs)
  fonts-dejavu-core                 # the report's Latin font
  fonts-wqy-microhei                # Chinese text in workbook strings
  poppler-utils                     # pdftoppm, used to look at report pages
)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    case "$pkg" in \#*) continue ;; esac
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup.sh: no apt-get; install Pango, HarfBuzz (hb-subset) and DejaVu fonts with your package manager" >&2
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
echo "xlcost is installed in .venv: run .venv/bin/xlcost --help"
