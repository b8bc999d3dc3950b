#!/bin/sh
# The example field app (examples/field_app.c, built by `make examples` next
# to the ruta binary) as a team's device against a local hub: what it records
# reaches head office, it reports progress and a summary, a concurrent edit
# shows as a conflict with both values (exit 3), and once head office
# resolves it the app syncs cleanly again.
. "$(dirname "$0")/lib.sh"

APP=$(dirname "$RUTA")/examples/field_app
[ -x "$APP" ] || skip_all "no field app at '$APP' (run 'make examples')"
HUB=$PWD/hub.git

hub_replicas north
must ruta -C hq keys endorse north.pub --team north
must ruta -C hq sync
must ruta -C north account add --name 'Bodegas Norte S.L.' --region Rioja
ACC=$out

# ---- a first session: a visit and a stage move reach head office ----------
expect_exit 0 "$APP" north "$HUB" --account "$ACC"
expect_stdout "^replica north-[a-z0-9]+ of team north$" "the app opened the device's replica"
expect_stdout "^visit [0-9A-Z]{26} held$" "the app recorded a held visit"
expect_stdout "^opportunity [0-9A-Z]{26} moved to needs$" "the app moved a new deal to the next stage"
expect_stdout "^synced: pulled [0-9]+, applied [0-9]+, new conflicts 0, pushed 1$" "a sync summary"
expect_stdout "^0 open conflicts$" "no conflicts"
expect_stderr "^field_app: sending objects: ([0-9]+)/\1$" "a progress line for the push on stderr"
OPP=$(printf '%s\n' "$out" | sed -n 's/^opportunity \([0-9A-Z]*\) moved.*/\1/p')
VISIT=$(printf '%s\n' "$out" | sed -n 's/^visit \([0-9A-Z]*\) held$/\1/p')

must ruta -C hq sync
ok ruta -C hq activity show "$VISIT" --json
is "$(jget "$out" .kind)/$(jget "$out" .status)" "visit/held" "head office has the visit, held"
is "$(jget "$out" .account_id)" "$ACC" "... at the account given"
is "$(jget "$out" .opportunity_id)" "$OPP" "... about the deal"
ok ruta -C hq opp show "$OPP" --json
is "$(jget "$out" .stage)" needs "head office has the deal in stage needs"

# ---- nothing new from anyone: a clean sync ----------------------------------
expect_exit 0 "$APP" north "$HUB"
expect_stdout "^opportunity $OPP moved to offer_sent$" "the next session moves the same deal on"
expect_stdout "^synced: pulled 0, applied 0, new conflicts 0, pushed 1$" "nothing to pull"
expect_stdout "^0 open conflicts$" "still no conflicts"

# ---- a concurrent edit: head office and the device set the next step --------
must ruta -C hq sync
must ruta -C hq opp edit "$OPP" --next-step 'call the owner on Monday'
must ruta -C hq sync
must ruta -C north opp edit "$OPP" --next-step 'send the price list'
expect_exit 3 "$APP" north "$HUB"
expect_stdout "^synced: pulled 1, applied 1, new conflicts 1, pushed 1$" "the sync tells of one new conflict"
expect_stdout "^conflict [0-9a-f]{12}: opp $OPP, field next_step, was set to different values:$" \
	"the conflict is named: record and field"
expect_stdout "^  'call the owner on Monday' set by hq-[a-z0-9]+ at " "head office's value and who set it"
expect_stdout "^  'send the price list' set by north-[a-z0-9]+ at " "the device's value and who set it"
expect_stdout "^  it shows '(call the owner on Monday|send the price list)' until someone decides$" \
	"the value shown meanwhile"
expect_stdout "^1 open conflict$" "one open conflict"
CONFLICT=$(printf '%s\n' "$out" | sed -n 's/^conflict \([0-9a-f]*\):.*/\1/p')

expect_stderr "^field_app: receiving objects: ([0-9]+)/\1$" "a progress line for the pull on stderr"

# ---- head office decides; the next session is clean ------------------------
run ruta -C hq sync   # exits 3: head office has the conflict too
is "$rc" 3 "head office sees the conflict as well"
must ruta -C hq resolve "$CONFLICT" --take 'send the price list'
must ruta -C hq sync
expect_exit 0 "$APP" north "$HUB"
expect_stdout "^0 open conflicts$" "the resolution arrived: no conflict left"
expect_stdout "^opportunity [0-9A-Z]{26} moved to needs$" "a deal at its last open stage gives way to a new one"
isnt "$(printf '%s\n' "$out" | sed -n 's/^opportunity \([0-9A-Z]*\) moved.*/\1/p')" "$OPP" "... a different one"
ok ruta -C north opp show "$OPP" --json
is "$(jget "$out" .next_step)" "send the price list" "the device shows head office's decision"

# ---- a new device: the app creates its replica --------------------------------
expect_exit 0 "$APP" phone "$HUB" --team south --root-key root.pub
expect_stdout "^replica south-[a-z0-9]+ of team south$" "a first run creates the device's replica"
expect_stdout "^synced: pulled [1-9][0-9]*, " "... and pulls what the hub holds"
is "$(jget "$(ruta -C phone status --json)" .conflicts)" 0 "it took in everything on the hub, in agreement"
ok ruta -C phone hub show
expect_stdout "$HUB" "... with the hub set"

# ---- errors come with the library's message -----------------------------------
expect_exit 1 "$APP" nowhere "$HUB"
expect_stderr "^field_app: opening the replica: .*nowhere" "no replica: the library's message"
expect_exit 2 "$APP" north
expect_stderr "^usage: field_app DIR HUB" "usage"

done_testing
