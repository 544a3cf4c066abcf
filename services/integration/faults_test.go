package integration

// Fault tests: the failures operators will see — processes killed, ClickHouse
// or NATS down for a while, replays, SIGTERM under load, poison messages —
// and the promise each one checks: every event stored exactly once, every
// escalation published once, nothing acked lost. deploy/RUNBOOK.md explains
// what an operator does in each case.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
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
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/store"
)

// envInt reads a test size override, so a developer can run a fault test
// bigger or smaller than CI does.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// checkStoredOnce asserts the promise of every fault test: each of the
// nConv×10 events once in ClickHouse (FINAL and by id), each conversation
// complete, each escalation once in ClickHouse and once on the stream.
func checkStoredOnce(t *testing.T, conn driver.Conn, js jetstream.JetStream, prefix string, nConv int) {
	t.Helper()
	want := uint64(nConv * 10)
	where := fmt.Sprintf(" WHERE conversation_id LIKE '%s-%%'", prefix)
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"+where); got != want {
		t.Errorf("interaction_events FINAL: %d, want %d", got, want)
	}
	if got := count(t, conn, "SELECT uniqExact(event_id) FROM interaction_events"+where); got != want {
		t.Errorf("distinct events: %d, want %d", got, want)
	}
	raw := count(t, conn, "SELECT count() FROM interaction_events"+where)
	t.Logf("interaction_events: %d rows before merges for %d events", raw, want)
	if got := count(t, conn, "SELECT count() FROM conversations FINAL"+where); got != uint64(nConv) {
		t.Errorf("conversations: %d, want %d", got, nConv)
	}
	if got := count(t, conn, "SELECT count() FROM conversations FINAL"+where+" AND events != 10"); got != 0 {
		t.Errorf("%d conversations with a wrong event count", got)
	}
	escRows := count(t, conn, "SELECT count() FROM escalations FINAL"+where)
	if pairs := count(t, conn, "SELECT uniqExact(conversation_id, reason) FROM escalations"+where); escRows != pairs {
		t.Errorf("escalations: %d rows for %d conversation+reason pairs", escRows, pairs)
	}
	msgs, ids := escalationStream(t, js)
	if msgs != ids {
		t.Errorf("escalation stream: %d messages for %d escalation ids", msgs, ids)
	}
	if escRows == 0 || uint64(ids) != escRows {
		t.Errorf("escalations: %d in ClickHouse, %d distinct on the stream; want equal and > 0", escRows, ids)
	}
}

// escalationStream counts the messages of CX_ESCALATIONS and their distinct
// escalation ids.
func escalationStream(t *testing.T, js jetstream.JetStream) (msgs, ids int) {
	t.Helper()
	seen := map[string]bool{}
	for _, data := range streamMessages(t, js, bus.StreamEscalations) {
		var e event.Escalation
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("escalation on the stream: %v", err)
		}
		msgs++
		seen[e.ID] = true
	}
	return msgs, len(seen)
}

// TestServicesKilledTwentyTimes: while 50,000 events flow through the four
// stage services, a randomly chosen service is killed with SIGKILL at a
// random moment and restarted, twenty times. Nothing is missing, nothing is
// doubled, no escalation is published twice.
func TestServicesKilledTwentyTimes(t *testing.T) {
	nConv := envInt("VIGIA_TEST_KILL_EVENTS", 50000) / 10
	kills := envInt("VIGIA_TEST_KILLS", 20)
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	procs := startServices(t, n, ch, 1)
	msgs, _ := generate(t, nConv, "k20")
	publish(t, n.js, msgs)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("kill schedule seed %d", seed)
	start := time.Now()
	var killed []string
	total := uint64(nConv * 10)
	var lastKillAt uint64
	for i := 0; i < kills; i++ {
		// Spread the kills over the stream by the writer's progress, each at
		// a random moment within its slice, so every one lands mid-stream.
		at := total * uint64(i*10+rng.IntN(10)) / uint64((kills+1)*10)
		waitFor(t, 3*time.Minute, fmt.Sprintf("%d rows before kill %d", at, i+1), func() (bool, string) {
			got := count(t, conn, "SELECT count() FROM interaction_events")
			return got >= at, fmt.Sprintf("%d rows", got)
		})
		victim := stageServices[rng.IntN(len(stageServices))]
		lastKillAt = count(t, conn, "SELECT count() FROM interaction_events")
		_ = procs[victim].stop(syscall.SIGKILL, 5*time.Second)
		procs[victim] = startProc(t, victim, serviceEnv(n.url, ch))
		killed = append(killed, victim)
	}
	t.Logf("%d kills in %s (%s); %d of %d rows stored at the last one", kills, time.Since(start).Round(time.Second),
		strings.Join(killed, " "), lastKillAt, total)
	if lastKillAt >= total {
		t.Errorf("the pipeline finished before the last kill: the kills were not mid-stream")
	}
	waitServicesDone(t, n, 5*time.Minute)
	stopServices(t, procs)
	checkStoredOnce(t, conn, n.js, "k20", nConv)
}

