// Package servertest runs the real redmark binary, for tests that kill a
// server with SIGKILL and start it again (crash recovery, several servers).
package servertest

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Build compiles cmd/redmark into the test's temporary directory.
func Build(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "redmark")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/redmark/redmark/cmd/redmark").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a 127.0.0.1 address with a port nobody listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Proc is a running server.
type Proc struct {
	Addr string
	cmd  *exec.Cmd
}

// Start runs `bin serve args… --addr addr` with warnings logged to logPath
// (appended) and returns once /readyz answers 200. The server is killed
// when the test ends.
func Start(t testing.TB, bin, addr, logPath string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"serve"}, args...), "--addr", addr)...)
	cmd.Env = append(os.Environ(), "REDMARK_LOG_LEVEL=warn")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{Addr: addr, cmd: cmd}
	t.Cleanup(func() { p.Stop(syscall.SIGKILL); logf.Close() })
	for range 400 {
		if r, err := http.Get("http://" + addr + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start; see %s", logPath)
	return nil
}

// Stop sends sig and waits for the server to exit (nothing if it has).
func (p *Proc) Stop(sig syscall.Signal) {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(sig)
		_ = p.cmd.Wait()
	}
}
