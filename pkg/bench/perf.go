package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// perfRecorder samples the processes of a run with Linux perf, so `vigia
// run` can be profiled without changing it (it has no profiling hook).
// perf costs a few percent of a core: the figures of a profiled run are
// for finding where time goes, not for the table.
type perfRecorder struct {
	dir   string
	name  string
	procs []perfProc
}

type perfProc struct {
	name, data string
	cmd        *exec.Cmd
}

// startPerf records each process apart: every helper is the same vigia
// binary, which perf's reports could not tell apart by name.
func startPerf(dir, name string, pids map[string]int) (*perfRecorder, error) {
	bin, err := exec.LookPath("perf")
	if err != nil {
		return nil, fmt.Errorf("--profile-dir needs perf on PATH: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("profile dir: %w", err)
	}
	r := &perfRecorder{dir: dir, name: name}
	names := make([]string, 0, len(pids))
	for n := range pids {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, proc := range names {
		data := filepath.Join(dir, name+"-"+proc+".perf.data")
		cmd := exec.Command(bin, "record", "-F", "199", "-g", "-o", data, "-p", strconv.Itoa(pids[proc]))
		cmd.Stdout, cmd.Stderr = nil, nil
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			r.stopRecording()
			return nil, fmt.Errorf("start perf: %w", err)
		}
		r.procs = append(r.procs, perfProc{name: proc, data: data, cmd: cmd})
	}
	return r, nil
}

func (r *perfRecorder) stopRecording() {
	for _, p := range r.procs {
		_ = p.cmd.Process.Signal(syscall.SIGINT)
	}
	for _, p := range r.procs {
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	}
}

// stop ends the recordings and writes a flat report of each next to its
// data: <mode>-<process>.perf.txt, by shared object and symbol.
func (r *perfRecorder) stop() error {
	r.stopRecording()
	for _, p := range r.procs {
		out, err := os.Create(filepath.Join(r.dir, r.name+"-"+p.name+".perf.txt"))
		if err != nil {
			return fmt.Errorf("perf report: %w", err)
		}
		rep := exec.Command("perf", "report", "-i", p.data, "--stdio", "--no-children", "-g", "none", "--sort", "dso,sym", "--percent-limit", "0.3")
		rep.Stdout = out
		err = rep.Run()
		out.Close()
		if err != nil {
			return fmt.Errorf("perf report of %s: %w", p.name, err)
		}
	}
	return nil
}