// privateClickHouse is a ClickHouse server of this test alone, started by
// deploy/clickhouse/start.sh in a temp state dir, so it can be stopped
// without disturbing the other tests.
type privateClickHouse struct {
	t     *testing.T
	state string
	addr  string
}

func clickhouseScript(name string) string {
	return filepath.Join("..", "..", "deploy", "clickhouse", name)
}

func startPrivateClickHouse(t *testing.T) *privateClickHouse {
	t.Helper()
	clickhouseAddr(t) // skips like every ClickHouse test when there is none
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		if _, err := exec.LookPath("clickhouse"); err != nil {
			t.Skip("no clickhouse-server or clickhouse binary on PATH to start a private server")
		}
	}
	c := &privateClickHouse{t: t, state: t.TempDir()}
	c.start()
	t.Cleanup(c.stop)
	return c
}

func (c *privateClickHouse) run(script string) string {
	c.t.Helper()
	cmd := exec.Command(clickhouseScript(script))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VIGIA_CLICKHOUSE_ADDR=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "VIGIA_STATE_DIR="+c.state)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("%s: %v\n%s", script, err, tail(stderr.String(), 2000))
	}
	return string(out)
}

func (c *privateClickHouse) start() {
	lines := strings.Split(strings.TrimSpace(c.run("start.sh")), "\n")
	addr, ok := strings.CutPrefix(lines[len(lines)-1], "VIGIA_CLICKHOUSE_ADDR=")
	if !ok {
		c.t.Fatalf("start.sh printed %q", lines[len(lines)-1])
	}
	if c.addr != "" && addr != c.addr {
		c.t.Fatalf("restarted ClickHouse moved from %s to %s", c.addr, addr)
	}
	c.addr = addr
}

func (c *privateClickHouse) stop() { c.run("stop.sh") }

// database creates and migrates a database on the private server.
func (c *privateClickHouse) database(t *testing.T) (driver.Conn, config.ClickHouse) {
	t.Helper()
	cfg := config.ClickHouse{Addr: c.addr, Database: "vigia_outage", User: "default"}
	cc := store.ConnConfig{Addr: c.addr, Database: cfg.Database}
	ctx := context.Background()
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
	t.Cleanup(func() { conn.Close() })
	return conn, cfg
}

