package bookings

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// A month's earnings. Months and days are those of the practice's zone
// (Asia/Kolkata: no daylight saving, so every day has 24 hours); a booking
// belongs to the month its session starts in. Amounts are whole paise
// (INR). What the platform took is what it reports:
//
//   - Fees: bookings whose payment was taken — paid, refund_pending or
//     refunded.
//   - Refunds: refund_pending and refunded (RefundPending counts the first
//     alone: money still to go back).
//   - Net = Fees − Refunds: what stays with the practice.
//   - Outstanding: sessions completed whose payment is still pending (a
//     walk-in not yet paid).

// EarningsZone is the zone months are counted in.
const EarningsZone = "Asia/Kolkata"

// Amounts is one period's figures.
type Amounts struct {
	SessionsCompleted  int
	SessionsPaid       int // payment taken (paid, refund_pending or refunded)
	FeesPaise          int64
	RefundsPaise       int64
	RefundPendingPaise int64
	NetPaise           int64
	OutstandingPaise   int64
}

func (a *Amounts) add(b Booking) {
	if b.Status == Completed {
		a.SessionsCompleted++
		if b.PaymentStatus == PaymentPending {
			a.OutstandingPaise += b.FeePaise
		}
	}
	switch b.PaymentStatus {
	case PaymentPaid, PaymentRefundPending, PaymentRefunded:
		a.SessionsPaid++
		a.FeesPaise += b.FeePaise
	}
	switch b.PaymentStatus {
	case PaymentRefundPending:
		a.RefundPendingPaise += b.FeePaise
		a.RefundsPaise += b.FeePaise
	case PaymentRefunded:
		a.RefundsPaise += b.FeePaise
	}
	a.NetPaise = a.FeesPaise - a.RefundsPaise
}

// DayEarnings is one calendar day's figures.
type DayEarnings struct {
	Day int // 1..31
	Amounts
}

// Earnings is one month's figures, with a line per day that had any
// booking.
type Earnings struct {
	Year     int
	Month    time.Month
	Zone     string
	Currency string
	Amounts
	Days []DayEarnings
	// Unreadable counts bookings of the month that failed their integrity
	// check: the figures leave them out.
	Unreadable int
}

// MonthRange returns the instants a month of loc spans, [from, to).
func MonthRange(year int, month time.Month, loc *time.Location) (time.Time, time.Time) {
	from := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, 0)
}

// ComputeEarnings totals the bookings that start within the month of loc.
// Bookings outside it are ignored, so a caller may pass an overlapping
// list.
func ComputeEarnings(bs []Booking, year int, month time.Month, loc *time.Location) Earnings {
	from, to := MonthRange(year, month, loc)
	e := Earnings{Year: year, Month: month, Zone: loc.String(), Currency: Currency, Days: []DayEarnings{}}
	byDay := map[int]*DayEarnings{}
	for _, b := range bs {
		if b.Start.Before(from) || !b.Start.Before(to) {
			continue
		}
		e.add(b)
		day := b.Start.In(loc).Day()
		d := byDay[day]
		if d == nil {
			d = &DayEarnings{Day: day}
			byDay[day] = d
		}
		d.add(b)
	}
	for day := 1; day <= 31; day++ {
		if d := byDay[day]; d != nil {
			e.Days = append(e.Days, *d)
		}
	}
	return e
}

// Earnings totals a month (of EarningsZone) from the bookings. Reading
// them is audited as one list.
func (s *Service) Earnings(ctx context.Context, year int, month time.Month) (Earnings, error) {
	if year < 2000 || year > 2200 || month < time.January || month > time.December {
		return Earnings{}, apperr.New(apperr.Invalid, "earnings: a month from the year 2000 on")
	}
	loc, err := time.LoadLocation(EarningsZone)
	if err != nil {
		loc = time.FixedZone(EarningsZone, 5*3600+1800) // India has kept +05:30 since 1945
	}
	from, to := MonthRange(year, month, loc)
	res, err := s.List(ctx, from, to)
	if err != nil {
		return Earnings{}, err
	}
	e := ComputeEarnings(res.Bookings, year, month, loc)
	e.Unreadable = len(res.Unreadable)
	return e, nil
}
