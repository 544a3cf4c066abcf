package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/store"
)

// scratch opens a migrated database of its own on the test server, or
// skips: PrepareBatch needs a real server to describe the columns.
func scratch(b *testing.B) driver.Conn {
	addr := os.Getenv("VIGIA_TEST_CLICKHOUSE_ADDR")
	if addr == "" {
		b.Skip("VIGIA_TEST_CLICKHOUSE_ADDR not set (scripts/test.sh starts ClickHouse and sets it)")
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	cc := store.ConnConfig{Addr: addr, Database: "vigia_bench_" + hex.EncodeToString(r[:])}
	ctx := context.Background()
	if err := store.EnsureDatabase(ctx, cc); err != nil {
		b.Fatal(err)
	}
	conn, err := store.Open(ctx, cc)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.Migrate(ctx, conn, cc.Database); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+cc.Database)
		conn.Close()
	})
	return conn
}

// appendOnly is a connection whose batches are encoded but never sent:
// what is left of Writer.Write is turning records into column blocks.
type appendOnly struct{ driver.Conn }

func (c appendOnly) PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	b, err := c.Conn.PrepareBatch(ctx, query, opts...)
	return abortingBatch{b}, err
}

type abortingBatch struct{ driver.Batch }

func (b abortingBatch) Send() error { return b.Batch.Abort() }

func detected(b *testing.B) []*stage.Item {
	_, items, err := bench.Prepared(2000, 4)
	if err != nil {
		b.Fatal(err)
	}
	return items
}

// BenchmarkWriterAppend is the writer's row encoding: every table's rows
// of a batch of 500 detected events appended to native batches (the
// PrepareBatch round trip included, the insert not). One op is a batch.
func BenchmarkWriterAppend(b *testing.B) {
	w := &store.Writer{Conn: appendOnly{scratch(b)}}
	benchWrite(b, w, detected(b))
}

// BenchmarkWriterWrite is the same with the inserts: a whole Write of a
// batch of 500, as the pipeline's sink does it.
func BenchmarkWriterWrite(b *testing.B) {
	w := &store.Writer{Conn: scratch(b)}
	benchWrite(b, w, detected(b))
}

func benchWrite(b *testing.B, w *store.Writer, items []*stage.Item) {
	ctx := context.Background()
	const batch = 500
	b.ReportAllocs()
	done := 0
	for b.Loop() {
		lo := done % len(items)
		hi := min(lo+batch, len(items))
		if err := w.Write(ctx, items[lo:hi]); err != nil {
			b.Fatal(err)
		}
		done += hi - lo
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(done), "ns/event")
}
