package main

import (
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
)

// connectNATS dials url as the configured identity (credentials or user and
// password, TLS), the same way the services do.
func connectNATS(url string, auth config.NATSAuth, name string, log *slog.Logger) (*nats.Conn, error) {
	opts, err := bus.AuthOptions(auth)
	if err != nil {
		return nil, err
	}
	return bus.Connect(url, name, log, opts...)
}
