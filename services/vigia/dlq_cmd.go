package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

func init() {
	commands["dlq"] = command{"inspect dead letters and replay them after a fix (list, show, replay)", cmdDLQ}
}

type dlqConfig struct {
	NATS   config.NATS
	Stage  string `conf:"help:only dead letters of this consumer (e.g. vigia or enrich or write)"`
	Reason string `conf:"help:only dead letters whose reason contains this text (case-insensitive)"`
	Seq    string `conf:"help:only these dead-letter sequence numbers: a list like 3;7;12 or a range like 3-12"`
	Limit  int    `conf:"default:0,help:list at most this many (0: all)"`
	JSON   bool   `conf:"help:list/show as JSON lines"`
	Data   string `conf:"help:replay: file with a corrected payload for the one dead letter selected by --seq"`
	DryRun bool   `conf:"help:replay: print what would be replayed and change nothing"`
	Log    config.Log
}

const dlqUsage = `usage: vigia dlq <list|show|replay> [flags]   (vigia dlq list --help)
  list     one line per dead letter: seq, time, consumer, deliveries, subject, reason
  show     headers and payload of the selected dead letters
  replay   publish the selected payloads to their original subjects again, then
           remove them from CX_DLQ; a replay that fails again is dead-lettered anew`

// deadLetter is one message of CX_DLQ as an operator sees it.
type deadLetter struct {
	Seq             uint64    `json:"seq"`
	Time            time.Time `json:"time"`
	Consumer        string    `json:"consumer"`
	Stage           string    `json:"stage"`
	Reason          string    `json:"reason"`
	OriginalSubject string    `json:"original_subject"`
	OriginalStream  string    `json:"original_stream"`
	OriginalSeq     uint64    `json:"original_seq,omitempty"`
	Deliveries      int       `json:"deliveries,omitempty"`
	Data            string    `json:"data,omitempty"`
	DataBase64      string    `json:"data_base64,omitempty"`
	raw             []byte
}

// cmdDLQ is how an operator deals with poison messages: see why they were
// refused, fix the cause (rules, limits, a producer's payload), and put them
// back on their original subject. Nothing is deleted unless its replay was
// stored first.
func cmdDLQ(ctx context.Context) error {
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		fmt.Fprintln(os.Stderr, dlqUsage)
		return errors.New("missing action")
	}
	action := os.Args[1]
	os.Args = append([]string{os.Args[0] + " " + action}, os.Args[2:]...)
	switch action {
	case "list", "show", "replay":
	default:
		fmt.Fprintln(os.Stderr, dlqUsage)
		return fmt.Errorf("unknown action %q", action)
	}
	var cfg dlqConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, "dlq", cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	sel, err := parseSeqs(cfg.Seq)
	if err != nil {
		return err
	}
	if cfg.Data != "" && (action != "replay" || len(sel) != 1) {
		return errors.New("--data replaces the payload of exactly one dead letter: use it with replay and one --seq")
	}
	nc, js, err := connectJetStream(cfg.NATS.URL, cfg.NATS.NATSAuth, "vigia-dlq", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	letters, err := readDeadLetters(ctx, js, cfg, sel)
	if err != nil {
		return err
	}
	switch action {
	case "list":
		return listDeadLetters(os.Stdout, letters, cfg.JSON)
	case "show":
		return showDeadLetters(os.Stdout, letters, cfg.JSON)
	}
	var data []byte
	if cfg.Data != "" {
		if len(letters) != 1 {
			return fmt.Errorf("--seq %s matches %d dead letters, want 1", cfg.Seq, len(letters))
		}
		if data, err = os.ReadFile(cfg.Data); err != nil {
			return fmt.Errorf("corrected payload: %w", err)
		}
	}
	return replayDeadLetters(ctx, js, letters, data, cfg.DryRun, os.Stdout)
}

// parseSeqs reads "3;7;12", "3,7" or "3-12".
func parseSeqs(s string) (map[uint64]bool, error) {
	if s == "" {
		return nil, nil
	}
	out := map[uint64]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--seq %q: %w", part, err)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("--seq %q: not a range low-high", part)
			}
		}
		if b-a > 1_000_000 {
			return nil, fmt.Errorf("--seq %q: range too large", part)
		}
		for q := a; q <= b; q++ {
			out[q] = true
		}
	}
	return out, nil
}

// readDeadLetters reads the matching dead letters in order, with an ordered
// consumer that leaves no state on the server.
func readDeadLetters(ctx context.Context, js jetstream.JetStream, cfg dlqConfig, sel map[uint64]bool) ([]deadLetter, error) {
	st, err := js.Stream(ctx, bus.StreamDLQ)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", bus.StreamDLQ, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", bus.StreamDLQ, err)
	}
	if info.State.Msgs == 0 {
		return nil, nil
	}
	filter := bus.SubjectDLQPrefix + ">"
	if cfg.Stage != "" {
		filter = bus.SubjectDLQPrefix + cfg.Stage
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", bus.StreamDLQ, err)
	}
	reason := strings.ToLower(cfg.Reason)
	var out []deadLetter
	for {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", bus.StreamDLQ, err)
		}
		got, last := 0, false
		for m := range batch.Messages() {
			got++
			md, err := m.Metadata()
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", bus.StreamDLQ, err)
			}
			last = md.NumPending == 0
			dl := toDeadLetter(m, md)
			if (sel == nil || sel[dl.Seq]) && strings.Contains(strings.ToLower(dl.Reason), reason) {
				out = append(out, dl)
			}
			if cfg.Limit > 0 && len(out) >= cfg.Limit {
				return out, nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return nil, fmt.Errorf("read %s: %w", bus.StreamDLQ, err)
		}
		if last || got == 0 {
			return out, nil
		}
	}
}

