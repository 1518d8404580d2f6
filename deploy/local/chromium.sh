#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; its own browser
# download cannot reach its host here). Installs it with apt-get as root; otherwise
# says what to install. CHROMIUM_PATH overrides where it is.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x $path ]]; then
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "[chromium] $path is missing: sudo apt-get install chromium (or set CHROMIUM_PATH)" >&2
  exit 1
fi
echo "[chromium] installing Debian's chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq chromium </dev/null >/dev/null 2>&1; then
  apt-get update -qq </dev/null
  apt-get install -y -qq chromium </dev/null >/dev/null
fi
[[ -x $path ]] || { echo "[chromium] installed, but $path is still missing" >&2; exit 1; }
