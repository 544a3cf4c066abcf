package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vigia-cx/vigia/pkg/classify"
	"github.com/vigia-cx/vigia/pkg/config"
)

func init() {
	commands["train"] = command{"rebuild the classify models from the shared data folder", cmdTrain}
}

type clsTrainConfig struct {
	// DataDir is VIGIA_DATA_DIR.
	DataDir  string `conf:"help:data folder (default: ../shared/data beside the repository root)"`
	Out      string `conf:"help:output directory (default: pkg/classify/models of the repository; required with --research)"`
	Research bool   `conf:"help:train the research-only models (EmoEvent, XLM-T) into --out outside the repository"`
	Limit    int    `conf:"default:0,help:cap on the examples read from each file (0 = all)"`
}

func cmdTrain(_ context.Context) error {
	var cfg clsTrainConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	dataDir, err := clsDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	out := cfg.Out
	switch {
	case cfg.Research && out == "":
		return errors.New("--research needs --out, a directory outside the repository")
	case cfg.Research:
		if err := classify.CheckResearchDir(out); err != nil {
			return err
		}
	case out == "":
		root, err := clsRepoRoot()
		if err != nil {
			return fmt.Errorf("--out not given and %w", err)
		}
		out = filepath.Join(root, classify.ShippedDir)
	}
	fmt.Fprintf(os.Stderr, "training from %s into %s\n", dataDir, out)
	_, err = classify.Train(classify.TrainOptions{DataDir: dataDir, OutDir: out, Research: cfg.Research, Limit: cfg.Limit, Log: os.Stdout})
	return err
}

// clsRepoRoot is the nearest directory above the working directory holding
// go.work: the repository root.
func clsRepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if d == filepath.Dir(d) {
			return "", errors.New("no go.work above the working directory: run inside the repository")
		}
	}
}

// clsDataDir picks the data folder: the flag or VIGIA_DATA_DIR, else
// ../shared/data beside the repository root.
func clsDataDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	root, err := clsRepoRoot()
	if err != nil {
		return "", fmt.Errorf("--data-dir not given and %w", err)
	}
	return filepath.Join(filepath.Dir(root), "shared", "data"), nil
}
