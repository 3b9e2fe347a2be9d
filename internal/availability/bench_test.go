package availability

import (
	"testing"
	"time"
)

// BenchmarkSlotsYear expands a year of realistic rules: weekday mornings and
// afternoons, 50-minute sessions with 10-minute buffers, a Saturday, a dozen
// holidays and a fortnight off, in a zone with DST (the slow path) and in
// Kolkata.
func BenchmarkSlotsYear(b *testing.B) {
	for _, zone := range []string{"Asia/Kolkata", "Europe/London"} {
		b.Run(zone, func(b *testing.B) {
			var week []Window
			for d := time.Monday; d <= time.Friday; d++ {
				week = append(week, day(d, "09:00", "13:00"), day(d, "14:00", "18:00"))
			}
			week = append(week, day(time.Saturday, "10:00", "13:00"))
			ex := []Exception{{Kind: TimeOff, From: date("2025-05-12"), To: date("2025-05-25")}}
			for m := time.January; m <= time.December; m++ {
				ex = append(ex, Exception{Kind: Holiday, From: Date{Year: 2025, Month: m, Day: 15}})
			}
			s := Schedule{RuleSets: []RuleSet{{Zone: zone, SessionMinutes: 50, BufferMinutes: 10, HorizonDays: 400,
				Weekly: week, Exceptions: ex}}}
			if err := s.Normalize(); err != nil {
				b.Fatal(err)
			}
			from, to := instant("2025-01-01T00:00:00Z"), instant("2026-01-01T00:00:00Z")
			now := instant("2024-12-31T00:00:00Z")
			busy := []Busy{{ID: "x", Start: instant("2025-03-03T04:30:00Z"), End: instant("2025-03-03T05:20:00Z")}}
			var n int
			for b.Loop() {
				n = len(Slots(s, from, to, now, busy))
			}
			if n < 2000 {
				b.Fatalf("only %d slots", n)
			}
			b.ReportMetric(float64(n), "slots")
		})
	}
}
