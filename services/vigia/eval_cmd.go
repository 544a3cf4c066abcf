package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vigia-cx/vigia/pkg/classify"
	"github.com/vigia-cx/vigia/pkg/config"
)

func init() {
	commands["eval"] = command{"score the classify models on the dev splits of the shared data", cmdEval}
}

type clsEvalConfig struct {
	DataDir     string        `conf:"help:data folder (default: ../shared/data beside the repository root)"`
	Research    string        `conf:"help:directory of research-only models from vigia train --research (adds the research column)"`
	IntentsFile string        `conf:"help:intent taxonomy file instead of the built-in one"`
	Limit       int           `conf:"default:0,help:cap on the texts of each dev file (0 = all)"`
	Bench       time.Duration `conf:"default:3s,help:length of the throughput loop (0 = none)"`
}

func cmdEval(_ context.Context) error {
	var cfg clsEvalConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	return runClsEval(cfg, os.Stdout)
}

func runClsEval(cfg clsEvalConfig, w io.Writer) error {
	dataDir, err := clsDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dataDir); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	rep, err := classify.Eval(classify.EvalOptions{DataDir: dataDir, ResearchDir: cfg.Research, IntentsFile: cfg.IntentsFile,
		Limit: cfg.Limit, Bench: cfg.Bench})
	if err != nil {
		return err
	}
	rep.Print(w)
	return nil
}
