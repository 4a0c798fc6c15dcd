#!/usr/bin/env bash
# README's "Deploying" section, step by step in the order written, as each person would do it, with
# real accounts — and nothing repaired between the steps: if a step needs a workaround, frs is wrong.
#
#   root            install.sh --create-accounts (the service account and the auditors' group), the
#                   agencies (groupadd, usermod -aG <group> <service>, frs agency add, restart), the people
#                   (frs user add, usermod -aG), the gallery; later, while the service runs: disclose,
#                   gallery calibrate, user add; then install.sh again
#   the service     frs daemon as the service account with the groups systemd gives it (--init-groups),
#                   running in the background the whole time, restarted where README says "systemctl restart"
#   the people      each on their own account: analysts of two agencies, examiners, a supervisor, an
#                   auditor, a regional administrator and an agency administrator (the agency's TAC)
#
# Accounts are made with useradd/groupadd under names starting with "frst" and removed at the end.
# Checks: a line each, then `N passed, M failed` (exit 1 if any failed). Needs root, setpriv and useradd;
# without them it says SKIPPED (and fails when CI=true).
#
# usage: scripts/accounts.sh [--keep]
# Environment: FRS (binary; default .build/debug/frs, built if missing), FRS_MODELS (default ./models).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! command -v useradd >/dev/null; then
  echo "accounts: SKIPPED: needs root, setpriv (util-linux) and useradd (passwd) to act as other accounts"
  [ "${CI:-}" = true ] && { echo "0 passed, 1 failed"; exit 1; }
  exit 0
fi

FRS_BIN=${FRS:-$ROOT/.build/debug/frs}
[ -x "$FRS_BIN" ] || swift build --product frs 2>&1 | tail -1
export FRS_MODELS="${FRS_MODELS:-$ROOT/models}"
[ -f "$FRS_MODELS/mmod_human_face_detector.dat" ] || { echo "accounts: no models in $FRS_MODELS" >&2; exit 1; }

