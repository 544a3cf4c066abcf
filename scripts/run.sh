#!/usr/bin/env bash
# The README's main command (make run): start ClickHouse (installing Debian's
# package if no server is around), build vigia, apply the migrations, run the
# all-in-one pipeline with embedded NATS on the built-in sample of 64 Spanish
# and English calls, chats and emails, and print what landed in ClickHouse.
# Running it again stores nothing twice: event ids are deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export VIGIA_STATE_DIR=${VIGIA_STATE_DIR:-$root/.state}

if ! command -v go >/dev/null 2>&1; then
    echo "run: Go is required (https://go.dev/doc/install)" >&2
    exit 1
fi
eval "$(deploy/clickhouse/start.sh | tail -1)"
export VIGIA_CLICKHOUSE_ADDR

mkdir -p bin
(cd services && go build -o ../bin/ ./enricher ./classifier ./detector ./writer ./vigia)
bin/vigia migrate
# A free port for the embedded NATS server, so a NATS already on 4222 is fine.
bin/vigia demo --state-dir "$VIGIA_STATE_DIR" --embedded-listen 127.0.0.1:-1
cat <<MSG

ClickHouse keeps running at $VIGIA_CLICKHOUSE_ADDR (state in $VIGIA_STATE_DIR); stop it with: make stop
Run the pipeline as a server with: VIGIA_CLICKHOUSE_ADDR=$VIGIA_CLICKHOUSE_ADDR bin/vigia run
MSG
