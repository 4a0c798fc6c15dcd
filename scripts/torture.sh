#!/usr/bin/env bash
# Torture test of the spool, with the real frs binary and the real face engine.
#
# Two daemons work one spool while a feeder drops jobs into incoming/ (through tmp/, as a
# submitter does) and a killer SIGKILLs one daemon every few seconds and restarts it. Dozens of the
# jobs are hostile: broken, oversized, deeply nested or lying job files; symlinked, hard-linked,
# foreign-owned, FIFO and directory entries in incoming/; probes that are truncated or random bytes,
# a JPEG declaring 60000x60000 pixels, a symlink to /etc/passwd, '..' and absolute paths, a
# directory, a FIFO. A few jobs are held for a supervisor and approved while the daemons are being
# killed. Issue #11's attack classes: a 245-character job name, one with shell characters and one not UTF-8 (answered
# as badname-<inode>), files squatting on a held job's id and on a finished job's id (answered as
# <id>.dup-<inode>), probes in another agency's and in a loose evidence folder, drop folders swapped
# for a symlink to a canary directory in a loop while the daemons discard them, and one account's
# flood of more queued jobs than max_queued_per_account. Issue #22's classes: scan bombs (progressive
# JPEGs of 3,000 empty scans, 30 KB each, over 256x256 and 8000x8000 pixels: refused at the scan and
# work limits), a job named `staff` (its board record must not replace the agency's staff list),
# terminal escapes, C1 and bidi controls in a job's one-line fields (refused; nothing raw on `frs
# status`), and replayed drop-box requests (a review file dropped again under a recorded review's
# name by another account, in the examiner's name: judged as new and refused). Then the daemons are
# stopped with SIGTERM and `frs daemon --once` drains the spool.
#
# Checks (a line each, then `N passed, M failed`; exit 1 if any failed): every job has exactly one
# result file and exactly one final audit record; each hostile job was refused with the expected
# reason; incoming/ and active/ are empty; no daemon ended except by our signals; `frs audit
# verify` passes; peak RSS (VmHWM) of every daemon stayed under the limit; results, evidence and
# audit are not world-readable; no justification text, probe bytes or /etc/passwd content leaked
# into the logs or the outbox.
#
# usage: scripts/torture.sh [--quick] [--jobs N] [--feed-seconds S] [--kill-every S] [--max-seconds S]
#                           [--workers N] [--rss-limit-mib M] [--keep]
#   --quick          fewer jobs, less time (CI): 160 jobs fed over 15 s instead of 320 over 30 s
#   --jobs N         total jobs, hostile ones included (at least 80)
#   --feed-seconds S how long the feeder takes to drop the jobs not queued at the start
#   --kill-every S   mean seconds between SIGKILLs (default 3)
#   --max-seconds S  longest the killing phase may last before the final drain (default 180)
#   --workers N      workers per daemon (default 2)
#   --keep           keep the work directory (printed) for inspection
# Environment: FRS (binary; default .build/debug/frs, built if missing), FRS_MODELS (default ./models).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

JOBS=320 FEED_SECONDS=30 KILL_EVERY=3 MAX_SECONDS=180 WORKERS=2 RSS_LIMIT_MIB=2048 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) JOBS=160 FEED_SECONDS=15 ;;
    --jobs) JOBS=$2; shift ;;
    --kill-every) KILL_EVERY=$2; shift ;;
    --feed-seconds) FEED_SECONDS=$2; shift ;;
    --max-seconds) MAX_SECONDS=$2; shift ;;
    --workers) WORKERS=$2; shift ;;
    --rss-limit-mib) RSS_LIMIT_MIB=$2; shift ;;
    --keep) KEEP=1 ;;
    *) echo "usage: $0 [--quick] [--jobs N] [--kill-every S] [--feed-seconds S] [--max-seconds S] [--workers N] [--rss-limit-mib M] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
[ "$JOBS" -ge 80 ] || { echo "torture: --jobs must be at least 80" >&2; exit 2; }

FRS_BIN=${FRS:-$ROOT/.build/debug/frs}
if [ ! -x "$FRS_BIN" ]; then
  echo "torture: building frs…"
  swift build --product frs 2>&1 | tail -1
fi
export FRS_MODELS="${FRS_MODELS:-$ROOT/models}"
[ -f "$FRS_MODELS/mmod_human_face_detector.dat" ] || { echo "torture: no models in $FRS_MODELS (scripts/fetch-models.sh)" >&2; exit 1; }

W=$(mktemp -d /tmp/frs-torture.XXXXXX)
chmod 755 "$W"
export FRS_SPOOL=$W/spool
S=$FRS_SPOOL
LOGS=$W/logs
mkdir -p "$LOGS" "$W/links"
frs() { "$FRS_BIN" "$@"; }

# Daemons we started: pid -> slot; the slot's log file. Only these pids are ever signaled.
declare -A DAEMON_PID=() KILLED=()
KILLS=0 RESTARTS=0 BAD_EXITS=0 PEAK_KIB=0
BAD_EXIT_NOTES=()
cleanup() {
  for slot in "${!DAEMON_PID[@]}"; do
    local pid=${DAEMON_PID[$slot]}
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  done
  [ -n "${FEEDER_PID:-}" ] && kill "$FEEDER_PID" 2>/dev/null
  [ -n "${FIFO_HOLDER:-}" ] && kill "$FIFO_HOLDER" 2>/dev/null
  [ -n "${SWAPPER_PID:-}" ] && kill "$SWAPPER_PID" 2>/dev/null
  if [ "$KEEP" = 1 ]; then echo "torture: kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

PASS=0 FAIL=0
check() { # check NAME CONDITION-STATUS [DETAIL]
  if [ "$2" = 0 ]; then PASS=$((PASS + 1)); echo "  ok    $1"; else FAIL=$((FAIL + 1)); echo "  FAIL  $1${3:+ — $3}"; fi
}

hwm_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }
note_rss() { # note_rss PID: fold the daemon's peak resident set into PEAK_KIB
  local k; k=$(hwm_kib "$1"); [ -n "$k" ] && [ "$k" -gt "$PEAK_KIB" ] && PEAK_KIB=$k; return 0
}

START=$(date +%s)
echo "torture: work directory $W; $JOBS jobs fed over ${FEED_SECONDS}s, 2 daemons x $WORKERS workers, SIGKILL every ~${KILL_EVERY}s"