W=$(mktemp -d /tmp/frs-accounts.XXXXXX)
chmod 755 "$W"
SERVICE=frstd AUDITORS=frst-audit GA=frst-cpd GB=frst-mpd
PEOPLE="ana bob eve sam tom aud reg tac newbie late carl"
DAEMON_PID=
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  for p in $PEOPLE; do userdel "frst-$p" >/dev/null 2>&1; groupdel "frst-$p" >/dev/null 2>&1; done
  userdel "$SERVICE" >/dev/null 2>&1; groupdel "$SERVICE" >/dev/null 2>&1
  for g in $AUDITORS $GA $GB; do groupdel "$g" >/dev/null 2>&1; done
  [ "$KEEP" = 1 ] && echo "accounts: kept $W" || rm -rf "$W"
}
trap cleanup EXIT
cleanup_before() {  # a run that was killed may have left its accounts
  for p in $PEOPLE; do userdel "frst-$p" >/dev/null 2>&1; groupdel "frst-$p" >/dev/null 2>&1; done
  userdel "$SERVICE" >/dev/null 2>&1; groupdel "$SERVICE" >/dev/null 2>&1
  for g in $AUDITORS $GA $GB; do groupdel "$g" >/dev/null 2>&1; done
}
cleanup_before

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# as NAME COMMAND...: run as that account with the groups the account database gives it.
as() { local who=$1; shift; setpriv --reuid "$who" --regid "$who" --init-groups -- "$@"; }
expect_ok() { local d=$1; shift; if out=$(as "$@" 2>&1); then ok "$d"; else bad "$d: $out"; fi; }
expect_denied() { local d=$1; shift; if out=$(as "$@" 2>&1); then bad "$d (it succeeded: $out)"; else ok "$d"; fi; }
# eventually SECONDS COMMAND...: retries a check until it holds (the daemon works in the background).
eventually() { local s=$1; shift; for _ in $(seq $((s * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done; "$@"; }

# The people's own accounts, as the host's administrators make them.
for p in $PEOPLE; do useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh --user-group "frst-$p"; done
uid() { id -u "frst-$1"; }

PREFIX=$W/usr SPOOL=$W/spool
export FRS_SPOOL=$SPOOL
FRS=$PREFIX/bin/frs
install_frs() {
  ./scripts/install.sh --create-accounts --prefix "$PREFIX" --spool "$SPOOL" --unit-dir "$W/units" --user "$SERVICE" \
    --auditors-group "$AUDITORS" --binary "$FRS_BIN" 2>&1
}
# The service, as the unit runs it: User=frstd (groups from the account database), UMask=0077.
start_daemon() {
  (umask 077; exec setpriv --reuid "$SERVICE" --regid "$SERVICE" --init-groups -- \
     env FRS_SPOOL="$SPOOL" FRS_MODELS="$PREFIX/share/frs/models" "$FRS" daemon --workers 2 >>"$W/daemon.log" 2>&1) &
  DAEMON_PID=$!
  sleep 1
}
restart_daemon() {  # systemctl restart frs
  kill -TERM "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; start_daemon
}
daemon_alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }

# --- Step 1 (root): install.sh --create-accounts (with FRS_MODELS exported), then the service starts (--enable).
if out=$(install_frs); then ok "install.sh --create-accounts installs frs (FRS_MODELS exported)"; else bad "install.sh: $out"; fi
[ -f "$PREFIX/share/frs/models/mmod_human_face_detector.dat" ] && ok "install.sh installed the models" || bad "no models installed"
[ "$(stat -c %U "$SPOOL")" = "$SERVICE" ] && ok "the spool belongs to the service account" || bad "spool owner $(stat -c %U "$SPOOL")"
start_daemon

# --- Step 2 (root): each agency: its group, the service a member of it, the agency, then systemctl restart.
groupadd "$GA" && usermod -aG "$GA" "$SERVICE"
$FRS agency add CPD --name "City Police Department" --group "$GA" >/dev/null 2>"$W/agency.err" \
  && ok "root adds agency CPD while the service runs" || bad "agency add CPD: $(cat "$W/agency.err")"
groupadd "$GB" && usermod -aG "$GB" "$SERVICE"
$FRS agency add MPD --name "Metro Police Department" --group "$GB" >/dev/null 2>&1 || bad "agency add MPD"
daemon_alive && ok "the service still runs after root's agency add" || bad "the daemon stopped: $(tail -3 "$W/daemon.log")"
restart_daemon

# --- Step 3 (root): the people.
V="--vetted 2026-01-05 --trained 2026-06-01"
$FRS user add reg --name "Regina Reg" --role admin --uid "$(uid reg)" $V >/dev/null \
  && ok "root registers a regional administrator (no agency)" || bad "user add reg (admin)"
$FRS user add tac --name "Tim Tac" --agency CPD --role agency-admin --uid "$(uid tac)" $V >/dev/null \
  && ok "root registers CPD's agency administrator" || bad "user add tac"
daemon_alive && ok "the service still runs after root's user add" || bad "the daemon stopped after user add: $(tail -3 "$W/daemon.log")"
person() {  # person NAME AGENCY GROUP ROLE: usermod -aG GROUP; frs user add (root)
  usermod -aG "$3" "frst-$1"; $FRS user add "$1" --name "$1" --agency "$2" --role "$4" --uid "$(uid "$1")" $V >/dev/null
}
person ana CPD "$GA" analyst; person eve CPD "$GA" examiner; person sam CPD "$GA" supervisor; person bob MPD "$GB" analyst
# The agency administrator adds CPD's second examiner from his own account (the daemon runs it).
usermod -aG "$GA" frst-tom
expect_ok "CPD's agency administrator adds an examiner of CPD from his own account" frst-tac \
  $FRS user add tom --name tom --agency CPD --role examiner --uid "$(uid tom)" $V
usermod -aG "$AUDITORS" frst-aud
$FRS user add aud --name "Audrey Aud" --role auditor --uid "$(uid aud)" $V >/dev/null \
  && ok "root registers a regional auditor (no agency)" || bad "user add aud (auditor)"
mkdir -m 755 "$W/gallery" "$W/probes"
F=$ROOT/Tests/Fixtures/images
install -m 644 "$F/obama.jpg" "$F/biden.jpg" "$W/gallery/"
install -m 644 "$F/obama2.jpg" "$F/two_people.jpg" "$W/probes/"
printf 'subject_id,image,source,captured\nS-OBAMA,%s,booking,2020-01-01\nS-BIDEN,%s,booking,2020-01-01\n' \
  "$W/gallery/obama.jpg" "$W/gallery/biden.jpg" > "$W/gallery.csv"
$FRS gallery enroll "$W/gallery.csv" >/dev/null 2>&1 && ok "root enrolls the gallery" || bad "gallery enroll"
daemon_alive && ok "the service still runs after root's steps" || bad "the daemon stopped: $(tail -3 "$W/daemon.log")"
HEAD=$SPOOL/outbox/audit.head
[ "$(stat -c '%U %G' "$HEAD")" = "$SERVICE $AUDITORS" ] && ok "the audit head is the service's (group $AUDITORS) after root's commands" \
  || bad "audit head is $(stat -c '%U %G %a' "$HEAD")"
[ "$(stat -c '%U %G %a' "$SPOOL/outbox/jobs/CPD")" = "$SERVICE $GA 2750" ] && ok "CPD's status board: the service's, group $GA, 2750" \
  || bad "CPD's board is $(stat -c '%U %G %a' "$SPOOL/outbox/jobs/CPD")"

# --- The people at work, each on their own account.
submit() {  # submit WHO REQUESTER JUSTIFICATION IMAGE
  as "frst-$1" $FRS submit --requester "$2" --purpose active-investigation --case 24-0001 --offense "armed robbery" \
    --justification "$3" "$4"
}
JA=$(submit ana ana "Suspect photographed by the store camera during the robbery" "$W/probes/obama2.jpg") \
  && ok "analyst ana (CPD) submits from her own account" || bad "ana cannot submit: $JA"
JB=$(submit bob bob "Suspect photographed by the bank camera during the robbery" "$W/probes/two_people.jpg") \
  && ok "analyst bob (MPD) submits from his own account" || bad "bob cannot submit: $JB"
JH=$(submit ana ana "Suspect seen at the protest near the store during the robbery" "$W/probes/obama2.jpg") \
  && ok "ana submits a request that will be held" || bad "ana cannot submit: $JH"
expect_denied "ana cannot read MPD's queued job file" frst-ana cat "$SPOOL/incoming/$JB.json"
R=$SPOOL/outbox/results
finished() { as frst-ana $FRS status "$1" | grep -q "$2"; }
eventually 120 finished "$JA" "decision: completed" && ok "the service completed ana's job; she sees it in frs status" \
  || bad "ana's job: $(as frst-ana $FRS status "$JA" 2>&1 | tail -3); daemon: $(tail -3 "$W/daemon.log")"
eventually 60 finished "$JH" "state: held" && ok "ana sees her second job held" || bad "held job: $(as frst-ana $FRS status "$JH" 2>&1)"
eventually 60 test -f "$R/$JB.json"
[ "$(stat -c '%U %G %a' "$R/$JA.json")" = "$SERVICE $GA 640" ] && ok "ana's result: the service's, group $GA, 0640" \
  || bad "ana's result is $(stat -c '%U %G %a' "$R/$JA.json")"
expect_ok "ana reads her result and sheet" frst-ana cat "$R/$JA.json" "$R/$JA.html"
expect_ok "bob reads his result" frst-bob cat "$R/$JB.json"
expect_denied "bob cannot read CPD's result" frst-bob cat "$R/$JA.json"
expect_denied "ana cannot read MPD's result" frst-ana cat "$R/$JB.json"
expect_denied "nobody lists outbox/results/" frst-ana ls "$R"
expect_denied "bob cannot list CPD's board" frst-bob ls "$SPOOL/outbox/jobs/CPD"
expect_denied "bob gets no status of CPD's job" frst-bob $FRS status "$JA"
for who in ana eve sam bob; do
  expect_denied "frst-$who cannot read the database" "frst-$who" cat "$SPOOL/state/frs.sqlite"
  expect_denied "frst-$who cannot read the audit log" "frst-$who" ls "$SPOOL/outbox/audit"
done
if out=$(as frst-ana $FRS audit verify 2>&1); then bad "ana verified the audit log: $out"
elif grep -q "permission denied on outbox/audit/" <<<"$out" && grep -q "$AUDITORS" <<<"$out"; then
  ok "ana's audit verify says permission denied and which group reads it"
else bad "ana's audit verify says: $out"; fi
if out=$(as frst-ana $FRS gallery enroll "$W/gallery.csv" 2>&1); then bad "ana enrolled into the gallery: $out"
elif grep -q "not a registered administrator" <<<"$out"; then ok "ana's gallery enroll is refused: not an administrator"
else bad "ana's gallery enroll says: $out"; fi

# Examiners and the supervisor.
SUBJECT=$(grep -o '"subject" : "[^"]*"' "$R/$JA.json" | head -1 | sed 's/.*: "//; s/"$//')
expect_ok "examiner eve sees CPD's job" frst-eve $FRS status "$JA"
expect_ok "eve records a review from her account" frst-eve $FRS review "$JA" --examiner eve --face 1 \
  --candidate "$SUBJECT" --disposition possible-match --note "same ear shape"
if out=$(as frst-sam $FRS status 2>&1) && grep -q "$JH" <<<"$out"; then ok "supervisor sam's status shows the held job"
  else bad "sam's status: $out"; fi
expect_ok "sam approves the held job from his account" frst-sam $FRS approve "$JH" --supervisor sam --note ok
if out=$(as frst-bob $FRS approve "$JH" --supervisor sam --note forged 2>&1); then bad "bob's forged approve was accepted: $out"
  else ok "bob's forged approve is refused at once: $(tail -1 <<<"$out" | cut -c1-100)"; fi
# Past the command, by hand, as a hostile account would: the daemon refuses it and audits the refusal.
as frst-bob sh -c "umask 022; printf '%s' '{\"version\":1,\"job\":\"$JH\",\"supervisor\":\"sam\",\"decision\":\"approve\",\"note\":\"forged\"}' > '$SPOOL/tmp/forged.tmp' && mv '$SPOOL/tmp/forged.tmp' '$SPOOL/incoming/$JH-forged.approval'"
eventually 120 finished "$JH" "decision: completed" && ok "the approved job completed and ana sees it" \
  || bad "approved job: $(as frst-ana $FRS status "$JH" 2>&1 | tail -3)"
reviewed() { as frst-tom $FRS status "$JA" | grep -q "withheld until a second review) by eve"; }
eventually 60 reviewed && ok "the second examiner sees a pending review, not its disposition" \
  || bad "tom's status: $(as frst-tom $FRS status "$JA" 2>&1)"
expect_ok "tom records his review from his account" frst-tom $FRS review "$JA" --examiner tom --face 1 \
  --candidate "$SUBJECT" --disposition possible-match --note "same scar"
released() { as frst-ana $FRS status "$JA" | grep -q "lead: face 1 candidate $SUBJECT: released"; }
eventually 60 released && ok "ana sees the released lead" || bad "ana's status after reviews: $(as frst-ana $FRS status "$JA" 2>&1)"
eventually 30 grep -q '"event":"job.approval-refused"' "$SPOOL"/outbox/audit/*.jsonl \
  && ok "bob's hand-dropped forged approval is refused and audited" || bad "no job.approval-refused record"

# --- Root again, while the service runs: disclose, gallery calibrate, user add.
$FRS disclose "$JA" --out "$W/disclosed-root" >/dev/null 2>&1 && ok "root discloses a job while the service runs" \
  || bad "root's disclose"
$FRS gallery calibrate >/dev/null 2>&1 && ok "root calibrates the gallery while the service runs" || bad "root's gallery calibrate"
usermod -aG "$GA" frst-late
$FRS user add late --name late --agency CPD --role analyst --uid "$(uid late)" $V >/dev/null \
  && ok "root adds a person while the service runs" || bad "root's user add (late)"
daemon_alive && ok "the service still runs after root's disclose, calibrate and user add" \
  || bad "the daemon stopped: $(tail -3 "$W/daemon.log")"
JL=$(submit late late "Suspect photographed by the store camera during the robbery" "$W/probes/obama2.jpg")
eventually 120 sh -c "setpriv --reuid frst-late --regid frst-late --init-groups -- $FRS status $JL | grep -q 'decision: completed'" \
  && ok "a job after root's commands completes" || bad "late's job: $(as frst-late $FRS status "$JL" 2>&1 | tail -3); daemon: $(tail -3 "$W/daemon.log")"

# --- install.sh again (as every upgrade does), then the service restarts: everyone still works.
if out=$(install_frs); then ok "install.sh runs again"; else bad "install.sh again: $out"; fi
restart_daemon
[ "$(stat -c %G "$R/$JA.json")" = "$GA" ] && ok "ana's result kept its agency group through install.sh" \
  || bad "ana's result is now group $(stat -c %G "$R/$JA.json")"
expect_ok "ana still reads her result" frst-ana cat "$R/$JA.json"
J2=$(submit ana ana "Suspect photographed by the store camera during the robbery" "$W/probes/obama2.jpg")
eventually 120 finished "$J2" "decision: completed" && ok "ana's job after the reinstall completes" \
  || bad "ana's job after reinstall: $(as frst-ana $FRS status "$J2" 2>&1 | tail -3); daemon: $(tail -3 "$W/daemon.log")"
expect_ok "the auditor verifies the audit log" frst-aud $FRS audit verify
if out=$(as frst-aud $FRS audit report 2>&1) && grep -q "possible-match" <<<"$out"; then ok "the auditor reports"
  else bad "audit report: $out"; fi

# --- The regional administrator, from her own account (no root).
expect_ok "the regional administrator adds an agency from her own account" frst-reg $FRS agency add CCO --name "County"
expect_ok "she adds a person to it from her own account" frst-reg \
  $FRS user add carl --name carl --agency CCO --role analyst --uid "$(uid carl)" $V
if out=$(as frst-reg $FRS user list 2>&1) && grep -q "^carl " <<<"$out" && grep -q "^bob " <<<"$out"; then
  ok "she lists every agency's people"; else bad "reg's user list: $out"; fi
if out=$(as frst-reg $FRS gallery stats 2>&1) && grep -q "subjects: *2" <<<"$out"; then ok "she reads the gallery's figures"
  else bad "reg's gallery stats: $out"; fi

# --- The agency administrator of CPD: his agency only.
expect_ok "CPD's agency administrator adds a CPD analyst" frst-tac \
  $FRS user add newbie --name newbie --agency CPD --role analyst --uid "$(uid newbie)" $V
expect_ok "he suspends and reinstates a CPD person" frst-tac sh -c "$FRS user suspend newbie && $FRS user reinstate newbie"
expect_ok "he records a CPD person's training" frst-tac $FRS user train newbie --date 2026-06-02
if out=$(as frst-tac $FRS user list 2>&1) && grep -q "^ana " <<<"$out" && ! grep -q "^bob " <<<"$out"; then
  ok "his user list shows CPD's people only"; else bad "tac's user list: $out"; fi
expect_denied "he cannot add a person to MPD" frst-tac \
  $FRS user add intruder --name x --agency MPD --role analyst --uid 4999 $V
expect_denied "he cannot suspend MPD's bob" frst-tac $FRS user suspend bob
expect_denied "he cannot list MPD's people" frst-tac $FRS user list --agency MPD
expect_denied "he cannot make an administrator" frst-tac $FRS user add boss --name b --role admin --uid 4998 $V
expect_denied "he cannot change his own entry" frst-tac $FRS user suspend tac
JT=$(as frst-tac $FRS submit --requester tac --purpose active-investigation --case 1 --offense robbery \
  --justification "Suspect photographed by the store camera during the robbery" "$W/probes/obama2.jpg" 2>&1)
denied_role() { grep -q '"requester.role"' "$R/$JT.json"; }
eventually 60 denied_role && ok "he cannot search (his job is denied requester.role)" || bad "tac's search: $JT $(cat "$R/$JT.json" 2>&1 | head -5)"
if out=$(as frst-tac $FRS user review --agency CPD 2>&1) && grep -q "account review of agency CPD" <<<"$out" \
   && grep -q "ana " <<<"$out"; then ok "he prints CPD's account review"; else bad "tac's user review: $out"; fi
grep -q '"event":"admin.refused"' "$SPOOL"/outbox/audit/*.jsonl && ok "the refusals are audited" || bad "no admin.refused record"

# --- Disclosure by the people its help names, from their own accounts.
mkdir -m 700 "$W/aud-out" "$W/sam-out" && chown frst-aud "$W/aud-out" && chown frst-sam "$W/sam-out"
if as frst-aud $FRS disclose "$JA" --out "$W/aud-out" >/dev/null 2>&1 && [ -s "$W/aud-out/$JA-disclosure.html" ]; then
  ok "the auditor discloses a job from her own account"; else bad "auditor's disclose: $(as frst-aud $FRS disclose "$JA" --out "$W/aud-out" 2>&1)"; fi
if as frst-sam $FRS disclose "$JA" --out "$W/sam-out" >/dev/null 2>&1 && [ -s "$W/sam-out/$JA-disclosure.json" ]; then
  ok "the job's agency's supervisor discloses it from his own account"; else bad "sam's disclose"; fi
expect_denied "MPD's analyst cannot disclose CPD's job" frst-bob $FRS disclose "$JA" --out /tmp
if out=$(as frst-aud $FRS audit verify 2>&1); then ok "the chain is intact after everything"; else bad "verify: $out"; fi
daemon_alive && ok "the service ran throughout" || bad "the daemon is not running: $(tail -3 "$W/daemon.log")"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
