#!/usr/bin/env bash
# The fonts the e-ticket PDF needs for names and titles beyond Latin-1: Noto Sans and
# the Noto fonts of the Indian scripts (Debian's fonts-noto-core). Installs them with
# apt-get when they are missing and we are root; otherwise says how, and fails.
# Point TICKET_FONT_DIRS elsewhere (colon-separated) to use fonts from another place.
set -euo pipefail

DIRS="${TICKET_FONT_DIRS:-/usr/share/fonts/truetype/noto}"
NEEDED=(NotoSans-Regular.ttf NotoSansDevanagari-Bold.ttf NotoSansTamil-Regular.ttf)

log() { printf '[fonts] %s\n' "$*" >&2; }

have_fonts() {
  local font dir found
  for font in "${NEEDED[@]}"; do
    found=0
    IFS=: read -ra dirs <<<"$DIRS"
    for dir in "${dirs[@]}"; do [[ -f "$dir/$font" ]] && found=1; done
    ((found)) || return 1
  done
}

have_fonts && exit 0
if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  log "ERROR: the Noto fonts are missing from $DIRS. Install them with:"
  log "         sudo apt-get install fonts-noto-core"
  log "       (or set TICKET_FONT_DIRS to a folder holding ${NEEDED[*]})"
  exit 1
fi
log "installing fonts-noto-core with apt-get (first run on this machine)"
{
  apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-core
} </dev/null >&2
have_fonts || { log "ERROR: fonts-noto-core installed, but the fonts are not in $DIRS"; exit 1; }
