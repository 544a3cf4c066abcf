package bus_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/bus/bustest"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// natsConfPath is the example server configuration the tests run.
var natsConfPath = filepath.Join("..", "..", "deploy", "nats", "nats.conf")

// passwordEnv is the server-side variable deploy/nats/nats.conf reads a
// role's password from.
func passwordEnv(role string) string { return "VIGIA_NATSD_PASSWORD_" + strings.ToUpper(role) }

// secureNATS is deploy/nats/nats.conf running embedded, with the test PKI
// and a random password per role.
type secureNATS struct {
	url     string
	pki     bustest.PKI
	pwFiles map[string]string
	pws     map[string]string
}

// setSecureEnv sets what deploy/nats/nats.conf reads from the environment.
func setSecureEnv(t *testing.T) (bustest.PKI, map[string]string, map[string]string) {
	t.Helper()
	p := bustest.NewPKI(t)
	t.Setenv("VIGIA_NATSD_TLS_CERT", p.ServerCert)
	t.Setenv("VIGIA_NATSD_TLS_KEY", p.ServerKey)
	t.Setenv("VIGIA_NATSD_TLS_CA", p.CA)
	dir := t.TempDir()
	pws, files := map[string]string{}, map[string]string{}
	for _, role := range bus.Roles() {
		var b [16]byte
		_, _ = rand.Read(b[:])
		pws[role] = hex.EncodeToString(b[:])
		t.Setenv(passwordEnv(role), pws[role])
		files[role] = filepath.Join(dir, role+".password")
		if err := os.WriteFile(files[role], []byte(pws[role]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p, pws, files
}

func startSecureNATS(t *testing.T) *secureNATS {
	t.Helper()
	p, pws, files := setSecureEnv(t)
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: t.TempDir(), ConfigFile: natsConfPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	s := &secureNATS{url: srv.ClientURL(), pki: p, pwFiles: files, pws: pws}
	if !strings.HasPrefix(s.url, "tls://") {
		t.Fatalf("server URL %s: want tls://", s.url)
	}
	// The topology is created the way `vigia migrate` does it, as migrate.
	m := s.connect(t, bus.RoleMigrate)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := bus.EnsureTopology(ctx, m.js, bus.Topology{}); err != nil {
		t.Fatalf("EnsureTopology as %s: %v (async errors: %v)", bus.RoleMigrate, err, m.asyncErrors())
	}
	m.noPermissionErrors(t)
	return s
}

func (s *secureNATS) auth(role string) config.NATSAuth {
	return config.NATSAuth{User: role, PasswordFile: s.pwFiles[role], TLSCA: s.pki.CA}
}

// secClient is a connection that records the server's async errors
// (permission violations arrive that way).
type secClient struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	errs chan error
}

func dialSecure(url string, a config.NATSAuth) (*secClient, error) {
	opts, err := bus.AuthOptions(a)
	if err != nil {
		return nil, err
	}
	c := &secClient{errs: make(chan error, 256)}
	opts = append(opts, nats.Timeout(5*time.Second), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		select {
		case c.errs <- err:
		default:
		}
	}))
	if c.nc, err = nats.Connect(url, opts...); err != nil {
		return nil, err
	}
	if c.js, err = jetstream.New(c.nc); err != nil {
		c.nc.Close()
		return nil, err
	}
	return c, nil
}

func (s *secureNATS) connect(t *testing.T, role string) *secClient {
	t.Helper()
	c, err := dialSecure(s.url, s.auth(role))
	if err != nil {
		t.Fatalf("connect as %s: %v", role, err)
	}
	t.Cleanup(c.nc.Close)
	return c
}

// asyncErrors drains the errors reported so far.
func (c *secClient) asyncErrors() []error {
	var out []error
	for {
		select {
		case err := <-c.errs:
			out = append(out, err)
		default:
			return out
		}
	}
}

