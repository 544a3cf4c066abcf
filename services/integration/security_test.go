package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/bus/bustest"
	"github.com/vigia-cx/vigia/pkg/config"
)

// secNATSConf is the example server configuration these tests run.
var secNATSConf = filepath.Join("..", "..", "deploy", "nats", "nats.conf")

// secureBus is deploy/nats/nats.conf with a throw-away CA, server
// certificate for 127.0.0.1 and a random password per role, in the
// environment the file reads (VIGIA_NATSD_*).
type secureBus struct {
	caFile  string
	pwFiles map[string]string
}

func setupSecureBus(t *testing.T) *secureBus {
	t.Helper()
	dir := t.TempDir()
	pki := bustest.NewPKI(t)
	b := &secureBus{caFile: pki.CA, pwFiles: map[string]string{}}
	t.Setenv("VIGIA_NATSD_TLS_CERT", pki.ServerCert)
	t.Setenv("VIGIA_NATSD_TLS_KEY", pki.ServerKey)
	t.Setenv("VIGIA_NATSD_TLS_CA", b.caFile)
	for _, role := range bus.Roles() {
		var r [16]byte
		_, _ = rand.Read(r[:])
		pw := hex.EncodeToString(r[:])
		t.Setenv("VIGIA_NATSD_PASSWORD_"+strings.ToUpper(role), pw)
		b.pwFiles[role] = filepath.Join(dir, role+".password")
		if err := os.WriteFile(b.pwFiles[role], []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *secureBus) auth(role string) config.NATSAuth {
	return config.NATSAuth{User: role, PasswordFile: b.pwFiles[role], TLSCA: b.caFile}
}

// env is what a vigia binary needs to connect as role.
func (b *secureBus) env(role string) []string {
	return []string{"VIGIA_NATS_USER=" + role, "VIGIA_NATS_PASSWORD_FILE=" + b.pwFiles[role], "VIGIA_NATS_TLS_CA=" + b.caFile}
}

// dial connects as role; it fails instead of retrying.
func (b *secureBus) dial(t *testing.T, url, role string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	opts, err := bus.AuthOptions(b.auth(role))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatalf("connect as %s: %v", role, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// startSecureNATS runs deploy/nats/nats.conf embedded on a free port and
// creates the topology as the migrate user. The returned node's connection
// is the admin user, for the harness's checks.
func startSecureNATS(t *testing.T) (*natsNode, *secureBus) {
	t.Helper()
	b := setupSecureBus(t)
	n := &natsNode{dir: t.TempDir()}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: n.dir, ConfigFile: secNATSConf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	n.srv, n.url = srv, srv.ClientURL()
	_, mjs := b.dial(t, n.url, bus.RoleMigrate)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.EnsureTopology(ctx, mjs, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	n.nc, n.js = b.dial(t, n.url, bus.RoleAdmin)
	return n, b
}

// waitConsumerExists fails fast, with a hint, when a service never got as
// far as binding its consumer (typically: it cannot authenticate).
func waitConsumerExists(t *testing.T, js jetstream.JetStream, stream, name string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, fmt.Sprintf("consumer %s on %s (does the binary pass bus.AuthOptions to nats.Connect?)", name, stream), func() (bool, string) {
		_, err := js.Consumer(context.Background(), stream, name)
		if err != nil {
			return false, err.Error()
		}
		return true, ""
	})
}

// TestSecureServices: the four services as processes against a NATS with
// TLS and per-role users, each connecting as its own user (password file,
// private CA), with events published as the publisher user; everything
// arrives in ClickHouse.
func TestSecureServices(t *testing.T) {
	conn, ch := freshDatabase(t)
	n, b := startSecureNATS(t)
	roles := map[string]string{"enricher": bus.RoleEnricher, "classifier": bus.RoleClassifier, "detector": bus.RoleDetector, "writer": bus.RoleWriter}
	procs := map[string]*proc{}
	for _, s := range stageServices {
		procs[s] = startProc(t, s, append(serviceEnv(n.url, ch), b.env(roles[s])...))
	}
	waitConsumerExists(t, n.js, bus.StreamEvents, "enrich", 30*time.Second)
	_, pjs := b.dial(t, n.url, bus.RolePublisher)
	msgs, _ := generate(t, 30, "secure")
	publish(t, pjs, msgs)
	waitServicesDone(t, n, 2*time.Minute)
	stopServices(t, procs)
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != uint64(len(msgs)) {
		t.Errorf("interaction_events: %d, want %d", got, len(msgs))
	}
	if got := count(t, conn, "SELECT count() FROM conversations FINAL"); got != 30 {
		t.Errorf("conversations: %d, want 30", got)
	}
	for name, p := range procs {
		logb, _ := os.ReadFile(p.log)
		if strings.Contains(string(logb), "Permissions Violation") {
			t.Errorf("%s logged a permissions violation:\n%s", name, tail(string(logb), 2000))
		}
		for role, f := range b.pwFiles {
			pw, _ := os.ReadFile(f)
			if s := strings.TrimSpace(string(pw)); s != "" && strings.Contains(string(logb), s) {
				t.Errorf("%s logged the %s password", name, role)
			}
		}
	}
}

// TestSecureAllInOneExternal: `vigia run` against the secure NATS as the
// vigia user.
func TestSecureAllInOneExternal(t *testing.T) {
	conn, ch := freshDatabase(t)
	n, b := startSecureNATS(t)
	p := startProc(t, "vigia", append(serviceEnv(n.url, ch), b.env(bus.RoleAllInOne)...), "run")
	waitConsumerExists(t, n.js, bus.StreamEvents, "vigia", 30*time.Second)
	_, pjs := b.dial(t, n.url, bus.RolePublisher)
	msgs, _ := generate(t, 20, "secaio")
	publish(t, pjs, msgs)
	waitConsumerDone(t, n.js, bus.StreamEvents, "vigia", time.Minute)
	if err := p.stop(syscall.SIGTERM, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != uint64(len(msgs)) {
		t.Errorf("interaction_events: %d, want %d", got, len(msgs))
	}
}

// TestSecureWrongPassword: a service with a wrong password never gets to
// bind its consumer, and does not log the password it tried.
func TestSecureWrongPassword(t *testing.T) {
	_, ch := freshDatabase(t)
	n, b := startSecureNATS(t)
	bad := filepath.Join(t.TempDir(), "bad.password")
	const badPW = "definitely-Not-the-password"
	if err := os.WriteFile(bad, []byte(badPW), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(serviceEnv(n.url, ch), "VIGIA_NATS_USER="+bus.RoleWriter, "VIGIA_NATS_PASSWORD_FILE="+bad, "VIGIA_NATS_TLS_CA="+b.caFile)
	p := startProc(t, "writer", env)
	// A refused credential fails the start, quickly and saying why.
	select {
	case err := <-p.done:
		if err == nil {
			t.Fatal("the writer exited 0 with a wrong password")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the writer still runs 15 s after NATS refused its password")
	}
	if _, err := n.js.Consumer(context.Background(), bus.StreamPipeline, "write"); err == nil {
		t.Fatal("the writer bound its consumer with a wrong password")
	}
	logb, _ := os.ReadFile(p.log)
	if strings.Contains(string(logb), badPW) {
		t.Error("the writer logged the password")
	}
	if !strings.Contains(strings.ToLower(string(logb)), "authorization") {
		t.Errorf("the writer's output does not say the server refused its credentials:\n%s", tail(string(logb), 1500))
	}
}

// TestSecureAllInOneEmbedded: `vigia run` with its embedded server started
// from deploy/nats/nats.conf (VIGIA_EMBEDDED_CONFIG_FILE), connecting to it
// as the vigia user; a channel system publishes as the publisher user.
func TestSecureAllInOneEmbedded(t *testing.T) {
	conn, ch := freshDatabase(t)
	b := setupSecureBus(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	env := append(serviceEnv("", ch), b.env(bus.RoleAllInOne)...)
	env = append(env, "VIGIA_NATS_URL=", fmt.Sprintf("VIGIA_EMBEDDED_LISTEN=127.0.0.1:%d", port),
		"VIGIA_EMBEDDED_CONFIG_FILE="+secNATSConf, "VIGIA_STATE_DIR="+t.TempDir())
	p := startProc(t, "vigia", env, "run")
	url := fmt.Sprintf("tls://127.0.0.1:%d", port)
	var adminJS jetstream.JetStream
	waitFor(t, 30*time.Second, "the embedded server with the vigia consumer (is VIGIA_EMBEDDED_CONFIG_FILE wired?)", func() (bool, string) {
		opts, err := bus.AuthOptions(b.auth(bus.RoleAdmin))
		if err != nil {
			t.Fatal(err)
		}
		nc, err := nats.Connect(url, opts...)
		if err != nil {
			return false, err.Error()
		}
		js, _ := jetstream.New(nc)
		if _, err := js.Consumer(context.Background(), bus.StreamEvents, "vigia"); err != nil {
			nc.Close()
			return false, err.Error()
		}
		t.Cleanup(nc.Close)
		adminJS = js
		return true, ""
	})
	_, pjs := b.dial(t, url, bus.RolePublisher)
	msgs, _ := generate(t, 10, "secemb")
	publish(t, pjs, msgs)
	waitConsumerDone(t, adminJS, bus.StreamEvents, "vigia", time.Minute)
	if err := p.stop(syscall.SIGTERM, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != uint64(len(msgs)) {
		t.Errorf("interaction_events: %d, want %d", got, len(msgs))
	}
}
