package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

func init() {
	commands["detect"] = command{"detect indifference in JSON lines (--utterances or --conversations)", cmdDetect}
}

type detectConfig struct {
	Utterances    bool `conf:"help:input lines are agent utterances {id,text,lang,customer_context}"`
	Conversations bool `conf:"help:input lines are whole transcripts {id,lang,channel,customer_id,turns}"`
	Pipeline      config.Pipeline
	Redact        config.Redact
}

// utteranceLabels are the stable label names of `detect --utterances`.
var utteranceLabels = map[string]bool{
	"deflect_other_area": true, "deflect_policy": true, "deflect_system": true, "blame_third_party": true,
	"powerless": true, "scripted_empathy": true, "no_ownership": true, "dismissive": true, "ownership": true,
	"personalization": true, "follow_up_promise": true, "apology_with_action": true,
}

func cmdDetect(ctx context.Context) error {
	var cfg detectConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	switch {
	case cfg.Utterances == cfg.Conversations:
		return fmt.Errorf("give exactly one of --utterances or --conversations")
	case cfg.Utterances:
		det, err := detect.New(cfg.Pipeline.RulesDir, pipeline.DetectConfig(cfg.Pipeline))
		if err != nil {
			return err
		}
		return detectUtterances(det.Rules, os.Stdin, out)
	}
	chain, det, err := pipeline.Stages(pipeline.Stores{Conversations: &detect.MemoryStore{}, Customers: &detect.MemoryStore{}}, cfg.Pipeline)
	if err != nil {
		return err
	}
	_ = det
	return detectConversations(ctx, chain, os.Stdin, out)
}

type utteranceIn struct {
	ID              string `json:"id"`
	Text            string `json:"text"`
	Lang            string `json:"lang"`
	CustomerContext string `json:"customer_context"`
}

