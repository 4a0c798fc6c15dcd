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
# One account is one person: a supervisor cannot approve a request from their own account. As root the
# demo gives the supervisor an account of their own (a numeric uid, through setpriv); otherwise the
# approval in step 5 is refused, and audited, as it must be.
super_uid=$uid
if [ "$uid" = 0 ] && command -v setpriv >/dev/null; then super_uid=4245; fi
as_supervisor() { if [ "$super_uid" != "$uid" ]; then setpriv --reuid="$super_uid" --regid="$super_uid" --clear-groups "$@"; else "$@"; fi; }
frs agency add DEMO --name "Demo City Police Department"
frs user add analyst1 --name "Alex Analyst" --agency DEMO --role analyst --uid "$uid" --vetted "$(day '-200 days')" --trained "$(day '-30 days')"
frs user add super1 --name "Sam Supervisor" --agency DEMO --role supervisor --uid "$super_uid" --vetted "$(day '-400 days')" --trained "$(day '-60 days')"
frs user add examiner1 --name "Eve Examiner" --agency DEMO --role examiner --uid "$uid" --vetted "$(day '-400 days')" --trained "$(day '-10 days')"
frs user add stale1 --name "Pat Lapsed" --agency DEMO --role analyst --uid "$uid" --vetted "$(day '-900 days')" --trained "$(day '-400 days')"
frs user add susp1 --name "Kim Suspended" --agency DEMO --role analyst --uid "$uid" --vetted "$(day '-300 days')" --trained "$(day '-20 days')"
frs user suspend susp1

echo; echo "== 2. The gallery: booking photos from jobs/gallery/manifest.csv"
frs gallery enroll jobs/gallery/manifest.csv
frs gallery stats

echo; echo "== 3. Case requests"
submit() { local label=$1; shift; local id; id=$(frs submit "$@"); printf '  %-34s %s\n' "$label" "$id"; }
submit "reasonable-suspicion" --requester analyst1 --purpose reasonable-suspicion --case 26-000101 --offense burglary \
  --justification "Man seen trying car doors in the lot on camera, matching a burglary pattern" "$F/johns/John_Savage/000290_01099067.jpg"
submit "active-investigation" --requester analyst1 --purpose active-investigation --case 26-000102 --offense "armed robbery" \
  --justification "Suspect photographed by the store camera during the robbery on 2026-11-02" --max-candidates 5 "$F/images/obama2.jpg"
submit "incapacitated-or-at-risk" --requester analyst1 --purpose incapacitated-or-at-risk --case RPT-26-0099 \
  --justification "Unconscious man found without identification, needs next of kin notified" "$F/johns/John_Schneider/000326_00925765.jpg"
submit "tips-and-leads" --requester analyst1 --purpose tips-and-leads --case 26-000104 \
  --justification "Anonymous tip with a photo of two men said to be wanted on a warrant" "$F/images/two_people.jpg"
submit "witness-or-victim" --requester analyst1 --purpose witness-or-victim --case 26-000105 --offense "aggravated assault" \
  --justification "Victim of an aggravated assault cannot be identified; photo taken at the hospital" "$F/johns/John_Simm/000300_00470148.jpg"
submit "held: watch term (protest)" --requester analyst1 --purpose active-investigation --case 26-000106 --offense vandalism \
  --justification "Person photographed damaging a police vehicle at the protest downtown" "$F/johns/John_Salley/000186_02159346.jpg"
submit "denied: personal use" --requester analyst1 --purpose personal --justification "Want to know who my new neighbour is, saw him today" "$F/images/obama_small.jpg"
submit "denied: not a violent crime" --requester analyst1 --purpose witness-or-victim --case 26-000108 --offense shoplifting \
  --justification "Witness to a shoplifting at the pharmacy, wants to be identified" "$F/images/obama_small.jpg"
submit "denied: training expired" --requester stale1 --purpose tips-and-leads --case 26-000109 \
  --justification "Tip line photo of a man said to be selling stolen bicycles" "$F/images/obama_small.jpg"
submit "denied: requester suspended" --requester susp1 --purpose tips-and-leads --case 26-000110 \
  --justification "Tip line photo of a man said to be selling stolen bicycles" "$F/images/obama_small.jpg"
printf 'not a photo\n' > /tmp/frs-demo-not-a-photo.jpg
submit "denied: probe is not an image" --requester analyst1 --purpose tips-and-leads --case 26-000111 \
  --justification "Tip line attachment that turned out not to be a photograph" /tmp/frs-demo-not-a-photo.jpg
# Job files dropped by hand (jobs/examples): a protected-class filter and a live-surveillance request.
mkdir -p spool/evidence/demo && cp "$F/johns/John_Savage/000290_01099067.jpg" spool/evidence/demo/probe-savage.jpg
for name in protected-class-filter live-surveillance; do
  cp "jobs/examples/$name.json" "spool/tmp/demo-$name.json" && mv "spool/tmp/demo-$name.json" "spool/incoming/demo-$name.json"
  printf '  %-34s %s\n' "denied: $name (file drop)" "demo-$name"
done

echo; echo "== 4. The daemon drains the queue"
frs daemon --once

echo; echo "== 5. A supervisor approves the held request; the daemon runs it"
held=$(ls spool/held | sed -n 's/\.json$//p' | head -1)
[ "$super_uid" = "$uid" ] && echo "(one account plays every role here: the approval will be refused as self-approval; run as root to see it go through)"
as_supervisor .build/release/frs approve "$held" --supervisor super1 --note "Vandalism of a police vehicle, not the assembly itself"
frs daemon --once

echo; echo "== 6. Results (outbox/results) — investigative leads only"
for f in spool/outbox/results/*.json; do
  job=$(basename "$f" .json)
  frs status "$job" | sed -n '1p;/decision:/p;/reasons:/p;/candidates:/p' | paste -sd' ' | sed 's/  */ /g'
done
echo; echo "== 7. The audit log"
frs audit verify
frs audit report | sed -n '1,12p'
echo; echo "demo: done. Results in spool/outbox/results/, the audit log in spool/outbox/audit/."
