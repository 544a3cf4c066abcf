package bench

import (
	"os"
	"testing"
	"time"
)

func TestSummarizeNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	l := Summarize(d)
	if l.N != 100 || l.P50 != 50 || l.P95 != 95 || l.P99 != 99 || l.Max != 100 || l.Mean != 50.5 {
		t.Fatalf("got %+v", l)
	}
	if one := Summarize([]time.Duration{7 * time.Millisecond}); one.P99 != 7 || one.P50 != 7 {
		t.Fatalf("one sample: %+v", one)
	}
}

func TestThroughputIgnoresWarmUp(t *testing.T) {
	t0 := time.Unix(0, 0)
	// Nothing for 2 s (start-up), then 1000 events/s for 10 s.
	curve := []CurvePoint{{t0, 0}, {t0.Add(2 * time.Second), 0}}
	for s := 1; s <= 10; s++ {
		curve = append(curve, CurvePoint{t0.Add(time.Duration(2+s) * time.Second), s * 1000})
	}
	if got := Throughput(curve, 10000, 0.1); got < 999 || got > 1001 {
		t.Fatalf("throughput %v, want 1000", got)
	}
	if got := Throughput(curve[:5], 10000, 0.1); got != 0 {
		t.Fatalf("an unfinished run has no throughput, got %v", got)
	}
}

func TestProcReadsOwnProcess(t *testing.T) {
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	cpu, err := ProcCPU(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Fatalf("cpu %v, %v", cpu, err)
	}
	peak, cur, err := ProcMem(os.Getpid())
	if err != nil || peak < cur || cur <= 0 {
		t.Fatalf("peak %d, current %d, %v", peak, cur, err)
	}
	m0, err := SampleMachine()
	if err != nil {
		t.Fatal(err)
	}
	for time.Now().Before(deadline.Add(50 * time.Millisecond)) {
	}
	m1, err := SampleMachine()
	if err != nil {
		t.Fatal(err)
	}
	if b := m1.BusyCores(m0, 2); b < 0 || b > 2 {
		t.Fatalf("busy cores %v", b)
	}
}
