#!/usr/bin/env bash
# make bench: the pipeline against raw NATS + ClickHouse baselines measured in
# the same run (vigia bench --help for the knobs, e.g. --events, --rate,
# --catchup-events). Writes bench-latest.json next to the table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
export VIGIA_STATE_DIR=${VIGIA_BENCH_STATE_DIR:-$PWD/.state/bench}
eval "$(deploy/clickhouse/start.sh | tail -1)"
export VIGIA_CLICKHOUSE_ADDR
mkdir -p bin
(cd services && go build -o ../bin/ ./enricher ./classifier ./detector ./writer ./vigia)
exec bin/vigia bench --bin-dir bin --json bench-latest.json "$@"