// noPermissionErrors fails on any permission violation reported so far
// (after a round trip, so they have arrived).
func (c *secClient) noPermissionErrors(t *testing.T) {
	t.Helper()
	if err := c.nc.FlushTimeout(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case err := <-c.errs:
			t.Errorf("unexpected async error: %v", err)
		default:
			return
		}
	}
}

// expectDenied waits for the server's permission violation for subject
// (or a subject starting with it).
func (c *secClient) expectDenied(t *testing.T, subject string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case err := <-c.errs:
			if errors.Is(err, nats.ErrPermissionViolation) && strings.Contains(err.Error(), `"`+subject) {
				return
			}
		case <-deadline:
			t.Fatalf("no permissions violation for %q within 5s", subject)
		}
	}
}

// mustPublish stores a message and checks the JetStream ack.
func (c *secClient) mustPublish(t *testing.T, subject string, wantStream string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ack, err := c.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: []byte(`{}`), Header: nats.Header{jetstream.MsgIDHeader: []string{subject + "-" + nats.NewInbox()}}})
	if err != nil {
		t.Fatalf("publish %s: %v", subject, err)
	}
	if ack.Stream != wantStream {
		t.Fatalf("publish %s: stored in %s, want %s", subject, ack.Stream, wantStream)
	}
}

// mustNotPublish checks a JetStream publish gets no ack and the server
// reports the violation.
func (c *secClient) mustNotPublish(t *testing.T, subject string) {
	t.Helper()
	// An allowed publish is acked within milliseconds; the violation the
	// server reports is what this checks.
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	if _, err := c.js.Publish(ctx, subject, []byte(`{}`)); err == nil {
		t.Fatalf("publish %s: acked, want denied", subject)
	}
	c.expectDenied(t, subject)
}

// mustNotSubscribe checks a core subscription is refused.
func (c *secClient) mustNotSubscribe(t *testing.T, subject string) {
	t.Helper()
	sub, err := c.nc.SubscribeSync(subject)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	c.expectDenied(t, subject)
}

