// Package model is the small linear model behind vigia's classifiers: a
// multinomial logistic regression over hashed sparse features, stored with
// int8 weights and a per-class scale. It has no knowledge of language; the
// features come from pkg/classify. It is kept this simple on purpose: a
// prediction is a few thousand multiply-adds, needs no allocation, and every
// feature's share of a decision can be read back as evidence.
package model

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"
)

// Feat is one active feature: its hash, its value, and the tokens it came
// from (B = -1 for a feature of one token, A = -1 for a feature of the whole
// text), so a decision can be traced back to words.
type Feat struct {
	H    uint32
	V    float32
	A, B int16
}

// Spec says how the features of a model were extracted. It travels inside
// the model file so the extractor at run time is the one used in training.
type Spec struct {
	// Stream is the token stream words are read from: "native" (the text's
	// own words) or "english" (English words, Spanish ones translated by the
	// bridge dictionary).
	Stream string `json:"stream"`
	// Restrict keeps, in English training text, only words the bridge can
	// produce, so a model trained on English sees what Spanish text shows it.
	Restrict bool `json:"restrict,omitempty"`
	Bigrams  bool `json:"bigrams,omitempty"`
	CharMin  int  `json:"char_min,omitempty"`
	CharMax  int  `json:"char_max,omitempty"`
	Lexicon  bool `json:"lexicon,omitempty"`
	Shape    bool `json:"shape,omitempty"`
}

// Meta is the human-readable header of a model file.
type Meta struct {
	Name      string             `json:"name"`
	Task      string             `json:"task"`
	Lang      string             `json:"lang"`
	Labels    []string           `json:"labels"`
	Bits      int                `json:"bits"`
	Spec      Spec               `json:"spec"`
	TrainedOn string             `json:"trained_on"`
	License   string             `json:"license"`
	Examples  int                `json:"examples"`
	Epochs    int                `json:"epochs"`
	Dev       map[string]float64 `json:"dev,omitempty"`
	// Thresholds are per-class offsets added to the scores before argmax,
	// chosen on a development split to trade precision for recall.
	Offsets []float32 `json:"offsets,omitempty"`
}

// Model is a quantized multinomial logistic regression.
type Model struct {
	Meta
	mask   uint32
	bias   []float32
	scale  []float32
	w      []int8 // bucket-major: w[bucket*classes+class]
	digest string
}

const magic = "VGLM1\n"

// Classes is the number of labels.
func (m *Model) Classes() int { return len(m.Labels) }

// Digest is a short content hash, stored with every score the model makes.
func (m *Model) Digest() string { return m.digest }

// Bucket maps a feature hash to its row.
func (m *Model) Bucket(h uint32) int { return int(h & m.mask) }

// Scores writes the raw (pre-softmax) class scores of feats to out, which
// must have Classes() entries, offsets included.
func (m *Model) Scores(feats []Feat, out []float32) {
	k := len(m.Labels)
	acc := out[:k]
	for c := range acc {
		acc[c] = 0
	}
	// The common class counts sum in registers; every class still adds its
	// features in order, so the sums are the same to the last bit.
	// Touching the row of a feature some places ahead starts its cache
	// miss early; the loads of the rows themselves come too late to overlap.
	var sink int8
	switch k {
	case 3:
		var a0, a1, a2 float32
		for j, f := range feats {
			if j+prefetchAhead < len(feats) {
				sink += m.w[int(feats[j+prefetchAhead].H&m.mask)*3]
			}
			b := int(f.H&m.mask) * 3
			row := m.w[b : b+3 : b+3]
			a0 += f.V * float32(row[0])
			a1 += f.V * float32(row[1])
			a2 += f.V * float32(row[2])
		}
		acc[0], acc[1], acc[2] = a0, a1, a2
	case 7:
		var a0, a1, a2, a3, a4, a5, a6 float32
		for j, f := range feats {
			if j+prefetchAhead < len(feats) {
				sink += m.w[int(feats[j+prefetchAhead].H&m.mask)*7]
			}
			b := int(f.H&m.mask) * 7
			row := m.w[b : b+7 : b+7]
			a0 += f.V * float32(row[0])
			a1 += f.V * float32(row[1])
			a2 += f.V * float32(row[2])
			a3 += f.V * float32(row[3])
			a4 += f.V * float32(row[4])
			a5 += f.V * float32(row[5])
			a6 += f.V * float32(row[6])
		}
		acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6] = a0, a1, a2, a3, a4, a5, a6
	case 8:
		var a0, a1, a2, a3, a4, a5, a6, a7 float32
		for j, f := range feats {
			if j+prefetchAhead < len(feats) {
				sink += m.w[int(feats[j+prefetchAhead].H&m.mask)*8]
			}
			b := int(f.H&m.mask) * 8
			row := m.w[b : b+8 : b+8]
			a0 += f.V * float32(row[0])
			a1 += f.V * float32(row[1])
			a2 += f.V * float32(row[2])
			a3 += f.V * float32(row[3])
			a4 += f.V * float32(row[4])
			a5 += f.V * float32(row[5])
			a6 += f.V * float32(row[6])
			a7 += f.V * float32(row[7])
		}
		acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] = a0, a1, a2, a3, a4, a5, a6, a7
	default:
		for _, f := range feats {
			row := m.w[int(f.H&m.mask)*k : int(f.H&m.mask)*k+k]
			for c, w := range row {
				acc[c] += f.V * float32(w)
			}
		}
	}
	prefetchSink.Store(int32(sink))
	for c := range acc {
		acc[c] = acc[c]*m.scale[c] + m.bias[c]
		if c < len(m.Offsets) {
			acc[c] += m.Offsets[c]
		}
	}
}

