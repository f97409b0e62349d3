package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"200MiB": 200 << 20, "1GiB": 1 << 30, "512 KiB": 512 << 10, "3GB": 3e9, "4096": 4096, "10B": 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-5MiB", "0", "lots", "1.5GiB", "99999999999999GiB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

func TestMemoryLimitSources(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1)) // restore
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if n, ok := cgroupLimit(write("unlimited", "max\n")); ok {
		t.Errorf("memory.max \"max\" read as a limit %d", n)
	}
	if n, ok := cgroupLimit(write("limited", "536870912\n")); !ok || n != 512<<20 {
		t.Errorf("cgroupLimit = %d, %v", n, ok)
	}
	if n, ok := memTotal(write("meminfo", "MemFree: 10 kB\nMemTotal:       2048000 kB\n")); !ok || n != 2048000*1024 {
		t.Errorf("memTotal = %d, %v", n, ok)
	}
	n, src, err := setMemoryLimit("160MiB")
	if err != nil || n != 160<<20 || src != "flag" || debug.SetMemoryLimit(-1) != 160<<20 {
		t.Errorf("flag limit: %d %q %v, runtime %d", n, src, err, debug.SetMemoryLimit(-1))
	}
	if _, _, err := setMemoryLimit("huge"); err == nil {
		t.Error("bad flag accepted")
	}
	if n, _, _ := setMemoryLimit("off"); n != 0 || debug.SetMemoryLimit(-1) != maxLimit {
		t.Errorf("off left a limit of %d", debug.SetMemoryLimit(-1))
	}
}
