package app

import (
	"strings"
	"testing"
	"time"
)

func TestRetentionMethods(t *testing.T) {
	a := newClientTestApp(t)
	pol, err := a.RetentionPolicy()
	if err != nil || pol.HealthYears != 7 || pol.ContactDays != 30 || pol.UsageYears != 2 || len(pol.HoldReasons) == 0 || len(pol.ReleaseReasons) == 0 {
		t.Fatalf("policy %+v %v", pol, err)
	}
	c, err := a.ClientCreate(ClientInputDTO{Name: "Kavya Rao", DateOfBirth: "1985-07-09"})
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().AddDate(8, 0, 0).Format("2006-01-02")
	plan, err := a.RetentionPlan(later)
	if err != nil || !plan.DryRun || plan.ID != "" {
		t.Fatalf("plan %+v %v", plan, err)
	}
	outcome := func(r RetentionReportDTO) string {
		for _, it := range r.Items {
			if it.ClientID == c.ID {
				return it.Outcome + "/" + it.Hold
			}
		}
		return ""
	}
	if got := outcome(plan); got != "would_delete/" {
		t.Fatalf("client in 8 years: %q (%+v)", got, plan.Items)
	}
	if !strings.HasSuffix(plan.AsOf, "T18:29:59Z") {
		t.Fatalf("as of %s: want the end of the day in India", plan.AsOf)
	}
	if _, err := a.RetentionPlan("31/01/2031"); err == nil || !strings.HasPrefix(err.Error(), "invalid: as-of") {
		t.Fatalf("bad date: %v", err)
	}

	if _, err := a.LegalHoldPlace(LegalHoldPlaceRequest{ClientID: c.ID, Reason: "because"}); err == nil || !strings.HasPrefix(err.Error(), "invalid: reason") {
		t.Fatalf("bad reason: %v", err)
	}
	h, err := a.LegalHoldPlace(LegalHoldPlaceRequest{ClientID: c.ID, Reason: "dispute"})
	if err != nil || h.ID == "" || h.PlacedAt == "" || h.ReleasedAt != "" {
		t.Fatalf("place %+v %v", h, err)
	}
	if plan, _ = a.RetentionPlan(later); outcome(plan) != "held/legal_hold" || len(plan.Holds) != 1 {
		t.Fatalf("held plan %+v", plan)
	}
	r, err := a.LegalHoldRelease(LegalHoldReleaseRequest{ID: h.ID, Reason: "resolved"})
	if err != nil || r.ReleasedAt == "" || r.ReleaseReason != "resolved" {
		t.Fatalf("release %+v %v", r, err)
	}
	if _, err := a.LegalHoldRelease(LegalHoldReleaseRequest{ID: h.ID, Reason: "resolved"}); err == nil || !strings.HasPrefix(err.Error(), "conflict:") {
		t.Fatalf("release twice: %v", err)
	}
	holds, err := a.LegalHolds()
	if err != nil || len(holds) != 1 || holds[0].ReleasedAt == "" {
		t.Fatalf("holds %+v %v", holds, err)
	}

	run, err := a.RetentionRunNow()
	if err != nil || run.DryRun || run.ID == "" || run.Deleted != 0 || outcome(run) != "" {
		t.Fatalf("run now %+v %v", run, err)
	}
	runs, err := a.RetentionRuns()
	if err != nil || len(runs) != 1 || runs[0].ID != run.ID || runs[0].Result != "ok" || runs[0].Report.ID != run.ID {
		t.Fatalf("runs %+v %v", runs, err)
	}
	for _, it := range run.Items {
		if it.Removed == nil {
			t.Fatal("removed is null in JSON")
		}
	}
}

func TestBackupTimeSetting(t *testing.T) {
	a := newClientTestApp(t)
	s, err := a.BackupSettingsGet()
	if err != nil || s.AtTime != "" {
		t.Fatalf("default time %+v %v", s, err)
	}
	s.Folder, s.AtTime = t.TempDir(), "07:45"
	if s, err = a.BackupSettingsSet(s); err != nil || s.AtTime != "07:45" {
		t.Fatalf("set %+v %v", s, err)
	}
	if got, _ := a.BackupSettingsGet(); got.AtTime != "07:45" {
		t.Fatalf("read back %q", got.AtTime)
	}
	s.AtTime = "25:00"
	if _, err := a.BackupSettingsSet(s); err == nil || !strings.HasPrefix(err.Error(), "invalid: the backup time") {
		t.Fatalf("bad time: %v", err)
	}
	s.AtTime = ""
	if s, err = a.BackupSettingsSet(s); err != nil || s.AtTime != "" {
		t.Fatalf("any time %+v %v", s, err)
	}
}
