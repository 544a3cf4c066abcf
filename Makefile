# Thin wrappers: the logic is in scripts/ and the Go code.
.PHONY: run test build stop fuzz bench

run:  ## start ClickHouse, run vigia on the sample, print the results
	scripts/run.sh

test: ## every module's tests, with embedded NATS and a real ClickHouse
	scripts/test.sh

build:
	mkdir -p bin && cd services && go build -o ../bin/ ./enricher ./classifier ./detector ./writer ./vigia

stop: ## stop the ClickHouse server that make run started
	deploy/clickhouse/stop.sh

fuzz: ## longer fuzz runs
	VIGIA_FUZZ_TIME=60s scripts/test.sh

bench: ## the pipeline against raw NATS + ClickHouse in one run (ARGS="--events 20000 --catchup-events 50000")
	scripts/bench.sh $(ARGS)
