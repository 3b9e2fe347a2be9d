package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/practice"
)

type retentionCmd struct {
	Run retentionRunCmd `cmd:"" help:"Delete what the retention policy says is due (or --dry-run: list what would go on --as-of and why)."`
}

type retentionRunCmd struct {
	DryRun bool   `name:"dry-run" help:"Only list what would go, and why; delete nothing."`
	AsOf   string `name:"as-of" help:"The date to plan for (YYYY-MM-DD, end of that day UTC); default now." placeholder:"DATE"`
	JSON   bool   `name:"json" help:"Print JSON."`
}

func (c retentionRunCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	asOf := p.Now()
	if c.AsOf != "" {
		d, err := time.Parse("2006-01-02", c.AsOf)
		if err != nil {
			return apperr.New(apperr.Invalid, "as-of: must be a date YYYY-MM-DD")
		}
		asOf = d.Add(24*time.Hour - time.Second)
	}
	var rep practice.RetentionReport
	if c.DryRun {
		rep, err = p.RetentionPlan(rc.ctx, asOf)
	} else {
		rep, err = p.RetentionRun(rc.ctx, asOf)
	}
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, rep)
	}
	mode := "run"
	if rep.DryRun {
		mode = "dry run"
	}
	fmt.Fprintf(rc.env.Stdout, "retention %s as of %s: %d item(s)\n", mode, rep.AsOf.Format(time.RFC3339), len(rep.Results))
	tw := tabwriter.NewWriter(rc.env.Stdout, 0, 2, 2, ' ', 0)
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
	return tw.Flush()
}
