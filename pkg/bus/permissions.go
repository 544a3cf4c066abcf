package bus

import (
	"slices"
	"strings"
)

// Permissions is what one NATS user may publish and subscribe to: the
// allow lists of a nats-server `permissions` block (everything else is
// denied). deploy/nats/nats.conf grants exactly these; a test checks it.
type Permissions struct {
	Publish   []string
	Subscribe []string
}

// NATS roles (user names in deploy/nats/nats.conf).
const (
	// RolePublisher is a channel system or `vigia publish`: it may only
	// store events.
	RolePublisher = "publisher"
	// RoleAlerts is an alerting consumer such as `vigia watch`: it may only
	// read CX_ESCALATIONS.
	RoleAlerts     = "alerts"
	RoleEnricher   = "enricher"
	RoleClassifier = "classifier"
	RoleDetector   = "detector"
	RoleWriter     = "writer"
	// RoleAllInOne is `vigia run`; with its embedded server it also
	// creates the topology, so it holds RoleMigrate's rights too.
	RoleAllInOne = "vigia"
	// RoleMigrate is `vigia migrate`: create and update the streams and
	// buckets, nothing else.
	RoleMigrate = "migrate"
	// RoleAdmin is an operator with the nats CLI: everything.
	RoleAdmin = "admin"
)

// Roles lists the roles in a stable order.
func Roles() []string {
	return []string{RolePublisher, RoleAlerts, RoleEnricher, RoleClassifier, RoleDetector, RoleWriter, RoleAllInOne, RoleMigrate, RoleAdmin}
}

// Inbox is where replies arrive: JetStream acks of publishes, API
// responses, pulled messages and KV watch deliveries. Every JetStream
// client must subscribe to it.
const Inbox = "_INBOX.>"

const jsAPI = "$JS.API."

// RolePermissions returns the permissions of every role.
func RolePermissions() map[string]Permissions {
	perms := map[string]Permissions{
		// Publishes with a reply inbox; the ack comes back from JetStream.
		RolePublisher: {
			Publish:   []string{SubjectEvents},
			Subscribe: []string{Inbox},
		},
		RoleAlerts: merge(
			Permissions{Subscribe: []string{Inbox, SubjectEscalations}},
			streamInfo(StreamEscalations),
			anyConsumer(StreamEscalations),
		),
		RoleEnricher: merge(
			Permissions{Publish: []string{"cx.enriched.>", SubjectDLQPrefix + "enrich"}, Subscribe: []string{Inbox}},
			streamInfo(StreamEvents),
			streamInfo(StreamPipeline), // does it take atomic batches?
			durable(StreamEvents, "enrich"),
		),
		RoleClassifier: merge(
			Permissions{Publish: []string{"cx.classified.>", SubjectDLQPrefix + "classify"}, Subscribe: []string{Inbox}},
			streamInfo(StreamPipeline),
			durable(StreamPipeline, "classify"),
		),
		// Instance names vary (detect, detect-0-of-2, …), so any consumer
		// name on CX_PIPELINE; the sweeper publishes cx.timers.<partition>.
		RoleDetector: merge(
			Permissions{Publish: []string{"cx.detected.>", SubjectTimers, SubjectDLQPrefix + "*"}, Subscribe: []string{Inbox}},
			streamInfo(StreamPipeline),
			durable(StreamPipeline, "*"),
			kv(BucketConversations),
			kv(BucketCustomers),
		),
		RoleWriter: merge(
			// The writer publishes the escalations of the records it stores.
			Permissions{Publish: []string{SubjectEscalations, SubjectDLQPrefix + "write"}, Subscribe: []string{Inbox}},
			streamInfo(StreamPipeline),
			durable(StreamPipeline, "write"),
		),
		RoleMigrate: migrate(),
		RoleAdmin:   {Publish: []string{">"}, Subscribe: []string{">"}},
	}
	perms[RoleAllInOne] = merge(
		Permissions{Publish: []string{SubjectEscalations, SubjectTimers, SubjectDLQPrefix + "vigia"}, Subscribe: []string{Inbox}},
		streamInfo(StreamEvents),
		durable(StreamEvents, "vigia"),
		kv(BucketConversations),
		kv(BucketCustomers),
		migrate(),
	)
	return perms
}

// streamInfo lets a client look a stream up (bus.RequireStream).
func streamInfo(stream string) Permissions {
	return Permissions{Publish: []string{jsAPI + "STREAM.INFO." + stream}}
}

// durable lets a client create (or update), pull from and ack one durable
// consumer; name may be "*".
func durable(stream, name string) Permissions {
	c := stream + "." + name
	return Permissions{Publish: []string{
		jsAPI + "CONSUMER.CREATE." + c,
		jsAPI + "CONSUMER.CREATE." + c + ".>", // with the filter in the subject
		jsAPI + "CONSUMER.INFO." + c,
		jsAPI + "CONSUMER.MSG.NEXT." + c,
		"$JS.ACK." + c + ".>",
	}}
}

// anyConsumer lets a client run consumers of its own on a stream: ordered
// consumers (`vigia watch`), which are recreated under new names, or
// durable ones of an alerting system.
func anyConsumer(stream string) Permissions {
	return Permissions{Publish: []string{
		jsAPI + "CONSUMER.CREATE." + stream + ".>",
		jsAPI + "CONSUMER.DURABLE.CREATE." + stream + ".*", // older clients
		jsAPI + "CONSUMER.INFO." + stream + ".*",
		jsAPI + "CONSUMER.DELETE." + stream + ".*",
		jsAPI + "CONSUMER.MSG.NEXT." + stream + ".*",
		"$JS.ACK." + stream + ".>",
	}}
}

// kv lets a client read, write and watch a key-value bucket.
func kv(bucket string) Permissions {
	stream := "KV_" + bucket
	p := merge(streamInfo(stream), Permissions{Publish: []string{
		"$KV." + bucket + ".>", // puts, with compare-and-set headers
		// Gets are direct gets (buckets allow them).
		jsAPI + "DIRECT.GET." + stream + ".>",
		// Watches are ordered push consumers with flow control.
		jsAPI + "CONSUMER.CREATE." + stream + ".>",
		jsAPI + "CONSUMER.DELETE." + stream + ".*",
		"$JS.FC." + stream + ".>",
	}})
	return p
}

// migrate may create and update the topology; creating a bucket reads the
// account info ($JS.API.INFO) first.
func migrate() Permissions {
	pub := []string{jsAPI + "INFO"}
	for _, s := range []string{StreamEvents, StreamPipeline, StreamEscalations, StreamDLQ, "KV_" + BucketConversations, "KV_" + BucketCustomers} {
		pub = append(pub, jsAPI+"STREAM.CREATE."+s, jsAPI+"STREAM.UPDATE."+s, jsAPI+"STREAM.INFO."+s)
	}
	return merge(Permissions{Publish: pub, Subscribe: []string{Inbox}})
}

// merge unions permission sets, sorted and without duplicates.
func merge(ps ...Permissions) Permissions {
	var out Permissions
	for _, p := range ps {
		out.Publish = append(out.Publish, p.Publish...)
		out.Subscribe = append(out.Subscribe, p.Subscribe...)
	}
	out.Publish = sortedSet(out.Publish)
	out.Subscribe = sortedSet(out.Subscribe)
	return out
}

func sortedSet(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	ss = slices.Clone(ss)
	slices.SortFunc(ss, strings.Compare)
	return slices.Compact(ss)
}
