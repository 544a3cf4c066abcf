package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
)

// Figures are what one system (a pipeline mode or a baseline) achieved in
// the sustained run.
type Figures struct {
	Events int `json:"events"`
	// OfferedPerS is the publish rate actually achieved.
	OfferedPerS float64 `json:"offered_events_per_s"`
	// EventsPerS is the sustained rate (see Throughput).
	EventsPerS float64 `json:"events_per_s"`
	// KeptUp says the system absorbed the offered load (≥ 90% of it).
	KeptUp            bool     `json:"kept_up"`
	P50MsToClickHouse float64  `json:"p50_ms_to_clickhouse,omitempty"`
	P95MsToClickHouse float64  `json:"p95_ms_to_clickhouse,omitempty"`
	P99MsToClickHouse float64  `json:"p99_ms_to_clickhouse"`
	P50MsToEscalation float64  `json:"p50_ms_to_escalation,omitempty"`
	P95MsToEscalation float64  `json:"p95_ms_to_escalation,omitempty"`
	P99MsToEscalation float64  `json:"p99_ms_to_escalation"`
	ToClickHouse      *Latency `json:"latency_to_clickhouse,omitempty"`
	ToEscalation      *Latency `json:"latency_to_escalation,omitempty"`
	ToAck             *Latency `json:"latency_to_ack,omitempty"`
	// CPUCores is the CPU of the measured processes (NATS server included,
	// ClickHouse excluded) over the run's wall time.
	CPUCores     float64            `json:"cpu_cores"`
	CPUSPer100k  float64            `json:"cpu_s_per_100k"`
	CPUByProcess map[string]float64 `json:"cpu_s_by_process"`
	// RSSMB is the sum of the processes' peak resident sets (VmHWM).
	RSSMB        float64            `json:"rss_mb"`
	RSSByProcess map[string]float64 `json:"rss_mb_by_process"`
	WallS        float64            `json:"wall_s"`
	// MachineBusyCores is every process's CPU on the machine over the
	// run (ClickHouse, the load generator, other users' work): near the
	// core count, the run was CPU-bound as a whole.
	MachineBusyCores float64 `json:"machine_busy_cores"`
	// ClickHouseCores is the ClickHouse server's CPU over the run (when it
	// runs on this machine), OtherCores what remains of the machine's busy
	// time once every process of the run is accounted for: other users of
	// a shared machine.
	ClickHouseCores float64 `json:"clickhouse_cores"`
	OtherCores      float64 `json:"other_cores"`
	// Rows, Escalations and DeadLetters check the run did what it should.
	Rows        uint64 `json:"rows,omitempty"`
	Escalations int    `json:"escalations,omitempty"`
	// EscalationRows is what the escalations table holds at the end.
	EscalationRows    uint64  `json:"escalation_rows,omitempty"`
	DeadLetters       uint64  `json:"dead_letters"`
	PublishLagP99Ms   float64 `json:"publish_lag_p99_ms"`
	LoadGeneratorCPUS float64 `json:"load_generator_cpu_s"`
	// CatchupEventsPerS is filled for modes that ran the catch-up.
	CatchupEventsPerS float64 `json:"catchup_events_per_s"`
	// VsCeiling holds each figure divided by the ceiling's.
	VsCeiling map[string]float64 `json:"vs_ceiling,omitempty"`
}

// ClickHouseBaseline is the raw batched insert of the same rows.
type ClickHouseBaseline struct {
	Rows        int     `json:"rows"`
	BatchSize   int     `json:"batch_size"`
	RowsPerS    float64 `json:"rows_per_s"`
	CPUSPer100k float64 `json:"client_cpu_s_per_100k"`
	WallS       float64 `json:"wall_s"`
	Bytes       int64   `json:"payload_bytes"`
}

// Catchup is one system draining a backlog.
type Catchup struct {
	Events      int                `json:"events"`
	Completed   bool               `json:"completed"`
	DrainS      float64            `json:"drain_s"`
	StartupS    float64            `json:"startup_s"`
	EventsPerS  float64            `json:"events_per_s"`
	CPUSPer100k float64            `json:"cpu_s_per_100k"`
	CPUCores    float64            `json:"cpu_cores"`
	RSSMB       float64            `json:"rss_mb"`
	RSSByProc   map[string]float64 `json:"rss_mb_by_process"`
	Rows        uint64             `json:"rows"`
	VsMover     float64            `json:"vs_mover,omitempty"`
	// MachineBusyCores is every process on the machine, ClickHouse too.
	MachineBusyCores float64 `json:"machine_busy_cores"`
}