// TestClickHouseOutage: ClickHouse is stopped for 30 s while the
// all-in-one binary is writing. The writer backs off, JetStream holds the
// backlog, and once ClickHouse is back every event arrives, once.
func TestClickHouseOutage(t *testing.T) {
	outage := envDuration("VIGIA_TEST_CH_OUTAGE", 30*time.Second)
	const nConv = 1000
	chs := startPrivateClickHouse(t)
	conn, ch := chs.database(t)
	n := startNATS(t)
	p := startProc(t, "vigia", serviceEnv(n.url, ch), "run")
	msgs, _ := generate(t, nConv, "out")
	publish(t, n.js, msgs)
	waitFor(t, time.Minute, "rows mid-stream", func() (bool, string) {
		got := count(t, conn, "SELECT count() FROM interaction_events")
		return got >= 1000, fmt.Sprintf("%d rows", got)
	})
	chs.stop()
	down := time.Now()
	// The outage itself is the fault being simulated, so this wait is its
	// length, not a guess at how long something takes.
	time.Sleep(outage)
	info := consumerInfo(t, n.js, bus.StreamEvents, pipeline.ConsumerName)
	if info.NumPending+uint64(info.NumAckPending) == 0 {
		t.Fatalf("after %s without ClickHouse nothing is pending: the backlog was not held", outage)
	}
	select {
	case err := <-p.done:
		t.Fatalf("vigia run exited during the outage: %v", err)
	default:
	}
	t.Logf("ClickHouse down %s: %d pending in the stream, %d awaiting ack", time.Since(down).Round(time.Second), info.NumPending, info.NumAckPending)
	chs.start()
	conn2, err := store.Open(context.Background(), store.ConnConfig{Addr: ch.Addr, Database: ch.Database})
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, 3*time.Minute)
	if err := p.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkStoredOnce(t, conn2, n.js, "out", nConv)
	if b, err := os.ReadFile(p.log); err == nil && !bytes.Contains(b, []byte("retrying")) {
		t.Errorf("the log shows no retry during the outage")
	}
}

func consumerInfo(t *testing.T, js jetstream.JetStream, stream, name string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := js.Consumer(context.Background(), stream, name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// restartableNATS is an embedded server that can go down and come back on
// the same port with the same store, fsyncing every write as the
// single-node default does.
type restartableNATS struct {
	t    *testing.T
	dir  string
	port int
	srv  *server.Server
}

func (r *restartableNATS) start() {
	r.t.Helper()
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: r.port, StoreDir: r.dir, SyncAlways: true})
	if err != nil {
		r.t.Fatal(err)
	}
	r.srv = srv
	if r.port <= 0 {
		// Keep the port the first start picked, so clients reconnect to it.
		url := srv.ClientURL()
		port, err := strconv.Atoi(url[strings.LastIndex(url, ":")+1:])
		if err != nil {
			r.t.Fatalf("port of %s: %v", url, err)
		}
		r.port = port
	}
}

func (r *restartableNATS) stop() {
	r.srv.Shutdown()
	r.srv.WaitForShutdown()
}