func toDeadLetter(m jetstream.Msg, md *jetstream.MsgMetadata) deadLetter {
	h := m.Headers()
	dl := deadLetter{
		Seq: md.Sequence.Stream, Time: md.Timestamp.UTC(),
		Consumer:        strings.TrimPrefix(m.Subject(), bus.SubjectDLQPrefix),
		Stage:           h.Get(bus.HeaderDLQStage),
		Reason:          h.Get(bus.HeaderDLQReason),
		OriginalSubject: h.Get(bus.HeaderOrigSubject),
		OriginalStream:  h.Get(bus.HeaderOrigStream),
		raw:             m.Data(),
	}
	dl.OriginalSeq, _ = strconv.ParseUint(h.Get(bus.HeaderOrigSeq), 10, 64)
	dl.Deliveries, _ = strconv.Atoi(h.Get(bus.HeaderDeliveries))
	return dl
}

func listDeadLetters(w io.Writer, letters []deadLetter, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, dl := range letters {
			if err := enc.Encode(dl); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tCONSUMER\tSTAGE\tTRIES\tSUBJECT\tREASON")
	for _, dl := range letters {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", dl.Seq, dl.Time.Format(time.RFC3339), dl.Consumer, dl.Stage,
			dl.Deliveries, dl.OriginalSubject, clip(dl.Reason, 120))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d dead letters\n", len(letters))
	return nil
}

func showDeadLetters(w io.Writer, letters []deadLetter, asJSON bool) error {
	for _, dl := range letters {
		if utf8.Valid(dl.raw) {
			dl.Data = string(dl.raw)
		} else {
			dl.DataBase64 = base64.StdEncoding.EncodeToString(dl.raw)
		}
		if asJSON {
			if err := json.NewEncoder(w).Encode(dl); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(w, "seq %d  %s  consumer %s  stage %s  deliveries %d\n  original %s seq %d on %s\n  reason: %s\n",
			dl.Seq, dl.Time.Format(time.RFC3339), dl.Consumer, dl.Stage, dl.Deliveries, dl.OriginalStream, dl.OriginalSeq, dl.OriginalSubject, dl.Reason)
		if dl.Data != "" || len(dl.raw) == 0 {
			fmt.Fprintf(w, "  payload (%d bytes): %s\n\n", len(dl.raw), clip(dl.Data, 2000))
		} else {
			fmt.Fprintf(w, "  payload (%d bytes, not UTF-8, base64): %s\n\n", len(dl.raw), clip(dl.DataBase64, 2000))
		}
	}
	return nil
}

// replayDeadLetters publishes each payload to its original subject, waits
// for the stream's ack, and only then deletes the dead letter. The message id
// is derived from the dead letter, not the event: the event's own id may
// still sit in the stream's duplicate window, and a replay interrupted
// between publish and delete must not be stored twice when run again.
func replayDeadLetters(ctx context.Context, js jetstream.JetStream, letters []deadLetter, data []byte, dryRun bool, w io.Writer) error {
	st, err := js.Stream(ctx, bus.StreamDLQ)
	if err != nil {
		return fmt.Errorf("stream %s: %w", bus.StreamDLQ, err)
	}
	replayed := 0
	for _, dl := range letters {
		if dl.OriginalSubject == "" {
			return fmt.Errorf("dead letter %d has no %s header: cannot tell where to replay it", dl.Seq, bus.HeaderOrigSubject)
		}
		payload := dl.raw
		if data != nil {
			payload = data
		}
		if dryRun {
			fmt.Fprintf(w, "would replay %d to %s (%d bytes): %s\n", dl.Seq, dl.OriginalSubject, len(payload), clip(dl.Reason, 100))
			continue
		}
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, "dlq-replay:"+strconv.FormatUint(dl.Seq, 10))
		h.Set(bus.HeaderReplayOf, strconv.FormatUint(dl.Seq, 10))
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := js.PublishMsg(pctx, &nats.Msg{Subject: dl.OriginalSubject, Header: h, Data: payload})
		cancel()
		if err != nil {
			return fmt.Errorf("replay dead letter %d to %s (%d replayed before it): %w", dl.Seq, dl.OriginalSubject, replayed, err)
		}
		if err := st.DeleteMsg(ctx, dl.Seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("dead letter %d replayed but not removed from %s (a second replay is deduplicated): %w", dl.Seq, bus.StreamDLQ, err)
		}
		replayed++
	}
	if !dryRun {
		fmt.Fprintf(w, "replayed %d dead letters\n", replayed)
	}
	return nil
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
