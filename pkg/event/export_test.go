package event

// DecodeWithSchema exposes the reference decoder to the benchmarks, which
// live in package event_test to use pkg/bench's generator.
var DecodeWithSchema = decodeWithSchema
