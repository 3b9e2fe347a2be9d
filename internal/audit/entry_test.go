package audit

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestActionsSortedAndValid(t *testing.T) {
	a := Actions()
	if !slices.IsSorted(a) {
		t.Error("Actions() is not sorted")
	}
	for _, want := range []Action{ActionUnlock, ActionUnlockFailed, ActionView, ActionSign, ActionConsentWithdrawn, ActionSearch} {
		if !slices.Contains(a, want) || !want.Valid() {
			t.Errorf("%q missing or invalid", want)
		}
	}
	if Action("drop_tables").Valid() {
		t.Error("unknown action is valid")
	}
	a[0] = "mutated"
	if Actions()[0] == "mutated" {
		t.Error("Actions() exposes its backing array")
	}
}

func TestEventEntryValidates(t *testing.T) {
	at := time.Date(2025, 3, 9, 10, 30, 0, 0, time.FixedZone("IST", 5*3600+1800))
	good := Event{Action: ActionEdit, RecordType: "client", RecordID: "0193a1b2-0000-7000-8000-000000000001", Detail: D("field", "phone")}
	e, err := good.Entry(at, "practitioner-1")
	if err != nil {
		t.Fatal(err)
	}
	if e.At.Location() != time.UTC || !e.At.Equal(at) {
		t.Errorf("At = %v, want %v in UTC", e.At, at)
	}
	tests := []struct {
		name  string
		ev    Event
		at    time.Time
		actor string
	}{
		{"unknown action", Event{Action: "wipe"}, at, "p1"},
		{"no time", Event{Action: ActionView}, time.Time{}, "p1"},
		{"no actor", Event{Action: ActionView}, at, ""},
		{"actor is a name", Event{Action: ActionView}, at, "Dr. Anil Kumar"},
		{"actor is an email", Event{Action: ActionView}, at, "anil@example.com"},
		{"record id is a name", Event{Action: ActionView, RecordType: "client", RecordID: "Priya Sharma"}, at, "p1"},
		{"record type free text", Event{Action: ActionView, RecordType: "Client File", RecordID: "x"}, at, "p1"},
		{"record id without type", Event{Action: ActionView, RecordID: "x"}, at, "p1"},
		{"refused detail", Event{Action: ActionEdit, Detail: D("name", "Priya Sharma")}, at, "p1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.ev.Entry(tt.at, tt.actor); !errors.Is(err, ErrInvalid) {
				t.Errorf("Entry() error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestFilterNormalize(t *testing.T) {
	f, err := Filter{}.Normalize()
	if err != nil || f.Limit != DefaultLimit {
		t.Fatalf("Normalize(zero) = %+v, %v", f, err)
	}
	now := time.Now()
	for _, bad := range []Filter{
		{Limit: MaxLimit + 1}, {Offset: -1}, {Limit: -1}, {Action: "nope"},
		{From: now, To: now.Add(-time.Hour)}, {RecordID: "Priya Sharma"},
	} {
		if _, err := bad.Normalize(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	// No limit on the span.
	if _, err := (Filter{From: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC)}).Normalize(); err != nil {
		t.Errorf("century-wide filter refused: %v", err)
	}
}