// TestNATSRestartMidStream: the NATS server goes down while `vigia
// publish` is sending and `vigia run` consuming, and comes back 2 s later.
// The publisher retries with the same message ids, the consumer reconnects,
// and every acked event is stored once.
func TestNATSRestartMidStream(t *testing.T) {
	const nConv = 1500
	conn, ch := freshDatabase(t)
	ns := &restartableNATS{t: t, dir: t.TempDir(), port: -1}
	ns.start()
	t.Cleanup(func() {
		if ns.srv.Running() {
			ns.stop()
		}
	})
	url := fmt.Sprintf("nats://127.0.0.1:%d", ns.port)
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.EnsureTopology(context.Background(), js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := generate(t, nConv, "nrs")
	file := filepath.Join(t.TempDir(), "events.jsonl")
	var buf bytes.Buffer
	for _, m := range msgs {
		buf.Write(m.Data)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := serviceEnv(url, ch)
	consumer := startProc(t, "vigia", env, "run")
	publisher := startProc(t, "vigia", env, "publish", "--events", "--file", file, "--rate", "3000")
	stream, err := js.Stream(context.Background(), bus.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	// The sweeper's deadline timers share the stream: count events only.
	events := func() (uint64, error) {
		info, err := stream.Info(context.Background(), jetstream.WithSubjectFilter(bus.SubjectEvents))
		if err != nil {
			return 0, err
		}
		var n uint64
		for _, c := range info.State.Subjects {
			n += c
		}
		return n, nil
	}
	waitFor(t, time.Minute, "the publisher mid-stream", func() (bool, string) {
		n, err := events()
		if err != nil {
			return false, err.Error()
		}
		return n >= 3000, fmt.Sprintf("%d stored", n)
	})
	readyz := "http://" + telemetryAddr(t, consumer) + "/readyz"
	waitStatus(t, readyz, http.StatusOK, 30*time.Second)
	ns.stop()
	down := time.Now()
	// Readiness follows the connection: 503 naming NATS while it is away.
	if body := waitStatus(t, readyz, http.StatusServiceUnavailable, 10*time.Second); !strings.Contains(body, "nats") {
		t.Errorf("/readyz while NATS is down does not name it: %s", body)
	}
	time.Sleep(time.Until(down.Add(2 * time.Second))) // the rest of the outage being simulated
	ns.start()
	waitStatus(t, readyz, http.StatusOK, 30*time.Second)
	select {
	case err := <-publisher.done:
		if err != nil {
			b, _ := os.ReadFile(publisher.log)
			t.Fatalf("publisher: %v\n%s", err, tail(string(b), 2000))
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("publisher did not finish within 2 minutes of the restart")
	}
	plog, _ := os.ReadFile(publisher.log)
	if !bytes.Contains(plog, []byte("retrying with the same message ids")) {
		t.Errorf("the publisher never retried: the restart missed it\n%s", tail(string(plog), 1500))
	}
	n, err := events()
	if err != nil || n != uint64(len(msgs)) {
		t.Fatalf("the stream holds %d events (%v), want %d: an acked event was lost or one was stored twice", n, err, len(msgs))
	}
	waitConsumerDone(t, js, bus.StreamEvents, pipeline.ConsumerName, 2*time.Minute)
	if err := consumer.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkStoredOnce(t, conn, js, "nrs", nConv)
}

// TestReplayTwice: the whole event stream is replayed from the start, twice
// (the durable consumer deleted, as an operator does after fixing a rule).
// ClickHouse contents and escalations stay exactly as they were.
func TestReplayTwice(t *testing.T) {
	const nConv = 500
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	env := serviceEnv(n.url, ch)
	msgs, _ := generate(t, nConv, "rep")
	publish(t, n.js, msgs)
	tables := []string{"interaction_events", "signals", "conversations", "escalations"}
	snapshot := func() (map[string][]string, int) {
		out := map[string][]string{}
		for _, tb := range tables {
			out[tb] = dump(t, conn, tb)
		}
		m, _ := escalationStream(t, n.js)
		return out, m
	}
	var first map[string][]string
	var firstEsc int
	for pass := 0; pass < 3; pass++ {
		if pass > 0 {
			if err := n.js.DeleteConsumer(context.Background(), bus.StreamEvents, pipeline.ConsumerName); err != nil {
				t.Fatal(err)
			}
		}
		p := startProc(t, "vigia", env, "run")
		p.waitLog(t, time.Minute, "msg=consuming") // SIGTERM before Go's handler would kill it
		waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, 2*time.Minute)
		if err := p.stop(syscall.SIGTERM, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		got, esc := snapshot()
		if pass == 0 {
			first, firstEsc = got, esc
			checkStoredOnce(t, conn, n.js, "rep", nConv)
			continue
		}
		for _, tb := range tables {
			if !reflect.DeepEqual(first[tb], got[tb]) {
				t.Errorf("replay %d changed %s: %d rows before, %d after; first difference: %s", pass, tb, len(first[tb]), len(got[tb]), firstDiff(first[tb], got[tb]))
			}
		}
		if esc != firstEsc {
			t.Errorf("replay %d: %d escalations on the stream, %d before", pass, esc, firstEsc)
		}
	}
	t.Logf("two replays: %d events, %d escalations, unchanged", len(msgs), firstEsc)
}

// TestSIGTERMUnderLoad: with a backlog in every stage, all four services
// get SIGTERM at once. Each exits within 10 s, cleanly, having acked what
// it took; restarted, they finish the job with nothing lost or doubled.
func TestSIGTERMUnderLoad(t *testing.T) {
	const nConv = 2000
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	procs := startServices(t, n, ch, 1)
	msgs, _ := generate(t, nConv, "term")
	publish(t, n.js, msgs)
	waitFor(t, time.Minute, "rows mid-stream", func() (bool, string) {
		got := count(t, conn, "SELECT count() FROM interaction_events")
		return got >= 1000, fmt.Sprintf("%d rows", got)
	})
	start := time.Now()
	for _, p := range procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for name, p := range procs {
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("%s exited with %v after SIGTERM", name, err)
			}
		case <-time.After(10*time.Second - time.Since(start)):
			t.Fatalf("%s still running 10 s after SIGTERM", name)
		}
	}
	t.Logf("all four services exited %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	for _, c := range [][2]string{{bus.StreamEvents, "enrich"}, {bus.StreamPipeline, "classify"}, {bus.StreamPipeline, "detect"}, {bus.StreamPipeline, "write"}} {
		waitFor(t, 5*time.Second, c[1]+" to have no unacked message", func() (bool, string) {
			info := consumerInfo(t, n.js, c[0], c[1])
			return info.NumAckPending == 0, fmt.Sprintf("%d awaiting ack, %d redelivered", info.NumAckPending, info.NumRedelivered)
		})
	}
	mid := count(t, conn, "SELECT count() FROM interaction_events")
	procs = startServices(t, n, ch, 1)
	waitServicesDone(t, n, 3*time.Minute)
	stopServices(t, procs)
	t.Logf("%d of %d rows stored before SIGTERM", mid, nConv*10)
	checkStoredOnce(t, conn, n.js, "term", nConv)
}

// poison makes bad events of every kind the issue names, and some that are
// only over the operator's text limit — the ones a fix can recover.
func poison(i int, rng *rand.Rand) (msg *nats.Msg, fixable bool) {
	id := fmt.Sprintf("019a4a2e-7c00-7abc-8def-%012d", 500000+i)
	const envelope = `{"specversion":"%s","id":"%s","source":"/channels/chat/test","type":"%s","time":"2026-11-03T10:00:00Z","subject":"poison-%d","data":%s}`
	text := func(s string) string {
		b, _ := json.Marshal(s)
		return `{"channel":"chat","speaker":"customer","text":` + string(b) + `}`
	}
	var body string
	switch i % 8 {
	case 0:
		body = `{"specversion":"1.0","id":"` + id + `","data":{"text":"cut off`
	case 1:
		body = fmt.Sprintf(envelope, "2.0", id, "cx.message.v1", i, text("hola"))
	case 2:
		body = fmt.Sprintf(envelope, "1.0", id, "cx.message.v2", i, text("hola"))
	case 3:
		body = fmt.Sprintf(envelope, "1.0", id, "cx.message.v1", i, text(strings.Repeat("queja ", 12000)))
	case 4:
		body = fmt.Sprintf(envelope, "1.0", id, "cx.message.v1", i, "{\"channel\":\"chat\",\"speaker\":\"customer\",\"text\":\"mal \xc3\x28 byte\"}")
	case 5:
		body = strings.Replace(fmt.Sprintf(envelope, "1.0", id, "cx.message.v1", i, text("hola")), `"id":"`+id+`",`, "", 1)
	case 6:
		body = fmt.Sprintf(envelope, "1.0", id, "cx.message.v1", i, text(strings.Repeat("x", 300<<10)))
	case 7:
		words := []string{"llevo", "tres", "semanas", "esperando", "el", "reembolso", "y", "nadie", "responde"}
		var sb strings.Builder
		for sb.Len() < 2500 {
			sb.WriteString(words[rng.IntN(len(words))] + " ")
		}
		body, fixable = fmt.Sprintf(envelope, "1.0", id, "cx.message.v1", i, text(sb.String())), true
	}
	return &nats.Msg{Subject: "cx.events.chat.message", Data: []byte(body)}, fixable
}

// TestPoisonAndDLQReplay: 5% of the events are poison (bad JSON, wrong
// schema version, huge text, invalid UTF-8, missing ids, over the size and
// the operator's text limit). Each lands on the dead-letter subject with its
// reason, the rest is stored; `vigia dlq` lists them and, after the operator
// raises the text limit, replays exactly the ones the fix recovers.
func TestPoisonAndDLQReplay(t *testing.T) {
	const nConv = 380 // 3,800 good events + 200 poison = 5%
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	good, _ := generate(t, nConv, "poi")
	rng := rand.New(rand.NewPCG(7, 7))
	all := make([]*nats.Msg, 0, len(good)+200)
	all = append(all, good...)
	fixable := 0
	for i := 0; i < 200; i++ {
		m, fix := poison(i, rng)
		if fix {
			fixable++
		}
		at := rng.IntN(len(all) + 1)
		all = append(all[:at], append([]*nats.Msg{m}, all[at:]...)...)
	}
	limited := append(serviceEnv(n.url, ch), "VIGIA_LIMITS_MAX_TEXT_CHARS=2000")
	p := startProc(t, "vigia", limited, "run")
	publish(t, n.js, all)
	waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, 2*time.Minute)
	if err := p.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != uint64(len(good)) {
		t.Errorf("stored %d events, want %d", got, len(good))
	}
	letters := dlqList(t, n.url, "--json")
	if len(letters) != 200 {
		t.Fatalf("dead letters: %d, want 200", len(letters))
	}
	reasons := map[string]int{}
	for _, dl := range letters {
		if dl.Reason == "" || dl.OriginalSubject != "cx.events.chat.message" || dl.Consumer != pipeline.ConsumerName {
			t.Errorf("dead letter %d lacks its reason or origin: %+v", dl.Seq, dl)
		}
		reasons[reasonClass(dl.Reason)]++
	}
	t.Logf("dead letters by reason: %v", reasons)
	if len(reasons) < 6 {
		t.Errorf("want at least 6 distinct reasons, got %v", reasons)
	}
	overLimit := dlqList(t, n.url, "--json", "--reason", "character limit")
	if len(overLimit) != fixable {
		t.Fatalf("%d dead letters over the text limit, want %d", len(overLimit), fixable)
	}
	// The fix: the default limit again. Replay only what it recovers.
	p = startProc(t, "vigia", serviceEnv(n.url, ch), "run")
	out := dlqRun(t, n.url, "replay", "--reason", "character limit")
	if !strings.Contains(out, fmt.Sprintf("replayed %d dead letters", fixable)) {
		t.Fatalf("replay said %q", out)
	}
	waitRows(t, conn, "interaction_events", uint64(len(good)+fixable), time.Minute)
	waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, time.Minute)
	if err := p.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != uint64(len(good)+fixable) {
		t.Errorf("after the replay %d events stored, want %d", got, len(good)+fixable)
	}
	if left := dlqList(t, n.url, "--json"); len(left) != 200-fixable {
		t.Errorf("after the replay %d dead letters remain, want %d", len(left), 200-fixable)
	}
	if out := dlqRun(t, n.url, "replay", "--reason", "character limit"); !strings.Contains(out, "replayed 0 dead letters") {
		t.Errorf("a second replay must find nothing: %q", out)
	}
}