// consumeOne binds cc on stream as the client, has the stream's messages
// delivered and acks each the way the runner does (in-progress, then ack);
// the admin connection checks every ack arrived.
func (c *secClient) consumeOne(t *testing.T, admin *secClient, stream string, cc jetstream.ConsumerConfig) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cons, err := c.js.CreateOrUpdateConsumer(ctx, stream, cc)
	if err != nil {
		t.Fatalf("consumer %s on %s: %v", cc.Durable, stream, err)
	}
	ackErrs := make(chan error, 64)
	cctx, err := cons.Consume(func(m jetstream.Msg) {
		err := m.InProgress()
		if err == nil {
			err = m.DoubleAck(ctx)
		}
		if err != nil {
			ackErrs <- fmt.Errorf("ack %s: %w", m.Subject(), err)
		}
	})
	if err != nil {
		t.Fatalf("consume %s: %v", cc.Durable, err)
	}
	defer cctx.Stop()
	ac, err := admin.js.Consumer(ctx, stream, cc.Durable)
	if err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case err := <-ackErrs:
			t.Fatal(err)
		default:
		}
		info, err := ac.Info(ctx)
		if err != nil {
			t.Fatalf("consumer %s: %v", cc.Durable, err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 && info.AckFloor.Stream > 0 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("consumer %s on %s: pending %d, ack pending %d, ack floor %d", cc.Durable, stream, info.NumPending, info.NumAckPending, info.AckFloor.Stream)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func runnerConsumer(t *testing.T, name, stream string, filter ...string) jetstream.ConsumerConfig {
	t.Helper()
	var st stage.Stage = stage.DecodeRecords{}
	if stream == bus.StreamEvents {
		st = stage.DecodeEvents{}
	}
	r, err := runner.New(nil, runner.Config{Name: name, Stream: stream, Filter: filter}, st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return r.ConsumerConfig()
}

func TestSecurityPublisher(t *testing.T) {
	s := startSecureNATS(t)
	pub := s.connect(t, bus.RolePublisher)
	pub.mustPublish(t, "cx.events.chat", bus.StreamEvents)
	pub.mustPublish(t, "cx.events.voice.acme", bus.StreamEvents)
	pub.noPermissionErrors(t)
	for _, subj := range []string{"cx.escalation.high.x", "cx.enrich.0", "cx.enriched.0", "cx.timers.0", "cx.dlq.enrich", "$KV.CX_CONVERSATIONS.x"} {
		pub.mustNotPublish(t, subj)
	}
	pub.mustNotSubscribe(t, "cx.events.>")
	// No JetStream API at all: it cannot read back or delete what it wrote.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := pub.js.Stream(ctx, bus.StreamEvents); err == nil {
		t.Fatal("publisher can read stream info")
	}
	pub.expectDenied(t, "$JS.API.STREAM.INFO."+bus.StreamEvents)
}

func TestSecurityAlertConsumer(t *testing.T) {
	s := startSecureNATS(t)
	admin := s.connect(t, bus.RoleAdmin)
	admin.mustPublish(t, "cx.escalation.high.billing", bus.StreamEscalations)
	alerts := s.connect(t, bus.RoleAlerts)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// As `vigia watch`: an ordered consumer.
	oc, err := alerts.js.OrderedConsumer(ctx, bus.StreamEscalations, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{bus.SubjectEscalations}, DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan jetstream.Msg, 4)
	cc, err := oc.Consume(func(m jetstream.Msg) { got <- m })
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Subject() != "cx.escalation.high.billing" {
			t.Fatalf("got %s", m.Subject())
		}
	case <-ctx.Done():
		t.Fatal("ordered consumer: no escalation delivered")
	}
	cc.Stop()
	// As an alerting system with a durable consumer and explicit acks.
	alerts.consumeOne(t, admin, bus.StreamEscalations, jetstream.ConsumerConfig{Durable: "pager", AckPolicy: jetstream.AckExplicitPolicy})
	alerts.noPermissionErrors(t)

	for _, subj := range []string{"cx.events.x", "cx.escalation.high.forged"} {
		alerts.mustNotPublish(t, subj)
	}
	sctx, scancel := context.WithTimeout(ctx, time.Second)
	defer scancel()
	if _, err := alerts.js.OrderedConsumer(sctx, bus.StreamEvents, jetstream.OrderedConsumerConfig{}); err == nil {
		t.Fatal("alert consumer can read CX_EVENTS")
	}
	alerts.expectDenied(t, "$JS.API.CONSUMER.CREATE."+bus.StreamEvents)
	alerts.mustNotSubscribe(t, "cx.events.>")
}

func TestSecurityTLSAndPasswords(t *testing.T) {
	s := startSecureNATS(t)
	good := s.auth(bus.RoleWriter)
	cases := map[string]func(a *config.NATSAuth){
		"no CA (system roots)": func(a *config.NATSAuth) { a.TLSCA = "" },
		"another CA":           func(a *config.NATSAuth) { a.TLSCA = s.pki.OtherCA },
	}
	for name, mod := range cases {
		a := good
		mod(&a)
		_, err := dialSecure(s.url, a)
		var uerr x509.UnknownAuthorityError
		if !errors.As(err, &uerr) {
			t.Errorf("%s: err = %v, want an unknown-authority x509 error", name, err)
		}
	}
	// Plain nats:// is upgraded to TLS as the server demands, and verified.
	if _, err := dialSecure(strings.Replace(s.url, "tls://", "nats://", 1), config.NATSAuth{User: bus.RoleWriter, Password: s.pws[bus.RoleWriter]}); err == nil {
		t.Error("nats:// without the CA connected")
	}
	wrong := good
	wrong.PasswordFile, wrong.Password = "", "not-the-password"
	if _, err := dialSecure(s.url, wrong); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("wrong password: err = %v, want %v", err, nats.ErrAuthorization)
	}
	other := good
	other.PasswordFile = s.pwFiles[bus.RolePublisher]
	if _, err := dialSecure(s.url, other); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("another role's password: err = %v, want %v", err, nats.ErrAuthorization)
	}
	if _, err := dialSecure(s.url, config.NATSAuth{TLSCA: s.pki.CA}); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("no user: err = %v, want %v", err, nats.ErrAuthorization)
	}
	// The password as a value works as well as from a file.
	byValue := config.NATSAuth{User: bus.RoleWriter, Password: s.pws[bus.RoleWriter], TLSCA: s.pki.CA}
	c, err := dialSecure(s.url, byValue)
	if err != nil {
		t.Fatalf("password by value: %v", err)
	}
	c.nc.Close()
}

