package model

import (
	"math"
	"math/rand/v2"
)

// Example is one training text as features with a target distribution over
// the labels (one-hot, or spread over several for multi-label data) and a
// weight (class balancing).
type Example struct {
	Feats  []Feat
	Target []float32
	Weight float32
}

// TrainConfig tunes the trainer.
type TrainConfig struct {
	Bits   int
	Epochs int
	// Rate is AdaGrad's base learning rate; L2 is applied to the weights an
	// example touches (lazy, so an epoch costs what its features cost).
	Rate float64
	L2   float64
	Seed uint64
}

// Train fits a multinomial logistic regression with AdaGrad. It is
// deterministic for a given seed, so a rebuilt model has the same digest.
func Train(meta Meta, cfg TrainConfig, data []Example) *Model {
	k := len(meta.Labels)
	meta.Bits = cfg.Bits
	meta.Epochs = cfg.Epochs
	meta.Examples = len(data)
	buckets := 1 << cfg.Bits
	mask := uint32(buckets - 1)
	w := make([]float32, buckets*k)
	g2 := make([]float32, buckets*k)
	bias := make([]float32, k)
	bg2 := make([]float32, k)
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	p := make([]float32, k)
	rate := float32(cfg.Rate)
	l2 := float32(cfg.L2)
	for ep := 0; ep < cfg.Epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, idx := range order {
			ex := &data[idx]
			copy(p, bias)
			for _, f := range ex.Feats {
				row := w[int(f.H&mask)*k:]
				for c := 0; c < k; c++ {
					p[c] += f.V * row[c]
				}
			}
			Softmax(p)
			for c := 0; c < k; c++ {
				p[c] = (p[c] - ex.Target[c]) * ex.Weight
			}
			for c := 0; c < k; c++ {
				bg2[c] += p[c] * p[c]
				bias[c] -= rate * p[c] / float32(math.Sqrt(float64(bg2[c])+1e-6))
			}
			for _, f := range ex.Feats {
				base := int(f.H&mask) * k
				for c := 0; c < k; c++ {
					g := p[c]*f.V + l2*w[base+c]
					g2[base+c] += g * g
					w[base+c] -= rate * g / float32(math.Sqrt(float64(g2[base+c])+1e-6))
				}
			}
		}
	}
	return Quantize(meta, bias, w)
}