# ---------------------------------------------------------------------------------------------
# 1. Spool, agency, users, a tiny gallery.
uid=$(id -u)
day() { date -u -d "$1" +%F; }
# As root, the supervisor, another agency's analyst and a flooding account get uids of their own
# (a uid registered under two user ids is one person: it may not approve its own jobs).
AS_OTHERS=0; SUPER_UID=$uid
if [ "$uid" = 0 ] && command -v setpriv >/dev/null; then AS_OTHERS=1; SUPER_UID=4245; fi
# As root, the daemons run as a service account (uid 990, not root), as deployed: the binary and the
# models are copied where it can read them, the spool is given to it (frs init --daemon-user).
DAEMON_UID=$uid
if [ "$AS_OTHERS" = 1 ]; then
  DAEMON_UID=990
  mkdir -m 755 "$W/bin" "$W/models"
  install -m 755 "$FRS_BIN" "$W/bin/frs"; FRS_BIN=$W/bin/frs
  install -m 644 "$FRS_MODELS"/*.dat "$W/models/"; export FRS_MODELS=$W/models
fi
# The prefix that runs a command as the daemon's account (setpriv execs, so $! is the daemon's pid).
AS_DAEMON=()
[ "$DAEMON_UID" != "$uid" ] && AS_DAEMON=(setpriv --reuid="$DAEMON_UID" --regid="$DAEMON_UID" --clear-groups)
{
  frs init
  # As root the agency's group is the daemon's (gid 990): TORT gets a status board and a staff list.
  if [ "$AS_OTHERS" = 1 ]; then frs agency add TORT --name "Torture Test PD" --group 990; else frs agency add TORT --name "Torture Test PD"; fi
  frs user add analyst1 --name "Ann Analyst" --agency TORT --role analyst --uid "$uid" --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
  frs user add super1 --name "Sue Supervisor" --agency TORT --role supervisor --uid "$SUPER_UID" --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
  if [ "$AS_OTHERS" = 1 ]; then
    frs agency add OTH --name "Other Town PD"
    frs user add other2 --name "Otto Other" --agency OTH --role analyst --uid 4246 --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
    frs user add flood1 --name "Flo Flood" --agency TORT --role analyst --uid 4247 --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
    frs user add exam1 --name "Eve Examiner" --agency TORT --role examiner --uid 4248 --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
  fi
  frs user add other1 --name "Oscar Other" --agency TORT --role analyst --uid 4242 --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
  # An unprivileged account (uid 1000) that submits through the drop box, when we can act as it.
  if [ "$uid" = 0 ] && command -v setpriv >/dev/null; then
    frs user add analyst2 --name "Una Privileged" --agency TORT --role analyst --uid 1000 --vetted "$(day '-100 days')" --trained "$(day '-10 days')"
  fi
} > "$LOGS/setup.log" 2>&1 || { cat "$LOGS/setup.log"; echo "torture: setup failed"; exit 1; }
F=$ROOT/Tests/Fixtures/johns
{
  echo "subject_id,image"
  echo "S-SALLEY,$F/John_Salley/000179_02159509.jpg"
  echo "S-SAVAGE,$F/John_Savage/000264_01099001.jpg"
  echo "S-SIMM,$(ls "$F"/John_Simm/*.jpg | head -1)"
} > "$W/manifest.csv"
frs gallery enroll "$W/manifest.csv" >> "$LOGS/setup.log" 2>&1 || { cat "$LOGS/setup.log"; echo "torture: enroll failed"; exit 1; }

# ---------------------------------------------------------------------------------------------
# 2. Probes: good ones, and hostile ones in the evidence store.
EVROOT=$S/evidence
EV=$EVROOT/TORT   # the agency's evidence folder: a job may search only its own images and its agency's
umask 077   # evidence is private, as `frs submit` makes it
mkdir -p "$EV/t" "$EV/hostile" "$EV/bulk" "$EVROOT/loose"
n=0
for f in "$F"/*/*.jpg; do n=$((n + 1)); cp "$f" "$EV/t/p$n.jpg"; [ $n -ge 12 ] && break; done
GOOD_PROBES=$n
cp "$EV/t/p1.jpg" "$EV/t/p2.jpg" "$EV/t/p3.jpg" "$EV/bulk/"
cp "$EV/t/p1.jpg" "$EVROOT/loose/p1.jpg"   # a folder no agency or job owns
SECRET_PROBE="PROBE-SECRET-$RANDOM$RANDOM"
head -c 1500 "$EV/t/p4.jpg" > "$EV/hostile/truncated.jpg"
{ head -c 4000 /dev/urandom; printf '%s' "$SECRET_PROBE"; head -c 4000 /dev/urandom; } > "$EV/hostile/random.jpg"
{ printf '\xff\xd8\xff\xe0'; head -c 3000 /dev/urandom; } > "$EV/hostile/random-soi.jpg"
: > "$EV/hostile/empty.jpg"
# A real JPEG whose SOF header declares 60000x60000 pixels.
cp "$EV/t/p5.jpg" "$EV/hostile/huge.jpg"
sof=$(LC_ALL=C grep -obUaP '\xff[\xc0\xc1\xc2]' "$EV/hostile/huge.jpg" | head -1 | cut -d: -f1)
printf '\xea\x60\xea\x60' | dd of="$EV/hostile/huge.jpg" bs=1 seek=$((sof + 5)) conv=notrunc status=none
truncate -s 40M "$EV/hostile/sparse-40m.jpg"          # larger than maxProbeBytes (25 MiB)
# Scan bombs: progressive JPEGs of one DC scan and 2,999 empty AC scans (10 bytes each).
scan_bomb() { # scan_bomb WIDTH HEIGHT SCANS FILE
  python3 - "$@" <<'PY'
import struct, sys
w, h, scans, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
seg = lambda m, body: b"\xff" + bytes([m]) + struct.pack(">H", len(body) + 2) + body
one_code = bytes([1] + [0] * 15 + [0])
out = b"\xff\xd8" + seg(0xDB, b"\x00" + b"\x01" * 64) + seg(0xC2, struct.pack(">BHHB", 8, h, w, 1) + b"\x01\x11\x00")
out += seg(0xC4, b"\x00" + one_code) + seg(0xC4, b"\x10" + one_code) + seg(0xDA, b"\x01\x01\x00\x00\x00\x00")
out += seg(0xDA, b"\x01\x01\x00\x01\x3f\x00") * (scans - 1) + b"\xff\xd9"
open(path, "wb").write(out)
PY
}
scan_bomb 256 256 3000 "$EV/hostile/scans-256.jpg"
scan_bomb 8000 8000 3000 "$EV/hostile/scans-8000.jpg"
ln -s /etc/passwd "$EV/hostile/passwd.jpg"
ln -s ../t/p1.jpg "$EV/hostile/inside-link.jpg"      # a symlink that stays inside: allowed
mkdir "$EV/hostile/adir.jpg"
mkfifo "$EV/hostile/fifo.jpg"
if [ "$DAEMON_UID" != "$uid" ]; then
  # The evidence and everything root made in the spool (the gallery cache) are the service account's.
  chown -R -P "$DAEMON_UID:$DAEMON_UID" "$EVROOT"
  frs init --daemon-user "$DAEMON_UID" >> "$LOGS/setup.log" 2>&1 || { cat "$LOGS/setup.log"; echo "torture: init failed"; exit 1; }
fi
umask 022   # job files are readable by the daemon's account, as frs submit makes them
# Keep a writer on the FIFO's other side? No: a daemon must not block on it either way.

# ---------------------------------------------------------------------------------------------
# 3. Jobs. Each gets an id, a maker, and what its result must show: an exact decision, and a
#    reason code the result must contain ("-" for none).
SECRET_TEXT="JUSTIFY-SECRET-$RANDOM$RANDOM"
declare -a IDS=() HOSTILE_IDS=() HELD_IDS=() SWAP_IDS=() FLOOD_IDS=() ESC_IDS=()
declare -A EXPECT_DECISION=() EXPECT_REASON=()
job_json() { # job_json PROBES_JSON [EXTRA_MEMBERS]
  printf '{"version":1,"requester":"analyst1","purpose":"active-investigation","case_number":"26-%06d","offense":"armed robbery","justification":"Store camera photo of the robbery suspect %s","probes":%s,"max_candidates":5%s}' \
    "$RANDOM" "$SECRET_TEXT" "$1" "${2:-}"
}
STAGE=$W/stage   # finished job files wait here until the feeder drops them
mkdir -p "$STAGE"
add() { # add ID DECISION REASON  (the job file is already in $STAGE/ID.json, or made by the feeder)
  IDS+=("$1"); EXPECT_DECISION[$1]=$2; EXPECT_REASON[$1]=$3
}
hostile() { HOSTILE_IDS+=("$1"); add "$@"; }

