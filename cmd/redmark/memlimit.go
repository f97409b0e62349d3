package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The Go runtime's soft memory limit (GOMEMLIMIT). Without one the heap may
// grow to twice the live data before a collection, which on a small server
// is the difference between fitting and swapping. Order of precedence: the
// --memory-limit flag (or REDMARK_MEMORY_LIMIT), then a GOMEMLIMIT the
// runtime already read from the environment, then "auto": 80 % of the
// cgroup's memory.max when the process runs in a container with a limit,
// otherwise a quarter of the machine's memory. The limit is soft: the
// collector works harder near it but never fails an allocation.

// setMemoryLimit applies spec ("auto", "off", or a size like 200MiB) and
// returns the limit in bytes (0: none) and where it came from.
func setMemoryLimit(spec string) (int64, string, error) {
	switch strings.ToLower(strings.TrimSpace(spec)) {
	case "off", "none":
		debug.SetMemoryLimit(maxLimit)
		return 0, "off", nil
	case "", "auto":
		if os.Getenv("GOMEMLIMIT") != "" {
			return debug.SetMemoryLimit(-1), "GOMEMLIMIT", nil
		}
		if n, ok := cgroupLimit("/sys/fs/cgroup/memory.max"); ok {
			debug.SetMemoryLimit(n / 10 * 8)
			return n / 10 * 8, "80% of cgroup memory.max", nil
		}
		if n, ok := memTotal("/proc/meminfo"); ok {
			debug.SetMemoryLimit(n / 4)
			return n / 4, "25% of MemTotal", nil
		}
		return 0, "none found", nil
	}
	n, err := parseSize(spec)
	if err != nil {
		return 0, "", err
	}
	debug.SetMemoryLimit(n)
	return n, "flag", nil
}

// maxLimit is the runtime's "no limit" value.
const maxLimit = int64(^uint64(0) >> 1)

// parseSize reads a byte count with an optional binary or decimal unit
// (B, KiB, MiB, GiB, KB, MB, GB), the units GOMEMLIMIT accepts plus SI.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > maxLimit/mult {
		return 0, fmt.Errorf("memory limit %q: want a positive size such as 200MiB, or auto, or off", s)
	}
	return n * mult, nil
}

// cgroupLimit reads a cgroup v2 memory.max ("max" means unlimited).
func cgroupLimit(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil && n > 0
}

// memTotal reads MemTotal (kB) from /proc/meminfo.
func memTotal(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			return kb * 1024, err == nil && kb > 0
		}
	}
	return 0, false
}
