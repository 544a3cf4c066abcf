package event_test

import (
	"testing"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/event"
)

// BenchmarkDecode is the first step of every event: the schema validation
// and the decode, on the bench's 1–2 KB es/en messages and lifecycle events.
// One op is one event.
func BenchmarkDecode(b *testing.B) {
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 1, Concurrency: 200}).Take(2000)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m.Data))
	}
	b.SetBytes(bytes / int64(len(msgs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := event.Decode(msgs[i%len(msgs)].Data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeWithSchema is the reference decoder (JSON Schema validator,
// then encoding/json) on the same events: the baseline BenchmarkDecode is
// measured against.
func BenchmarkDecodeWithSchema(b *testing.B) {
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 1, Concurrency: 200}).Take(2000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := event.DecodeWithSchema(msgs[i%len(msgs)].Data); err != nil {
			b.Fatal(err)
		}
	}
}