// CatchupReport is the backlog run.
type CatchupReport struct {
	Events         int                 `json:"events"`
	PublishS       float64             `json:"publish_s"`
	PublishPerS    float64             `json:"publish_events_per_s"`
	StreamBytes    uint64              `json:"stream_bytes"`
	Mover          *Catchup            `json:"mover"`
	Modes          map[string]*Catchup `json:"modes"`
	SkippedReasons []string            `json:"notes,omitempty"`
}

// Target is one goal and whether this run met it.
type Target struct {
	Name string  `json:"name"`
	Want string  `json:"want"`
	Got  float64 `json:"got"`
	Met  bool    `json:"met"`
}

// Machine is where the figures came from.
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	MemoryMB   int64  `json:"memory_mb"`
	Kernel     string `json:"kernel"`
	Go         string `json:"go"`
	ClickHouse string `json:"clickhouse"`
	NATSServer string `json:"nats_server"`
	// LoadBefore and LoadAfter are /proc/loadavg around the run: on a
	// shared machine, other work competes for the same cores.
	LoadBefore string `json:"loadavg_before"`
	LoadAfter  string `json:"loadavg_after"`
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// Report is the whole run. The top level repeats the all-in-one figures
// (the default deployment) so a dashboard reads one level.
type Report struct {
	Mode string `json:"mode"`
	Figures
	CeilingEventsPerS float64 `json:"ceiling_events_per_s"`

	Modes     map[string]*Figures `json:"modes"`
	Baselines struct {
		NATS       *Figures            `json:"nats"`
		ClickHouse *ClickHouseBaseline `json:"clickhouse"`
		Ceiling    *Figures            `json:"ceiling"`
	} `json:"baselines"`
	Catchup   *CatchupReport `json:"catchup,omitempty"`
	Targets   []Target       `json:"targets"`
	Machine   Machine        `json:"machine"`
	Settings  Settings       `json:"settings"`
	Generated GenStats       `json:"generated"`
	Notes     []string       `json:"notes,omitempty"`
}

// Settings are the knobs of the run, for reproducing it.
type Settings struct {
	Events        int     `json:"events"`
	Rate          float64 `json:"rate"`
	CatchupEvents int     `json:"catchup_events"`
	Concurrency   int     `json:"concurrency"`
	Seed          int64   `json:"seed"`
	BatchSize     int     `json:"batch_size"`
	BatchWaitMs   int64   `json:"batch_wait_ms"`
	NATSSync      string  `json:"nats_sync"`
	PollMs        int64   `json:"poll_ms"`
	NATS          string  `json:"nats"`
}

