package main

import (
	"context"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

func init() {
	commands["healthcheck"] = command{"exit 0 if the running `vigia run` answers ready on its telemetry endpoint", cmdHealthcheck}
}

type healthcheckConfig struct {
	Telemetry config.Telemetry
}

func cmdHealthcheck(ctx context.Context) error {
	var cfg healthcheckConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	return telemetry.Probe(ctx, cfg.Telemetry.HTTPAddr)
}
