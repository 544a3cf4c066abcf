package bus_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/detect"
)

// TestPutManyIsCompareAndSet: the pipelined writes keep Put's semantics key
// by key — create only if absent (or deleted), update only at the read
// revision — and report each outcome in place.
func TestPutManyIsCompareAndSet(t *testing.T) {
	for _, atomic := range []bool{true, false} {
		t.Run(map[bool]string{true: "atomic", false: "pipelined"}[atomic], func(t *testing.T) { testPutMany(t, atomic) })
	}
}

func testPutMany(t *testing.T, atomic bool) {
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := bus.EnsureTopology(ctx, js, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	st, err := bus.OpenStateStore(ctx, js, bus.BucketConversations)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Atomic {
		t.Fatal("EnsureTopology did not allow atomic publish on the bucket")
	}
	st.Atomic = atomic
	// A clean batch: all created, revisions as stored.
	clean := []detect.Put{{Key: "t.x", Data: []byte("x1")}, {Key: "t.y", Data: []byte("y1")}}
	if err := st.PutMany(ctx, clean); err != nil {
		t.Fatal(err)
	}
	for _, p := range clean {
		if _, rev, err := st.Get(ctx, p.Key); p.Err != nil || err != nil || rev != p.NewRevision {
			t.Fatalf("%s: put err %v, get err %v, revision %d reported %d", p.Key, p.Err, err, rev, p.NewRevision)
		}
	}
	revA, err := st.Put(ctx, "t.a", []byte("a1"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "t.gone", []byte("g1"), 0); err != nil {
		t.Fatal(err)
	}
	if err := st.KV.Delete(ctx, "t.gone"); err != nil {
		t.Fatal(err)
	}
	puts := []detect.Put{
		{Key: "t.a", Data: []byte("a2"), Revision: revA},      // update at the read revision
		{Key: "t.b", Data: []byte("b1"), Revision: 0},         // create
		{Key: "t.a", Data: []byte("stale"), Revision: revA},   // stale after the first
		{Key: "t.gone", Data: []byte("g2"), Revision: 0},      // create over a delete marker
		{Key: "t.c", Data: []byte("c1"), Revision: revA + 50}, // update of a key that is not there
	}
	if err := st.PutMany(ctx, puts); err != nil {
		t.Fatal(err)
	}
	for i, wantOK := range []bool{true, true, false, true, false} {
		if (puts[i].Err == nil) != wantOK {
			t.Errorf("put %d (%s): err %v, want ok=%v", i, puts[i].Key, puts[i].Err, wantOK)
		}
		if !wantOK && !errors.Is(puts[i].Err, detect.ErrConflict) {
			t.Errorf("put %d: %v is not a conflict", i, puts[i].Err)
		}
	}
	for key, want := range map[string]string{"t.a": "a2", "t.b": "b1", "t.gone": "g2"} {
		data, rev, err := st.Get(ctx, key)
		if err != nil || string(data) != want {
			t.Errorf("%s = %q (%v), want %q", key, data, err, want)
		}
		for _, p := range puts {
			if p.Key == key && p.Err == nil && p.NewRevision != rev {
				t.Errorf("%s: PutMany reported revision %d, stored %d", key, p.NewRevision, rev)
			}
		}
	}
}
