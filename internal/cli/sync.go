package cli

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/sync"
)

// syncCmd syncs with the CalmAlly backend: enrolment when asked, then one
// round (--once) or rounds until interrupted. The backend's certificate is
// trusted through the system roots or the PEM file named by
// CALMALLY_SYNC_CA; CALMALLY_SYNC_DEV=1 allows plain http to a loopback
// address. Output holds counts and codes only, never client data.
type syncCmd struct {
	Once          bool   `help:"Run one round, print what it did and exit."`
	Backend       string `name:"backend" placeholder:"URL" help:"Backend to enrol with (https://...); needs --enrolment-code unless this profile is enrolled with it already."`
	EnrolmentCode string `name:"enrolment-code" placeholder:"CODE" help:"One-time code from your CalmAlly account, to enrol this profile."`
	CrossBorder   string `name:"cross-border" enum:",on,off" default:"" help:"Allow (on) or refuse (off) syncing with a backend outside India; even on, a client's data goes only with their cross-border consent."`
	RetryParked   bool   `name:"retry-parked" help:"Queue every parked change again before the round (after the reason was dealt with, e.g. a consent recorded)."`
}

func (c *syncCmd) Run(rc *runCtx) error {
	if !c.Once {
		// Catch the interrupt from the start: it must stop sync cleanly,
		// not kill the process half-way through opening the profile.
		ctx, stop := signal.NotifyContext(rc.ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		rc.ctx = ctx
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	if err := c.enrol(rc, p); err != nil {
		return err
	}
	if c.CrossBorder != "" {
		if err := p.SyncSetCrossBorder(rc.ctx, c.CrossBorder == "on"); err != nil {
			return err
		}
		fmt.Fprintf(rc.env.Stdout, "cross-border sync: %s\n", c.CrossBorder)
	}
	if c.RetryParked {
		if err := retryParked(rc, p); err != nil {
			return err
		}
	}
	if c.Once {
		sum, err := p.SyncRound(rc.ctx)
		if err != nil {
			return err
		}
		printSummary(rc, sum)
		return c.printParked(rc, p)
	}
	return c.runUntilInterrupted(rc, p)
}

// enrol enrols when asked to, and checks --backend names the enrolment.
func (c *syncCmd) enrol(rc *runCtx, p *practice.Practice) error {
	st, err := p.SyncStatus(rc.ctx)
	if err != nil {
		return err
	}
	url := c.Backend
	if c.EnrolmentCode != "" {
		if url == "" {
			url = st.BackendURL
		}
		if url == "" {
			return usageError{"sync: --enrolment-code needs --backend URL (this profile is not enrolled)"}
		}
		st, err = p.SyncEnrol(rc.ctx, url, c.EnrolmentCode)
		if err != nil {
			return err
		}
		fmt.Fprintf(rc.env.Stdout, "enrolled: device %s\n", st.DeviceID)
		return nil
	}
	switch {
	case !st.Enrolled:
		return apperr.New(apperr.NotFound, "this profile is not enrolled with a sync backend: give --backend URL --enrolment-code CODE")
	case url != "" && url != st.BackendURL:
		return usageError{"sync: this profile is enrolled with another backend; give --enrolment-code to enrol with " + url}
	}
	return nil
}

// retryParked queues every parked change again, under new mutation ids.
func retryParked(rc *runCtx, p *practice.Practice) error {
	parked, err := p.SyncParked(rc.ctx)
	if err != nil {
		return err
	}
	for _, x := range parked {
		if err := p.SyncRetryParked(rc.ctx, x.OutboxID); err != nil {
			return err
		}
	}
	fmt.Fprintf(rc.env.Stdout, "queued again: %d\n", len(parked))
	return nil
}

func printSummary(rc *runCtx, s sync.Summary) {
	fmt.Fprintf(rc.env.Stdout, "pushed %d, parked %d, pulled %d, applied %d, refused %d, conflicts %d\n",
		s.Pushed, s.Parked, s.Pulled, s.Applied, s.Rejected, s.Conflicts)
}

// printParked lists changes waiting for the practitioner: kind, entity id
// and code (the app offers retry and discard).
func (c *syncCmd) printParked(rc *runCtx, p *practice.Practice) error {
	parked, err := p.SyncParked(rc.ctx)
	if err != nil {
		return err
	}
	for _, x := range parked {
		fmt.Fprintf(rc.env.Stdout, "parked: %s %s %s\n", x.Kind, x.EntityID, x.Code)
	}
	return nil
}

// runUntilInterrupted syncs in the foreground, printing each round's
// summary, until SIGINT or SIGTERM (rc.ctx ends).
func (c *syncCmd) runUntilInterrupted(rc *runCtx, p *practice.Practice) error {
	p.OnSyncProgress(func(pr sync.Progress) {
		if pr.Phase == sync.PhaseDone {
			fmt.Fprintf(rc.env.Stdout, "round: pushed %d, pulled %d, applied %d\n", pr.Pushed, pr.Pulled, pr.Applied)
		}
	})
	p.OnSyncStatus(func(s sync.Status) {
		if s.LastError != nil && s.State != sync.StateSyncing {
			fmt.Fprintf(rc.env.Stderr, "calmally: sync: %s: %s\n", s.LastError.Code, s.LastError.Message)
		}
	})
	fmt.Fprintln(rc.env.Stdout, "syncing; press Ctrl-C to stop")
	if err := p.SyncRun(rc.ctx); err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, "stopped")
	return nil
}
