// Package corpus reads the public datasets vigia trains and evaluates on
// (the shared data folder: see its README for sources and licenses) and maps
// their labels to vigia's. Only train and dev splits are read; a missing
// folder is reported as ErrNoData so tests can skip.
package corpus

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNoData is returned when a dataset file is absent.
var ErrNoData = errors.New("dataset not found")

// Example is one labelled text. Labels holds one label, or several for
// multi-label data (GoEmotions).
type Example struct {
	Text   string
	Lang   string
	Labels []string
}

// License says whether weights trained on a dataset may ship in the binary.
type License struct {
	Name string
	// Ship is true when the license allows shipping derived weights
	// (Apache-2.0, CC BY); false for evaluation-and-research-only data.
	Ship bool
}

// Licenses of the datasets read here, from the data folder's README.
var Licenses = map[string]License{
	"goemotions": {"Apache-2.0", true},
	"banking77":  {"CC BY 4.0", true},
	"clinc150":   {"CC BY 3.0", true},
	"emoevent":   {"not stated: evaluation and research only", false},
	"xlmt":       {"InterTASS / SemEval-2017 terms: evaluation and research only", false},
}

func open(dir, rel string) (io.ReadCloser, error) {
	p := filepath.Join(dir, rel)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", p, ErrNoData)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	if !strings.HasSuffix(p, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

func lines(dir, rel string) ([]string, error) {
	r, err := open(dir, rel)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return out, nil
}

// EmoEvent reads emoevent/<lang>/<split>.tsv (split train or dev); its
// "others" becomes neutral.
func EmoEvent(dir, lang, split string) ([]Example, error) {
	ls, err := lines(dir, filepath.Join("emoevent", lang, split+".tsv"))
	if err != nil {
		return nil, err
	}
	var out []Example
	for i, l := range ls {
		if i == 0 || l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("emoevent %s/%s line %d: %d fields", lang, split, i+1, len(f))
		}
		label := f[4]
		if label == "others" {
			label = "neutral"
		}
		out = append(out, Example{Text: f[2], Lang: lang, Labels: []string{label}})
	}
	return out, nil
}

// XLMT reads the UMSAB sentiment split (train or val) of lang ("es"/"en").
func XLMT(dir, lang, split string) ([]Example, error) {
	name := map[string]string{"es": "spanish", "en": "english"}[lang]
	if name == "" {
		return nil, fmt.Errorf("xlm-t: no language %q", lang)
	}
	texts, err := lines(dir, filepath.Join("xlmt_umsab", name, split+"_text.txt"))
	if err != nil {
		return nil, err
	}
	labels, err := lines(dir, filepath.Join("xlmt_umsab", name, split+"_labels.txt"))
	if err != nil {
		return nil, err
	}
	for len(texts) > 0 && texts[len(texts)-1] == "" {
		texts = texts[:len(texts)-1]
	}
	for len(labels) > 0 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	if len(texts) != len(labels) {
		return nil, fmt.Errorf("xlm-t %s/%s: %d texts, %d labels", lang, split, len(texts), len(labels))
	}
	names := []string{"negative", "neutral", "positive"}
	out := make([]Example, len(texts))
	for i := range texts {
		k, err := strconv.Atoi(strings.TrimSpace(labels[i]))
		if err != nil || k < 0 || k > 2 {
			return nil, fmt.Errorf("xlm-t %s/%s line %d: label %q", lang, split, i+1, labels[i])
		}
		out[i] = Example{Text: texts[i], Lang: lang, Labels: []string{names[k]}}
	}
	return out, nil
}

// GoEmotions reads goemotions/<split>.tsv[.gz] with the 28 label names.
func GoEmotions(dir, split string) ([]Example, error) {
	names, err := lines(dir, filepath.Join("goemotions", "emotions.txt"))
	if err != nil {
		return nil, err
	}
	rel := filepath.Join("goemotions", split+".tsv")
	if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
		rel += ".gz"
	}
	ls, err := lines(dir, rel)
	if err != nil {
		return nil, err
	}
	var out []Example
	for i, l := range ls {
		if l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("goemotions %s line %d: %d fields", split, i+1, len(f))
		}
		ex := Example{Text: f[0], Lang: "en"}
		for _, id := range strings.Split(f[1], ",") {
			k, err := strconv.Atoi(id)
			if err != nil || k < 0 || k >= len(names) {
				return nil, fmt.Errorf("goemotions %s line %d: label %q", split, i+1, id)
			}
			ex.Labels = append(ex.Labels, names[k])
		}
		out = append(out, ex)
	}
	return out, nil
}

// Banking77 reads banking77/<split>.csv (train or dev).
func Banking77(dir, split string) ([]Example, error) {
	r, err := open(dir, filepath.Join("banking77", split+".csv"))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("banking77 %s: %w", split, err)
	}
	var out []Example
	for i, row := range rows {
		if i == 0 || len(row) != 2 {
			continue
		}
		out = append(out, Example{Text: row[0], Lang: "en", Labels: []string{row[1]}})
	}
	return out, nil
}

// CLINC150 reads one split of clinc150/data_full_trainval.json: train, val,
// oos_train or oos_val (label "oos").
func CLINC150(dir, split string) ([]Example, error) {
	r, err := open(dir, filepath.Join("clinc150", "data_full_trainval.json"))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var all map[string][][2]string
	if err := json.NewDecoder(r).Decode(&all); err != nil {
		return nil, fmt.Errorf("clinc150: %w", err)
	}
	rows, ok := all[split]
	if !ok {
		return nil, fmt.Errorf("clinc150: no split %q", split)
	}
	out := make([]Example, len(rows))
	for i, row := range rows {
		out[i] = Example{Text: row[0], Lang: "en", Labels: []string{row[1]}}
	}
	return out, nil
}
