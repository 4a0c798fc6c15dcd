#!/usr/bin/env bash
# Real accounts, end to end: every person on their own uid, the daemon on a service account (not root),
# two agencies as two Unix groups, auditors as a third. Each step runs the real frs binary under
# `setpriv --reuid --regid --groups` with numeric ids (no /etc/passwd entries are needed).
#
#   uid 990   daemon's service account (groups 2001, 2002: a member of each agency's group)
#   uid 3001  ana   analyst of agency A (group 2001)
#   uid 3002  bob   analyst of agency B (group 2002)
#   uid 3003  eve   examiner of agency A (group 2001)
#   uid 3004  sam   supervisor of agency A (group 2001)
#   uid 3006  tom   second examiner of agency A (group 2001)
#   uid 3005  aud   auditor (group 980, the auditors' group)
#   uid 0     root: frs init, agencies, users, gallery (the first administrator)
#   uid 3500  an ordinary account that inits a spool of its own and enrolls its gallery (the
#             single-account setup of demo.sh run by a non-root user)
#
# Checks (a line each, then `N passed, M failed`; exit 1 if any failed): who can do their part from
# their own account (submit, status, read result and sheet, approve, review, verify, report), that only
# an administrator enrolls into the gallery, and who
# cannot read what (another agency's results and board, the audit log unless an auditor, the database,
# the evidence). Needs root (setpriv); without root it says SKIPPED and fails when CI=true.
#
# usage: scripts/accounts.sh [--keep]
# Environment: FRS (binary; default .build/debug/frs, built if missing), FRS_MODELS (default ./models).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "accounts: SKIPPED: needs root and setpriv (util-linux) to act as other uids"
  [ "${CI:-}" = true ] && { echo "0 passed, 1 failed"; exit 1; }
  exit 0
fi

FRS_BIN=${FRS:-$ROOT/.build/debug/frs}
[ -x "$FRS_BIN" ] || swift build --product frs 2>&1 | tail -1
MODELS_SRC="${FRS_MODELS:-$ROOT/models}"
[ -f "$MODELS_SRC/mmod_human_face_detector.dat" ] || { echo "accounts: no models in $MODELS_SRC" >&2; exit 1; }

