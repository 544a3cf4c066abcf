package integration

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/store"
)

var stageServices = []string{"enricher", "classifier", "detector", "writer"}

// startServices starts the stage services as processes, with detectors
// detector instances splitting the partitions.
func startServices(t *testing.T, n *natsNode, ch config.ClickHouse, detectors int) map[string]*proc {
	t.Helper()
	procs := map[string]*proc{}
	for _, s := range stageServices {
		if s == "detector" && detectors > 1 {
			for i := 0; i < detectors; i++ {
				env := append(serviceEnv(n.url, ch), fmt.Sprintf("VIGIA_PIPELINE_INSTANCE=%d", i), fmt.Sprintf("VIGIA_PIPELINE_INSTANCES=%d", detectors))
				procs[fmt.Sprintf("detector-%d", i)] = startProc(t, "detector", env)
			}
			continue
		}
		procs[s] = startProc(t, s, serviceEnv(n.url, ch))
	}
	return procs
}

// waitServicesDone waits for each stage's consumer in pipeline order: a
// later stage is only done once every earlier one is, since an idle writer
// may just be waiting for the detector's next batch.
func waitServicesDone(t *testing.T, n *natsNode, timeout time.Duration, detectors ...string) {
	t.Helper()
	if len(detectors) == 0 {
		detectors = []string{"detect"}
	}
	waitConsumerDone(t, n.js, bus.StreamEvents, "enrich", timeout)
	waitConsumerDone(t, n.js, bus.StreamPipeline, "classify", timeout)
	for _, d := range detectors {
		waitConsumerDone(t, n.js, bus.StreamPipeline, d, timeout)
	}
	waitConsumerDone(t, n.js, bus.StreamPipeline, "write", timeout)
}

