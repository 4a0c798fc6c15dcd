#!/usr/bin/env bash
# The main job, end to end, on the default spool (./spool): an agency and its users, a gallery of
# booking photos, one case request for each of the five authorized purposes, requests the policy must
# deny or hold, a supervisor's approval, the daemon, and a summary of the outbox and the audit log.
#
# Installs what is missing first (scripts/setup.sh), builds in release mode. The demo spool is
# re-created on each run (it is demo data; a real spool is never wiped).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "demo: building (release)…"
swift build -c release 2>&1 | tail -1
frs() { .build/release/frs "$@"; }
export FRS_MODELS="${FRS_MODELS:-$PWD/models}"
export FRS_SPOOL="$PWD/spool"
F=Tests/Fixtures
day() { date -u -d "$1" +%F; }

echo; echo "== 1. A fresh spool; the account running this becomes its first administrator"
find spool -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
frs init
uid=$(id -u)
# One account is one person of one agency. As root the demo gives each person an account of their own
# (numeric uids, through setpriv), as the regional service does; otherwise this account is the analyst,
# and what the others do from it is refused, and audited, as it must be (identity mismatch, self-approval).
if [ "$uid" = 0 ] && command -v setpriv >/dev/null; then
  analyst_uid=4241 examiner_uid=4243 super_uid=4245 stale_uid=4246 susp_uid=4247
else
  analyst_uid=$uid examiner_uid=4243 super_uid=4245 stale_uid=4246 susp_uid=4247
  echo "(not root: this account is analyst1; requests of the other people go from it and are refused as not theirs)"
fi
# Runs a command as the account `$1`, or as this one when it cannot switch.
as() { local who=$1; shift; if [ "$uid" = 0 ] && [ "$who" != 0 ]; then setpriv --reuid="$who" --regid="$who" --clear-groups "$@"; else "$@"; fi; }
frs agency add DEMO --name "Demo City Police Department"
frs user add analyst1 --name "Alex Analyst" --agency DEMO --role analyst --uid "$analyst_uid" --vetted "$(day '-200 days')" --trained "$(day '-30 days')"
frs user add super1 --name "Sam Supervisor" --agency DEMO --role supervisor --uid "$super_uid" --vetted "$(day '-400 days')" --trained "$(day '-60 days')"
frs user add examiner1 --name "Eve Examiner" --agency DEMO --role examiner --uid "$examiner_uid" --vetted "$(day '-400 days')" --trained "$(day '-10 days')"
frs user add stale1 --name "Pat Lapsed" --agency DEMO --role analyst --uid "$stale_uid" --vetted "$(day '-900 days')" --trained "$(day '-400 days')"
frs user add susp1 --name "Kim Suspended" --agency DEMO --role analyst --uid "$susp_uid" --vetted "$(day '-300 days')" --trained "$(day '-20 days')"
frs user suspend susp1

echo; echo "== 2. The gallery: booking photos from jobs/gallery/manifest.csv"
frs gallery enroll jobs/gallery/manifest.csv
frs gallery stats

echo; echo "== 3. Case requests"
# Each request from its requester's own account: `submit LABEL UID ARGS…`.
declare -A job_of  # label → job id, checked in step 8
submit() {
  local label=$1 who=$2; shift 2; local id
  id=$(as "$who" "$PWD/.build/release/frs" submit "$@")
  job_of[$label]=$id
  printf '  %-44s %s\n' "$label" "$id"
}
submit "reasonable-suspicion" "$analyst_uid" --requester analyst1 --purpose reasonable-suspicion --case 26-000101 --offense burglary \
  --justification "Man seen trying car doors in the lot on camera, matching a burglary pattern" "$F/johns/John_Savage/000290_01099067.jpg"
submit "active-investigation" "$analyst_uid" --requester analyst1 --purpose active-investigation --case 26-000102 --offense "armed robbery" \
  --justification "Suspect photographed by the store camera during the robbery on 2026-11-02" --max-candidates 5 "$F/images/obama2.jpg"
submit "incapacitated-or-at-risk" "$analyst_uid" --requester analyst1 --purpose incapacitated-or-at-risk --case RPT-26-0099 \
  --justification "Unconscious man found without identification, needs next of kin notified" "$F/johns/John_Schneider/000326_00925765.jpg"
submit "tips-and-leads" "$analyst_uid" --requester analyst1 --purpose tips-and-leads --case 26-000104 \
  --justification "Anonymous tip with a photo of two men said to be wanted on a warrant" "$F/images/two_people.jpg"
submit "witness-or-victim" "$analyst_uid" --requester analyst1 --purpose witness-or-victim --case 26-000105 --offense "aggravated assault" \
  --justification "Victim of an aggravated assault cannot be identified; photo taken at the hospital" "$F/johns/John_Simm/000300_00470148.jpg"
submit "held: watch term (protest)" "$analyst_uid" --requester analyst1 --purpose active-investigation --case 26-000106 --offense vandalism \
  --justification "Person photographed damaging a police vehicle at the protest downtown" "$F/johns/John_Salley/000186_02159346.jpg"
