package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// syncBuffer is written by run's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesTheSeededDemoAndStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	caFile, infoFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "info.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	t.Setenv(adminTokenEnv, "test-admin-token-0123456789abcdefghijklmnop")
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--seed", "--region", "IN", "--ca-out", caFile,
			"--info-out", infoFile, "--db", filepath.Join(dir, "b.db"), "--latency", "1ms"}, &stdout, &stderr)
	}()
	var info startupInfo
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(infoFile)
		if err == nil && json.Unmarshal(b, &info) == nil {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("run exited %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no info file; stderr: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{info.URL, "CALM-DEMO", "test-admin-token-0123456789abcdefghijklmnop", caFile} {
		if !strings.Contains(out, want) {
			t.Errorf("startup output lacks %q:\n%s", want, out)
		}
	}
	if fi, err := os.Stat(infoFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("info file mode: %v %v", fi.Mode(), err)
	}

	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("CA file is not PEM")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, _ := http.NewRequest("POST", info.URL+"/v1/devices", strings.NewReader(`{"enrolmentCode":"CALM-DEMO","deviceName":"cmd test"}`))
	req.Header.Set(wire.HeaderProtocol, "1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, err := wire.DecodeEnrolResponse(body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("enrol with the demo code: %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	if _, err := c.Get(info.URL + "/v1/info"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func TestRunRefusesBadUsage(t *testing.T) {
	free := []string{"--addr", "127.0.0.1:0"}
	for _, args := range [][]string{
		{"--insecure-http", "--addr", "0.0.0.0:0"},
		append([]string{"--insecure-http", "--ca-out", "x.pem"}, free...),
		append([]string{"--region", "india"}, free...),
		append([]string{"--latency", "-1s"}, free...),
		{"--nope"},
		{"extra"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, stderr.String())
		}
	}
}
