package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/practice"
)

type retentionCmd struct {
	Run  retentionRunCmd  `cmd:"" help:"Delete what the retention policy says is due (or --dry-run: list what would go on --as-of and why)."`
	Hold retentionHoldCmd `cmd:"" help:"Manual legal holds: while one is in place, nothing of the client is deleted."`
	Runs retentionRunsCmd `cmd:"" help:"List past retention runs (newest first) and what each deleted."`
}

type retentionRunCmd struct {
	DryRun bool   `name:"dry-run" help:"Only list what would go, and why; delete nothing."`
	AsOf   string `name:"as-of" help:"The date to plan for (YYYY-MM-DD, end of that day UTC); default now. A real run cannot be dated after today." placeholder:"DATE"`
	JSON   bool   `name:"json" help:"Print JSON."`
}

func (c retentionRunCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	now := p.Now()
	asOf := now
	if c.AsOf != "" {
		d, err := time.Parse("2006-01-02", c.AsOf)
		if err != nil {
			return apperr.New(apperr.Invalid, "as-of: must be a date YYYY-MM-DD")
		}
		asOf = d.Add(24*time.Hour - time.Second)
		if !c.DryRun {
			if d.After(now) {
				return apperr.New(apperr.Invalid, "as-of: a real run cannot be dated after today (it would delete data before it is due); use --dry-run to look ahead")
			}
			if asOf.After(now) {
				asOf = now // today: as of now
			}
		}
	}
	var rep practice.RetentionReport
	if c.DryRun {
		rep, err = p.RetentionPlan(rc.ctx, asOf)
	} else {
		rep, err = p.RetentionRun(rc.ctx, asOf, practice.TriggerManual)
	}
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, rep)
	}
	printRetentionReport(rc.env.Stdout, rep)
	if rep.Failed > 0 {
		return apperr.Errorf(apperr.Conflict, "%d item(s) were not deleted; see the outcome column", rep.Failed)
	}
	return nil
}

func printRetentionReport(w io.Writer, rep practice.RetentionReport) {
	mode := "run"
	if rep.DryRun {
		mode = "dry run"
	}
	fmt.Fprintf(w, "retention %s as of %s: %d item(s)", mode, rep.AsOf.Format(time.RFC3339), len(rep.Results))
	if !rep.DryRun {
		fmt.Fprintf(w, ", %d deleted, %d held, %d not deleted", rep.Deleted, rep.Held, rep.Failed)
		if rep.Vacuumed {
			fmt.Fprint(w, ", database file compacted")
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "CATEGORY\tCLIENT/REF\tRULE\tDUE\tOUTCOME\tHOLD")
	for _, r := range rep.Results {
		who := r.ClientID
		if who == "" {
			who = r.Ref
		}
		hold := r.Hold
		if hold == "" {
			hold = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Category, who, r.Rule, r.Due.Format(time.RFC3339), r.Outcome, hold)
	}
	tw.Flush()
	for _, r := range rep.Results {
		for _, rm := range r.Removed {
			cols := ""
			if len(rm.Columns) > 0 {
				cols = " (" + strings.Join(rm.Columns, ", ") + ")"
			}
			fmt.Fprintf(w, "removed %s%s: %s\n", rm.Table, cols, strings.Join(rm.IDs, " "))
		}
		if r.Error != "" {
			fmt.Fprintf(w, "not deleted %s: %s\n", r.ClientID+r.Ref, r.Error)
		}
	}
	if len(rep.Holds) > 0 {
		fmt.Fprintf(w, "legal holds in place: %d\n", len(rep.Holds))
		for _, h := range rep.Holds {
			fmt.Fprintf(w, "  %s client %s reason %s since %s\n", h.ID, h.ClientID, h.Reason, h.PlacedAt.Format(time.RFC3339))
		}
	}
}

type retentionRunsCmd struct {
	Limit int  `name:"limit" default:"20" help:"How many runs to list."`
	JSON  bool `name:"json" help:"Print JSON (with each run's report)."`
}

func (c retentionRunsCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	runs, err := p.RetentionRuns(rc.ctx, c.Limit)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, runs)
	}
	tw := tabwriter.NewWriter(rc.env.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tAS OF\tTRIGGER\tRESULT\tDELETED\tHELD\tNOT DELETED\tCOMPACTED")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%v\n", r.ID, r.At.Format(time.RFC3339), r.AsOf.Format(time.RFC3339),
			r.Trigger, r.Result, r.Deleted, r.Held, r.Failed, r.Vacuumed)
	}
	return tw.Flush()
}
