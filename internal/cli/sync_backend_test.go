package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/sync/wire"
)

// cmdRefBackend runs the reference backend (internal/backend) inside the
// test process, serving HTTPS on loopback, for the calmally processes a
// script starts:
//
//	refbackend start [REGION]     start it; sets BACKEND_URL and CALMALLY_SYNC_CA
//	refbackend code               sets ENROL_CODE to a new one-time enrolment code
//	refbackend booking ID STATUS  the platform adds or changes a booking (in person, in two days)
//	refbackend status ID          prints the platform's status of a booking
//	refbackend client ID DOB      the platform sends a client record (no platform consents)
//	refbackend online ID STATUS CLIENTREF
//	                              an online booking of that platform client, in two days
//	refbackend kinds              prints the kinds of the mutations applied, one per line
//	refbackend revoke             the therapist revokes every device on the web
//	refbackend markpulls          remembers how many pulls have been answered
//	refbackend waitpulls N        waits (up to 60 s) for N more pulls answered after the mark
//	refbackend copies             prints how many backup copies the backend holds, then their ids, newest first
//	refbackend failbackups N STATUS
//	                              the next N backup requests answer STATUS (e.g. 503)
//	refbackend corrupt N          the next N backup downloads have a byte changed
//	refbackend nomarker WORD      fails if any backup copy the backend stores contains WORD
//
// It stops when the script ends.
func cmdRefBackend(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: refbackend start|code|booking|status|revoke ...")
	}
	ctx := context.Background()
	if args[0] == "start" {
		startRefBackend(ts, args[1:])
		return
	}
	b := refBackendOf(ts)
	switch {
	case args[0] == "code" && len(args) == 1:
		code, _, err := b.IssueEnrolmentCode(ctx)
		ts.Check(err)
		ts.Setenv("ENROL_CODE", code)
	case args[0] == "booking" && len(args) == 3:
		start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
		_, err := b.PutBooking(ctx, wire.Booking{ID: args[1], Status: args[2], Start: start, End: start.Add(50 * time.Minute),
			Modality: "in_person", PaymentStatus: "paid", ClientLabel: "Meera Iyer"})
		ts.Check(err)
	case args[0] == "client" && len(args) == 3:
		doc, err := json.Marshal(wire.Client{ID: args[1], MatchID: args[1], Name: "Meera Iyer", DateOfBirth: args[2],
			Consents: []wire.PlatformConsent{}})
		ts.Check(err)
		_, err = b.PutRaw(ctx, wire.TypeClient, args[1], doc)
		ts.Check(err)
	case args[0] == "online" && len(args) == 4:
		start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
		_, err := b.PutBooking(ctx, wire.Booking{ID: args[1], Status: args[2], Start: start, End: start.Add(50 * time.Minute),
			Modality: "online", PaymentStatus: "paid", ClientRef: args[3], ClientLabel: "Meera Iyer", JoinLink: "https://meet.example/r"})
		ts.Check(err)
	case args[0] == "kinds" && len(args) == 1:
		muts, err := b.Mutations(ctx)
		ts.Check(err)
		for _, m := range muts {
			fmt.Fprintln(ts.Stdout(), m.Kind, m.Status)
		}
	case args[0] == "status" && len(args) == 2:
		e, err := b.Entity(ctx, wire.TypeBooking, args[1])
		ts.Check(err)
		var bk wire.Booking
		ts.Check(json.Unmarshal(e.Data, &bk))
		fmt.Fprintln(ts.Stdout(), bk.Status)
	case args[0] == "markpulls" && len(args) == 1:
		r := refOf(ts)
		r.mark.Store(r.pulls.Load())
	case args[0] == "waitpulls" && len(args) == 2:
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		r := refOf(ts)
		deadline := time.Now().Add(time.Minute)
		for r.pulls.Load()-r.mark.Load() < int64(n) {
			if time.Now().After(deadline) {
				ts.Fatalf("refbackend: %d pulls answered since the mark, want %d", r.pulls.Load()-r.mark.Load(), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	case args[0] == "copies" && len(args) == 1:
		list, err := b.BackupCopies(ctx)
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), len(list))
		for _, c := range list {
			fmt.Fprintln(ts.Stdout(), c.ID)
		}
	case args[0] == "failbackups" && len(args) == 3:
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		status, err := strconv.Atoi(args[2])
		ts.Check(err)
		ts.Check(b.Faults().FailNextOn("/v1/backups/", n, status, 0))
	case args[0] == "corrupt" && len(args) == 2:
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		ts.Check(b.Faults().CorruptDownloads(n))
	case args[0] == "nomarker" && len(args) == 2:
		files := 0
		ts.Check(filepath.WalkDir(b.BackupDir(), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte(args[1])) {
				ts.Fatalf("refbackend: a stored backup copy contains the plaintext marker")
			}
			return nil
		}))
		if files == 0 {
			ts.Fatalf("refbackend: no backup copy stored to scan")
		}
	case args[0] == "revoke" && len(args) == 1:
		devs, err := b.Devices(ctx)
		ts.Check(err)
		for _, d := range devs {
			ts.Check(b.RevokeDevice(ctx, d.ID))
		}
	default:
		ts.Fatalf("refbackend: unknown use %q", args)
	}
}

type refRunning struct {
	b           *backend.Backend
	pulls, mark *atomic.Int64
}

var (
	refMu       gosync.Mutex
	refBackends = map[*testscript.TestScript]refRunning{}
)

// pullCounter counts the backend's request log lines for answered pulls.
type pullCounter struct{ n *atomic.Int64 }

func (c pullCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c pullCounter) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c pullCounter) WithGroup(string) slog.Handler            { return c }
func (c pullCounter) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "path" && a.Value.String() == "/v1/pull" {
			c.n.Add(1)
		}
		return true
	})
	return nil
}

func startRefBackend(ts *testscript.TestScript, args []string) {
	pulls := &atomic.Int64{}
	o := backend.Options{Log: slog.New(pullCounter{pulls})}
	if len(args) == 1 {
		o.Region = args[0]
	}
	b, err := backend.Open(context.Background(), o)
	ts.Check(err)
	srv, err := b.Start(backend.ServerOptions{})
	if err != nil {
		b.Close()
		ts.Fatalf("refbackend: %v", err)
	}
	ca := filepath.Join(ts.Getenv("WORK"), "backend-ca.pem")
	ts.Check(srv.WriteCA(ca))
	ts.Setenv("BACKEND_URL", srv.URL())
	ts.Setenv("CALMALLY_SYNC_CA", ca)
	refMu.Lock()
	refBackends[ts] = refRunning{b: b, pulls: pulls, mark: &atomic.Int64{}}
	refMu.Unlock()
	ts.Defer(func() {
		srv.Close()
		b.Close()
		refMu.Lock()
		delete(refBackends, ts)
		refMu.Unlock()
	})
}

func refOf(ts *testscript.TestScript) refRunning {
	refMu.Lock()
	defer refMu.Unlock()
	r, ok := refBackends[ts]
	if !ok {
		ts.Fatalf("refbackend: not started")
	}
	return r
}

func refBackendOf(ts *testscript.TestScript) *backend.Backend { return refOf(ts).b }
