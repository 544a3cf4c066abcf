package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of utime and stime in /proc/<pid>/stat. It is fixed at
// 100 by the Linux user-space ABI whatever the kernel's internal HZ.
const userHZ = 100

// ProcCPU returns the CPU time (user + system, every thread) a process has
// used so far, from /proc/<pid>/stat.
func ProcCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu of pid %d: %w", pid, err)
	}
	// The command name is in parentheses and may hold spaces or ')': the
	// fields proper start after the last ')'.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("cpu of pid %d: malformed stat", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("cpu of pid %d: short stat", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cpu of pid %d: bad utime/stime %q %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / userHZ, nil
}

// ProcMem returns a process's peak resident set (VmHWM) and current one
// (VmRSS) in bytes, from /proc/<pid>/status.
func ProcMem(pid int) (peak, cur int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("memory of pid %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("memory of pid %d: %s is %q", pid, k, v)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("memory of pid %d: %w", pid, err)
		}
		if k == "VmHWM" {
			peak = n << 10
		} else {
			cur = n << 10
		}
	}
	return peak, cur, nil
}

// ResetPeak resets a process's VmHWM to its current RSS (Linux ≥ 4.0), so a
// process that lives across phases reports each phase's own peak.
func ResetPeak(pid int) error {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return fmt.Errorf("reset peak rss of pid %d: %w", pid, err)
	}
	return nil
}

// CPUSample is the CPU time of a set of processes at one instant.
type CPUSample struct {
	At  time.Time
	CPU map[string]time.Duration
}

// SampleCPU reads the CPU time of every named process.
func SampleCPU(pids map[string]int) (CPUSample, error) {
	s := CPUSample{At: time.Now(), CPU: map[string]time.Duration{}}
	for name, pid := range pids {
		c, err := ProcCPU(pid)
		if err != nil {
			return s, err
		}
		s.CPU[name] = c
	}
	return s, nil
}

// Sub returns the CPU each process used between from and s, in seconds.
func (s CPUSample) Sub(from CPUSample) map[string]float64 {
	out := map[string]float64{}
	for name, c := range s.CPU {
		out[name] = (c - from.CPU[name]).Seconds()
	}
	return out
}

// MachineCPU is the machine-wide CPU time from /proc/stat: busy (everything
// but idle and iowait) and total, in USER_HZ ticks.
type MachineCPU struct{ Busy, Total int64 }

// SampleMachine reads /proc/stat's aggregate cpu line.
func SampleMachine() (MachineCPU, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return MachineCPU{}, fmt.Errorf("machine cpu: %w", err)
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return MachineCPU{}, fmt.Errorf("machine cpu: unexpected %q", line)
	}
	var m MachineCPU
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return MachineCPU{}, fmt.Errorf("machine cpu: %w", err)
		}
		// Fields: user nice system idle iowait irq softirq steal guest
		// guest_nice; guest time is already counted in user.
		if i >= 8 {
			break
		}
		m.Total += n
		if i != 3 && i != 4 {
			m.Busy += n
		}
	}
	return m, nil
}

// BusyCores is how many cores were busy on average between from and m.
func (m MachineCPU) BusyCores(from MachineCPU, cores int) float64 {
	total := m.Total - from.Total
	if total <= 0 {
		return 0
	}
	return float64(m.Busy-from.Busy) / float64(total) * float64(cores)
}

// ListenerPID finds the local process listening on a TCP port (the
// ClickHouse server, whose CPU the figures exclude but the report shows),
// from /proc/net/tcp{,6} and the processes' socket descriptors. It needs to
// see the other process's fds: same user or root.
func ListenerPID(port int) (int, error) {
	want := fmt.Sprintf(":%04X", port)
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			fs := strings.Fields(line)
			// local_address st ... inode: state 0A is LISTEN.
			if len(fs) > 9 && strings.HasSuffix(fs[1], want) && fs[3] == "0A" {
				inodes["socket:["+fs[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("nothing listens on port %d here", port)
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, fmt.Errorf("listener of port %d: %w", port, err)
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && inodes[link] {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("listener of port %d: no visible process holds the socket", port)
}
