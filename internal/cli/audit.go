package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

type auditCmd struct {
	Verify auditVerifyCmd `cmd:"" help:"Check that no entry was edited, deleted, reordered or truncated."`
	List   auditListCmd   `cmd:"" help:"List entries, newest first."`
	Export auditExportCmd `cmd:"" help:"Write the whole trail as CSV or as FHIR AuditEvent resources."`
}

type auditVerifyCmd struct{}

func (auditVerifyCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	n, err := p.AuditVerify(rc.ctx)
	if err != nil {
		return apperr.Wrap(apperr.Integrity, "audit trail verification failed: "+err.Error(), err)
	}
	fmt.Fprintf(rc.env.Stdout, "audit trail ok: %d entries\n", n)
	return nil
}

type auditListCmd struct {
	Client string `name:"client" help:"Only entries about this client id."`
	Action string `name:"action" help:"Only this action."`
	From   string `name:"from" help:"From this date (YYYY-MM-DD)." placeholder:"DATE"`
	To     string `name:"to" help:"Up to and including this date (YYYY-MM-DD)." placeholder:"DATE"`
	Limit  int    `name:"limit" default:"0" help:"At most this many entries (0: all)."`
	JSON   bool   `name:"json" help:"Print JSON."`
}

type auditEntryJSON struct {
	Seq        int64  `json:"seq"`
	At         string `json:"at"`
	Actor      string `json:"actor"`
	Action     string `json:"action"`
	RecordType string `json:"recordType,omitempty"`
	RecordID   string `json:"recordId,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

func (c auditListCmd) Run(rc *runCtx) error {
	f := audit.Filter{Action: audit.Action(c.Action), RecordID: c.Client, Limit: c.Limit}
	var err error
	if f.From, err = parseDate(c.From, false); err != nil {
		return err
	}
	if f.To, err = parseDate(c.To, true); err != nil {
		return err
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	entries, _, err := p.AuditList(rc.ctx, f)
	if err != nil {
		return err
	}
	if c.JSON {
		out := make([]auditEntryJSON, len(entries))
		for i, e := range entries {
			out[i] = auditEntryJSON{e.Seq, e.At.UTC().Format(time.RFC3339), e.Actor, string(e.Action), e.RecordType, e.RecordID, e.Detail}
		}
		enc := json.NewEncoder(rc.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(rc.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tACTION\tRECORD\tDETAIL")
	for _, e := range entries {
		rec := e.RecordID
		if e.RecordType != "" {
			rec = e.RecordType + ":" + e.RecordID
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.UTC().Format(time.RFC3339), e.Actor, e.Action, rec, e.Detail)
	}
	return tw.Flush()
}

// parseDate reads YYYY-MM-DD as a UTC day; endOfDay moves it to the last
// instant of that day so that --to is inclusive.
func parseDate(s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, usageError{msg: "dates are YYYY-MM-DD"}
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}
