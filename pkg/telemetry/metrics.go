package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry holds every vigia metric and the Go runtime and process
// collectors; /metrics serves it. A registry of our own, not the global
// default, so a library's metrics never appear uninvited.
var Registry = prometheus.NewRegistry()

// Label values are always drawn from small fixed sets — consumer and stage
// names from code and configuration, table names, severities — never from
// event data, so the number of series stays bounded.

// durationBuckets span 0.5 ms to about 30 s: a stage over one batch at the
// low end, an insert retried against a struggling server at the high end.
var durationBuckets = prometheus.ExponentialBuckets(0.0005, 2.5, 13)

// Runner metrics, by durable consumer (enrich, classify, detect, write,
// vigia for the all-in-one binary).
var (
	MessagesReceived = counterVec("vigia_runner_messages_received_total",
		"Messages pulled from the durable consumer (redeliveries included).", "consumer")
	MessagesAcked = counterVec("vigia_runner_messages_acked_total",
		"Messages acked after their output was durably written.", "consumer")
	MessagesRedelivered = counterVec("vigia_runner_messages_redelivered_total",
		"Messages nak'ed for redelivery because their batch could not be completed.", "consumer")
	DeadLetters = counterVec("vigia_runner_dead_letters_total",
		"Messages stored on cx.dlq.<consumer> and terminated, by the stage that rejected them.", "consumer", "failed_stage")
	BatchRetries = counterVec("vigia_runner_batch_retries_total",
		"Retries of a batch's processing or write after a transient failure.", "consumer")
	BatchMessages = histogramVec("vigia_runner_batch_messages",
		"Messages per batch.", []float64{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000}, "consumer")
	BatchDuration = histogramVec("vigia_runner_batch_duration_seconds",
		"Time from a batch's collection to its last ack, retries included.", durationBuckets, "consumer")
	ConsumerPending = gaugeVec("vigia_consumer_pending_messages",
		"Messages in the stream not yet delivered to the durable consumer (its lag), polled periodically.", "consumer")
	ConsumerAckPending = gaugeVec("vigia_consumer_ack_pending_messages",
		"Messages delivered to the durable consumer and not yet acked, polled periodically.", "consumer")
)

// Stage metrics, by stage of a chain (decode, enrich, classify, detect,
// decode-record). A batch that fails as a whole and is retried is counted
// again when it is processed again.
var (
	StageEventsIn = counterVec("vigia_stage_events_in_total",
		"Events handed to the stage.", "stage")
	StageEventsOut = counterVec("vigia_stage_events_out_total",
		"Events the stage passed on.", "stage")
	StageEventsFailed = counterVec("vigia_stage_events_failed_total",
		"Events the stage rejected (they are dead-lettered).", "stage")
	StageErrors = counterVec("vigia_stage_batch_errors_total",
		"Batches the stage failed as a whole (transient; the batch is retried).", "stage")
	StageDuration = histogramVec("vigia_stage_duration_seconds",
		"Time the stage took over one batch.", durationBuckets, "stage")
)

// ClickHouse writer metrics, by table.
var (
	InsertDuration = histogramVec("vigia_clickhouse_insert_duration_seconds",
		"Latency of one successful batch insert into a table.", durationBuckets, "table")
	InsertedRows = counterVec("vigia_clickhouse_inserted_rows_total",
		"Rows inserted (a redelivered batch's rows are counted again; ReplacingMergeTree dedupes them).", "table")
	InsertErrors = counterVec("vigia_clickhouse_insert_errors_total",
		"Failed batch inserts; kind is permanent (rows rejected) or transient (retried).", "table", "kind")
)

// EscalationsPublished counts escalations newly stored in CX_ESCALATIONS;
// republished duplicates (a retried batch) are not counted.
var EscalationsPublished = counterVec("vigia_escalations_published_total",
	"Escalations published, by severity.", "severity")

// Severity maps an escalation severity to a label value, so an unexpected
// value cannot create series.
func Severity(s string) string {
	switch s {
	case "low", "medium", "high", "critical":
		return s
	}
	return "other"
}

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	Registry.MustRegister(c)
	return c
}

func gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	Registry.MustRegister(g)
	return g
}

func histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	Registry.MustRegister(h)
	return h
}