# Hostile job files.
h=0
hj() { h=$((h + 1)); printf -v HID 'h%02d-%s' "$h" "$1"; }
hj empty;        : > "$STAGE/$HID.json";                                                   hostile "$HID" denied input.malformed
hj truncated;    job_json '["TORT/t/p1.jpg"]' | head -c 60 > "$STAGE/$HID.json";                hostile "$HID" denied input.malformed
hj garbage;      head -c 700 /dev/urandom > "$STAGE/$HID.json";                            hostile "$HID" denied input.malformed
hj notjson;      printf 'requester=analyst1\npurpose=active-investigation\n' > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed
hj types;        printf '{"version":"1","requester":7,"purpose":["active-investigation"],"case_number":{},"justification":null,"probes":"t/p1.jpg","max_candidates":"ten"}' > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed
hj unknown;      job_json '["TORT/t/p1.jpg"]' ',"priority":"urgent"' > "$STAGE/$HID.json";      hostile "$HID" denied input.unknown-field
hj race;         job_json '["TORT/t/p1.jpg"]' ',"race":"black"' > "$STAGE/$HID.json";           hostile "$HID" denied use.protected-class-filter
hj filter;       job_json '["TORT/t/p1.jpg"]' ',"filter":{"field":"ethnicity","value":"x"}' > "$STAGE/$HID.json"; hostile "$HID" denied use.protected-class-filter
hj religion;     job_json '["TORT/t/p1.jpg"]' ',"religion":"any"' > "$STAGE/$HID.json";        hostile "$HID" denied use.protected-class-filter
hj stream;       job_json '["rtsp://10.0.0.1/cam"]' ',"stream":"rtsp://10.0.0.1/cam"' > "$STAGE/$HID.json"; hostile "$HID" denied use.live-surveillance
hj nul;          job_json '["TORT/t/p1.jpg"]' | sed 's/analyst1/analyst1\x00admin/' > "$STAGE/$HID.json"; hostile "$HID" denied -
hj nul-escaped;  job_json '["TORT/t/p1.jpg\u0000.jpg"]' > "$STAGE/$HID.json";                   hostile "$HID" denied -
hj utf8;         job_json '["TORT/t/p1.jpg"]' | sed 's/robbery suspect/robbery \xff\xfe\xc0\xaf suspect/' > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed
hj surrogate;    job_json '["TORT/t/p1.jpg"]' | sed 's/robbery suspect/robbery \\udc00 suspect/' > "$STAGE/$HID.json"; hostile "$HID" denied -
hj big-string;   job_json '["TORT/t/p1.jpg"]' ",\"notes\":\"$(head -c 5000000 /dev/zero | tr '\0' 'A')\"" > "$STAGE/$HID.json"; hostile "$HID" denied -
hj big-file;     { printf '{"x":"'; head -c 17000000 /dev/zero | tr '\0' 'B'; printf '"}'; } > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed
hj nest-array;   { head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; } > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed
hj nest-object;  { printf '{"version":1,"requester":"analyst1","x":'; for _ in $(seq 1000); do printf '%0.s{"a":' $(seq 100); done; printf 'null'; head -c 100000 /dev/zero | tr '\0' '}'; printf '}'; } > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed
hj num-huge;     job_json '["TORT/t/p1.jpg"]' | sed 's/"max_candidates":5/"max_candidates":99999999999999999999999999999999/' > "$STAGE/$HID.json"; hostile "$HID" denied -
hj num-exp;      job_json '["TORT/t/p1.jpg"]' | sed 's/"version":1/"version":1e999/' > "$STAGE/$HID.json"; hostile "$HID" denied -
hj num-neg;      job_json '["TORT/t/p1.jpg"]' | sed 's/"max_candidates":5/"max_candidates":-2147483649/' > "$STAGE/$HID.json"; hostile "$HID" denied -
hj num-frac;     job_json '["TORT/t/p1.jpg"]' | sed 's/"max_candidates":5/"max_candidates":5.5/' > "$STAGE/$HID.json"; hostile "$HID" denied -
hj num-nan;      job_json '["TORT/t/p1.jpg"]' | sed 's/"max_candidates":5/"max_candidates":NaN/' > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed
hj threshold;    job_json '["TORT/t/p1.jpg"]' ',"threshold":1e308' > "$STAGE/$HID.json";         hostile "$HID" denied -
hj dup-key;      job_json '["TORT/t/p1.jpg"]' ',"requester":"super1"' > "$STAGE/$HID.json";     hostile "$HID" denied -
hj many-probes;  job_json "[$(for i in $(seq 5000); do printf '"t/p1.jpg",'; done)\"TORT/t/p1.jpg\"]" > "$STAGE/$HID.json"; hostile "$HID" denied -
hj not-object;   printf '["TORT/t/p1.jpg"]' > "$STAGE/$HID.json";                               hostile "$HID" denied input.malformed
hj unregistered; job_json '["TORT/t/p1.jpg"]' | sed 's/"analyst1"/"mallory"/' > "$STAGE/$HID.json"; hostile "$HID" denied requester.unknown
hj impersonate;  job_json '["TORT/t/p1.jpg"]' | sed 's/"analyst1"/"other1"/' > "$STAGE/$HID.json"; hostile "$HID" denied requester.identity-mismatch
# Hostile probes in otherwise valid jobs.
hj p-truncated;  job_json '["TORT/hostile/truncated.jpg"]' > "$STAGE/$HID.json";                hostile "$HID" any -
hj p-random;     job_json '["TORT/hostile/random.jpg"]' > "$STAGE/$HID.json";                   hostile "$HID" denied input.probe-not-image
hj p-random-soi; job_json '["TORT/hostile/random-soi.jpg"]' > "$STAGE/$HID.json";               hostile "$HID" denied input.probe-not-image
hj p-empty;      job_json '["TORT/hostile/empty.jpg"]' > "$STAGE/$HID.json";                    hostile "$HID" denied input.probe-not-image
hj p-huge;       job_json '["TORT/hostile/huge.jpg"]' > "$STAGE/$HID.json";                     hostile "$HID" denied input.probe-too-large
hj p-sparse;     job_json '["TORT/hostile/sparse-40m.jpg"]' > "$STAGE/$HID.json";               hostile "$HID" denied input.probe-too-large
hj p-passwd;     job_json '["TORT/hostile/passwd.jpg"]' > "$STAGE/$HID.json";                   hostile "$HID" denied input.probe-outside-evidence
hj p-dotdot;     job_json '["TORT/t/../../state/frs.sqlite"]' > "$STAGE/$HID.json";             hostile "$HID" denied input.probe-outside-evidence
hj p-dotdot2;    job_json '["../../../../etc/passwd"]' > "$STAGE/$HID.json";               hostile "$HID" denied input.probe-outside-evidence
hj p-absolute;   job_json '["/etc/passwd"]' > "$STAGE/$HID.json";                          hostile "$HID" denied input.probe-outside-evidence
hj p-abs-prefix; job_json "[\"$EVROOT-evil/x.jpg\"]" > "$STAGE/$HID.json";                     hostile "$HID" denied input.probe-outside-evidence
hj p-dir;        job_json '["TORT/hostile/adir.jpg"]' > "$STAGE/$HID.json";                     hostile "$HID" denied input.probe-missing
hj p-fifo;       job_json '["TORT/hostile/fifo.jpg"]' > "$STAGE/$HID.json";                     hostile "$HID" denied input.probe-missing
hj p-missing;    job_json '["TORT/t/nope.jpg"]' > "$STAGE/$HID.json";                           hostile "$HID" denied input.probe-missing
hj p-root;       job_json '["."]' > "$STAGE/$HID.json";                                    hostile "$HID" denied -
hj p-scans;      job_json '["TORT/hostile/scans-256.jpg"]' > "$STAGE/$HID.json";                hostile "$HID" denied input.probe-too-many-scans
hj p-scans-8k;   job_json '["TORT/hostile/scans-8000.jpg"]' > "$STAGE/$HID.json";               hostile "$HID" denied input.probe-decode-work
# Terminal escapes, C1 and bidi controls in one-line fields (issue #22 item 8).
hj esc-case;     job_json '["TORT/t/p1.jpg"]' | sed 's/"case_number":"26-/"case_number":"\\u001b[2J\\u001b[31m26-/' > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed; ESC_IDS+=("$HID")
hj esc-c1;       job_json '["TORT/t/p1.jpg"]' | sed 's/"offense":"armed robbery"/"offense":"armed \xc2\x9b31m robbery"/' > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed; ESC_IDS+=("$HID")
hj esc-bidi;     job_json '["TORT/t/p1.jpg"]' | sed 's/"case_number":"26-/"case_number":"\xe2\x80\xae26-/' > "$STAGE/$HID.json"; hostile "$HID" denied input.malformed; ESC_IDS+=("$HID")
hj p-bulk-etc;   job_json '[]' ',"probe_dir":"/etc"' > "$STAGE/$HID.json";                 hostile "$HID" denied input.probe-outside-evidence
hj p-bulk-hostile; job_json '[]' ',"probe_dir":"TORT/hostile"' > "$STAGE/$HID.json";            hostile "$HID" completed -
# Hostile entries in incoming/ itself (made by the feeder when their turn comes).
hj e-symlink-passwd; hostile "$HID" denied requester.identity-mismatch
hj e-symlink-job;    hostile "$HID" denied requester.identity-mismatch
hj e-hardlink;       hostile "$HID" denied requester.identity-mismatch
hj e-directory;      hostile "$HID" denied requester.identity-mismatch
hj e-fifo;           hostile "$HID" denied requester.identity-mismatch
if [ "$uid" = 0 ]; then hj e-foreign-owner; hostile "$HID" denied requester.identity-mismatch; fi
# Evidence the job may not search (issue #11 item 3): a loose folder, another agency's analyst naming ours.
hj x-loose;      job_json '["loose/p1.jpg"]' > "$STAGE/$HID.json";                           hostile "$HID" denied input.probe-not-permitted
if [ "$AS_OTHERS" = 1 ]; then
  hj x-agency;   job_json '["TORT/t/p1.jpg"]' | sed 's/"analyst1"/"other2"/' > "$STAGE/$HID.json"; hostile "$HID" denied input.probe-not-permitted
