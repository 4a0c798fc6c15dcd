#!/usr/bin/env bash
# Builds frs and runs the whole test suite. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export FRS_MODELS="${FRS_MODELS:-$PWD/models}"
swift build --build-tests
exec swift test --skip-build
