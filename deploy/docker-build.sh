#!/usr/bin/env bash
# Build the production image with the right context (the repository root), whatever the
# current directory. Usage:
#   deploy/docker-build.sh [TAG] [extra docker build args...]
#   IMAGE=registry.example.com/ticketing-platform deploy/docker-build.sh 1.4.2 --push
# (--push needs buildx: `docker buildx build`; set DOCKER_BUILD="docker buildx build".)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${IMAGE:-ticketing-platform}"
tag="${1:-$(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo latest)}"
shift || true
read -r -a build_cmd <<<"${DOCKER_BUILD:-docker build}"

export DOCKER_BUILDKIT=1  # deploy/Dockerfile.dockerignore and RUN --mount need BuildKit
set -x
"${build_cmd[@]}" \
  --file "$repo_root/deploy/Dockerfile" \
  --tag "$image:$tag" \
  "$@" \
  "$repo_root"
