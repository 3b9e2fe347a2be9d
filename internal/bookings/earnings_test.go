package bookings

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func ist(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(EarningsZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func session(start string, st Status, pay PaymentStatus, fee int64) Booking {
	s := at(start)
	return Booking{Start: s, End: s.Add(50 * time.Minute), Status: st, PaymentStatus: pay, FeePaise: fee}
}

func TestEarningsMonthEdgesInIST(t *testing.T) {
	loc := ist(t)
	bs := []Booking{
		// 28 Feb 23:59:59 IST: February.
		session("2026-02-28T18:29:59Z", Completed, PaymentPaid, 100),
		// 1 Mar 00:00 IST (still 28 Feb in UTC): March.
		session("2026-02-28T18:30:00Z", Completed, PaymentPaid, 150000),
		session("2026-03-15T05:00:00Z", CancelledByPractitioner, PaymentRefundPending, 200000),
		session("2026-03-15T08:00:00Z", CancelledByClient, PaymentRefunded, 50000),
		session("2026-03-20T05:00:00Z", Completed, PaymentPending, 70000), // a walk-in not paid yet
		session("2026-03-21T05:00:00Z", Confirmed, PaymentPaid, 120000),
		session("2026-03-22T05:00:00Z", Declined, PaymentPending, 99999), // never charged
		// 31 Mar 23:59:59 IST: March.
		session("2026-03-31T18:29:59Z", Completed, PaymentPaid, 30000),
		// 1 Apr 00:00 IST (still 31 Mar in UTC): April.
		session("2026-03-31T18:30:00Z", Completed, PaymentPaid, 1),
	}
	e := ComputeEarnings(bs, 2026, time.March, loc)
	want := Amounts{
		SessionsCompleted:  3,
		SessionsPaid:       5,
		FeesPaise:          150000 + 200000 + 50000 + 120000 + 30000,
		RefundsPaise:       250000,
		RefundPendingPaise: 200000,
		NetPaise:           150000 + 120000 + 30000,
		OutstandingPaise:   70000,
	}
	if e.Amounts != want {
		t.Fatalf("March =\n%+v\nwant\n%+v", e.Amounts, want)
	}
	if e.Currency != "INR" || e.Zone != EarningsZone {
		t.Fatalf("currency %s zone %s", e.Currency, e.Zone)
	}
	days := map[int]Amounts{}
	for _, d := range e.Days {
		days[d.Day] = d.Amounts
	}
	if len(e.Days) != 6 || e.Days[0].Day != 1 || e.Days[len(e.Days)-1].Day != 31 {
		t.Fatalf("days = %+v", e.Days)
	}
	if d := days[15]; d.RefundsPaise != 250000 || d.FeesPaise != 250000 || d.NetPaise != 0 {
		t.Fatalf("15 March = %+v", d)
	}
	if d := days[1]; d.FeesPaise != 150000 || d.SessionsCompleted != 1 {
		t.Fatalf("1 March = %+v", d)
	}
	feb := ComputeEarnings(bs, 2026, time.February, loc)
	apr := ComputeEarnings(bs, 2026, time.April, loc)
	if feb.FeesPaise != 100 || apr.FeesPaise != 1 || feb.SessionsCompleted != 1 || apr.SessionsCompleted != 1 {
		t.Fatalf("edges leaked: February %+v, April %+v", feb.Amounts, apr.Amounts)
	}
	if none := ComputeEarnings(bs, 2025, time.March, loc); none.Amounts != (Amounts{}) || len(none.Days) != 0 {
		t.Fatalf("an empty month has figures: %+v", none)
	}
}

func TestMonthRangeIsWholeISTDays(t *testing.T) {
	loc := ist(t)
	for m := time.January; m <= time.December; m++ {
		from, to := MonthRange(2028, m, loc) // 2028 is a leap year
		hours := to.Sub(from).Hours()
		days := time.Date(2028, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if hours != float64(24*days) {
			t.Errorf("%s: %v hours, want %d days", m, hours, days)
		}
		if from.UTC().Hour() != 18 || from.UTC().Minute() != 30 {
			t.Errorf("%s starts at %v UTC, want 18:30 the day before", m, from.UTC())
		}
	}
}
