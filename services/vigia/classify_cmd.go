package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/vigia-cx/vigia/pkg/classify"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
)

func init() {
	commands["classify"] = command{"emotion, sentiment and intent of JSON lines {id,text,lang} on stdin", cmdClassify}
}

type clsClassifyConfig struct {
	Pipeline struct {
		IntentsFile string `conf:"help:intent taxonomy file that replaces the built-in one"`
	}
}

type clsIn struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Lang string `json:"lang"`
}

// clsOut is the output line; its field names are a contract.
type clsOut struct {
	ID               string       `json:"id"`
	Lang             string       `json:"lang"`
	Emotion          string       `json:"emotion"`
	EmotionScore     float32      `json:"emotion_score"`
	EmotionIntensity float32      `json:"emotion_intensity"`
	Sentiment        string       `json:"sentiment"`
	SentimentScore   float32      `json:"sentiment_score"`
	Intent           string       `json:"intent"`
	IntentScore      float32      `json:"intent_score"`
	Evidence         []event.Span `json:"evidence"`
	Version          string       `json:"version"`
	Error            string       `json:"error,omitempty"`
}

func cmdClassify(_ context.Context) error {
	var cfg clsClassifyConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	c, err := classify.New(classify.Options{IntentsFile: cfg.Pipeline.IntentsFile})
	if err != nil {
		return err
	}
	return clsLines(c, os.Stdin, os.Stdout)
}

// clsLines writes one output line per input line. A line that is not
// valid JSON gets an output line with its error, so the output stays
// aligned with the input; the command then fails at the end.
func clsLines(c *classify.Classifier, r io.Reader, w io.Writer) error {
	st := classify.Stage{C: c}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	bad := 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var in clsIn
		if err := json.Unmarshal(line, &in); err != nil {
			bad++
			if err := enc.Encode(clsOut{Evidence: []event.Span{}, Error: fmt.Sprintf("line %d: %v", n, err)}); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			continue
		}
		out, err := clsOne(st, in)
		if err != nil {
			return err
		}
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if bad > 0 {
		return fmt.Errorf("%d input lines were not valid JSON", bad)
	}
	return nil
}

// clsOne runs the text through what the pipeline does: the enrich
// stage's normalization and language rule, then the classify stage itself.
// Evidence offsets point into the normalized text.
func clsOne(st classify.Stage, in clsIn) (clsOut, error) {
	norm := text.Normalize(in.Text)
	lang := in.Lang
	switch lang {
	case text.LangSpanish, text.LangEnglish:
	case "":
		lang, _ = text.DetectLang(norm, text.Tokenize(norm))
	default:
		lang = text.LangOther
	}
	rec := &event.Record{
		Event:    event.Event{Type: event.TypeMessage, Data: event.Data{Speaker: event.SpeakerCustomer, Text: in.Text}},
		Enriched: &event.Enrichment{Text: norm, Lang: lang},
	}
	if err := st.Process(context.Background(), []*stage.Item{{Record: rec}}); err != nil {
		return clsOut{}, fmt.Errorf("classify %q: %w", in.ID, err)
	}
	out := clsOut{ID: in.ID, Lang: lang, Evidence: []event.Span{}}
	if cl := rec.Classified; cl != nil {
		out.Emotion, out.EmotionScore, out.EmotionIntensity = cl.Emotion, cl.EmotionScore, cl.EmotionIntensity
		out.Sentiment, out.SentimentScore = cl.Sentiment, cl.SentimentScore
		out.Intent, out.IntentScore, out.Version = cl.Intent, cl.IntentScore, cl.Version
		if cl.Evidence != nil {
			out.Evidence = cl.Evidence
		}
	}
	return out, nil
}
