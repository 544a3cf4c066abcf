// Package integration holds vigia's end-to-end tests: embedded NATS
// JetStream, a real ClickHouse server (VIGIA_TEST_CLICKHOUSE_ADDR, started by
// scripts/test.sh) and the real binaries. Nothing is mocked.
package integration
