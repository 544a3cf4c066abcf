package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/store"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

var binDir string

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "vigia-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binDir = dir
		cmd := exec.Command("go", "build", "-o", dir+"/", "../enricher", "../classifier", "../detector", "../writer", "../vigia")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build binaries:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// clickhouseAddr returns the test server's address. Outside CI a missing
// server skips; in CI it fails, so integration tests can never silently
// not run.
func clickhouseAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("VIGIA_TEST_CLICKHOUSE_ADDR")
	if addr == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("VIGIA_TEST_CLICKHOUSE_ADDR is not set: run the tests through scripts/test.sh")
		}
		t.Skip("VIGIA_TEST_CLICKHOUSE_ADDR not set (scripts/test.sh starts ClickHouse and sets it)")
	}
	return addr
}

// freshDatabase creates a migrated database of its own for one test.
func freshDatabase(t *testing.T) (driver.Conn, config.ClickHouse) {
	t.Helper()
	addr := clickhouseAddr(t)
	var b [4]byte
	_, _ = rand.Read(b[:])
	cfg := config.ClickHouse{Addr: addr, Database: "vigia_test_" + hex.EncodeToString(b[:]), User: "default"}
	ctx := context.Background()
	cc := store.ConnConfig{Addr: addr, Database: cfg.Database}
	if err := store.EnsureDatabase(ctx, cc); err != nil {
		t.Fatal(err)
	}
	conn, err := store.Open(ctx, cc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Migrate(ctx, conn, cfg.Database); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfg.Database)
		} else {
			t.Logf("kept database %s for inspection", cfg.Database)
		}
		conn.Close()
	})
	return conn, cfg
}

// natsNode is an embedded JetStream server on a free port with a temp store.
type natsNode struct {
	srv *server.Server
	dir string
	url string
	nc  *nats.Conn
	js  jetstream.JetStream
}

func startNATS(t *testing.T) *natsNode {
	t.Helper()
	n := &natsNode{dir: t.TempDir()}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: n.dir})
	if err != nil {
		t.Fatal(err)
	}
	n.srv, n.url = srv, srv.ClientURL()
	n.nc, err = nats.Connect(n.url)
	if err != nil {
		t.Fatal(err)
	}
	n.js, err = jetstream.New(n.nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.EnsureTopology(context.Background(), n.js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		n.nc.Close()
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return n
}

// publish stores msgs in JetStream and waits for every ack.
func publish(t *testing.T, js jetstream.JetStream, msgs []*nats.Msg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const window = 1000
	for i := 0; i < len(msgs); i += window {
		var futures []jetstream.PubAckFuture
		for _, m := range msgs[i:min(i+window, len(msgs))] {
			f, err := js.PublishMsgAsync(m)
			if err != nil {
				t.Fatal(err)
			}
			futures = append(futures, f)
		}
		for _, f := range futures {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				t.Fatalf("publish: %v", err)
			case <-ctx.Done():
				t.Fatal("publish: timeout")
			}
		}
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s (last: %s)", timeout, what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func count(t *testing.T, conn driver.Conn, query string) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// waitRows waits until table holds want rows (FINAL).
func waitRows(t *testing.T, conn driver.Conn, table string, want uint64, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, fmt.Sprintf("%d rows in %s", want, table), func() (bool, string) {
		n := count(t, conn, "SELECT count() FROM "+table+" FINAL")
		return n >= want, fmt.Sprintf("%d rows", n)
	})
}

// waitConsumerDone waits until the durable consumer has nothing pending.
func waitConsumerDone(t *testing.T, js jetstream.JetStream, stream, name string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, "consumer "+name+" to catch up", func() (bool, string) {
		c, err := js.Consumer(context.Background(), stream, name)
		if err != nil {
			return false, err.Error()
		}
		info, err := c.Info(context.Background())
		if err != nil {
			return false, err.Error()
		}
		return info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Stream > 0,
			fmt.Sprintf("pending %d, ack pending %d", info.NumPending, info.NumAckPending)
	})
}

// proc is one vigia binary running as an OS process.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	log  string
	done chan error
}

func serviceEnv(natsURL string, ch config.ClickHouse) []string {
	return append(os.Environ(),
		"VIGIA_NATS_URL="+natsURL,
		"VIGIA_CLICKHOUSE_ADDR="+ch.Addr,
		"VIGIA_CLICKHOUSE_DATABASE="+ch.Database,
		"VIGIA_PIPELINE_BATCH_WAIT=50ms",
		// Short, so a killed process's unacked messages come back quickly.
		"VIGIA_PIPELINE_ACK_WAIT=3s",
		"VIGIA_LOG_LEVEL=info",
		// Several processes share the host: each picks a free port.
		"VIGIA_TELEMETRY_HTTP_ADDR=127.0.0.1:0",
	)
}

func startProc(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), filepath.Base(bin)+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(binDir, bin), args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, name: bin, cmd: cmd, log: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- %s log ---\n%s", bin, tail(string(b), 3000))
		}
	})
	return p
}

// waitLog waits until the process's log contains s.
func (p *proc) waitLog(t *testing.T, timeout time.Duration, s string) {
	t.Helper()
	waitFor(t, timeout, p.name+" to log "+s, func() (bool, string) {
		b, _ := os.ReadFile(p.log)
		return strings.Contains(string(b), s), tail(string(b), 300)
	})
}

// stop sends sig and waits up to limit for the process to exit.
func (p *proc) stop(sig syscall.Signal, limit time.Duration) error {
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		return err
	case <-time.After(limit):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not exit within %s after %s", p.name, limit, sig)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func sqlList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "'" + strings.ReplaceAll(s, "'", "\\'") + "'"
	}
	return strings.Join(q, ",")
}

func openCH(t *testing.T, ch config.ClickHouse) (driver.Conn, error) {
	t.Helper()
	conn, err := store.Open(context.Background(), store.ConnConfig{Addr: ch.Addr, Database: ch.Database})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, nil
}

// eventMsg is ev as a channel system publishes it: on its subject, with the
// event id as Nats-Msg-Id.
func eventMsg(t *testing.T, channel string, ev *event.Event) *nats.Msg {
	t.Helper()
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	h := nats.Header{}
	h.Set(jetstream.MsgIDHeader, ev.ID)
	return &nats.Msg{Subject: transcript.Subject(channel, ev), Header: h, Data: data}
}