type evidenceOut struct {
	Turn  *int   `json:"turn,omitempty"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	Label string `json:"label"`
}

type utteranceOut struct {
	ID       string        `json:"id"`
	Labels   []string      `json:"labels"`
	Evidence []evidenceOut `json:"evidence"`
	Version  string        `json:"version"`
}

// detectUtterances labels agent utterances. A span the agent merely echoes
// from the customer's previous message is the customer's words, not a
// deflection of the agent's.
func detectUtterances(rs *detect.Rules, in io.Reader, w io.Writer) error {
	enc := json.NewEncoder(w)
	return eachLine(in, func(line int, raw []byte) error {
		var u utteranceIn
		if err := json.Unmarshal(raw, &u); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		s := text.Normalize(u.Text)
		lang := u.Lang
		if lang != "es" && lang != "en" {
			lang, _ = text.DetectLang(s, text.Tokenize(s))
		}
		echo := text.Fold(u.CustomerContext)
		res := utteranceOut{ID: u.ID, Labels: []string{}, Evidence: []evidenceOut{}, Version: rs.Version}
		seen := map[string]bool{}
		for _, sg := range rs.Utterance(s, lang, "agent") {
			if !utteranceLabels[sg.Label] {
				continue
			}
			if echo != "" && sg.Polarity == "negative" && strings.Contains(echo, text.Fold(sg.Evidence.Text)) {
				continue
			}
			if !seen[sg.Label] {
				seen[sg.Label] = true
				res.Labels = append(res.Labels, sg.Label)
			}
			res.Evidence = append(res.Evidence, evidenceOut{Start: sg.Evidence.Start, End: sg.Evidence.End, Text: sg.Evidence.Text, Label: sg.Label})
		}
		return enc.Encode(res)
	})
}

type conversationOut struct {
	ID                  string            `json:"id"`
	Indifference        bool              `json:"indifference"`
	IndifferenceReasons []string          `json:"indifference_reasons"`
	PositiveMoment      bool              `json:"positive_moment"`
	CustomerEmotionPeak string            `json:"customer_emotion_peak"`
	Resolved            bool              `json:"resolved"`
	Escalate            bool              `json:"escalate"`
	Score               float32           `json:"score"`
	ScoreParts          []event.ScorePart `json:"score_parts"`
	EmotionalLoad       float32           `json:"emotional_load"`
	Evidence            []evidenceOut     `json:"evidence"`
	Version             string            `json:"version"`
}

// detectConversations replays each transcript through the pipeline's own
// chain (decode → enrich → classify → detect) with in-memory state, so
// repeat contacts across lines are found as the pipeline would find them.
func detectConversations(ctx context.Context, chain stage.Chain, in io.Reader, w io.Writer) error {
	enc := json.NewEncoder(w)
	return eachLine(in, func(line int, raw []byte) error {
		var c transcript.Conversation
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		res, err := replay(ctx, chain, &c)
		if err != nil {
			return fmt.Errorf("line %d (%s): %w", line, c.ID, err)
		}
		return enc.Encode(res)
	})
}

func replay(ctx context.Context, chain stage.Chain, c *transcript.Conversation) (conversationOut, error) {
	evs, err := c.Events()
	if err != nil {
		return conversationOut{}, err
	}
	// Contact-center exports that end without an outcome still ended: the
	// detector infers whether the customer was helped.
	if c.Resolution == "" {
		last := evs[len(evs)-1].Time
		evs = append(evs, event.Event{SpecVersion: "1.0", ID: transcript.DeterministicUUIDv7(c.ID, len(c.Turns)+9, last), Source: "/vigia/detect-cli",
			Type: event.TypeEnded, Time: last, Subject: c.ID, Tenant: c.Tenant})
	}
	items := make([]*stage.Item, len(evs))
	turnOf := map[string]int{}
	turn := 0
	for i := range evs {
		raw, err := json.Marshal(&evs[i])
		if err != nil {
			return conversationOut{}, err
		}
		items[i] = &stage.Item{Subject: transcript.Subject(c.Channel, &evs[i]), Raw: raw}
		if evs[i].Type == event.TypeMessage || evs[i].Type == event.TypeTransfer {
			turnOf[evs[i].ID] = turn
			turn++
		}
	}
	if err := chain.Process(ctx, items); err != nil {
		return conversationOut{}, err
	}
	if err := chain.Commit(ctx, items); err != nil {
		return conversationOut{}, err
	}
	res := conversationOut{ID: c.ID, IndifferenceReasons: []string{}, Evidence: []evidenceOut{}, CustomerEmotionPeak: "none"}
	for _, it := range items {
		if it.Failure != nil {
			return res, it.Failure
		}
		d := it.Record.Detected
		if d == nil {
			continue
		}
		res.Version = d.Version
		if len(d.Escalations) > 0 {
			res.Escalate = true
		}
		for _, sg := range d.Signals {
			if sg.Label == "repeat_cue" {
				continue
			}
			e := evidenceOut{Start: sg.Evidence.Start, End: sg.Evidence.End, Text: sg.Evidence.Text, Label: sg.Label}
			if t, ok := turnOf[it.Record.Event.ID]; ok {
				e.Turn = &t
			}
			res.Evidence = append(res.Evidence, e)
		}
		conv := d.Conversation
		res.Indifference, res.PositiveMoment, res.Score, res.ScoreParts = conv.Indifferent, conv.PositiveMoment, conv.IndifferenceScore, conv.ScoreParts
		res.Resolved = conv.Resolution == "resolved"
		res.EmotionalLoad = conv.EmotionalLoad
		if conv.Reasons != nil {
			res.IndifferenceReasons = conv.Reasons
		}
		switch conv.CustomerEmotionPeak {
		case "anger", "sadness", "fear", "joy", "surprise", "disgust":
			res.CustomerEmotionPeak = conv.CustomerEmotionPeak
		}
	}
	if res.ScoreParts == nil {
		res.ScoreParts = []event.ScorePart{}
	}
	return res, nil
}

func eachLine(in io.Reader, fn func(line int, raw []byte) error) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		if err := fn(line, raw); err != nil {
			return err
		}
	}
	return sc.Err()
}
