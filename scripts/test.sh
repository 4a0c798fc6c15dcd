#!/usr/bin/env bash
# Builds frs and runs the whole test suite, then the torture and disk-full scripts. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export FRS_MODELS="${FRS_MODELS:-$PWD/models}"
swift build --build-tests
swift test --skip-build
# The spool under fire, with the real binary and face engine (a few minutes; see SECURITY.md).
./scripts/torture.sh --quick
# Real accounts: a service-account daemon, two agencies, examiners, supervisors, auditors (root: setpriv).
./scripts/accounts.sh
./scripts/diskfull.sh
