#!/usr/bin/env bash
# Disk-full test of the spool, with the real frs binary and face engine.
#
# The spool lives on a small tmpfs. Jobs are queued, the file system is filled to the last byte,
# and a daemon is started: every write it tries fails with ENOSPC. It must report the condition,
# keep running, and leave each job queued (incoming/ or active/) or finished whole — never a
# half-written result, a torn audit record or a lost job. Then the space is given back and the same
# daemon, without a restart, must finish every job: exactly one result and one final audit record
# each, nothing left in incoming/ or active/, and `frs audit verify` passing.
#
# Needs permission to mount a tmpfs (root); otherwise it says SKIPPED (and `0 passed, 1 failed` with
# exit 1 when CI=true, so a CI run that could not test a full disk is never green).
# usage: scripts/diskfull.sh [--jobs N] [--size-mib M] [--keep]
# Environment: FRS (binary; default .build/debug/frs), FRS_MODELS (default ./models).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=20 SIZE_MIB=8 KEEP=0 PAGES=${DISKFULL_PAGES:-4}
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) JOBS=$2; shift ;;
    --size-mib) SIZE_MIB=$2; shift ;;
    --keep) KEEP=1 ;;
    *) echo "usage: $0 [--jobs N] [--size-mib M] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
FRS_BIN=${FRS:-$ROOT/.build/debug/frs}
[ -x "$FRS_BIN" ] || { echo "diskfull: building frs…"; swift build --product frs 2>&1 | tail -1; }
export FRS_MODELS="${FRS_MODELS:-$ROOT/models}"

W=$(mktemp -d /tmp/frs-diskfull.XXXXXX)
M=$W/fs
mkdir -p "$M" "$W/logs"
if ! mount -t tmpfs -o size="${SIZE_MIB}m",mode=0755 tmpfs "$M" 2>"$W/mount.err"; then
  echo "diskfull: SKIPPED — cannot mount a tmpfs here ($(cat "$W/mount.err")); run as root to test a full disk"
  rm -rf "$W"
  if [ "${CI:-}" = true ]; then echo "0 passed, 1 failed"; exit 1; fi
  exit 0
fi
DAEMON=""
cleanup() {
  [ -n "$DAEMON" ] && kill -9 "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
  umount "$M" 2>/dev/null || umount -l "$M"
  if [ "$KEEP" = 1 ]; then echo "diskfull: kept $W (the tmpfs is unmounted)"; else rm -rf "$W"; fi
}
trap cleanup EXIT

export FRS_SPOOL=$M/spool
S=$FRS_SPOOL
LOG=$W/logs/daemon.log
frs() { "$FRS_BIN" "$@"; }
PASS=0 FAIL=0
check() { if [ "$2" = 0 ]; then PASS=$((PASS + 1)); echo "  ok    $1"; else FAIL=$((FAIL + 1)); echo "  FAIL  $1${3:+ — $3}"; fi; }

