// Command vigia is the all-in-one binary — embedded NATS JetStream and every
// stage chained in one process, the default deployment — and the operator's
// command line.
//
//	vigia run       run the pipeline (embedded NATS unless --nats-url is set)
//	vigia migrate   apply ClickHouse migrations and create the NATS streams
//	vigia publish   publish transcripts or events (the sample with --sample)
//	vigia demo      run + publish the sample + wait + report, then stop
//	vigia report    row counts and example escalations from ClickHouse
//	vigia watch     print escalations as they arrive
//
// Every command takes --help; every flag is also an env var (VIGIA_...).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

type command struct {
	summary string
	run     func(ctx context.Context) error
}

var commands = map[string]command{
	"run":     {"run the pipeline (embedded NATS unless --nats-url is set)", cmdRun},
	"migrate": {"apply ClickHouse migrations and create the NATS streams", cmdMigrate},
	"publish": {"publish transcripts (JSON lines) or events to NATS", cmdPublish},
	"demo":    {"run the pipeline on the built-in sample, report, stop", cmdDemo},
	"report":  {"row counts and example escalations from ClickHouse", cmdReport},
	"watch":   {"print escalations as they arrive", cmdWatch},
}

func main() {
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "vigia: unknown command %q\n\n", name)
		usage()
		os.Exit(2)
	}
	// The command's own flags follow its name; conf reads os.Args.
	os.Args = append([]string{"vigia " + name}, os.Args[2:]...)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := cmd.run(ctx)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vigia %s: %v\n", name, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: vigia <command> [flags]   (vigia <command> --help)")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, commands[n].summary)
	}
}