// TestSecurityMutualTLS runs deploy/nats/nats.conf with client
// certificates required (`verify: true`, as its README describes).
func TestSecurityMutualTLS(t *testing.T) {
	p, _, files := setSecureEnv(t)
	abs, err := filepath.Abs(natsConfPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// include takes a path relative to the including file.
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "mtls.conf")
	body := fmt.Sprintf("include %q\ntls {\n  cert_file: %q\n  key_file: %q\n  ca_file: %q\n  verify: true\n}\n", rel, p.ServerCert, p.ServerKey, p.CA)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: t.TempDir(), ConfigFile: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	a := config.NATSAuth{User: bus.RoleWriter, PasswordFile: files[bus.RoleWriter], TLSCA: p.CA}
	if _, err := dialSecure(srv.ClientURL(), a); err == nil {
		t.Fatal("connected without a client certificate")
	}
	a.TLSCert, a.TLSKey = p.ClientCert, p.ClientKey
	c, err := dialSecure(srv.ClientURL(), a)
	if err != nil {
		t.Fatalf("with a client certificate: %v", err)
	}
	c.nc.Close()
}

// TestSecurityServiceRoles does, as each service's user, what that service
// does on the bus, and checks a few things it must not do.
func TestSecurityServiceRoles(t *testing.T) {
	s := startSecureNATS(t)
	admin := s.connect(t, bus.RoleAdmin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	t.Run(bus.RoleEnricher, func(t *testing.T) {
		c := s.connect(t, bus.RoleEnricher)
		if err := bus.RequireStream(ctx, c.js, bus.StreamEvents); err != nil {
			t.Fatal(err)
		}
		admin.mustPublish(t, "cx.events.chat", bus.StreamEvents)
		c.consumeOne(t, admin, bus.StreamEvents, runnerConsumer(t, "enrich", bus.StreamEvents, bus.SubjectEvents, bus.SubjectTimers))
		c.mustPublish(t, bus.StageSubject("enriched", 3), bus.StreamPipeline)
		c.mustPublish(t, bus.SubjectDLQPrefix+"enrich", bus.StreamDLQ)
		c.noPermissionErrors(t)
		c.mustNotPublish(t, "cx.events.chat")
		c.mustNotPublish(t, bus.StageSubject("classified", 0))
		c.mustNotPublish(t, "cx.escalation.high.x")
	})
	t.Run(bus.RoleClassifier, func(t *testing.T) {
		c := s.connect(t, bus.RoleClassifier)
		if err := bus.RequireStream(ctx, c.js, bus.StreamPipeline); err != nil {
			t.Fatal(err)
		}
		c.consumeOne(t, admin, bus.StreamPipeline, runnerConsumer(t, "classify", bus.StreamPipeline, "cx.enriched.>"))
		c.mustPublish(t, bus.StageSubject("classified", 3), bus.StreamPipeline)
		c.mustPublish(t, bus.SubjectDLQPrefix+"classify", bus.StreamDLQ)
		c.noPermissionErrors(t)
		c.mustNotPublish(t, bus.StageSubject("detected", 0))
		c.mustNotPublish(t, "$KV."+bus.BucketConversations+".k")
	})
	t.Run(bus.RoleDetector, func(t *testing.T) {
		c := s.connect(t, bus.RoleDetector)
		if err := bus.RequireStream(ctx, c.js, bus.StreamPipeline); err != nil {
			t.Fatal(err)
		}
		exerciseState(t, ctx, c)
		// Two instances: each binds its own consumer with its partitions.
		c.consumeOne(t, admin, bus.StreamPipeline, runnerConsumer(t, "detect-1-of-2", bus.StreamPipeline, "cx.classified.1", "cx.classified.3"))
		c.mustPublish(t, bus.StageSubject("detected", 3), bus.StreamPipeline)
		c.mustPublish(t, "cx.timers.3", bus.StreamEvents)
		c.mustPublish(t, bus.SubjectDLQPrefix+"detect-1-of-2", bus.StreamDLQ)
		c.noPermissionErrors(t)
		c.mustNotPublish(t, "cx.escalation.high.billing") // the writer publishes them
		c.mustNotPublish(t, "cx.events.chat")
		c.mustNotPublish(t, bus.StageSubject("enriched", 0))
	})
	t.Run(bus.RoleWriter, func(t *testing.T) {
		c := s.connect(t, bus.RoleWriter)
		if err := bus.RequireStream(ctx, c.js, bus.StreamPipeline); err != nil {
			t.Fatal(err)
		}
		c.consumeOne(t, admin, bus.StreamPipeline, runnerConsumer(t, "write", bus.StreamPipeline, "cx.detected.>"))
		c.mustPublish(t, bus.SubjectDLQPrefix+"write", bus.StreamDLQ)
		c.mustPublish(t, "cx.escalation.high.billing", bus.StreamEscalations)
		c.noPermissionErrors(t)
		c.mustNotPublish(t, bus.StageSubject("detected", 0))
		c.mustNotPublish(t, bus.SubjectDLQPrefix+"enrich")
	})
	t.Run(bus.RoleAllInOne, func(t *testing.T) {
		c := s.connect(t, bus.RoleAllInOne)
		// With its embedded server `vigia run` creates the topology itself.
		if err := bus.EnsureTopology(ctx, c.js, bus.Topology{}); err != nil {
			t.Fatal(err)
		}
		exerciseState(t, ctx, c)
		admin.mustPublish(t, "cx.timers.1", bus.StreamEvents)
		c.consumeOne(t, admin, bus.StreamEvents, runnerConsumer(t, pipeline.ConsumerName, bus.StreamEvents, bus.SubjectEvents, bus.SubjectTimers))
		c.mustPublish(t, "cx.escalation.low.none", bus.StreamEscalations)
		c.mustPublish(t, "cx.timers.0", bus.StreamEvents)
		c.mustPublish(t, bus.SubjectDLQPrefix+pipeline.ConsumerName, bus.StreamDLQ)
		c.noPermissionErrors(t)
		c.mustNotPublish(t, "cx.events.chat")
	})
	t.Run(bus.RoleMigrate, func(t *testing.T) {
		c := s.connect(t, bus.RoleMigrate)
		if err := bus.EnsureTopology(ctx, c.js, bus.Topology{}); err != nil {
			t.Fatal(err)
		}
		c.noPermissionErrors(t)
		c.mustNotPublish(t, "cx.events.chat")
		dctx, dcancel := context.WithTimeout(ctx, time.Second)
		defer dcancel()
		if err := c.js.DeleteStream(dctx, bus.StreamEvents); err == nil {
			t.Fatal("migrate deleted a stream")
		}
		c.expectDenied(t, "$JS.API.STREAM.DELETE."+bus.StreamEvents)
	})
}

// exerciseState does what the detect stage and its sweeper do with the
// state buckets: bind them, create and update keys with compare-and-set,
// read them back, and watch the conversations bucket.
func exerciseState(t *testing.T, ctx context.Context, c *secClient) {
	t.Helper()
	stores, err := pipeline.KVStores(ctx, c.js)
	if err != nil {
		t.Fatal(err)
	}
	key := "acme.conv-" + nats.NewInbox()[7:]
	for _, st := range []interface {
		Get(context.Context, string) ([]byte, uint64, error)
		Put(context.Context, string, []byte, uint64) (uint64, error)
	}{stores.Conversations, stores.Customers} {
		rev, err := st.Put(ctx, key, []byte(`{}`), 0)
		if err != nil {
			t.Fatalf("kv create: %v", err)
		}
		if rev, err = st.Put(ctx, key, []byte(`{"tenant":"acme"}`), rev); err != nil {
			t.Fatalf("kv update: %v", err)
		}
		if _, got, err := st.Get(ctx, key); err != nil || got != rev {
			t.Fatalf("kv get: rev %d, %v; want rev %d", got, err, rev)
		}
	}
	sw, err := pipeline.NewSweeper(ctx, c.js, nil, config.Pipeline{Partitions: 8, SweepInterval: time.Second}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || sw == nil {
		t.Fatalf("sweeper load: %v", err)
	}
}

// TestNATSConfMatchesPermissions: the users of deploy/nats/nats.conf have
// exactly bus.RolePermissions.
func TestNATSConfMatchesPermissions(t *testing.T) {
	setSecureEnv(t)
	m, err := conf.ParseFile(natsConfPath)
	if err != nil {
		t.Fatal(err)
	}
	users := dig(m, "accounts", "VIGIA", "users")
	list, ok := users.([]any)
	if !ok {
		t.Fatalf("accounts.VIGIA.users: %T, want a list", users)
	}
	want := bus.RolePermissions()
	seen := map[string]bool{}
	for _, u := range list {
		um, _ := u.(map[string]any)
		name, _ := um["user"].(string)
		if um["password"] != "$"+passwordEnv(name) && um["password"] != os.Getenv(passwordEnv(name)) {
			t.Errorf("user %s: password is not $%s", name, passwordEnv(name))
		}
		seen[name] = true
		w, ok := want[name]
		if !ok {
			t.Errorf("nats.conf has user %q, which is no role", name)
			continue
		}
		got := bus.Permissions{Publish: strs(dig(um, "permissions", "publish", "allow")), Subscribe: strs(dig(um, "permissions", "subscribe", "allow"))}
		if !slices.Equal(got.Publish, w.Publish) || !slices.Equal(got.Subscribe, w.Subscribe) {
			t.Errorf("user %s: nats.conf has\n  publish %q\n  subscribe %q\nwant\n%s", name, got.Publish, got.Subscribe, renderUser(name, w))
		}
	}
	for _, role := range bus.Roles() {
		if !seen[role] {
			t.Errorf("nats.conf lacks user %s:\n%s", role, renderUser(role, want[role]))
		}
	}
	if t.Failed() || testing.Verbose() {
		var b strings.Builder
		for _, role := range bus.Roles() {
			b.WriteString(renderUser(role, want[role]))
		}
		t.Logf("users block from bus.RolePermissions:\n%s", b.String())
	}
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func strs(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []any:
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func renderUser(name string, p bus.Permissions) string {
	q := func(ss []string) string {
		var b strings.Builder
		for _, s := range ss {
			fmt.Fprintf(&b, "            %q\n", s)
		}
		return b.String()
	}
	return fmt.Sprintf("      {\n        user: %s\n        password: $%s\n        permissions: {\n          publish: {allow: [\n%s          ]}\n          subscribe: {allow: [\n%s          ]}\n        }\n      }\n",
		name, passwordEnv(name), q(p.Publish), q(p.Subscribe))
}
