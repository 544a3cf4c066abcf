package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

func init() {
	commands["eval-detect"] = command{"measure indifference detection on the labelled sets and replay real support threads", cmdEvalDetect}
}

type evalDetectConfig struct {
	Testdata string `conf:"default:pkg/detect/testdata,help:directory of utterances.jsonl and conversations.jsonl"`
	Data     string `conf:"default:../shared/data,help:public datasets (twcs, ibm_twitter_care) to replay; skipped if absent"`
	Examples int    `conf:"default:20,help:flagged real agent replies to print for reading"`
	Pipeline config.Pipeline
}

func cmdEvalDetect(ctx context.Context) error {
	var cfg evalDetectConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	return evalDetection(ctx, os.Stdout, cfg)
}

// prf accumulates precision/recall counts per label.
type prf map[string]*[3]int // tp, fp, fn

func (m prf) add(label string, k int) {
	if m[label] == nil {
		m[label] = &[3]int{}
	}
	m[label][k]++
}

func (m prf) print(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n  %-22s %6s %6s %6s %5s %5s %5s\n", title, "label", "P", "R", "F1", "tp", "fp", "fn")
	labels := make([]string, 0, len(m))
	for l := range m {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	var tp, fp, fn int
	var macro float64
	for _, l := range labels {
		c := m[l]
		p, r := ratio(c[0], c[0]+c[1]), ratio(c[0], c[0]+c[2])
		f := f1(p, r)
		macro += f
		tp, fp, fn = tp+c[0], fp+c[1], fn+c[2]
		fmt.Fprintf(w, "  %-22s %6.3f %6.3f %6.3f %5d %5d %5d\n", l, p, r, f, c[0], c[1], c[2])
	}
	p, r := ratio(tp, tp+fp), ratio(tp, tp+fn)
	fmt.Fprintf(w, "  %-22s %6.3f %6.3f %6.3f %5d %5d %5d\n", "micro", p, r, f1(p, r), tp, fp, fn)
	if len(labels) > 0 {
		fmt.Fprintf(w, "  %-22s %20.3f\n", "macro-F1", macro/float64(len(labels)))
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func evalDetection(ctx context.Context, w io.Writer, cfg evalDetectConfig) error {
	det, err := detect.New(cfg.Pipeline.RulesDir, pipeline.DetectConfig(cfg.Pipeline))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Indifference detection, rules %s\n", det.Rules.Version)
	if err := evalUtterances(w, det.Rules, filepath.Join(cfg.Testdata, "utterances.jsonl")); err != nil {
		return err
	}
	if err := evalConversations(ctx, w, cfg, filepath.Join(cfg.Testdata, "conversations.jsonl")); err != nil {
		return err
	}
	return replayPublic(ctx, w, det.Rules, cfg)
}

func evalUtterances(w io.Writer, rs *detect.Rules, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("labelled utterances: %w", err)
	}
	defer f.Close()
	byLang := map[string]prf{"es": {}, "en": {}}
	all := prf{}
	n := 0
	err = eachLine(f, func(line int, raw []byte) error {
		var u struct {
			Lang   string   `json:"lang"`
			Text   string   `json:"text"`
			Labels []string `json:"labels"`
		}
		if err := json.Unmarshal(raw, &u); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		n++
		got := map[string]bool{}
		for _, s := range rs.Utterance(text.Normalize(u.Text), u.Lang, "agent") {
			if utteranceLabels[s.Label] {
				got[s.Label] = true
			}
		}
		score(got, u.Labels, byLang[u.Lang], all)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nAgent utterances: %d hand-labelled (%s). Note: this set guided the rule writing; it is a development set.", n, path)
	all.print(w, "all languages")
	for _, l := range []string{"es", "en"} {
		byLang[l].print(w, "lang "+l)
	}
	return nil
}

func score(got map[string]bool, want []string, sets ...prf) {
	wantSet := map[string]bool{}
	for _, l := range want {
		wantSet[l] = true
	}
	for l := range got {
		k := 1
		if wantSet[l] {
			k = 0
		}
		for _, s := range sets {
			s.add(l, k)
		}
	}
	for l := range wantSet {
		if !got[l] {
			for _, s := range sets {
				s.add(l, 2)
			}
		}
	}
}

type goldConversation struct {
	transcript.Conversation
	Gold struct {
		Indifference        bool                `json:"indifference"`
		IndifferenceReasons []string            `json:"indifference_reasons"`
		PositiveMoment      bool                `json:"positive_moment"`
		CustomerEmotionPeak string              `json:"customer_emotion_peak"`
		Resolved            bool                `json:"resolved"`
		Escalate            bool                `json:"escalate"`
		AgentLabels         map[string][]string `json:"agent_labels"`
	} `json:"gold"`
}

func evalConversations(ctx context.Context, w io.Writer, cfg evalDetectConfig, path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		fmt.Fprintf(w, "\nConversations: %s not found, skipped\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	chain, _, err := pipeline.Stages(pipeline.Stores{Conversations: &detect.MemoryStore{}, Customers: &detect.MemoryStore{}}, cfg.Pipeline)
	if err != nil {
		return err
	}
	type split struct {
		reasons, flags, turns prf
		agree                 map[string][2]int
		n                     int
	}
	splits := map[string]*split{}
	for _, k := range []string{"dev", "held-out"} {
		splits[k] = &split{reasons: prf{}, flags: prf{}, turns: prf{}, agree: map[string][2]int{}}
	}
	err = eachLine(f, func(line int, raw []byte) error {
		var g goldConversation
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		res, err := replay(ctx, chain, &g.Conversation)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		// The sample conversations guided rule work (development); the
		// annotator's own hard cases (conv-x-*) are held out.
		sp := splits["dev"]
		if strings.HasPrefix(g.ID, "conv-x-") {
			sp = splits["held-out"]
		}
		reasons, flags, turns, agree := sp.reasons, sp.flags, sp.turns, sp.agree
		sp.n++
		got := map[string]bool{}
		for _, r := range res.IndifferenceReasons {
			got[r] = true
		}
		score(got, g.Gold.IndifferenceReasons, reasons)
		for name, pair := range map[string][2]bool{
			"indifference": {res.Indifference, g.Gold.Indifference}, "positive_moment": {res.PositiveMoment, g.Gold.PositiveMoment},
			"resolved": {res.Resolved, g.Gold.Resolved}, "escalate": {res.Escalate, g.Gold.Escalate},
		} {
			predicted := map[string]bool{}
			if pair[0] {
				predicted[name] = true
			}
			score(predicted, boolLabel(name, pair[1]), flags)
			a := agree[name]
			if pair[0] == pair[1] {
				a[0]++
			}
			a[1]++
			agree[name] = a
		}
		a := agree["customer_emotion_peak"]
		if res.CustomerEmotionPeak == g.Gold.CustomerEmotionPeak {
			a[0]++
		}
		a[1]++
		agree["customer_emotion_peak"] = a
		gotTurns := map[int]map[string]bool{}
		for _, e := range res.Evidence {
			if e.Turn != nil && utteranceLabels[e.Label] {
				if gotTurns[*e.Turn] == nil {
					gotTurns[*e.Turn] = map[string]bool{}
				}
				gotTurns[*e.Turn][e.Label] = true
			}
		}
		for i := range g.Turns {
			want := g.Gold.AgentLabels[strconv.Itoa(i)]
			if g.Turns[i].Role != "agent" {
				continue
			}
			score(gotTurns[i], want, turns)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range []string{"dev", "held-out"} {
		sp := splits[k]
		fmt.Fprintf(w, "\nConversations, %s: %d labelled by a separate annotator who did not see the rules (%s)\n", k, sp.n, path)
		sp.reasons.print(w, k+": indifference reasons")
		sp.flags.print(w, k+": conversation flags (true class)")
		fmt.Fprintln(w, "  accuracy:")
		for _, f := range []string{"indifference", "positive_moment", "resolved", "escalate", "customer_emotion_peak"} {
			fmt.Fprintf(w, "    %-22s %.3f (%d/%d)\n", f, ratio(sp.agree[f][0], sp.agree[f][1]), sp.agree[f][0], sp.agree[f][1])
		}
		sp.turns.print(w, k+": agent-turn labels inside the conversations")
	}
	return nil
}

func boolLabel(name string, v bool) []string {
	if v {
		return []string{name}
	}
	return nil
}

// replayPublic runs real customer-support threads through the detector and
// reports what share of agent replies is flagged, per category, with
// examples to read. The data is evaluation-only; nothing is learned from it.
func replayPublic(ctx context.Context, w io.Writer, rs *detect.Rules, cfg evalDetectConfig) error {
	var replies []string
	if f, err := os.Open(filepath.Join(cfg.Data, "twcs", "twcs_sample_shared.csv")); err == nil {
		r := csv.NewReader(bufio.NewReader(f))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		f.Close()
		if err != nil {
			return fmt.Errorf("twcs: %w", err)
		}
		for _, row := range rows[1:] {
			if len(row) > 4 && row[2] == "False" {
				replies = append(replies, row[4])
			}
		}
	}
	nTwcs := len(replies)
	var convs []transcript.Conversation
	if raw, err := os.ReadFile(filepath.Join(cfg.Data, "ibm_twitter_care", "dev.json")); err == nil {
		var dialogs []struct {
			AgentURL struct {
				Turn         string `json:"turn"`
				URLUtterance string `json:"url_utterance"`
			} `json:"agentURL"`
			DialogContent []struct {
				Client   string `json:"client"`
				Agent    string `json:"agent"`
				Datetime string `json:"datetime"`
				Message  string `json:"message"`
			} `json:"dialogContent"`
			DialogHeader struct {
				Company   string `json:"company"`
				SessionID string `json:"sessionID"`
			} `json:"dialogHeader"`
		}
		if err := json.Unmarshal(raw, &dialogs); err != nil {
			return fmt.Errorf("ibm care: %w", err)
		}
		for i, d := range dialogs {
			c := transcript.Conversation{ID: fmt.Sprintf("ibm-%04d", i), Channel: "chat", CustomerID: fmt.Sprintf("ibm-cust-%04d", i),
				Source: "/channels/chat/twitter", Queue: d.DialogHeader.Company}
			for _, m := range d.DialogContent {
				ts, _ := time.Parse(time.RFC3339, m.Datetime)
				role := "customer"
				if m.Agent != "" {
					role = "agent"
					replies = append(replies, m.Message)
				}
				if strings.TrimSpace(m.Message) != "" {
					c.Turns = append(c.Turns, transcript.Turn{Role: role, TS: ts, Text: m.Message, AgentID: m.Agent})
				}
			}
			// The dataset keeps the agent's answering reply apart from the
			// dialog; put it back at its turn. Its time is unknown, so it
			// takes the previous message's: no slow reply is invented.
			if u := strings.TrimSpace(d.AgentURL.URLUtterance); u != "" && len(c.Turns) > 0 {
				at, _ := strconv.Atoi(d.AgentURL.Turn)
				at = min(max(at, 1), len(c.Turns))
				turn := transcript.Turn{Role: "agent", TS: c.Turns[at-1].TS, Text: u, AgentID: d.DialogHeader.Company}
				c.Turns = append(c.Turns[:at], append([]transcript.Turn{turn}, c.Turns[at:]...)...)
				replies = append(replies, u)
			}
			if len(c.Turns) > 0 {
				convs = append(convs, c)
			}
		}
	}
	if len(replies) == 0 {
		fmt.Fprintf(w, "\nReplay: no public data under %s, skipped\n", cfg.Data)
		return nil
	}
	byLabel := map[string]int{}
	flagged := 0
	var examples []string
	for i, s := range replies {
		s = text.Normalize(s)
		lang, _ := text.DetectLang(s, text.Tokenize(s))
		seen := map[string]bool{}
		for _, sg := range rs.Utterance(s, lang, "agent") {
			if !utteranceLabels[sg.Label] || seen[sg.Label] {
				continue
			}
			seen[sg.Label] = true
			byLabel[sg.Label]++
			if len(examples) < cfg.Examples && i%7 == 0 || len(examples) < cfg.Examples/2 {
				examples = append(examples, fmt.Sprintf("  [%s] %q\n      in: %s", sg.Label, sg.Evidence.Text, truncateRunes(s, 220)))
			}
		}
		if len(seen) > 0 {
			flagged++
		}
	}
	fmt.Fprintf(w, "\nReplay of real support replies: %d agent replies (twcs sample %d, IBM customer-care dev %d)\n", len(replies), nTwcs, len(replies)-nTwcs)
	fmt.Fprintf(w, "  flagged with any label: %d (%.1f%%)\n", flagged, 100*ratio(flagged, len(replies)))
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	sort.Slice(labels, func(i, j int) bool { return byLabel[labels[i]] > byLabel[labels[j]] })
	for _, l := range labels {
		fmt.Fprintf(w, "    %-22s %5d  %5.2f%%\n", l, byLabel[l], 100*ratio(byLabel[l], len(replies)))
	}
	if len(convs) > 0 {
		chain, _, err := pipeline.Stages(pipeline.Stores{Conversations: &detect.MemoryStore{}, Customers: &detect.MemoryStore{}}, cfg.Pipeline)
		if err != nil {
			return err
		}
		reasons := map[string]int{}
		var ind, pos, esc int
		for i := range convs {
			res, err := replay(ctx, chain, &convs[i])
			if err != nil {
				continue
			}
			for _, r := range res.IndifferenceReasons {
				reasons[r]++
			}
			if res.Indifference {
				ind++
			}
			if res.PositiveMoment {
				pos++
			}
			if res.Escalate {
				esc++
			}
		}
		fmt.Fprintf(w, "  IBM conversations replayed: %d; indifferent %.1f%%, positive moment %.1f%%, escalated %.1f%%\n",
			len(convs), 100*ratio(ind, len(convs)), 100*ratio(pos, len(convs)), 100*ratio(esc, len(convs)))
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "    reason %-18s %5.1f%%\n", k, 100*ratio(reasons[k], len(convs)))
		}
	}
	fmt.Fprintf(w, "\n  %d flagged replies to read:\n%s\n", len(examples), strings.Join(examples, "\n"))
	return nil
}

func truncateRunes(s string, n int) string {
	if text.RuneLen(s) <= n {
		return s
	}
	return text.Slice(s, 0, n) + "…"
}

var _ = stage.Chain{}