// machine describes this host.
func machine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemoryMB = kb >> 10
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// WriteTable prints the report for people.
func WriteTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "vigia bench: %d events per system at %s; %s\n", r.Settings.Events, rateString(r.Settings.Rate), r.Settings.NATS)
	fmt.Fprintf(w, "machine: %d cores (%s), %d MB, Linux %s, %s, ClickHouse %s; load average %s before, %s after\n\n",
		r.Machine.Cores, r.Machine.CPU, r.Machine.MemoryMB, r.Machine.Kernel, r.Machine.Go, r.Machine.ClickHouse, r.Machine.LoadBefore, r.Machine.LoadAfter)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "system\tpublished/s\tevents/s\tkept up\tp50→CH ms\tp95→CH ms\tp99→CH ms\tp99→esc ms\tcpu cores\tcpu s/100k\trss MB\tcatch-up ev/s\tCH cores\tothers' cores\t")
	row := func(name string, f *Figures) {
		if f == nil {
			return
		}
		catch := "-"
		if f.CatchupEventsPerS > 0 {
			catch = fmt.Sprintf("%.0f", f.CatchupEventsPerS)
		}
		p := func(v float64) string {
			if v == 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f", v)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%v\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.0f\t%s\t%.2f\t%.2f\t\n", name, f.OfferedPerS, f.EventsPerS, yesNo(f.KeptUp),
			p(f.P50MsToClickHouse), p(f.P95MsToClickHouse), p(f.P99MsToClickHouse), p(f.P99MsToEscalation),
			f.CPUCores, f.CPUSPer100k, f.RSSMB, catch, f.ClickHouseCores, f.OtherCores)
	}
	if n := r.Baselines.NATS; n != nil {
		fmt.Fprintf(tw, "raw JetStream pub+consume+ack\t%.0f\t%.0f\t%v\t%s\t%s\t%s\t-\t%.2f\t%.2f\t%.0f\t-\t%.2f\t%.2f\t\n", n.OfferedPerS, n.EventsPerS, yesNo(n.KeptUp),
			ackP(n, 50), ackP(n, 95), ackP(n, 99), n.CPUCores, n.CPUSPer100k, n.RSSMB, n.ClickHouseCores, n.OtherCores)
	}
	if c := r.Baselines.ClickHouse; c != nil {
		fmt.Fprintf(tw, "raw ClickHouse batch insert\t-\t%.0f\t-\t-\t-\t-\t-\t-\t%.2f\t-\t-\t-\t-\t\n", c.RowsPerS, c.CPUSPer100k)
	}
	row("ceiling (raw mover)", r.Baselines.Ceiling)
	for _, name := range sortedModes(r.Modes) {
		row(name, r.Modes[name])
	}
	tw.Flush()
	fmt.Fprintln(w, "  cpu = the system's processes incl. NATS, ClickHouse excluded; CH cores = the ClickHouse server; others' cores = the")
	fmt.Fprintln(w, "  host's busy time nobody in the run used (a shared machine). Raw JetStream latencies are publish → acked.")

	if len(r.Modes) > 0 {
		fmt.Fprintln(w, "\nratio to the ceiling (pipeline ÷ raw mover)")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		keys := []string{"events_per_s", "p99_ms_to_clickhouse", "cpu_cores", "cpu_s_per_100k", "rss_mb", "catchup_events_per_s"}
		fmt.Fprintln(tw, "mode\t"+strings.Join(keys, "\t")+"\t")
		for _, name := range sortedModes(r.Modes) {
			fmt.Fprint(tw, name)
			for _, k := range keys {
				if v, ok := r.Modes[name].VsCeiling[k]; ok {
					fmt.Fprintf(tw, "\t%.3f", v)
				} else {
					fmt.Fprint(tw, "\t-")
				}
			}
			fmt.Fprintln(tw, "\t")
		}
		tw.Flush()
	}

	if c := r.Catchup; c != nil {
		fmt.Fprintf(w, "\ncatch-up: %d events already in the stream (%.0f MB, published at %.0f/s)\n", c.Events, float64(c.StreamBytes)/(1<<20), c.PublishPerS)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "system\tdone\tdrain s\tstartup s\tevents/s\tvs mover\tcpu cores\tcpu s/100k\trss MB\tmachine busy\t")
		crow := func(name string, k *Catchup) {
			if k == nil {
				return
			}
			fmt.Fprintf(tw, "%s\t%v\t%.1f\t%.2f\t%.0f\t%s\t%.2f\t%.2f\t%.0f\t%.2f\t\n", name, yesNo(k.Completed), k.DrainS, k.StartupS, k.EventsPerS,
				ratioString(k.VsMover), k.CPUCores, k.CPUSPer100k, k.RSSMB, k.MachineBusyCores)
		}
		crow("raw mover", c.Mover)
		for _, name := range sortedCatchup(c.Modes) {
			crow(name, c.Modes[name])
		}
		tw.Flush()
		for _, n := range c.SkippedReasons {
			fmt.Fprintln(w, "  "+n)
		}
	}

	if len(r.Targets) > 0 {
		fmt.Fprintln(w, "\ntargets")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range r.Targets {
			fmt.Fprintf(tw, "  %s\t%s\tgot %s\t%s\n", t.Name, t.Want, trim(t.Got), map[bool]string{true: "met", false: "NOT MET"}[t.Met])
		}
		tw.Flush()
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
}

func ackP(f *Figures, p int) string {
	if f.ToAck == nil {
		return "-"
	}
	switch p {
	case 50:
		return fmt.Sprintf("%.0f", f.ToAck.P50)
	case 95:
		return fmt.Sprintf("%.0f", f.ToAck.P95)
	}
	return fmt.Sprintf("%.0f", f.ToAck.P99)
}

func trim(f float64) string {
	if f == float64(int64(f)) || f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.3g", f)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func ratioString(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", f)
}

func rateString(r float64) string {
	if r <= 0 {
		return "as fast as possible"
	}
	return fmt.Sprintf("%.0f events/s offered", r)
}

func sortedModes(m map[string]*Figures) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedCatchup(m map[string]*Catchup) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
