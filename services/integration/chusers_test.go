package integration

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/store"
)

// chUser is a ClickHouse user of deploy/clickhouse (start.sh's users.xml or
// users.sql) given to the tests by VIGIA_TEST_CLICKHOUSE_<ROLE>_USER
// (default vigia_<role>) and _PASSWORD or _PASSWORD_FILE.
func chUser(t *testing.T, role string) (user, password string) {
	t.Helper()
	prefix := "VIGIA_TEST_CLICKHOUSE_" + strings.ToUpper(role) + "_"
	user = os.Getenv(prefix + "USER")
	if user == "" {
		user = "vigia_" + role
	}
	password = os.Getenv(prefix + "PASSWORD")
	if f := os.Getenv(prefix + "PASSWORD_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%sPASSWORD_FILE: %v", prefix, err)
		}
		password = strings.TrimSpace(string(b))
	}
	if password == "" {
		t.Skipf("%sPASSWORD or %sPASSWORD_FILE not set: no %s user to test (deploy/clickhouse/start.sh writes its password to <state>/clickhouse/%s.password)", prefix, prefix, user, role)
	}
	return user, password
}

func openAs(t *testing.T, ch config.ClickHouse, user, password string) driver.Conn {
	t.Helper()
	conn, err := store.Open(context.Background(), store.ConnConfig{Addr: ch.Addr, Database: ch.Database, Username: user, Password: password})
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestCHUsersAnalystReadOnly: the analyst reads the pipeline's tables and
// can change nothing; a wrong password is refused.
func TestCHUsersAnalystReadOnly(t *testing.T) {
	clickhouseAddr(t)
	user, pw := chUser(t, "analyst")
	admin, ch := freshDatabase(t)
	ctx := context.Background()
	if err := admin.Exec(ctx, "CREATE TABLE probe (x UInt32) ENGINE = MergeTree ORDER BY x"); err != nil {
		t.Fatal(err)
	}
	if err := admin.Exec(ctx, "INSERT INTO probe SELECT toUInt32(number + 1) FROM system.numbers LIMIT 2"); err != nil {
		t.Fatal(err)
	}
	a := openAs(t, ch, user, pw)
	if got := count(t, a, "SELECT count() FROM probe"); got != 2 {
		t.Errorf("analyst reads %d rows, want 2", got)
	}
	_ = count(t, a, "SELECT count() FROM interaction_events")
	for _, q := range []string{
		"INSERT INTO probe SELECT toUInt32(3)", // INSERT … VALUES via Exec hangs on 18.16
		"CREATE TABLE probe2 (x UInt32) ENGINE = MergeTree ORDER BY x",
		"DROP TABLE probe",
		"TRUNCATE TABLE probe",
		"ALTER TABLE probe DELETE WHERE x = 1",
		"CREATE DATABASE analyst_was_here",
	} {
		if err := a.Exec(ctx, q); err == nil {
			t.Errorf("analyst may %s", q)
		}
	}
	if got := count(t, admin, "SELECT count() FROM probe"); got != 2 {
		t.Errorf("probe has %d rows after the analyst, want 2", got)
	}
	if _, err := store.Open(ctx, store.ConnConfig{Addr: ch.Addr, Database: ch.Database, Username: user, Password: pw + "x"}); err == nil {
		t.Error("a wrong analyst password was accepted")
	}
}

// TestCHUsersWriterService: the writer service, connecting as the writer
// user with its password from a file (VIGIA_CLICKHOUSE_PASSWORD_FILE),
// stores the pipeline's output.
func TestCHUsersWriterService(t *testing.T) {
	clickhouseAddr(t)
	user, pw := chUser(t, "writer")
	conn, ch := freshDatabase(t)
	w := openAs(t, ch, user, pw)
	_ = count(t, w, "SELECT count() FROM interaction_events")
	pwFile := t.TempDir() + "/writer.password"
	if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := startNATS(t)
	procs := map[string]*proc{}
	for _, s := range stageServices {
		env := serviceEnv(n.url, ch)
		if s == "writer" {
			env = append(env, "VIGIA_CLICKHOUSE_USER="+user, "VIGIA_CLICKHOUSE_PASSWORD_FILE="+pwFile)
		}
		procs[s] = startProc(t, s, env)
	}
	msgs, _ := generate(t, 10, "chusers")
	publish(t, n.js, msgs)
	waitServicesDone(t, n, 2*time.Minute)
	stopServices(t, procs)
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != uint64(len(msgs)) {
		t.Errorf("interaction_events: %d, want %d", got, len(msgs))
	}
	logb, _ := os.ReadFile(procs["writer"].log)
	if strings.Contains(string(logb), pw) {
		t.Error("the writer logged its ClickHouse password")
	}
}
