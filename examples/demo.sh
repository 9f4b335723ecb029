#!/bin/sh
# The guided tour behind `make demo`: one real training job, end to end, on this machine.
# A bare remote, a submitter's clone and a worker's clone, all in a throw-away folder.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
dtrain=${DTRAIN:-$here/.build/debug/dtrain}
demo=$(mktemp -d /tmp/dtrain-demo.XXXXXX)
keep=${KEEP:-}
cleanup() { [ -n "$keep" ] || rm -rf "$demo"; }
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "A shared spool: a bare git remote and the admin's clone (in $demo)"
cd "$demo"
run "$dtrain" init admin --remote "$demo/remote.git" --as admin --admin admin

step "The admin gives alice 500 rupees"
run "$dtrain" credit alice 500 --spool admin --memo "demo grant"

step "Alice clones the spool and prices the scikit-learn example (nothing is written)"
run "$dtrain" clone "$demo/remote.git" alice --as alice
run "$dtrain" quote "$here/examples/sklearn-digits" --main train.py --spool alice

step "Alice submits it as a draft, then publishes it (the price moves into escrow)"
job=$("$dtrain" submit "$here/examples/sklearn-digits" --main train.py --name digits \
    --timeout 10m --memory 1g --spool alice --json | sed -n 's/^  "id" : "\(.*\)",$/\1/p')
echo "job: $job"
run "$dtrain" publish "$job" --spool alice
run "$dtrain" wallet --spool alice

step "A worker node clones the spool and registers"
run "$dtrain" clone "$demo/remote.git" worker --as gpu-01
run "$dtrain" worker register --spool worker --min-price 5 --label site=demo --log-interval 1

step "The worker runs one job (as cron would), while alice follows the log"
"$dtrain" worker run --once --spool worker >"$demo/worker.log" 2>&1 &
worker_pid=$!
run "$dtrain" logs "$job" --follow --spool alice
wait "$worker_pid"
sed 's/^/  worker: /' "$demo/worker.log"

step "Alice fetches the outputs; the trained model's accuracy, from metrics.json"
run "$dtrain" output "$job" -o "$demo/out" --spool alice
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); \
print('  accuracy: %.4f' % m['accuracy'])" "$demo/out/metrics.json"

step "Wallets: alice paid, the worker earned 80%, the platform 20%"
run "$dtrain" sync --spool admin
run "$dtrain" wallet alice --spool admin
run "$dtrain" wallet worker:gpu-01 --spool admin
run "$dtrain" wallet platform --spool admin

step "Every rule checked over the whole history"
run "$dtrain" verify --spool admin
run "$dtrain" jobs --spool admin
