package civil

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseAndArithmetic(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
		plus     int
		want     string
	}{
		{"leap day exists in 2028", "2028-02-29", true, 1, "2028-03-01"},
		{"no leap day in 2027", "2027-02-29", false, 0, ""},
		{"April has 30 days", "2024-04-31", false, 0, ""},
		{"month end", "2026-01-31", true, 1, "2026-02-01"},
		{"year end backwards", "2027-01-01", true, -1, "2026-12-31"},
		{"not a date", "01/02/2026", false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseDate(%q) error = %v", tt.in, err)
			}
			if tt.ok && d.AddDays(tt.plus).String() != tt.want {
				t.Fatalf("%s + %d = %s, want %s", tt.in, tt.plus, d.AddDays(tt.plus), tt.want)
			}
		})
	}
}

func TestOrderWeekdayAndText(t *testing.T) {
	a, _ := ParseDate("2026-11-28")
	b := a.AddDays(1)
	if !a.Before(b) || !b.After(a) || a.After(b) || a.Weekday() != time.Saturday {
		t.Fatal("ordering or weekday wrong")
	}
	var v struct{ D, Z Date }
	if err := json.Unmarshal([]byte(`{"D":"2026-11-28","Z":""}`), &v); err != nil || v.D != a || !v.Z.IsZero() {
		t.Fatalf("unmarshal: %+v, %v", v, err)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"D":"2026-11-28","Z":""}` {
		t.Fatalf("marshal: %s", out)
	}
	if json.Unmarshal([]byte(`{"D":"2026-02-30"}`), &v) == nil {
		t.Fatal("an impossible day was accepted")
	}
}
