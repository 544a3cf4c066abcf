#!/usr/bin/env bash
# The README's test command (make test, .ci/run): vet and unit tests of every
# module, short fuzz runs of the parsers and normalizers, and the integration
# tests against embedded NATS JetStream and a real ClickHouse server that this
# script starts (or VIGIA_CLICKHOUSE_ADDR, if you have one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# The test server lives apart from `make run`'s, so tests never touch demo data.
export VIGIA_STATE_DIR=${VIGIA_TEST_STATE_DIR:-$root/.state/test}
started_here=
if [[ -z ${VIGIA_CLICKHOUSE_ADDR:-} ]]; then
    started_here=1
fi
eval "$(deploy/clickhouse/start.sh | tail -1)"
export VIGIA_TEST_CLICKHOUSE_ADDR=$VIGIA_CLICKHOUSE_ADDR
# The writer and read-only analyst users start.sh defines on a server it
# started; a server given from outside is tested without them.
if [[ -n $started_here ]]; then
    export VIGIA_TEST_CLICKHOUSE_WRITER_PASSWORD_FILE=$VIGIA_STATE_DIR/clickhouse/writer.password
    export VIGIA_TEST_CLICKHOUSE_ANALYST_PASSWORD_FILE=$VIGIA_STATE_DIR/clickhouse/analyst.password
fi
unset VIGIA_CLICKHOUSE_ADDR
if [[ -n $started_here ]]; then
    trap 'deploy/clickhouse/stop.sh >/dev/null 2>&1 || true' EXIT
fi
echo "test: ClickHouse at $VIGIA_TEST_CLICKHOUSE_ADDR" >&2

mapfile -t modules < <(go list -f '{{.Dir}}' -m)
for m in "${modules[@]}"; do
    (cd "$m" && go vet ./...)
done
unformatted=$(gofmt -l pkg services schemas)
if [[ -n $unformatted ]]; then
    echo "test: gofmt would change: $unformatted" >&2
    exit 1
fi
if command -v docker-compose >/dev/null 2>&1; then
    docker-compose -f docker-compose.yml config -q
    echo "test: docker-compose.yml valid" >&2
fi

# Fuzz targets run briefly so a regression in a parser shows up here; longer
# runs are `make fuzz`.
fuzz_time=${VIGIA_FUZZ_TIME:-3s}
while read -r file; do
    dir=$(dirname "$file")
    for target in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "pkg/$file" | cut -d' ' -f2); do
        (cd pkg && go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzz_time" "./$dir" >/dev/null) ||
            { echo "test: fuzz target $target in pkg/$dir failed" >&2; exit 1; }
        echo "test: fuzzed $target for $fuzz_time" >&2
    done
done < <(cd pkg && grep -rlE --include='*_test.go' '^func Fuzz' .)

go_test_dirs=()
for m in "${modules[@]}"; do go_test_dirs+=("$m/..."); done
go test -count=1 "${go_test_dirs[@]}"
