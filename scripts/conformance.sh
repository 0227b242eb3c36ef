#!/usr/bin/env bash
# Conformance: is mimtrust transparent for what it permits? Runs the FIWARE NGSI-LD test
# suite from the conformance kit twice against a real broker (Cassiopeia on PostgreSQL):
# direct, then through mimtrust (roles only, an operator token, the gateway presenting the
# broker's Basic credential through upstream.auth). Exits with the kit's comparison: 1 when
# a test that passes direct does not pass through the gateway.
#
#   scripts/conformance.sh
#
# The kit is looked for beside the checkout (../shared/conformance) unless
# MIMTRUST_CONFORMANCE_KIT names it; without a kit the run is skipped (exit 0).
# Environment: WORK (the kit's work folder, default /tmp/ngsi-ld-conformance),
# MIMTRUST_CONFORMANCE_BROKER_PORT (default 3000).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
KIT=${MIMTRUST_CONFORMANCE_KIT:-$REPO/../shared/conformance}
if [ ! -x "$KIT/setup.sh" ] || [ ! -f "$KIT/compare.mjs" ]; then
  echo "conformance: skipped: conformance kit not found at $KIT"
  exit 0
fi
KIT=$(cd "$KIT" && pwd)
export WORK=${WORK:-/tmp/ngsi-ld-conformance}
BROKER_PORT=${MIMTRUST_CONFORMANCE_BROKER_PORT:-3000}
BROKER_URL="http://127.0.0.1:$BROKER_PORT"
# cassiopeia:cassiopeia, the credential the kit's broker wants for writes.
BROKER_BASIC='Basic Y2Fzc2lvcGVpYTpjYXNzaW9wZWlh'

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mimtrust-conformance.XXXXXX")
broker_started=0
gateway_pid=
cleanup() {
  local status=$?
  if [ -n "$gateway_pid" ]; then
    kill "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  if [ "$broker_started" = 1 ]; then "$KIT/stop-broker.sh" "$BROKER_PORT" || true; fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "conformance: kit $KIT, work folder $WORK"
"$KIT/setup.sh"

# A broker this script did not start is used, and left running.
if port_open "$BROKER_PORT"; then
  echo "conformance: using the broker already listening on $BROKER_URL"
else
  "$KIT/start-broker.sh" "$BROKER_PORT"
  broker_started=1
fi

"$KIT/reset-broker.sh" "$BROKER_PORT"
TEST_HEADERS="{\"Authorization\":\"$BROKER_BASIC\"}" "$KIT/run-suite.sh" "$BROKER_URL" direct

# The gateway: the built CLI, a throw-away configuration, keys and audit log.
(cd "$REPO" && npm run --silent build)
GATEWAY_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mkdir -p "$TMP/contracts"
cat > "$TMP/mimtrust.json" <<JSON
{
  "listen": { "host": "127.0.0.1", "port": $GATEWAY_PORT },
  "upstream": {
    "url": "$BROKER_URL",
    "auth": { "header": { "name": "Authorization", "valueEnv": "MIMTRUST_CONFORMANCE_BROKER_AUTH" } }
  },
  "keysDir": "$TMP/keys",
  "store": { "path": "$TMP/mimtrust.db" },
  "policiesDir": "$REPO/policies",
  "contractsDir": "$TMP/contracts",
  "enforceContracts": false,
  "watchContracts": false,
  "watchPolicies": false,
  "logLevel": "warn"
}
JSON
MIMTRUST_CONFORMANCE_BROKER_AUTH="$BROKER_BASIC" \
  node "$REPO/dist/cli/index.js" start --config "$TMP/mimtrust.json" > "$TMP/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do
  port_open "$GATEWAY_PORT" && break
  kill -0 "$gateway_pid" 2>/dev/null || { echo "conformance: the gateway did not start:"; cat "$TMP/gateway.log"; exit 2; }
  sleep 0.2
done
port_open "$GATEWAY_PORT" || { echo "conformance: the gateway is not listening on $GATEWAY_PORT"; cat "$TMP/gateway.log"; exit 2; }
TOKEN=$(node "$REPO/dist/cli/index.js" token --config "$TMP/mimtrust.json" --sub conformance --roles operator --ttl 3600)

"$KIT/reset-broker.sh" "$BROKER_PORT"
TEST_HEADERS="{\"Authorization\":\"Bearer $TOKEN\"}" "$KIT/run-suite.sh" "https://127.0.0.1:$GATEWAY_PORT" gateway

set +e
node "$KIT/compare.mjs" "$WORK/results/direct.json" "$WORK/results/gateway.json"
verdict=$?
set -e
if [ "$verdict" != 0 ]; then
  echo "conformance: gateway log:"
  tail -n 50 "$TMP/gateway.log"
fi
exit "$verdict"
