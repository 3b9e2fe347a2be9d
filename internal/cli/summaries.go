package cli

import (
	"fmt"

	"github.com/calmally/practice/internal/notes"
)

// notes summary: the client-facing summary of a note (plan, homework, next
// session). --derive creates it from the note's plan, --ready marks it ready,
// --share records it shared with the client, which needs the client's
// summary-sharing consent (a refusal exits 5 naming the purpose).
type notesSummaryCmd struct {
	ID     string `arg:"" help:"Note id."`
	Derive bool   `name:"derive" help:"Create the summary from the note's plan (an existing one is kept)."`
	Ready  bool   `name:"ready" help:"Mark the summary ready for the client."`
	Share  bool   `name:"share" help:"Share the ready summary with the client (needs summary-sharing consent)."`
}

func (c notesSummaryCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	ns := p.Notes()
	var sum notes.Summary
	if c.Derive {
		sum, err = ns.DeriveSummary(rc.ctx, c.ID)
	} else {
		sum, err = ns.Summary(rc.ctx, c.ID)
	}
	if err != nil {
		return err
	}
	if c.Ready {
		if sum, err = ns.MarkSummaryReady(rc.ctx, c.ID, sum.Rev); err != nil {
			return err
		}
	}
	if c.Share {
		if sum, err = ns.ShareSummary(rc.ctx, c.ID, sum.Rev); err != nil {
			return err
		}
	}
	fmt.Fprintf(rc.env.Stdout, "summary %s: %s\nplan: %s\nhomework: %s\nnext session: %s\n", sum.ID, sum.Status,
		sum.Content.Plan, sum.Content.Homework, sum.Content.NextSession)
	return nil
}
