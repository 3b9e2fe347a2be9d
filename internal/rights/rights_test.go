package rights

import (
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDueAtAcrossMonthEndsAndLeapDays(t *testing.T) {
	tests := []struct {
		name     string
		kind     Kind
		verified string
		want     string
	}{
		{"erasure from 31 January (leap year)", KindErasure, "2024-01-31T06:00:00Z", "2024-03-01T06:00:00Z"},
		{"erasure from 31 January (common year)", KindErasure, "2025-01-31T06:00:00Z", "2025-03-02T06:00:00Z"},
		{"erasure verified late evening UTC, next day in India", KindErasure, "2024-01-31T20:00:00Z", "2024-03-01T20:00:00Z"},
		{"erasure across the year end", KindErasure, "2024-12-15T10:00:00Z", "2025-01-14T10:00:00Z"},
		{"erasure from 29 February", KindErasure, "2024-02-29T00:00:00Z", "2024-03-30T00:00:00Z"},
		{"correction like erasure", KindCorrection, "2023-02-28T12:00:00Z", "2023-03-30T12:00:00Z"},
		{"access: 72 hours across a month end", KindAccess, "2024-02-28T09:15:00Z", "2024-03-02T09:15:00Z"},
		{"access: 72 hours across a leap day", KindAccess, "2023-02-27T09:15:00Z", "2023-03-02T09:15:00Z"},
		{"withdrawal backstop", KindWithdrawal, "2024-12-30T23:00:00Z", "2025-01-02T23:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DueAt(tt.kind, at(tt.verified)); !got.Equal(at(tt.want)) {
				t.Fatalf("DueAt = %s, want %s", got.Format(time.RFC3339), tt.want)
			}
		})
	}
}

func TestOverdueAndDueThisWeek(t *testing.T) {
	// Friday 1 March 2024, 10:00 in India; the week ends Monday 4 March 00:00 IST.
	now := at("2024-03-01T04:30:00Z")
	if got := WeekEnd(now); !got.Equal(at("2024-03-03T18:30:00Z")) {
		t.Fatalf("WeekEnd = %s", got)
	}
	// Sunday 23:59 IST still belongs to the week that ends a minute later.
	if got := WeekEnd(at("2024-03-03T18:29:00Z")); !got.Equal(at("2024-03-03T18:30:00Z")) {
		t.Fatalf("WeekEnd(Sunday night) = %s", got)
	}
	// Monday 00:00 IST starts a new week.
	if got := WeekEnd(at("2024-03-03T18:30:00Z")); !got.Equal(at("2024-03-10T18:30:00Z")) {
		t.Fatalf("WeekEnd(Monday) = %s", got)
	}
	tests := []struct {
		name           string
		r              Request
		overdue, dueWk bool
	}{
		{"past due and open", Request{Status: StatusVerified, DueAt: now.Add(-time.Minute)}, true, false},
		{"due Sunday", Request{Status: StatusInProgress, DueAt: at("2024-03-03T12:00:00Z")}, false, true},
		{"due next Monday", Request{Status: StatusVerified, DueAt: at("2024-03-03T18:30:00Z")}, false, false},
		{"past due but fulfilled", Request{Status: StatusFulfilled, DueAt: now.Add(-time.Hour)}, false, false},
		{"not yet verified", Request{Status: StatusReceived}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.Overdue(now) != tt.overdue || tt.r.DueThisWeek(now) != tt.dueWk {
				t.Fatalf("overdue %v, due this week %v", tt.r.Overdue(now), tt.r.DueThisWeek(now))
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to Status
		ok       bool
	}{
		{StatusReceived, StatusVerified, true},
		{StatusReceived, StatusFulfilled, false},
		{StatusReceived, StatusRefused, true},
		{StatusVerified, StatusInProgress, true},
		{StatusVerified, StatusFulfilled, true},
		{StatusInProgress, StatusFulfilled, true},
		{StatusInProgress, StatusVerified, false},
		{StatusFulfilled, StatusRefused, false},
		{StatusRefused, StatusVerified, false},
	}
	for _, tt := range tests {
		err := transition(tt.from, tt.to)
		if (err == nil) != tt.ok || (err != nil && apperr.CodeOf(err) != apperr.Conflict) {
			t.Errorf("%s → %s: %v", tt.from, tt.to, err)
		}
	}
}
