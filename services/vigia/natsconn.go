package main

import (
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
)

// connectJetStream dials url as the configured identity (credentials or
// user and password, TLS), the same way the services do, and binds
// JetStream with opts. The caller closes the connection.
func connectJetStream(url string, auth config.NATSAuth, name string, log *slog.Logger, opts ...jetstream.JetStreamOpt) (*nats.Conn, jetstream.JetStream, error) {
	authOpts, err := bus.AuthOptions(auth)
	if err != nil {
		return nil, nil, err
	}
	nc, err := bus.Connect(url, name, log, authOpts...)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc, opts...)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	return nc, js, nil
}
