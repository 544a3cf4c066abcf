// Package schemas embeds the contracts of vigia — event JSON Schemas, ClickHouse
// migrations and the AsyncAPI description — so that code reads the very files
// that are published, and nothing is copied into Go.
package schemas

import "embed"

// Events holds events/<version>/*.schema.json.
//
//go:embed events
var Events embed.FS

// ClickHouse holds clickhouse/NNNN_name.sql migrations, applied in order.
//
//go:embed clickhouse
var ClickHouse embed.FS

// AsyncAPI is the description of subjects, streams, headers and payloads.
//
//go:embed asyncapi.yaml
var AsyncAPI []byte

// Paths of the released event schemas inside Events.
const (
	InteractionEventV1 = "events/v1/interaction-event.schema.json"
	EscalationV1       = "events/v1/escalation.schema.json"
)