uid=$(id -u)
day() { date -u -d "$1" +%F; }
{
  frs init
  frs agency add FULL --name "Full Disk PD"
  frs user add analyst1 --name "Ann Analyst" --agency FULL --role analyst --uid "$uid" --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
} > "$W/logs/setup.log" 2>&1 || { cat "$W/logs/setup.log"; exit 1; }
mkdir -p "$S/evidence/FULL/t"   # the agency's evidence folder: a job searches only its own images and its agency's
n=0
for f in "$ROOT"/Tests/Fixtures/johns/*/*.jpg; do n=$((n + 1)); cp "$f" "$S/evidence/FULL/t/p$n.jpg"; [ $n -ge 4 ] && break; done
ids=()
mkdir -p "$M/stage"
for i in $(seq "$JOBS"); do
  id=$(printf 'full-%03d' "$i"); ids+=("$id")
  purpose=active-investigation; [ $((i % 4)) = 0 ] && purpose=personal
  printf '{"version":1,"requester":"analyst1","purpose":"%s","case_number":"26-%06d","offense":"armed robbery","justification":"Store camera photo of the robbery suspect number %d","probes":["FULL/t/p%d.jpg"],"max_candidates":5}' \
    "$purpose" "$i" "$i" $(( (i % 4) + 1 )) > "$M/stage/$id.json"
done
fill() { # Fill the file system to the last byte (a big file, then small ones for the last blocks).
  dd if=/dev/zero of="$M/filler" bs=64k status=none 2>/dev/null
  truncate -s -1M "$M/filler"
  for k in $(seq 400); do head -c 4096 /dev/zero > "$M/filler-$k" 2>/dev/null || { rm -f "$M/filler-$k"; break; }; done
  dd if=/dev/zero of="$M/filler-last" bs=1k status=none 2>/dev/null
}

# A. A daemon started on a full disk cannot open its database: it must say so and exit 1,
#    touching nothing. (The first three jobs are queued for it.)
for id in "${ids[@]:0:3}"; do mv "$M/stage/$id.json" "$S/incoming/$id.json"; done
fill
echo "diskfull: $JOBS jobs staged on a ${SIZE_MIB} MiB tmpfs, now full ($(df -B1 --output=avail "$M" | tail -1 | tr -d ' ') bytes free)"
"$FRS_BIN" daemon --once --workers 1 > "$W/logs/start-full.out" 2> "$W/logs/start-full.log"; rc=$?
queued=$(ls "$S/incoming" | wc -l)
check "a daemon started on a full disk exits 1 with a message, leaving the jobs queued ($queued)" \
  $([ $rc = 1 ] && [ -s "$W/logs/start-full.log" ] && [ "$queued" = 3 ]; echo $?) "exit $rc: $(head -c 300 "$W/logs/start-full.log")"
echo "  its message: $(head -1 "$W/logs/start-full.log")"

# B. A running daemon meets a full disk.
rm -f "$M"/filler*
"$FRS_BIN" daemon --workers 1 > "$W/logs/daemon.out" 2> "$LOG" &
DAEMON=$!
for _ in $(seq 150); do grep -q 'daemon starting' "$LOG" && break; sleep 0.2; done
# Let it finish what is queued, then fill the disk and queue the rest (a rename needs no space).
for _ in $(seq 150); do [ -z "$(ls -A "$S/incoming" "$S/active" | grep -v ':$' | grep .)" ] && break; sleep 0.2; done
before=$(ls "$S/outbox/results" | grep -c '\.json$')
fill
echo "diskfull: a running daemon; $before jobs done; disk full ($(df -B1 --output=avail "$M" | tail -1 | tr -d ' ') bytes free); queuing $(( JOBS - 3 )) more, freeing $(( PAGES * 4 )) KiB with each"
# Each job arrives with four pages of space freed, so writes fail at varying points of the hand-off
# (result, audit record, ledger), not only at the first.
# The first three meet a disk with no byte free at all.
for id in "${ids[@]:3:3}"; do mv "$M/stage/$id.json" "$S/incoming/$id.json"; done
for _ in $(seq 50); do grep -q 'attempt failed' "$LOG" && break; sleep 0.2; done
k=0
for id in "${ids[@]:6}"; do
  mv "$M/stage/$id.json" "$S/incoming/$id.json"
  for _ in $(seq "$PAGES"); do k=$((k + 1)); rm -f "$M/filler-$k"; done
  sleep 0.4
done
# Let it meet the full disk: wait until it has logged a failure, or 20 s.
for _ in $(seq 100); do grep -q -i -E 'no space|ENOSPC|errno 28|disk|failed' "$LOG" && break; sleep 0.2; done
sleep 3
echo "diskfull: while full"
alive=0; kill -0 "$DAEMON" 2>/dev/null && alive=1
check "the daemon keeps running on a full disk" $([ $alive = 1 ]; echo $?) "$(tail -3 "$LOG")"
check "the daemon reports the condition" $(grep -q -i -E 'no space|ENOSPC|errno 28|disk is full|disk I/O' "$LOG"; echo $?) "$(tail -2 "$LOG")"
echo "  it said: $(grep -i -m1 -E 'no space|ENOSPC|errno 28|disk is full|disk I/O' "$LOG" | cut -c1-200)"
lost=() torn=()
for id in "${ids[@]}"; do
  places=0
  for d in incoming active done failed held; do [ -e "$S/$d/$id.json" ] && places=$((places + 1)); done
  [ $places = 1 ] || lost+=("$id:$places")
done
for f in "$S"/outbox/results/*.json; do
  [ -e "$f" ] || continue
  if command -v jq >/dev/null; then jq -e . "$f" >/dev/null 2>&1 || torn+=("$(basename "$f")")
  else [ "$(head -c1 "$f")" = "{" ] && [ "$(tail -c2 "$f" | tr -d '\n')" = "}" ] || torn+=("$(basename "$f")"); fi
done
check "every job is in exactly one place (queued, claimed or finished)" $([ ${#lost[@]} = 0 ]; echo $?) "${lost[*]}"
check "no half-written result file" $([ ${#torn[@]} = 0 ]; echo $?) "${torn[*]}"
tmpleft=$(ls -A "$S/tmp" | wc -l)
check "no temporaries left behind in tmp/ ($tmpleft)" $([ "$tmpleft" = 0 ]; echo $?) "$(ls -A "$S/tmp" | head -3 | tr '\n' ' ')"
verify=$(frs audit verify 2>&1); check "the audit chain is intact while full" $? "$verify"
finished_full=$(ls "$S/outbox/results" | grep -c '\.json$')
echo "  results written while full: $(( finished_full - before )) of $(( JOBS - 3 ))"

# Space returns; the same daemon must finish everything.
rm -f "$M"/filler*
echo "diskfull: space returned ($(df -B1 --output=avail "$M" | tail -1 | tr -d ' ') bytes free); waiting for the daemon"
deadline=$(( $(date +%s) + 90 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  [ "$(ls -A "$S/incoming" | wc -l)" = 0 ] && [ "$(ls -A "$S/active" | wc -l)" = 0 ] && break
  sleep 0.5
done
waited=$(( 90 - (deadline - $(date +%s)) ))
kill -TERM "$DAEMON"; wait "$DAEMON"; rc=$?; DAEMON=""
echo "diskfull: after recovery (${waited}s)"
check "the daemon stopped cleanly on SIGTERM (exit $rc)" "$rc"
missing=() dups=()
finals=$(cat "$S"/outbox/audit/*.jsonl | sed -n 's/.*"event":"\(job\.completed\|job\.denied\|job\.failed\)","actor":.*"job":"\([^"]*\)".*/\2/p')
for id in "${ids[@]}"; do
  [ -f "$S/outbox/results/$id.json" ] || missing+=("$id")
  c=$(printf '%s\n' "$finals" | grep -cxF -- "$id"); [ "$c" = 1 ] || dups+=("$id:$c")
done
check "every job has its result file" $([ ${#missing[@]} = 0 ]; echo $?) "${missing[*]}"
check "every job has exactly one final audit record" $([ ${#dups[@]} = 0 ]; echo $?) "${dups[*]}"
searched=$(grep -l '"decision" *: *"completed"' "$S"/outbox/results/*.json 2>/dev/null | wc -l)
refused=$(grep -l '"decision" *: *"failed"' "$S"/outbox/results/*.json 2>/dev/null | wc -l)
check "jobs were searched after recovery, none failed for want of space ($searched completed, $refused failed)" \
  $([ "$refused" = 0 ] && [ "$searched" -gt 0 ]; echo $?)
left=$(ls -A "$S/incoming" "$S/active" | grep -v ':$' | grep -c .)
check "incoming/ and active/ are empty" $([ "$left" = 0 ]; echo $?)
verify=$(frs audit verify 2>&1); check "frs audit verify passes" $? "$verify"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
