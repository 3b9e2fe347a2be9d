package cli

import (
	"fmt"
	"text/tabwriter"
	"time"
)

type retentionHoldCmd struct {
	Place   retentionHoldPlaceCmd   `cmd:"" help:"Place a legal hold on a client; prints the hold's id."`
	Release retentionHoldReleaseCmd `cmd:"" help:"Release a legal hold."`
	List    retentionHoldListCmd    `cmd:"" help:"List legal holds (in place first)."`
}

type retentionHoldPlaceCmd struct {
	Client string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	Reason string `name:"reason" required:"" help:"litigation, dispute, regulator_inquiry, complaint, law_enforcement_request or insurance_claim."`
}

func (c retentionHoldPlaceCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	h, err := p.PlaceLegalHold(rc.ctx, c.Client, c.Reason)
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, h.ID)
	return nil
}

type retentionHoldReleaseCmd struct {
	ID     string `arg:"" help:"Hold id."`
	Reason string `name:"reason" required:"" help:"resolved, placed_in_error or no_longer_required."`
}

func (c retentionHoldReleaseCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	_, err = p.ReleaseLegalHold(rc.ctx, c.ID, c.Reason)
	return err
}

type retentionHoldListCmd struct {
	Client string `name:"client" help:"Only this client's holds." placeholder:"ID"`
	Open   bool   `name:"open" help:"Only holds in place."`
	JSON   bool   `name:"json" help:"Print JSON."`
}

func (c retentionHoldListCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	holds, err := p.LegalHolds(rc.ctx, c.Client, c.Open)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, holds)
	}
	tw := tabwriter.NewWriter(rc.env.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCLIENT\tREASON\tPLACED\tRELEASED\tRELEASE REASON")
	for _, h := range holds {
		released, why := "-", "-"
		if !h.ReleasedAt.IsZero() {
			released, why = h.ReleasedAt.Format(time.RFC3339), h.ReleaseReason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.ClientID, h.Reason, h.PlacedAt.Format(time.RFC3339), released, why)
	}
	return tw.Flush()
}
