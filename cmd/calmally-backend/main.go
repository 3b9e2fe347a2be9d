// Command calmally-backend runs the reference CalmAlly sync backend
// (internal/backend) for local demos, end-to-end tests and development:
//
//	go run ./cmd/calmally-backend --seed --ca-out /tmp/calmally-ca.pem
//
// It prints the URL to give the app, the enrolment code, the admin token
// and the CA file, and stops cleanly on SIGINT or SIGTERM. See
// docs/backend.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/calmally/practice/internal/backend"
)

// Exit codes: 0 stopped cleanly, 1 failed, 2 bad usage.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// adminTokenEnv, when set, fixes the admin token (e2e scripts); otherwise
// a random one is made and printed.
const adminTokenEnv = "CALMALLY_BACKEND_ADMIN_TOKEN"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	addr, db, region, caOut, infoOut string
	seed, insecure, verbose          bool
	latency                          time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("calmally-backend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8443", "listen address (host:port)")
	fs.StringVar(&c.db, "db", "", "SQLite file to keep the backend's data in (default: a temporary file, removed at exit)")
	fs.StringVar(&c.region, "region", "IN", "data region declared by /v1/info (ISO 3166-1 alpha-2)")
	fs.BoolVar(&c.seed, "seed", false, "add demo data: a therapist's matches, bookings, a grievance, a takedown and the code "+backend.DemoEnrolmentCode)
	fs.BoolVar(&c.insecure, "insecure-http", false, "serve plain HTTP instead of HTTPS (development only; loopback addresses only)")
	fs.StringVar(&c.caOut, "ca-out", "", "write the server's self-signed certificate (PEM) to this file, for clients to trust")
	fs.StringVar(&c.infoOut, "info-out", "", "write {url, adminToken, caFile, enrolmentCode} as JSON to this file once serving")
	fs.DurationVar(&c.latency, "latency", 0, "add this delay to every /v1/ request (e.g. 200ms)")
	fs.BoolVar(&c.verbose, "v", false, "log every request (method, path, status)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.insecure && c.caOut != "" {
		return c, errors.New("--ca-out needs HTTPS: drop --insecure-http")
	}
	return c, nil
}

// startupInfo is what --info-out writes.
type startupInfo struct {
	URL           string `json:"url"`
	AdminToken    string `json:"adminToken"`
	CAFile        string `json:"caFile,omitempty"`
	EnrolmentCode string `json:"enrolmentCode"`
	TherapistID   string `json:"therapistId"`
	DBFile        string `json:"dbFile"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "calmally-backend:", err)
		return exitUsage
	}
	level := slog.LevelWarn
	if c.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	dbPath := c.db
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "calmally-backend-")
		if err != nil {
			fmt.Fprintln(stderr, "calmally-backend: temporary database:", err)
			return exitFail
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "backend.db")
	}
	b, err := backend.Open(ctx, backend.Options{DBPath: dbPath, Region: c.region, Log: logger,
		AdminToken: os.Getenv(adminTokenEnv)})
	if err != nil {
		fmt.Fprintln(stderr, "calmally-backend:", err)
		return exitUsage
	}
	defer b.Close()
	if err := b.Faults().SetLatency(c.latency); err != nil {
		fmt.Fprintln(stderr, "calmally-backend: --latency:", err)
		return exitUsage
	}

	code, expires := "", time.Time{}
	if c.seed {
		seed, err := b.SeedDemo(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "calmally-backend: seed:", err)
			return exitFail
		}
		code, expires = seed.EnrolmentCode, seed.CodeExpiresAt
	} else if code, expires, err = b.IssueEnrolmentCode(ctx); err != nil {
		fmt.Fprintln(stderr, "calmally-backend: enrolment code:", err)
		return exitFail
	}

	srv, err := b.Start(backend.ServerOptions{Addr: c.addr, InsecureHTTP: c.insecure})
	if err != nil {
		fmt.Fprintln(stderr, "calmally-backend:", err)
		return exitUsage
	}
	if c.caOut != "" {
		if err := srv.WriteCA(c.caOut); err != nil {
			srv.Close()
			fmt.Fprintln(stderr, "calmally-backend:", err)
			return exitFail
		}
	}
	fmt.Fprintf(stdout, "CalmAlly reference backend, region %s\n", b.Region())
	fmt.Fprintf(stdout, "  URL:            %s\n", srv.URL())
	fmt.Fprintf(stdout, "  enrolment code: %s (one use, until %s)\n", code, expires.Local().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(stdout, "  admin token:    %s\n", b.AdminToken())
	switch {
	case c.insecure:
		fmt.Fprintln(stdout, "  plain HTTP (development only)")
	case c.caOut != "":
		fmt.Fprintf(stdout, "  CA file:        %s\n", c.caOut)
	default:
		fmt.Fprintln(stdout, "  CA file:        none written (use --ca-out FILE to trust the certificate)")
	}
	fmt.Fprintf(stdout, "  database:       %s\n", dbPath)
	if c.infoOut != "" {
		info := startupInfo{URL: srv.URL(), AdminToken: b.AdminToken(), CAFile: c.caOut, EnrolmentCode: code,
			TherapistID: b.TherapistID(), DBFile: dbPath}
		if err := writeJSONFile(c.infoOut, info); err != nil {
			srv.Close()
			fmt.Fprintln(stderr, "calmally-backend:", err)
			return exitFail
		}
	}

	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(stderr, "calmally-backend: shutdown:", err)
		return exitFail
	}
	return exitOK
}

// writeJSONFile writes v owner-only (it holds the admin token), atomically:
// a script polling for the file never reads half of it.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
