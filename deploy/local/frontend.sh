#!/usr/bin/env bash
# The storefront (frontend/): install its packages, build it, test it.
#
#   frontend.sh install   npm ci, again only when package-lock.json changed
#   frontend.sh build     install, then type-check and build with Vite into frontend/dist
#   frontend.sh test      install, the API types against the OpenAPI schema, type-check,
#                         Vitest, build, and the bundle-size budget
#
# Node.js 20.19+ and npm come with the machine; nothing built is committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../frontend"

log() { printf '[frontend] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v node >/dev/null 2>&1 || die "Node.js is missing: install Node.js 20.19 or newer (with npm)."
command -v npm >/dev/null 2>&1 || die "npm is missing: install npm (it comes with Node.js)."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $(node --version) is too old: the build needs 20.19 or newer."

install() {
  local stamp=node_modules/.installed
  if [[ -f $stamp && $stamp -nt package-lock.json && $stamp -nt package.json ]]; then
    return
  fi
  log "npm ci"
  # Browser tests drive Debian's Chromium; Playwright's own download cannot reach its host.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error </dev/null
  touch "$stamp"
}

build() {
  install
  log "build (tsc, vite)"
  npm run --silent build </dev/null
}

case "${1:-build}" in
  install) install ;;
  build) build ;;
  test)
    install
    log "API types against the OpenAPI schema"
    npm run --silent api:check </dev/null
    log "typecheck"
    npm run --silent typecheck </dev/null
    log "vitest"
    npm test --silent </dev/null
    build
    node scripts/bundle-size.mjs --json dist/bundle-size.json
    ;;
  *) die "usage: frontend.sh install|build|test" ;;
esac
