package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// child is one process of the system under test.
type child struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// exitErr is why the process ended; an exit status of 0 is still an error
// for a process that should have kept running.
func (c *child) exitErr() error {
	if c.err != nil {
		return c.err
	}
	return errors.New("exited with status 0")
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// spawn starts bin with args and env, output to a log file in dir. With
// firstLine, the first line of stdout is returned (helpers announce their
// address there) and the rest goes to the log.
func spawn(dir, name, bin string, args, env []string, firstLine bool) (*child, string, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, "", fmt.Errorf("log of %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stderr = env, f
	// If the bench dies, its children must not live on holding ports and
	// CPU: the kernel kills them with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out io.ReadCloser
	if firstLine {
		if out, err = cmd.StdoutPipe(); err != nil {
			f.Close()
			return nil, "", fmt.Errorf("stdout of %s: %w", name, err)
		}
	} else {
		cmd.Stdout = f
	}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	c := &child{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	lines := make(chan string, 1)
	if firstLine {
		go func() {
			r := bufio.NewReader(out)
			line, _ := r.ReadString('\n')
			lines <- strings.TrimSpace(line)
			_, _ = io.Copy(f, r)
		}()
	}
	go func() {
		c.err = cmd.Wait()
		f.Close()
		close(c.done)
	}()
	if !firstLine {
		return c, "", nil
	}
	select {
	case line := <-lines:
		if line == "" {
			c.stop(time.Second)
			return nil, "", fmt.Errorf("%s said nothing on stdout: %s", name, c.tail(2000))
		}
		return c, line, nil
	case <-time.After(30 * time.Second):
		c.stop(time.Second)
		return nil, "", fmt.Errorf("%s did not announce itself within 30s: %s", name, c.tail(2000))
	}
}

// stop sends SIGTERM and waits up to grace for the process to drain and
// exit, then kills it.
func (c *child) stop(grace time.Duration) {
	if c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// tail returns the end of the process's log.
func (c *child) tail(n int) string {
	b, _ := os.ReadFile(c.log)
	if len(b) > n {
		b = append([]byte("…"), b[len(b)-n:]...)
	}
	return string(b)
}

// waitLog waits until the log matches re and returns the first submatch.
func (c *child) waitLog(ctx context.Context, re *regexp.Regexp, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	for {
		b, _ := os.ReadFile(c.log)
		if m := re.FindSubmatch(b); m != nil {
			return string(m[1]), nil
		}
		if c.exited() {
			return "", fmt.Errorf("%s: %w: %s", c.name, c.exitErr(), c.tail(2000))
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("%s: no %q in its log within %s", c.name, re, limit)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// childEnv is the bench's environment without VIGIA_ variables, so a
// setting exported in the caller's shell cannot silently change what is
// measured, plus the given ones.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VIGIA_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