W=$(mktemp -d /tmp/frs-accounts.XXXXXX)
chmod 755 "$W"
cleanup() { [ "$KEEP" = 1 ] && echo "accounts: kept $W" || rm -rf "$W"; }
trap cleanup EXIT
# Everyone must be able to run the binary and the daemon to read the models.
install -m 755 "$FRS_BIN" "$W/frs"
mkdir -m 755 "$W/models" "$W/gallery" "$W/probes"
install -m 644 "$MODELS_SRC"/*.dat "$W/models/"
F=$ROOT/Tests/Fixtures/images
install -m 644 "$F/obama.jpg" "$F/biden.jpg" "$W/gallery/"
install -m 644 "$F/obama2.jpg" "$F/two_people.jpg" "$W/probes/"
export FRS_SPOOL=$W/spool FRS_MODELS=$W/models
FRS=$W/frs

DAEMON=990 AUDITORS=980 GA=2001 GB=2002
ANA=3001 BOB=3002 EVE=3003 SAM=3004 AUD=3005 TOM=3006

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# as UID GROUPS COMMAND...: run as that uid, primary group = first of GROUPS.
as() { local uid=$1 groups=$2; shift 2; setpriv --reuid "$uid" --regid "${groups%%,*}" --groups "$groups" -- "$@"; }
# expect_ok DESCRIPTION UID GROUPS COMMAND...
expect_ok() { local d=$1; shift; if out=$(as "$@" 2>&1); then ok "$d"; else bad "$d: $out"; fi; }
expect_denied() { local d=$1; shift; if out=$(as "$@" 2>&1); then bad "$d (it succeeded: $out)"; else ok "$d"; fi; }

# --- Root sets up the service: spool owned by the daemon's account, agencies, people, gallery.
$FRS init --daemon-user $DAEMON --auditors-group $AUDITORS >/dev/null
$FRS agency add A --name "Agency A" --group $GA 2>"$W/agency.err" >/dev/null
grep -q "member of group" "$W/agency.err" && ok "agency add says the daemon's account must be a member of the group" \
  || bad "agency add gave no word on the daemon's group membership: $(cat "$W/agency.err")"
$FRS agency add B --name "Agency B" --group $GB 2>/dev/null >/dev/null
add() { $FRS user add "$1" --name "$1" --agency "$2" --role "$3" --uid "$4" --vetted 2026-01-05 --trained 2026-06-01 >/dev/null; }
add ana A analyst $ANA; add bob B analyst $BOB; add eve A examiner $EVE; add sam A supervisor $SAM
add tom A examiner $TOM; add aud A auditor $AUD
printf 'subject_id,image,source,captured\nS-OBAMA,%s,booking,2020-01-01\nS-BIDEN,%s,booking,2020-01-01\n' \
  "$W/gallery/obama.jpg" "$W/gallery/biden.jpg" > "$W/gallery.csv"
$FRS gallery enroll "$W/gallery.csv" >/dev/null 2>&1
# The gallery cache and anything root made are the daemon's again.
$FRS init --daemon-user $DAEMON >/dev/null

[ "$(stat -c %u "$FRS_SPOOL")" = $DAEMON ] && ok "the spool belongs to the service account" || bad "spool owner $(stat -c %u "$FRS_SPOOL")"

submit() {  # submit UID GROUPS REQUESTER JUSTIFICATION IMAGE
  as "$1" "$2" $FRS submit --requester "$3" --purpose active-investigation --case 24-0001 --offense "armed robbery" \
    --justification "$4" "$5"
}
JA=$(submit $ANA $GA ana "Suspect photographed by the store camera during the robbery" "$W/probes/obama2.jpg") \
  && ok "analyst A submits from her own account" || bad "analyst A cannot submit: $JA"
JB=$(submit $BOB $GB bob "Suspect photographed by the bank camera during the robbery" "$W/probes/two_people.jpg") \
  && ok "analyst B submits from his own account" || bad "analyst B cannot submit: $JB"
JH=$(submit $ANA $GA ana "Suspect seen at the protest near the store during the robbery" "$W/probes/obama2.jpg") \
  && ok "analyst A submits a request that will be held" || bad "analyst A cannot submit: $JH"
expect_ok "analyst A sees her queued job before any daemon ran" $ANA $GA $FRS status "$JA"
expect_denied "analyst A cannot read agency B's queued job file (0600 + an ACL for the daemon)" $ANA $GA cat "$FRS_SPOOL/incoming/$JB.json"
expect_denied "analyst A cannot list agency B's dropped images" $ANA $GA ls "$FRS_SPOOL/incoming/$JB.d"
expect_denied "analyst A cannot read agency B's dropped image" $ANA $GA cat "$FRS_SPOOL/incoming/$JB.d/two_people.jpg"

# --- The daemon, as the service account (not root), with the agencies' groups.
if out=$(as $DAEMON $DAEMON,$GA,$GB $FRS daemon --once 2>&1); then ok "the daemon runs as uid $DAEMON"; else bad "daemon: $out"; fi
R=$FRS_SPOOL/outbox/results
[ "$(stat -c '%u %g %a' "$R/$JA.json")" = "$DAEMON $GA 640" ] && ok "A's result: daemon's, group A, 0640" \
  || bad "A's result is $(stat -c '%u %g %a' "$R/$JA.json")"

# --- Analysts: their own results and sheets; nothing of the other agency.
expect_ok "analyst A reads her result" $ANA $GA cat "$R/$JA.json"
expect_ok "analyst A reads her sheet" $ANA $GA cat "$R/$JA.html"
expect_ok "analyst B reads his result" $BOB $GB cat "$R/$JB.json"
expect_denied "analyst B cannot read agency A's result" $BOB $GB cat "$R/$JA.json"
expect_denied "analyst B cannot read agency A's sheet" $BOB $GB cat "$R/$JA.html"
expect_denied "analyst A cannot read agency B's result" $ANA $GA cat "$R/$JB.json"
expect_denied "nobody lists outbox/results/" $ANA $GA ls "$R"
expect_denied "analyst B cannot list agency A's board" $BOB $GB ls "$FRS_SPOOL/outbox/jobs/A"
expect_denied "analyst B gets no status of agency A's job" $BOB $GB $FRS status "$JA"
if out=$(as $ANA $GA $FRS status 2>&1) && grep -q "$JA" <<<"$out" && grep -q "$JH" <<<"$out" && ! grep -q "$JB" <<<"$out"; then
  ok "analyst A's status lists her jobs (and not B's)"; else bad "analyst A's status: $out"; fi
if out=$(as $ANA $GA $FRS status "$JA" 2>&1) && grep -q "decision: completed" <<<"$out" && grep -q "sheet:" <<<"$out"; then
  ok "analyst A's status of her job: completed, with result and sheet"; else bad "status JA: $out"; fi
if out=$(as $ANA $GA $FRS status "$JH" 2>&1) && grep -q "state: held" <<<"$out"; then ok "analyst A sees her job held"
  else bad "status JH: $out"; fi
# A damaged record on the board is named, not passed over in silence; her jobs are still listed.
damaged="$FRS_SPOOL/outbox/jobs/A/damaged-1.json"
printf '{"job": "damaged-1", "requ' > "$damaged"; chgrp $GA "$damaged"; chmod 640 "$damaged"
if out=$(as $ANA $GA $FRS status 2>&1) && grep -q "outbox/jobs/A/damaged-1.json could not be read: not a status record" <<<"$out" \
  && grep -q "$JA" <<<"$out"; then ok "analyst A's status names a damaged board record and still lists her jobs"
  else bad "status with a damaged record: $out"; fi
rm -f "$damaged"

# --- The gallery is the administrators' alone; an ordinary account administers only a spool of its own.
if out=$(as $ANA $GA $FRS gallery enroll "$W/gallery.csv" 2>&1); then bad "analyst A enrolled into the gallery: $out"
elif grep -q "not a registered administrator" <<<"$out"; then ok "analyst A's gallery enroll is refused: not an administrator"
else bad "analyst A's gallery enroll says: $out"; fi
OWN=3500
mkdir -m 700 "$W/own"; chown $OWN:$OWN "$W/own"
if as $OWN $OWN env FRS_SPOOL="$W/own/spool" $FRS init >/dev/null 2>&1 \
  && out=$(as $OWN $OWN env FRS_SPOOL="$W/own/spool" $FRS gallery enroll "$W/gallery.csv" 2>&1) \
  && grep -q "enrolled 2" <<<"$out" && [ "$(stat -c %u "$W/own/spool/state/frs.sqlite")" = $OWN ]; then
  ok "an ordinary account (uid $OWN) inits its own spool and enrolls a gallery as its administrator"
else bad "uid $OWN's own spool: $out"; fi

# --- Nobody but the daemon reads the database, the evidence, the queues; only auditors the audit log.
for who in "$ANA $GA" "$EVE $GA" "$SAM $GA" "$BOB $GB"; do
  set -- $who
  expect_denied "uid $1 cannot read the database" $1 $2 cat "$FRS_SPOOL/state/frs.sqlite"
  expect_denied "uid $1 cannot list the evidence" $1 $2 ls "$FRS_SPOOL/evidence"
  expect_denied "uid $1 cannot read the audit log" $1 $2 ls "$FRS_SPOOL/outbox/audit"
done
if out=$(as $ANA $GA $FRS audit verify 2>&1); then bad "analyst A verified the audit log: $out"
elif grep -q "permission denied on outbox/audit/" <<<"$out" && grep -q "gid $AUDITORS" <<<"$out"; then
  ok "analyst A's audit verify says permission denied and which group reads it"
else bad "analyst A's audit verify says: $out"; fi

# --- Examiner and supervisor of agency A.
expect_ok "examiner A sees agency A's job" $EVE $GA $FRS status "$JA"
expect_ok "examiner A reads the sheet" $EVE $GA cat "$R/$JA.html"
expect_denied "examiner A cannot see agency B's job" $EVE $GA $FRS status "$JB"
SUBJECT=$(grep -o '"subject" : "[^"]*"' "$R/$JA.json" | head -1 | sed 's/.*: "//; s/"$//')
expect_ok "examiner A records a review from her account" $EVE $GA $FRS review "$JA" --examiner eve --face 1 \
  --candidate "$SUBJECT" --disposition possible-match --note "same ear shape"
if out=$(as $SAM $GA $FRS status 2>&1) && grep -q "$JH" <<<"$out"; then ok "supervisor A's status shows the held job"
  else bad "supervisor status: $out"; fi
expect_ok "supervisor A approves the held job from his account" $SAM $GA $FRS approve "$JH" --supervisor sam --note ok
expect_denied "analyst B cannot approve agency A's job (refused by the daemon, below)" $BOB $GB false
as $BOB $GB $FRS approve "$JH" --supervisor sam --note forged >/dev/null 2>&1
if out=$(as $DAEMON $DAEMON,$GA,$GB $FRS daemon --once 2>&1); then ok "the daemon applies the review and the approval"
  else bad "daemon (2): $out"; fi
if out=$(as $ANA $GA $FRS status "$JH" 2>&1) && grep -q "decision: completed" <<<"$out"; then
  ok "the approved job completed and its requester sees it"; else bad "status JH after approval: $out"; fi
# Peer review: the second examiner sees that a review exists, not what it said; then records his own.
if out=$(as $TOM $GA $FRS status "$JA" 2>&1) && grep -q "withheld until a second review) by eve" <<<"$out" \
   && ! grep -q "possible-match by eve" <<<"$out"; then
  ok "the second examiner sees a pending review, not its disposition"; else bad "status JA for tom: $out"; fi
if grep -q "pending: 1 review" "$R/$JA.html" && ! grep -q "same ear shape" "$R/$JA.html"; then
  ok "the sheet, rendered again by the daemon, counts the pending review and hides its note"
else bad "the sheet after the first review (not re-rendered, or it shows the note)"; fi
expect_ok "the second examiner records a review from his account" $TOM $GA $FRS review "$JA" --examiner tom --face 1 \
  --candidate "$SUBJECT" --disposition possible-match --note "same scar"
as $DAEMON $DAEMON,$GA,$GB $FRS daemon --once >/dev/null 2>&1
if out=$(as $ANA $GA $FRS status "$JA" 2>&1) && grep -q "possible-match by eve" <<<"$out" \
   && grep -q "lead: face 1 candidate $SUBJECT: released" <<<"$out"; then
  ok "the requester sees both dispositions and the released lead"; else bad "status JA after review: $out"; fi
if grep -q '"event":"lead.released"' "$FRS_SPOOL/outbox/audit/"*.jsonl; then ok "the released lead is audited"
  else bad "no lead.released record"; fi

# --- Auditors: verify and report from their own account; they cannot write or stall the log.
expect_ok "the auditor verifies the audit log" $AUD $AUDITORS $FRS audit verify
if out=$(as $AUD $AUDITORS $FRS audit report 2>&1) && grep -q "possible-match" <<<"$out"; then ok "the auditor reports (with the examiner's disposition)"
  else bad "audit report: $out"; fi
DAY=$(ls "$FRS_SPOOL/outbox/audit" | grep jsonl | tail -1)
expect_denied "the auditor cannot alter the log" $AUD $AUDITORS sh -c "echo x >> '$FRS_SPOOL/outbox/audit/$DAY'"
expect_denied "the auditor cannot add to the audit directory" $AUD $AUDITORS touch "$FRS_SPOOL/outbox/audit/x"
if grep -q '"event":"job.approval-refused"' "$FRS_SPOOL/outbox/audit/"*.jsonl; then
  ok "a forged approval (analyst B naming supervisor A) is refused and audited"
else bad "no job.approval-refused record for the forged approval"; fi
if out=$(as $AUD $AUDITORS $FRS audit verify 2>&1); then ok "the chain is intact after everything"; else bad "verify: $out"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