fi
# Drop folders swapped for a symlink to a canary directory in a loop while the daemons discard them
# (issue #11 item 5): the jobs are denied, so their folders are discarded.
CANARY=$W/canary
mkdir -p "$CANARY"; echo canary > "$CANARY/zzz-canary.jpg"
for n in 1 2 3; do
  hj x-swap-$n; job_json "[\"$HID/zzz-canary.jpg\"]" | sed 's/"active-investigation"/"personal"/' > "$STAGE/$HID.json"
  hostile "$HID" denied purpose.unauthorized; SWAP_IDS+=("$HID")
done
HOSTILE=${#HOSTILE_IDS[@]}

# Held jobs (a watch term), approved while the daemons are being killed (by the supervisor's own
# account, so only when we can act as it).
for i in $([ "$AS_OTHERS" = 1 ] && echo 1 2 3 4); do
  id=held-$i
  job_json '["TORT/t/p2.jpg"]' | sed 's/the robbery suspect/the robbery suspect near the protest/' > "$STAGE/$id.json"
  HELD_IDS+=("$id"); add "$id" completed -
done
# A bulk job over a small folder.
job_json '[]' ',"probe_dir":"TORT/bulk"' > "$STAGE/bulk-1.json"; add bulk-1 completed -
# A job named like the board's staff list (issue #22 item 7): an ordinary job with its own record.
job_json '["TORT/t/p1.jpg"]' > "$STAGE/staff.json"; add staff completed -
# The rest: ordinary requests, most searched, some refused by policy.
i=0
while [ ${#IDS[@]} -lt "$JOBS" ]; do
  i=$((i + 1)); id=$(printf 'job-%04d' "$i")
  p=$(( (i % GOOD_PROBES) + 1 ))
  case $((i % 10)) in
    7) job_json "[\"TORT/t/p$p.jpg\"]" | sed 's/"active-investigation"/"personal"/' > "$STAGE/$id.json"; add "$id" denied purpose.unauthorized ;;
    8) job_json "[\"TORT/t/p$p.jpg\",\"TORT/hostile/inside-link.jpg\"]" > "$STAGE/$id.json"; add "$id" completed - ;;
    *) job_json "[\"TORT/t/p$p.jpg\"]" > "$STAGE/$id.json"; add "$id" completed - ;;
  esac
done
# Some go through `frs submit` (images copied in by the command), the rest are dropped by hand.
UNPRIVILEGED=0
as_user() { setpriv --reuid=1000 --regid=1000 --clear-groups "$@"; }
approve_as_super() { # frs approve from the supervisor's own account
  if [ "$SUPER_UID" != "$uid" ]; then setpriv --reuid="$SUPER_UID" --regid="$SUPER_UID" --clear-groups "$FRS_BIN" approve "$@"; else "$FRS_BIN" approve "$@"; fi
}
if [ "$uid" = 0 ] && command -v setpriv >/dev/null; then
  UNPRIVILEGED=1
  mkdir -p "$W/pub" && chmod 755 "$W/pub" && cp "$EV/t/p4.jpg" "$W/pub/p4.jpg" && chmod 644 "$W/pub/p4.jpg"
fi

drop() { # drop ID: the feeder's hand-off of one job into incoming/
  local id=$1 file=$S/incoming/$1.json
  case "$id" in
    *e-symlink-passwd) ln -s /etc/passwd "$file" ;;
    *e-symlink-job) job_json '["TORT/t/p1.jpg"]' > "$W/links/$id.target"; ln -s "$W/links/$id.target" "$file" ;;
    *e-hardlink) job_json '["TORT/t/p1.jpg"]' > "$S/tmp/$id.json"; ln "$S/tmp/$id.json" "$W/links/$id.json" 2>/dev/null \
                   || cp "$S/tmp/$id.json" "$W/links/$id.json"; mv "$S/tmp/$id.json" "$file" ;;
    *e-directory) mkdir "$file" ;;
    *e-fifo) mkfifo "$file" ;;
    *e-foreign-owner) job_json '["TORT/t/p1.jpg"]' > "$S/tmp/$id.json"; chown 4243 "$S/tmp/$id.json"; mv "$S/tmp/$id.json" "$file" ;;
    *x-agency) chown 4246 "$STAGE/$id.json"; mv "$STAGE/$id.json" "$S/tmp/$id.json" && mv "$S/tmp/$id.json" "$file" ;;
    *) mv "$STAGE/$id.json" "$S/tmp/$id.json" && mv "$S/tmp/$id.json" "$file" ;;
  esac
}