func stopServices(t *testing.T, procs map[string]*proc) {
	t.Helper()
	for name, p := range procs {
		if err := p.stop(syscall.SIGTERM, 15*time.Second); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestWriterKilledMidStream: the writer service is killed with SIGKILL while
// it inserts, then restarted; every event arrives exactly once.
func TestWriterKilledMidStream(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	procs := startServices(t, n, ch, 1)
	msgs, _ := generate(t, 600, "kill")
	publish(t, n.js, msgs)
	waitFor(t, time.Minute, "the writer to be mid-stream", func() (bool, string) {
		got := count(t, conn, "SELECT count() FROM interaction_events")
		return got >= 500 && got < 6000, fmt.Sprintf("%d rows", got)
	})
	_ = procs["writer"].stop(syscall.SIGKILL, 5*time.Second)
	before := count(t, conn, "SELECT count() FROM interaction_events")
	procs["writer"] = startProc(t, "writer", serviceEnv(n.url, ch))
	waitServicesDone(t, n, 2*time.Minute)
	stopServices(t, procs)
	t.Logf("writer killed after %d of 6000 rows", before)
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != 6000 {
		t.Errorf("interaction_events FINAL: %d, want 6000", got)
	}
	if got := count(t, conn, "SELECT uniqExact(event_id) FROM interaction_events"); got != 6000 {
		t.Errorf("distinct events: %d, want 6000", got)
	}
	if got := count(t, conn, "SELECT count() FROM conversations FINAL WHERE events != 10"); got != 0 {
		t.Errorf("%d conversations with a wrong event count", got)
	}
}

// TestAllInOneKilledAndTerminated: the all-in-one binary (against an external
// NATS) is killed with SIGKILL and later stopped with SIGTERM mid-stream;
// SIGTERM must drain and exit within 10 s, and nothing is lost or doubled.
func TestAllInOneKilledAndTerminated(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	env := serviceEnv(n.url, ch)
	msgs, _ := generate(t, 800, "aio")
	p := startProc(t, "vigia", env, "run")
	publish(t, n.js, msgs)
	waitFor(t, time.Minute, "rows mid-stream", func() (bool, string) {
		got := count(t, conn, "SELECT count() FROM interaction_events")
		return got >= 500, fmt.Sprintf("%d rows", got)
	})
	_ = p.stop(syscall.SIGKILL, 5*time.Second)
	killedAt := count(t, conn, "SELECT count() FROM interaction_events")
	p = startProc(t, "vigia", env, "run")
	// SIGTERM only once the restarted process consumes: a signal in its
	// first milliseconds, before Go installs its handler, kills it.
	p.waitLog(t, time.Minute, "msg=consuming")
	waitFor(t, time.Minute, "more rows", func() (bool, string) {
		got := count(t, conn, "SELECT count() FROM interaction_events")
		return got > killedAt || got == 8000, fmt.Sprintf("%d rows", got)
	})
	start := time.Now()
	if err := p.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	t.Logf("SIGTERM drain took %s", time.Since(start).Round(time.Millisecond))
	p = startProc(t, "vigia", env, "run")
	// The drain above may have finished the stream; the signal must still
	// come after the handler is installed.
	p.waitLog(t, time.Minute, "msg=consuming")
	waitConsumerDone(t, n.js, bus.StreamEvents, "vigia", 2*time.Minute)
	if err := p.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != 8000 {
		t.Errorf("interaction_events FINAL: %d, want 8000", got)
	}
	if got := count(t, conn, "SELECT count() FROM conversations FINAL WHERE events != 10"); got != 0 {
		t.Errorf("%d conversations with a wrong event count", got)
	}
	if got, want := count(t, conn, "SELECT count() FROM escalations FINAL"), count(t, conn, "SELECT uniqExact(conversation_id, reason) FROM escalations"); got != want {
		t.Errorf("escalations: %d rows for %d conversation+reason pairs", got, want)
	}
}

// TestSeparateServicesMatchAllInOne: the four services as OS processes give
// the same ClickHouse contents as the all-in-one binary for the same input —
// with two detector instances splitting the partitions, which must see each
// conversation in order, once.
func TestSeparateServicesMatchAllInOne(t *testing.T) {
	connA, chA := freshDatabase(t)
	connB, chB := freshDatabase(t)
	msgs, _ := generate(t, 300, "same")

	nA := startNATS(t)
	stop := runAllInOne(t, nA, chA)
	publish(t, nA.js, msgs)
	waitConsumerDone(t, nA.js, bus.StreamEvents, "vigia", time.Minute)
	stop()

	nB := startNATS(t)
	procs := startServices(t, nB, chB, 2)
	publish(t, nB.js, msgs)
	waitServicesDone(t, nB, 2*time.Minute, "detect-0-of-2", "detect-1-of-2")
	stopServices(t, procs)

	for _, table := range []string{"interaction_events", "signals", "conversations", "escalations"} {
		a, b := dump(t, connA, table), dump(t, connB, table)
		if len(a) == 0 {
			t.Errorf("%s: empty", table)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs: all-in-one %d rows, services %d rows; first difference: %s", table, len(a), len(b), firstDiff(a, b))
		} else {
			t.Logf("%s: %d identical rows", table, len(a))
		}
	}
}

// dump returns every row of table (FINAL, ingested_at left out) as text,
// sorted.
func dump(t *testing.T, conn driver.Conn, table string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ? ORDER BY position", table)
	if err != nil {
		rows, err = conn.Query(ctx, "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '"+table+"'")
		if err != nil {
			t.Fatal(err)
		}
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c != "ingested_at" {
			cols = append(cols, c)
		}
	}
	rows.Close()
	rows, err = conn.Query(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+" FINAL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	types := rows.ColumnTypes()
	for rows.Next() {
		vals := make([]any, len(types))
		for i, ct := range types {
			vals[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(reflect.ValueOf(v).Elem().Interface())
		}
		out = append(out, strings.Join(parts, " | "))
	}
	sort.Strings(out)
	return out
}

func firstDiff(a, b []string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("\n  all-in-one: %s\n  services:   %s", a[i], b[i])
		}
	}
	return "one is a prefix of the other"
}

// TestWriterRefusesUnmigratedDatabase: only `vigia migrate` runs DDL; a
// writer pointed at a database without the migrations exits at start,
// saying what to do, instead of failing every insert.
func TestWriterRefusesUnmigratedDatabase(t *testing.T) {
	_, ch := freshDatabase(t)
	ch.Database += "_bare"
	if err := store.EnsureDatabase(context.Background(), store.ConnConfig{Addr: ch.Addr, Database: ch.Database}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if conn, err := store.Open(context.Background(), store.ConnConfig{Addr: ch.Addr, Database: ch.Database}); err == nil {
			_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ch.Database)
			conn.Close()
		}
	})
	n := startNATS(t)
	p := startProc(t, "writer", serviceEnv(n.url, ch))
	select {
	case err := <-p.done:
		if err == nil {
			t.Fatal("the writer exited 0 on an unmigrated database")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the writer runs on a database without migrations")
	}
	if b, _ := os.ReadFile(p.log); !strings.Contains(string(b), "vigia migrate") {
		t.Errorf("the writer does not say to run vigia migrate:\n%s", tail(string(b), 1000))
	}
}
