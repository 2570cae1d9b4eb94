#!/usr/bin/env bash
# Property-based test of the JSON API: schemathesis generates requests from the
# OpenAPI document served at /api/openapi.json and checks every answer against
# it (`--checks all`: status codes, schemas, headers and content types of the
# answers, refusal of invalid input, acceptance of valid input, stateful
# sequences of calls, authentication).
#
# The demo is served on a throw-away SQLite database and tested as four
# accounts in turn, each with its own API token, so that every operation is
# reached by someone allowed to use it:
#   xa.nhaplieu   data entry at a commune, with a report opened and a file
#                 attached beforehand (their ids are given to schemathesis)
#   tinh.tonghop  reviewer at the province
#   tinh.chedo    regime administrator at the province (catalogue writes)
#   admin         system administrator (units, users, the calendar), last,
#                 since it may change what the others may do
#
# Left out, because they end the credentials the run uses (HTTP tests cover
# them): PUT /api/v1/users/{id}/password (a new password revokes the user's
# API tokens unless `keep_tokens`) and DELETE /api/v1/tokens/{id} (it may
# revoke the very token in use). DELETE /api/v1/session is tested: with a
# bearer token there is no session to end, and it answers 401.
#
# One worker: Python 3.11's parser is not safe across threads, and hypothesis
# parses lambdas' sources while generating ("AST constructor recursion depth
# mismatch", CPython gh-106905, seen on this machine with two workers).
#
# Deterministic: a fixed seed and a bounded number of examples per operation
# (SCHEMATHESIS_EXAMPLES, SCHEMATHESIS_SEED). Exits non-zero on any failure or
# error. Expects the debug binary (cargo build --bin baocao).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baocao-target}"
bin="$CARGO_TARGET_DIR/debug/baocao"
venv="$HOME/.cache/baocao-venv"
examples="${SCHEMATHESIS_EXAMPLES:-20}"
seed="${SCHEMATHESIS_SEED:-20260214}"
password="schemathesis-demo-password"

if [[ ! -x "$bin" ]]; then
  echo "missing $bin: run cargo build --bin baocao first" >&2
  exit 2
fi

if [[ ! -x "$venv/bin/schemathesis" ]]; then
  echo "== installing schemathesis into $venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv > /dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi

work="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free port on the loopback.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"

echo "== demo on $base"
"$bin" demo --database "sqlite://$work/demo.db" --listen "127.0.0.1:$port" \
  --password "$password" --no-history > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -fsS "$base/healthz" > /dev/null 2>&1 && break
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$work/server.log" >&2
    echo "the demo server stopped" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "$base/healthz" > /dev/null

# A top-level field of the JSON on standard input.
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# Logs in as $1 and prints a new API token.
token_for() {
  local csrf
  csrf="$(curl -fsS -c "$work/cookies" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/session" | field csrf_token)"
  curl -fsS -b "$work/cookies" -H 'content-type: application/json' -H "x-csrf-token: $csrf" \
    -d '{"name":"schemathesis"}' "$base/api/v1/tokens" | field token
}

# Runs schemathesis as the owner of token $2 (named $1), with the
# configuration $3.
failed=0
summaries=()
run_as() {
  local name="$1" token="$2" config="$3" status=0 start=$SECONDS
  echo
  echo "== schemathesis as $name ($examples examples per operation, seed $seed)"
  # From the work directory, so that nothing is left in the repository.
  (
    cd "$work"
    SCHEMATHESIS_HOOKS="$root/.ci/schemathesis_hooks.py" \
      "$venv/bin/schemathesis" --config-file "$config" run "$base/api/openapi.json" \
      -H "Authorization: Bearer $token" \
      --checks all \
      --max-examples "$examples" \
      --seed "$seed" \
      --workers 1 \
      --generation-database none \
      --request-timeout 30 \
      --no-color \
      --exclude-name 'PUT /api/v1/users/{id}/password' \
      --exclude-name 'DELETE /api/v1/tokens/{id}'
  ) > "$work/$name.log" 2>&1 || status=$?
  # The failures in full, then the summary.
  sed -n '/^=* \(ERRORS\|FAILURES\) =*$/,/^=* WARNINGS =*$/p' "$work/$name.log"
  sed -n '/^=* SUMMARY =*$/,$p' "$work/$name.log"
  if [[ $status -ne 0 ]]; then
    grep -q '= SUMMARY =' "$work/$name.log" || cat "$work/$name.log"
    failed=1
  fi
  summaries+=("$name: $(grep -E '^=+ .* in [0-9.]+s =+$' "$work/$name.log" | tail -n1 | tr -d '=' | xargs) (exit $status, $((SECONDS - start)) s)")
}

# Every token first: the runs try logins with names they have seen, which
# may throttle these accounts' logins (not their tokens).
declare -A tokens
for user in xa.nhaplieu tinh.tonghop tinh.chedo admin; do
  tokens[$user]="$(token_for "$user")"
  curl -fsS -H "Authorization: Bearer ${tokens[$user]}" "$base/api/v1/session" > /dev/null
done

# Data entry: a report of its unit opened (the first it owes), a PDF attached.
auth=(-H "Authorization: Bearer ${tokens[xa.nhaplieu]}")
read -r regime unit period < <(curl -fsS "${auth[@]}" "$base/api/v1/reports/mine" |
  python3 -c 'import json, sys; d = json.load(sys.stdin)[0]; print(d["regime"], d["unit"], d["period"])')
report="$(curl -fsS "${auth[@]}" -H 'content-type: application/json' \
  -d "{\"regime\":\"$regime\",\"unit_id\":$unit,\"period\":\"$period\"}" "$base/api/v1/reports" | field id)"
attachment="$(printf '%%PDF-1.4\n%%%%EOF\n' | curl -fsS "${auth[@]}" -H 'content-type: application/octet-stream' \
  --data-binary @- "$base/api/v1/reports/$report/attachments?name=schemathesis.pdf" | field id)"
echo "opened report $report ($regime, unit $unit, $period) with attachment $attachment"
cp "$root/.ci/schemathesis.toml" "$work/data-entry.toml"
cat >> "$work/data-entry.toml" <<EOF

# Written by .ci/schemathesis.sh: the report opened for this run, and its attachment.
[dictionaries.reports]
values = [$report]

[dictionaries.attachments]
values = [$attachment]

[[operations]]
include-path-regex = '^/api/v1/reports/\{id\}'
parameters."path.id" = { dictionary = "reports", probability = 0.5 }

[[operations]]
include-path-regex = '^/api/v1/attachments/\{id\}'
parameters."path.id" = { dictionary = "attachments", probability = 0.5 }
EOF
run_as xa.nhaplieu "${tokens[xa.nhaplieu]}" "$work/data-entry.toml"
for user in tinh.tonghop tinh.chedo admin; do
  run_as "$user" "${tokens[$user]}" "$root/.ci/schemathesis.toml"
done

echo
echo "== schemathesis summaries"
printf '%s\n' "${summaries[@]}"
exit "$failed"