# The order of arrival: shuffled, a third queued before the daemons start.
mapfile -t ORDER < <(printf '%s\n' "${IDS[@]}" | shuf)
PRE=$(( ${#ORDER[@]} / 3 ))
for id in "${ORDER[@]:0:$PRE}"; do drop "$id"; done
# Names a result cannot carry (issue #11 item 1): answered at once as badname-<inode>.
LONG=$(head -c 245 /dev/zero | tr '\0' 'L')
for name in "$LONG" 'odd name;$(id)' $'not-utf8-\xff\xfe'; do
  job_json '["TORT/t/p1.jpg"]' > "$S/tmp/badname.tmp"; ino=$(stat -c %i "$S/tmp/badname.tmp")
  mv "$S/tmp/badname.tmp" "$S/incoming/$name.json"
  hostile "badname-$ino" denied input.bad-job-name
done
# The swapped drop folders, each with files named like the canary.
for id in "${SWAP_IDS[@]}"; do
  mkdir "$S/incoming/$id.d"; for f in $(seq -f 'a%03g.jpg' 0 49) zzz-canary.jpg; do : > "$S/incoming/$id.d/$f"; done
done
swapper() { # swap each folder for a symlink to the canary directory and back, until told to stop
  while [ ! -e "$W/stop-swapper" ]; do
    for id in "${SWAP_IDS[@]}"; do
      f=$S/incoming/$id.d a=$W/aside-$id
      if mv -T "$f" "$a" 2>/dev/null; then ln -s "$CANARY" "$f"; sleep 0.01; rm -f "$f"; mv -T "$a" "$f"; fi
    done
    sleep 0.01
  done
}
swapper & SWAPPER_PID=$!
# One account's flood (issue #11 item 9): more jobs queued at once than max_queued_per_account (200).
if [ "$AS_OTHERS" = 1 ]; then
  for i in $(seq 1 260); do
    id=$(printf 'flood-%04d' "$i")
    job_json '["TORT/t/p1.jpg"]' | sed 's/"analyst1"/"flood1"/; s/"active-investigation"/"personal"/' > "$S/tmp/$id.json"
    chown 4247 "$S/tmp/$id.json"; mv "$S/tmp/$id.json" "$S/incoming/$id.json"
    hostile "$id" denied -; FLOOD_IDS+=("$id")
  done
fi
echo "torture: the daemons run as uid $DAEMON_UID"
echo "torture: $JOBS jobs ($HOSTILE hostile, ${#HELD_IDS[@]} held for approval, 1 bulk); $PRE queued before the daemons start"

# ---------------------------------------------------------------------------------------------
# 4. Two daemons, a feeder, a killer.
start_daemon() { # start_daemon SLOT
  "${AS_DAEMON[@]}" "$FRS_BIN" daemon --workers "$WORKERS" >> "$LOGS/daemon-$1.log" 2>&1 &
  DAEMON_PID[$1]=$!
}
reap() { # reap SLOT EXPECTED-STATUS...: wait for the slot's daemon and compare its exit status
  local pid=${DAEMON_PID[$1]} rc slot=$1
  wait "$pid" 2>/dev/null; rc=$?
  DAEMON_PID[$slot]=""
  shift
  if [[ " $* " != *" $rc "* ]]; then BAD_EXITS=$((BAD_EXITS + 1)); BAD_EXIT_NOTES+=("daemon $pid (slot $slot) exited $rc, expected $*"); fi
}
# Catches a daemon that died on its own (checked by the killer between kills).
check_alive() {
  for slot in a b; do
    local pid=${DAEMON_PID[$slot]}
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      reap "$slot" "never"; start_daemon "$slot"; RESTARTS=$((RESTARTS + 1))
    fi
  done
}

feeder() {
  local n=0 pause
  pause=$(awk -v s="$FEED_SECONDS" -v n="$(( ${#ORDER[@]} - PRE ))" 'BEGIN { printf "%.3f", s / (n > 0 ? n : 1) }')
  for id in "${ORDER[@]:$PRE}"; do
    drop "$id"; n=$((n + 1))
    if [ $((n % 25)) = 0 ]; then
      # Now and then a request through the command, which copies the image into the store itself.
      "$FRS_BIN" submit --requester analyst1 --purpose tips-and-leads --case "26-9$n" \
        --justification "Tip line photo said to show a wanted man $SECRET_TEXT" "$EV/t/p3.jpg" >> "$W/submitted.txt" 2>>"$LOGS/feeder.log"
    fi
    if [ "$UNPRIVILEGED" = 1 ] && [ $((n % 25)) = 12 ]; then
      # As uid 1000: the images go into incoming/<job>.d/ for the daemon to take in.
      as_user "$FRS_BIN" submit --requester analyst2 --purpose tips-and-leads --case "26-8$n" \
        --justification "Tip line photo said to show a wanted man $SECRET_TEXT" "$W/pub/p4.jpg" >> "$W/submitted.txt" 2>>"$LOGS/feeder.log"
      # ...and uid 1000 claiming to be analyst1: must be refused.
      as_user "$FRS_BIN" submit --requester analyst1 --purpose tips-and-leads --case "26-7$n" \
        --justification "Tip line photo said to show a wanted man $SECRET_TEXT" "$W/pub/p4.jpg" >> "$W/impersonated.txt" 2>>"$LOGS/feeder.log"
    fi
    sleep "$pause"
  done
}

start_daemon a
start_daemon b
PHASE_START=$(date +%s)
feeder & FEEDER_PID=$!
approved=0
while :; do
  now=$(date +%s)
  sleep "$(awk -v m="$KILL_EVERY" -v r="$RANDOM" 'BEGIN { printf "%.2f", m * (0.5 + r / 32767) }')"
  check_alive
  slot=$([ $((KILLS % 2)) = 0 ] && echo a || echo b)
  pid=${DAEMON_PID[$slot]}
  note_rss "$pid"
  kill -9 "$pid" 2>/dev/null && KILLS=$((KILLS + 1))
  reap "$slot" 137
  start_daemon "$slot"; RESTARTS=$((RESTARTS + 1))
  # Approve the held jobs once they are all held.
  if [ $approved = 0 ] && [ "$(ls "$S/held" | grep -c '^held-')" = ${#HELD_IDS[@]} ]; then
    # First the hostile ones: garbage approval files, and uid 1000 posing as the supervisor.
    head -c 300 /dev/urandom > "$S/tmp/forged-1.approval"; mv "$S/tmp/forged-1.approval" "$S/incoming/"
    printf '{"job":"../held/held-1","supervisor":"super1","decision":"approve"}' > "$S/tmp/forged-2.approval"; mv "$S/tmp/forged-2.approval" "$S/incoming/"
    FORGED=2
    if [ "$UNPRIVILEGED" = 1 ] && [ ${#HELD_IDS[@]} -gt 0 ]; then
      as_user "$FRS_BIN" approve "${HELD_IDS[0]}" --supervisor super1 --note "forged" >> "$LOGS/approve.log" 2>&1 && FORGED=3
    fi
    # Squatters under two held jobs' ids (issue #11 item 2): answered as <id>.dup-<inode>.
    for id in "${HELD_IDS[@]:0:2}"; do
      job_json '["TORT/t/p1.jpg"]' | sed 's/"active-investigation"/"personal"/' > "$S/tmp/squat.tmp"; chown 4242 "$S/tmp/squat.tmp" 2>/dev/null
      # The inode before the move (a rename keeps it): a daemon may claim the file at once.
      ino=$(stat -c %i "$S/tmp/squat.tmp"); mv "$S/tmp/squat.tmp" "$S/incoming/$id.json"
      hostile "$id.dup-$ino" denied input.duplicate-job-id
    done
    for id in "${HELD_IDS[@]}"; do approve_as_super "$id" --supervisor super1 --note "not about the assembly" >> "$LOGS/approve.log" 2>&1; done
    approved=1
  fi
  feeding=0; kill -0 "$FEEDER_PID" 2>/dev/null && feeding=1
  queued=$(ls -A "$S/incoming" | grep -c -E '\.(json|approval)$')
  [ $feeding = 0 ] && [ "$queued" = 0 ] && [ $approved = 1 ] && break
  [ $(( $(date +%s) - PHASE_START )) -ge "$MAX_SECONDS" ] && { echo "torture: killing phase reached ${MAX_SECONDS}s; the drain does the rest"; break; }
done
wait "$FEEDER_PID" 2>/dev/null; FEEDER_PID=""
KILL_PHASE=$(( $(date +%s) - PHASE_START ))
if [ $approved = 0 ]; then
  for id in "${HELD_IDS[@]}"; do approve_as_super "$id" --supervisor super1 --note "not about the assembly" >> "$LOGS/approve.log" 2>&1; done
fi
# The swapper stops; a folder it left is made stale, for the drain's janitor to remove (descriptor-relative).
touch "$W/stop-swapper"; wait "$SWAPPER_PID" 2>/dev/null; SWAPPER_PID=""
for id in "${SWAP_IDS[@]}"; do
  [ -d "$W/aside-$id" ] && { rm -f "$S/incoming/$id.d"; mv -T "$W/aside-$id" "$S/incoming/$id.d"; }
  [ -e "$S/incoming/$id.d" ] && touch -h -d '2 days ago' "$S/incoming/$id.d"
done
# A squatter under a finished job's id.
fin=$(ls "$S/done" | grep -m1 -E '^job-[0-9]+\.json$' | sed 's/\.json$//')
if [ -n "$fin" ] && [ ! -e "$S/incoming/$fin.json" ]; then
  job_json '["TORT/t/p1.jpg"]' > "$S/tmp/squat.tmp"; ino=$(stat -c %i "$S/tmp/squat.tmp")
  mv "$S/tmp/squat.tmp" "$S/incoming/$fin.json"
  hostile "$fin.dup-$ino" denied input.duplicate-job-id
fi
# Graceful stop: SIGTERM, the jobs in flight finish, exit 0.
check_alive
for slot in a b; do note_rss "${DAEMON_PID[$slot]}"; kill -TERM "${DAEMON_PID[$slot]}"; done
# 0: finished its jobs and stopped; 143: the signal came while it was still loading the models,
# before its handler was installed (nothing claimed yet, so nothing in flight).
for slot in a b; do reap "$slot" 0 143; done
echo "torture: killing phase ${KILL_PHASE}s: $KILLS SIGKILLs, $RESTARTS restarts; draining…"

# ---------------------------------------------------------------------------------------------
# 5. The final drain, its peak memory sampled while it runs.
"${AS_DAEMON[@]}" "$FRS_BIN" daemon --once --workers 2 > "$LOGS/drain.out" 2> "$LOGS/drain.log" &
DAEMON_PID[drain]=$!
while kill -0 "${DAEMON_PID[drain]}" 2>/dev/null; do note_rss "${DAEMON_PID[drain]}"; sleep 0.2; done
reap drain 0
# Approval requests dropped after the last daemon looked are taken now.
"${AS_DAEMON[@]}" "$FRS_BIN" daemon --once --workers 2 >> "$LOGS/drain.out" 2>> "$LOGS/drain.log" & DAEMON_PID[drain]=$!; reap drain 0

# ---------------------------------------------------------------------------------------------
# 5b. Replays (issue #22 item 5): the examiner reviews a completed job's candidate from her account;
#     once it is recorded, another account drops a file under the same name, in her name. Also a
#     review whose note carries an escape sequence (refused: nothing raw reaches `frs status`).
REPLAY_NAME="" REPLAY_JOB="" ESC_CLI=""
if [ "$AS_OTHERS" = 1 ]; then
  as_exam() { setpriv --reuid=4248 --regid=4248 --clear-groups "$FRS_BIN" "$@"; }
  read -r REPLAY_JOB REPLAY_SUBJECT < <(python3 - "$S/outbox/results" <<'PY'
import json, os, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    if not (name.startswith("job-") and name.endswith(".json")): continue
    try: r = json.load(open(os.path.join(d, name)))
    except Exception: continue
    if r.get("decision") != "completed": continue
    for p in r.get("probes", []):
        faces = p.get("faces", [])
        if len(r.get("probes", [])) == 1 and len(faces) == 1 and faces[0].get("candidates"):
            print(name[:-5], faces[0]["candidates"][0]["subject"]); sys.exit(0)
PY
)
  if [ -n "$REPLAY_JOB" ]; then
    as_exam review "$REPLAY_JOB" --examiner exam1 --face 1 --candidate "$REPLAY_SUBJECT" --disposition inconclusive \
      --note "replay check" >> "$LOGS/replay.log" 2>&1
    # frs review refuses a note with an escape before dropping it; one dropped by hand is refused by the daemon.
    if as_exam review "$REPLAY_JOB" --examiner exam1 --face 1 --candidate "$REPLAY_SUBJECT" --disposition no-match \
         --note $'ok\e[2K\r  lead: released' >> "$LOGS/replay.log" 2>&1; then ESC_CLI=dropped; else ESC_CLI=refused; fi
    printf '{"version":1,"job":"%s","examiner":"exam1","face":1,"candidate":"%s","disposition":"no-match","note":"ok\\u001b[2K\\r  lead: released"}' \
      "$REPLAY_JOB" "$REPLAY_SUBJECT" > "$S/tmp/escape.tmp"
    chown 4248:4248 "$S/tmp/escape.tmp"; mv "$S/tmp/escape.tmp" "$S/incoming/$REPLAY_JOB-escape.review"
    "${AS_DAEMON[@]}" "$FRS_BIN" daemon --once --workers 1 >> "$LOGS/drain.out" 2>> "$LOGS/drain.log" & DAEMON_PID[drain]=$!; reap drain 0
    REPLAY_NAME=$(cat "$S"/outbox/audit/*.jsonl | grep '"event":"review.recorded"' | grep -o '"request":"[^"]*"' | head -1 | cut -d'"' -f4)
    if [ -n "$REPLAY_NAME" ]; then
      printf '{"version":1,"job":"%s","examiner":"exam1","face":1,"candidate":"%s","disposition":"possible-match","note":"forged"}' \
        "$REPLAY_JOB" "$REPLAY_SUBJECT" > "$S/tmp/replay.tmp"
      chown 4242:4242 "$S/tmp/replay.tmp"; mv "$S/tmp/replay.tmp" "$S/incoming/$REPLAY_NAME"
      "${AS_DAEMON[@]}" "$FRS_BIN" daemon --once --workers 1 >> "$LOGS/drain.out" 2>> "$LOGS/drain.log" & DAEMON_PID[drain]=$!; reap drain 0
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------
# 6. Checks.
echo "torture: checks"
mapfile -t SUB_IDS < <(grep -v '^$' "$W/submitted.txt" 2>/dev/null)
for id in "${SUB_IDS[@]}"; do add "$id" completed -; done
mapfile -t IMP_IDS < <(grep -v '^$' "$W/impersonated.txt" 2>/dev/null)
for id in "${IMP_IDS[@]}"; do add "$id" denied requester.identity-mismatch; HOSTILE_IDS+=("$id"); done
HOSTILE=${#HOSTILE_IDS[@]}
ALL=${#IDS[@]}
AUDIT=$W/finals.txt
cat "$S"/outbox/audit/*.jsonl | sed -n 's/.*"event":"\(job\.completed\|job\.denied\|job\.failed\)","actor":.*"job":"\([^"]*\)".*/\2/p' | sort > "$AUDIT"

missing_result=() dup_final=() no_final=() wrong=() places_bad=()
for id in "${IDS[@]}"; do
  res=$S/outbox/results/$id.json
  if [ ! -f "$res" ]; then missing_result+=("$id"); continue; fi
  finals=$(grep -cxF -- "$id" "$AUDIT")
  [ "$finals" = 0 ] && no_final+=("$id")
  [ "$finals" -gt 1 ] && dup_final+=("$id($finals)")
  decision=$(grep -o '"decision" *: *"[a-z]*"' "$res" | head -1 | sed 's/.*"\([a-z]*\)"$/\1/')
  want=${EXPECT_DECISION[$id]} reason=${EXPECT_REASON[$id]}
  if [ "$want" = any ]; then
    [ "$decision" = completed ] || [ "$decision" = denied ] || wrong+=("$id:$decision")
  elif [ "$decision" != "$want" ]; then
    wrong+=("$id:$decision(want $want)")
  elif [ "$reason" != - ] && ! grep -q "\"$reason\"" "$res"; then
    wrong+=("$id:no $reason")
  fi
  # Exactly one place: done/ or failed/ (the entry itself; a same-named second file would carry an inode suffix).
  places=0
  for d in incoming active held done failed; do [ -e "$S/$d/$id.json" ] || [ -L "$S/$d/$id.json" ] && places=$((places + 1)); done
  # A directory dropped by another account under a job's name cannot be moved out of incoming/ by
  # a daemon that is not root: it is answered under a hidden name there (ClaimedJob.leftInPlace).
  if [ "$places" = 0 ] && [ "$DAEMON_UID" != "$uid" ] && [ -n "$(ls -A "$S/incoming" | grep '^\.refused-')" ] \
     && [ "${id#*-e-directory}" != "$id" ]; then places=1; fi
  [ "$places" = 1 ] || places_bad+=("$id:$places")
done
results_total=$(ls "$S/outbox/results" | grep -c '\.json$')
finals_total=$(wc -l < "$AUDIT")
completed=$(grep -l '"decision" *: *"completed"' "$S"/outbox/results/*.json | wc -l)
hostile_completed=0
for id in "${HOSTILE_IDS[@]}"; do
  [ "${EXPECT_DECISION[$id]}" = denied ] && grep -q '"decision" *: *"completed"' "$S/outbox/results/$id.json" 2>/dev/null && hostile_completed=$((hostile_completed + 1))
done
recovered=$(cat "$S"/outbox/audit/*.jsonl | grep -c '"recovered":"true"')
resumed=$(grep -h -c -E 'resuming|already finished' "$LOGS"/daemon-*.log "$LOGS"/drain.log | awk '{ s += $1 } END { print s + 0 }')
echo "  jobs $ALL (hostile $HOSTILE, via frs submit ${#SUB_IDS[@]} + ${#IMP_IDS[@]} impersonating, unprivileged submits: $UNPRIVILEGED); result files $results_total; final audit records $finals_total; completed $completed"
echo "  claims recovered from active/ after a kill: $recovered; resumed past a hand-off step: $resumed; the drain: $(head -1 "$LOGS/drain.out")"
check "every job has a result file" $([ ${#missing_result[@]} = 0 ]; echo $?) "${missing_result[*]:0:10}"
check "every job has exactly one final audit record" $([ ${#no_final[@]} = 0 ] && [ ${#dup_final[@]} = 0 ]; echo $?) "none: ${no_final[*]:0:10} dup: ${dup_final[*]:0:10}"
check "one result file and one final record per job, no others ($results_total, $finals_total, $ALL)" \
  $([ "$results_total" = "$ALL" ] && [ "$finals_total" = "$ALL" ]; echo $?)
check "each job ended as expected (hostile: refused with the expected reason)" $([ ${#wrong[@]} = 0 ]; echo $?) "${wrong[*]:0:12}"
refused_approvals=$(cat "$S"/outbox/audit/*.jsonl | grep -c '"event":"job.approval-refused"')
approvals=$(cat "$S"/outbox/audit/*.jsonl | grep '"event":"job.approved"' | grep -c '"actor":"super1"')
check "forged approvals refused ($refused_approvals of ${FORGED:-0}), the supervisor's accepted ($approvals of ${#HELD_IDS[@]})" \
  $([ "$refused_approvals" = "${FORGED:-0}" ] && [ "$approvals" = ${#HELD_IDS[@]} ]; echo $?)
check "no hostile job ran a search" $([ "$hostile_completed" = 0 ]; echo $?) "$hostile_completed"
check "ordinary jobs were searched ($completed completed)" $([ "$completed" -ge $(( (ALL - HOSTILE) / 2 )) ]; echo $?)
check "each job file is in exactly one place" $([ ${#places_bad[@]} = 0 ]; echo $?) "${places_bad[*]:0:10}"
# Under a daemon that is not root, other accounts' directories it could not remove stay in incoming/
# for their owners: the hidden answered directory, and drop folders this script made as root (0755;
# frs submit makes them 0777 so that the daemon's account can empty and remove them).
foreign_left=$(ls -A "$S/incoming" | grep -c -E '^\.refused-|^h[0-9]+-x-swap-[0-9]+\.d$')
[ "$DAEMON_UID" != "$uid" ] || foreign_left=0
left_in=$(( $(ls -A "$S/incoming" | wc -l) - foreign_left )) left_active=$(ls -A "$S/active" | wc -l) left_held=$(ls -A "$S/held" | wc -l)
check "incoming/ and active/ are empty ($left_in, $left_active; held $left_held; $foreign_left other accounts' directories left to their owners)" $([ "$left_in" = 0 ] && [ "$left_active" = 0 ] && [ "$left_held" = 0 ]; echo $?) "$(ls -A "$S/incoming" "$S/active" | head -5 | tr '\n' ' ')"
check "no daemon ended except by our signals ($KILLS SIGKILLs)" $([ "$BAD_EXITS" = 0 ]; echo $?) "${BAD_EXIT_NOTES[*]:-}"
crashes=$(grep -l -E 'Fatal error|fatalError|Segmentation|stack overflow|worker stopped' "$LOGS"/*.log 2>/dev/null | wc -l)
check "no crash or stopped worker in the logs" $([ "$crashes" = 0 ]; echo $?) "$(grep -h -E 'Fatal error|worker stopped' "$LOGS"/*.log | head -3)"
verify=$("$FRS_BIN" audit verify 2>&1); vrc=$?
check "frs audit verify passes" $vrc "$verify"
peak_mib=$((PEAK_KIB / 1024))
check "peak daemon RSS ${peak_mib} MiB under ${RSS_LIMIT_MIB} MiB" $([ "$PEAK_KIB" -gt 0 ] && [ "$peak_mib" -lt "$RSS_LIMIT_MIB" ]; echo $?)
# Files the daemon writes (results, audit, evidence it takes in, the database) are not readable by
# others; the queues holding submitters' job files are closed directories.
# (outbox/jobs/ itself may be listed: it shows agency codes; each agency's board is its group's.
# outbox/policy.json is the policy's public numbers, for frs submit and frs outcome to check against.)
readable=$(find "$S/outbox" "$S/evidence" "$S/state" ! -type l ! -path "$S/outbox/jobs" ! -path "$S/outbox/policy.json" \
  -perm /o=r 2>/dev/null | head -5)
open_dirs=$(find "$S/active" "$S/held" "$S/done" "$S/failed" "$S/evidence" "$S/state" -maxdepth 0 -perm /o=rwx 2>/dev/null)
check "results, audit, evidence and database not world-readable; queues closed" $([ -z "$readable$open_dirs" ]; echo $?) "$readable $open_dirs"
leak=$(grep -l -a -F -e "$SECRET_TEXT" -e "$SECRET_PROBE" "$LOGS"/daemon-*.log "$LOGS"/drain.log 2>/dev/null)
check "no justification text or probe bytes in the daemon logs" $([ -z "$leak" ]; echo $?) "$leak"
canary_ok=0; [ "$(cat "$CANARY/zzz-canary.jpg" 2>/dev/null)" = canary ] || canary_ok=1
check "drop folders swapped for a symlink: the canary survived the discards" $canary_ok
if [ ${#FLOOD_IDS[@]} -gt 0 ]; then
  limited=$(grep -l '"input.queue-limit"' "$S"/outbox/results/flood-*.json 2>/dev/null | wc -l)
  check "one account's flood: $limited of ${#FLOOD_IDS[@]} refused input.queue-limit" $([ "$limited" -ge 1 ]; echo $?)
fi
# Issue #22: scan bombs, board names, escapes, replays.
scans_ok=0
for id in "${IDS[@]}"; do
  case "$id" in *p-scans|*p-scans-8k) grep -q '"decision" *: *"denied"' "$S/outbox/results/$id.json" 2>/dev/null || scans_ok=1 ;; esac
done
check "scan bombs (3,000 empty scans, 30 KB) refused: too many scans, too much decode work" $scans_ok
if [ "$AS_OTHERS" = 1 ]; then
  board=$S/outbox/jobs/TORT
  staff_ok=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); r=json.load(open(sys.argv[2])); print(0 if isinstance(s, list) and any(e.get("user") == "analyst1" for e in s) and r.get("job") == "staff" else 1)' \
    "$board/.staff.json" "$board/staff.json" 2>/dev/null || echo 1)
  check "a job named staff has its own board record; the staff list is intact" "$staff_ok"
fi
status_out=$W/status.out
{ "$FRS_BIN" status; for id in "${ESC_IDS[@]}" staff ${REPLAY_JOB:+"$REPLAY_JOB"}; do "$FRS_BIN" status "$id"; done; } > "$status_out" 2>&1
raw=$(LC_ALL=C grep -c -a -P '\x1b|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]' "$status_out")
check "frs status prints no raw escape, C1 or bidi control (${#ESC_IDS[@]} hostile jobs, the reviewed job)" $([ "$raw" = 0 ]; echo $?) "$raw lines"
if [ -n "$REPLAY_NAME" ]; then
  recorded=$(cat "$S"/outbox/audit/*.jsonl | grep '"event":"review.recorded"' | grep -c "\"request\":\"$REPLAY_NAME\"")
  replayed=$(cat "$S"/outbox/audit/*.jsonl | grep '"event":"review.refused"' | grep "\"request\":\"$REPLAY_NAME\"" | grep -c 'requester.identity-mismatch')
  escaped=$(cat "$S"/outbox/audit/*.jsonl | grep '"event":"review.refused"' | grep -c 'control character')
  check "a review replayed under a recorded name by another account is judged anew and refused ($recorded recorded, $replayed refused); a note with an escape refused by frs review ($ESC_CLI) and by the daemon ($escaped)" \
    $([ "$recorded" = 1 ] && [ "$replayed" = 1 ] && [ "$escaped" = 1 ] && [ "$ESC_CLI" = refused ]; echo $?)
elif [ "$AS_OTHERS" = 1 ]; then
  check "a review to replay was recorded" 1 "job ${REPLAY_JOB:-none}; see $LOGS/replay.log"
fi
pw=$(grep -l -a -F "root:x:0:0" "$LOGS"/*.log "$S"/outbox/results/* "$S"/outbox/audit/* 2>/dev/null)
check "no /etc/passwd content in logs or outbox" $([ -z "$pw" ]; echo $?) "$pw"

# Issue #22, the daemon's side, after the drain (so the counts above stay exact): ids bound ahead of a
# file, a non-UTF-8 directory of another account, a job file of 100,000 unknown keys, and a flood of
# requests past the per-account limit; one daemon run must answer each and stop on none.
if [ "$AS_OTHERS" = 1 ] && [ "$DAEMON_UID" != "$uid" ]; then
  ATT=4247
  attacker() { setpriv --reuid=$ATT --regid=$ATT --clear-groups "$@"; }
  # The attacker keeps a job file in tmp/ and binds every id it could predict for it first.
  attacker sh -c "umask 022; printf '%s' '$(job_json '["TORT/t/p1.jpg"]' | sed 's/analyst1/flood1/')' > '$S/tmp/kept.json'"
  INO=$(stat -c %i "$S/tmp/kept.json")
  for pre in ex0 "ex0.dup-$INO" "ex0.dup-$INO-2" "ex0.dup-$INO-3" "ex0.dup-$INO-4"; do
    attacker sh -c "umask 022; echo '{}' > '$S/tmp/$pre.json' && mv '$S/tmp/$pre.json' '$S/incoming/$pre.json'"
  done
  "${AS_DAEMON[@]}" "$FRS_BIN" daemon --once --workers 1 > "$LOGS/post1.log" 2>&1
  attacker mv "$S/tmp/kept.json" "$S/incoming/ex0.json"
  attacker mkdir "$S/incoming/$(printf 'odd\xff\xfe.json')"
  ODD_INO=$(stat -c %i "$S/incoming/$(printf 'odd\xff\xfe.json')")
  keys=$(seq 1 100000 | sed 's/.*/"k&":1/' | paste -sd, -)
  job_json '["TORT/t/p1.jpg"]' ",$keys" > "$S/tmp/ukeys.json"; mv "$S/tmp/ukeys.json" "$S/incoming/ukeys.json"
  for i in $(seq 1 230); do
    attacker sh -c "umask 077; printf '%s' '{\"version\":1,\"job\":\"nojob\",\"examiner\":\"x\",\"face\":1,\"candidate\":\"S\",\"disposition\":\"no-match\"}' > '$S/tmp/f$i.review' && setfacl -m u:$DAEMON_UID:r '$S/tmp/f$i.review' 2>/dev/null || chmod 644 '$S/tmp/f$i.review'; mv '$S/tmp/f$i.review' '$S/incoming/flood-$i.review'"
  done
  "${AS_DAEMON[@]}" "$FRS_BIN" daemon --once --workers 2 > "$LOGS/post2.log" 2>&1; post_rc=$?
  check "after the drain: a daemon answers odd files and a request flood and exits 0" $post_rc "$(tail -2 "$LOGS/post2.log")"
  exhausted=$(ls "$S/outbox/results/" | grep -c "^ex0\.dup-$INO-[0-9a-f]\{9,\}\.json$")
  check "a file whose predictable ids were all taken is answered under an id nobody could take ($exhausted)" \
    $([ "$exhausted" = 1 ] && grep -q '"input.duplicate-job-id"' "$S"/outbox/results/ex0.dup-$INO-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.json; echo $?)
  odd=$(grep -c '"input.bad-job-name"' "$S/outbox/results/badname-$ODD_INO.json" 2>/dev/null)
  check "another account's directory with a non-UTF-8 name is answered in place (badname-$ODD_INO: ${odd:-none})" \
    $([ "${odd:-0}" -ge 1 ] && ls -A "$S/incoming" | grep -q '^\.refused-notutf8-'; echo $?)
  size=$(stat -c %s "$S/outbox/results/ukeys.json" 2>/dev/null || echo 0)
  check "a job file of 100,000 unknown keys is answered in $size bytes" \
    $([ "$size" -gt 0 ] && [ "$size" -lt 200000 ] && grep -q '"input.unknown-field"' "$S/outbox/results/ukeys.json"; echo $?)
  limited=$(grep -l '"input.queue-limit"' "$S/outbox/answers/$ATT/"flood-*.review.json 2>/dev/null | wc -l)
  answered=$(ls "$S/outbox/answers/$ATT/" 2>/dev/null | grep -c '^flood-.*\.review\.json$')
  check "a flood of 230 requests: every one answered ($answered), those past the limit refused at once ($limited)" \
    $([ "$answered" = 230 ] && [ "$limited" -ge 30 ]; echo $?)
  verify=$("$FRS_BIN" audit verify 2>&1)
  check "frs audit verify passes after the odd files" $? "$verify"
fi

TOTAL=$(( $(date +%s) - START ))
echo "torture: $ALL jobs ($HOSTILE hostile), $KILLS SIGKILLs, ${KILL_PHASE}s killing + drain, ${TOTAL}s in all, peak RSS ${peak_mib} MiB"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
