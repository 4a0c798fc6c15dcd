#!/usr/bin/env bash
# Installs what frs needs to build and run, when missing: the C libraries (Debian packages) and the
# dlib model files (scripts/fetch-models.sh). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "setup: the Swift toolchain (swift) is not on PATH" >&2; exit 1; }
need=()
for p in libjpeg62-turbo-dev libsqlite3-dev pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
./scripts/fetch-models.sh
