#!/usr/bin/env bash
# Builds frs and runs the whole test suite, then the torture and disk-full scripts. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export FRS_MODELS="${FRS_MODELS:-$PWD/models}"
./scripts/check-syscalls.sh   # one libc layer: no file-system call outside Sources/SystemCalls
swift build --build-tests
swift test --skip-build
# The scripts with the real binary: a skipped one is named in the summary (and fails when CI=true).
summary=() total_pass=0 total_fail=0
for script in "torture.sh --quick" accounts.sh answers.sh diskfull.sh demo.sh; do
  # torture: the spool under fire (a few minutes; see SECURITY.md). accounts: a service-account daemon, two
  # agencies, examiners, supervisors, auditors on distinct uids (root: setpriv). answers: requests answered where
  # their authors look, the hand drop as README.md shows it (root: setpriv). diskfull: a full tmpfs. demo: README's
  # first command, each request from its person's own account, every outcome checked (release build).
  out=$(mktemp)
  set +e
  ./scripts/$script 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$line"); f=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p' <<<"$line")
  total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-0}))
  grep -q SKIPPED "$out" && line="SKIPPED${line:+ ($line)}"
  summary+=("${script%% *}: ${line:-no summary} (exit $rc)")
  rm -f "$out"
  [ "$rc" = 0 ] || { printf '%s\n' "${summary[@]}"; exit "$rc"; }
done
echo "script checks:"
printf '  %s\n' "${summary[@]}"
echo "scripts: $total_pass passed, $total_fail failed"