// reasonClass shortens a dead-letter reason to its kind, for the log.
func reasonClass(r string) string {
	for _, k := range []string{"not JSON", "UTF-8", "byte event limit", "character limit", "specversion", "/type", "/id", "maxLength"} {
		if strings.Contains(r, k) {
			return k
		}
	}
	if i := strings.IndexByte(r, ':'); i > 0 {
		return r[:i]
	}
	return r
}

type dlqLetter struct {
	Seq             uint64 `json:"seq"`
	Consumer        string `json:"consumer"`
	Stage           string `json:"stage"`
	Reason          string `json:"reason"`
	OriginalSubject string `json:"original_subject"`
}

func dlqRun(t *testing.T, natsURL string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "vigia"), append([]string{"dlq"}, args...)...)
	cmd.Env = append(os.Environ(), "VIGIA_NATS_URL="+natsURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vigia dlq %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func dlqList(t *testing.T, natsURL string, args ...string) []dlqLetter {
	t.Helper()
	var out []dlqLetter
	sc := bufio.NewScanner(strings.NewReader(dlqRun(t, natsURL, append([]string{"list"}, args...)...)))
	for sc.Scan() {
		var dl dlqLetter
		if err := json.Unmarshal(sc.Bytes(), &dl); err != nil {
			t.Fatalf("dlq list line %q: %v", sc.Text(), err)
		}
		out = append(out, dl)
	}
	return out
}