submit "denied: personal use" "$analyst_uid" --requester analyst1 --purpose personal --justification "Want to know who my new neighbour is, saw him today" "$F/images/obama_small.jpg"
submit "denied: not a violent crime" "$analyst_uid" --requester analyst1 --purpose witness-or-victim --case 26-000108 --offense shoplifting \
  --justification "Witness to a shoplifting at the pharmacy, wants to be identified" "$F/images/obama_small.jpg"
submit "denied: training expired" "$stale_uid" --requester stale1 --purpose tips-and-leads --case 26-000109 \
  --justification "Tip line photo of a man said to be selling stolen bicycles" "$F/images/obama_small.jpg"
submit "denied: requester suspended" "$susp_uid" --requester susp1 --purpose tips-and-leads --case 26-000110 \
  --justification "Tip line photo of a man said to be selling stolen bicycles" "$F/images/obama_small.jpg"
# What frs submit can see is refused before anything is queued, with its reason (exit 1).
not_a_photo=$(mktemp /tmp/frs-demo-XXXXXX.jpg) && trap 'rm -f "$not_a_photo"' EXIT
printf 'not a photo\n' > "$not_a_photo" && chmod 644 "$not_a_photo"   # the analyst's account reads it
if refusal=$(as "$analyst_uid" "$PWD/.build/release/frs" submit --requester analyst1 --purpose tips-and-leads --case 26-000111 \
     --justification "Tip line attachment that turned out not to be a photograph" "$not_a_photo" 2>&1); then
  echo "demo: frs submit queued a file that is not an image" >&2; exit 1
fi
printf '  %-44s %s\n' "refused at submit: not an image" "$(head -1 <<<"$refusal")"
# Job files dropped by hand (jobs/examples): a protected-class filter and a live-surveillance request.
# Dropped by the analyst's account as README.md shows (written in tmp/, readable by the daemon, moved in).
mkdir -p spool/evidence/demo && cp "$F/johns/John_Savage/000290_01099067.jpg" spool/evidence/demo/probe-savage.jpg
for name in protected-class-filter live-surveillance; do
  as "$analyst_uid" sh -c 'cp "$1" "$2/tmp/$3.json" && chmod 644 "$2/tmp/$3.json" && mv "$2/tmp/$3.json" "$2/incoming/"' \
    drop "jobs/examples/$name.json" "$FRS_SPOOL" "demo-$name"
  job_of["denied: $name (file drop)"]=demo-$name
  printf '  %-44s %s\n' "denied: $name (file drop)" "demo-$name"
done

echo; echo "== 4. The daemon drains the queue"
frs daemon --once

echo; echo "== 5. A supervisor approves the held request; the daemon runs it"
held=$(ls spool/held | sed -n 's/\.json$//p' | head -1)
[ "$uid" != 0 ] && echo "(not root: the approval goes from the analyst's account and is refused; run as root to see it go through)"
as "$super_uid" "$PWD/.build/release/frs" approve "$held" --supervisor super1 --note "Vandalism of a police vehicle, not the assembly itself" \
  || [ "$uid" != 0 ]  # refused at once (exit 1) when it goes from the analyst's account
frs daemon --once

echo; echo "== 6. Results (outbox/results) — investigative leads only"
for f in spool/outbox/results/*.json; do
  job=$(basename "$f" .json)
  frs status "$job" | sed -n '1p;/decision:/p;/reasons:/p;/candidates:/p' | paste -sd' ' | sed 's/  */ /g'
done
echo; echo "== 7. The audit log"
frs audit verify
frs audit report | sed -n '1,12p'

echo; echo "== 8. What each request came to, checked"
# Where each job is and how it ended (`frs status`): "done completed", "done denied <reasons>", "held".
outcome() { frs status "$1" | sed -n 's/^  in: //p;s/^  decision: //p;s/^  reasons: //p' | paste -sd' '; }
mismatch=requester.identity-mismatch
declare -A want=(
  ["reasonable-suspicion"]="done completed" ["active-investigation"]="done completed"
  ["incapacitated-or-at-risk"]="done completed" ["tips-and-leads"]="done completed" ["witness-or-victim"]="done completed"
  ["held: watch term (protest)"]="done completed"
  ["denied: personal use"]="done denied purpose.unauthorized"
  ["denied: not a violent crime"]="done denied purpose.not-violent-crime"
  ["denied: training expired"]="done denied requester.training-expired"
  ["denied: requester suspended"]="done denied requester.suspended"
  ["denied: protected-class-filter (file drop)"]="done denied use.protected-class-filter"
  ["denied: live-surveillance (file drop)"]="done denied use.live-surveillance"
)
if [ "$uid" != 0 ]; then  # one account: the others' requests are not theirs, the approval is refused
  want["held: watch term (protest)"]="held"
  want["denied: training expired"]="done denied requester.training-expired, $mismatch"
  want["denied: requester suspended"]="done denied requester.suspended, $mismatch"
fi
passed=0 failed=0
for label in "${!want[@]}"; do
  got=$(outcome "${job_of[$label]}")
  if [ "$got" = "${want[$label]}" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "  FAIL  $label (${job_of[$label]}): ${want[$label]} expected, got: $got"
  fi
done
if frs audit verify >/dev/null; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "  FAIL  frs audit verify"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || exit 1
echo; echo "demo: done. Results in spool/outbox/results/, the audit log in spool/outbox/audit/."