// prefetchAhead is how many features ahead Scores touches a row;
// prefetchSink keeps those loads from being optimized away.
const prefetchAhead = 16

var prefetchSink atomic.Int32

// Weight is the dequantized weight of a feature hash for class c.
func (m *Model) Weight(h uint32, c int) float32 {
	k := len(m.Labels)
	return float32(m.w[int(h&m.mask)*k+c]) * m.scale[c]
}

// Softmax turns scores into probabilities in place.
func Softmax(s []float32) {
	mx := s[0]
	for _, v := range s[1:] {
		mx = max(mx, v)
	}
	var sum float32
	for i, v := range s {
		e := float32(math.Exp(float64(v - mx)))
		s[i] = e
		sum += e
	}
	for i := range s {
		s[i] /= sum
	}
}

// Label returns the index of a label, or -1.
func (m *Model) Label(name string) int {
	for i, l := range m.Labels {
		if l == name {
			return i
		}
	}
	return -1
}

// Marshal writes the model as a gzip-compressed file: magic, header length,
// JSON header, then bias, scale (float32) and weights (int8).
func (m *Model) Marshal() ([]byte, error) {
	hdr, err := json.Marshal(m.Meta)
	if err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	var raw bytes.Buffer
	raw.WriteString(magic)
	_ = binary.Write(&raw, binary.LittleEndian, uint32(len(hdr)))
	raw.Write(hdr)
	_ = binary.Write(&raw, binary.LittleEndian, m.bias)
	_ = binary.Write(&raw, binary.LittleEndian, m.scale)
	_ = binary.Write(&raw, binary.LittleEndian, m.w)
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	// A fixed header (no name, no time) keeps a rebuilt model byte-identical.
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, fmt.Errorf("compress model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress model: %w", err)
	}
	return out.Bytes(), nil
}

// Unmarshal reads a model written by Marshal.
func Unmarshal(b []byte) (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	raw, err := io.ReadAll(bufio.NewReader(zr))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return nil, errors.New("model: not a vigia model file")
	}
	r := bytes.NewReader(raw[len(magic):])
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, fmt.Errorf("model header length: %w", err)
	}
	if int(n) > r.Len() {
		return nil, errors.New("model: truncated header")
	}
	hdr := make([]byte, n)
	_, _ = io.ReadFull(r, hdr)
	m := &Model{}
	if err := json.Unmarshal(hdr, &m.Meta); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	k := len(m.Labels)
	if k < 2 || m.Bits < 8 || m.Bits > 24 {
		return nil, fmt.Errorf("model %s: %d labels, %d bits", m.Name, k, m.Bits)
	}
	buckets := 1 << m.Bits
	if r.Len() != 8*k+buckets*k {
		return nil, fmt.Errorf("model %s: %d bytes of weights, want %d", m.Name, r.Len(), 8*k+buckets*k)
	}
	m.bias, m.scale, m.w = make([]float32, k), make([]float32, k), make([]int8, buckets*k)
	_ = binary.Read(r, binary.LittleEndian, m.bias)
	_ = binary.Read(r, binary.LittleEndian, m.scale)
	_ = binary.Read(r, binary.LittleEndian, m.w)
	m.mask = uint32(buckets - 1)
	sum := sha256.Sum256(raw)
	m.digest = hex.EncodeToString(sum[:4])
	return m, nil
}

// Quantize turns float weights (bucket-major, as the trainer keeps them)
// into a Model. Each class gets its own scale so a class with small weights
// keeps its resolution.
func Quantize(meta Meta, bias, w []float32) *Model {
	k := len(meta.Labels)
	m := &Model{Meta: meta, mask: uint32(1<<meta.Bits - 1), bias: append([]float32(nil), bias...), scale: make([]float32, k), w: make([]int8, len(w))}
	for c := 0; c < k; c++ {
		var mx float32
		for i := c; i < len(w); i += k {
			mx = max(mx, float32(math.Abs(float64(w[i]))))
		}
		if mx == 0 {
			mx = 1
		}
		m.scale[c] = mx / 127
		for i := c; i < len(w); i += k {
			m.w[i] = int8(math.Round(float64(w[i] / m.scale[c])))
		}
	}
	b, err := m.Marshal()
	if err == nil {
		if back, err := Unmarshal(b); err == nil {
			m.digest = back.digest
		}
	}
	return m
}

// Row returns the quantized weights of a feature hash, one per class; the
// dequantized weight of class c is float32(Row(h)[c]) * Scale(c), exactly
// what Weight computes.
func (m *Model) Row(h uint32) []int8 {
	k := len(m.Labels)
	b := int(h&m.mask) * k
	return m.w[b : b+k : b+k]
}

// Scale is the dequantization factor of class c.
func (m *Model) Scale(c int) float32 { return m.scale[c] }
