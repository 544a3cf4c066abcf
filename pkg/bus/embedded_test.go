package bus

import (
	"testing"
	"time"
)

func TestParseSync(t *testing.T) {
	for _, tc := range []struct {
		in       string
		always   bool
		interval time.Duration
		bad      bool
	}{
		{in: "always", always: true},
		{in: "1s", interval: time.Second},
		{in: "250ms", interval: 250 * time.Millisecond},
		{in: "0s", bad: true},
		{in: "-1s", bad: true},
		{in: "Always", bad: true},
		{in: "", bad: true},
		{in: "sometimes", bad: true},
	} {
		always, interval, err := ParseSync(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseSync(%q) = %v, %v; want an error", tc.in, always, interval)
			}
			continue
		}
		if err != nil || always != tc.always || interval != tc.interval {
			t.Errorf("ParseSync(%q) = %v, %v, %v; want %v, %v", tc.in, always, interval, err, tc.always, tc.interval)
		}
	}
}

// The policy must reach the server: a sync interval that silently became
// fsync-always (or the reverse) changes both the cost and the guarantee.
func TestEmbeddedSyncPolicyReachesServer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      EmbeddedConfig
		always   bool
		interval time.Duration
	}{
		{"always", EmbeddedConfig{SyncAlways: true}, true, 0},
		{"interval", EmbeddedConfig{SyncInterval: 1500 * time.Millisecond}, false, 1500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Port, cfg.StoreDir = -1, t.TempDir()
			srv, err := StartEmbedded(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			js := srv.JetStreamConfig()
			if js == nil {
				t.Fatal("JetStream is not enabled")
			}
			if js.SyncAlways != tc.always || (tc.interval > 0 && js.SyncInterval != tc.interval) {
				t.Fatalf("server sync_always=%v sync_interval=%v; want %v, %v", js.SyncAlways, js.SyncInterval, tc.always, tc.interval)
			}
		})
	}
}
