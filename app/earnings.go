package app

// EarningsMonth(year, month int) (EarningsDTO, error): one month's fees,
// refunds and net in paise, months of India's calendar (Asia/Kolkata), with
// a line per day that had a booking. Reading it is audited as one list.
// A month before the year 2000 → "invalid: …".

import (
	"fmt"
	"time"

	"github.com/calmally/practice/internal/bookings"
)

func amountsDTO(a bookings.Amounts) EarningsAmountsDTO {
	return EarningsAmountsDTO{SessionsCompleted: a.SessionsCompleted, SessionsPaid: a.SessionsPaid, FeesPaise: a.FeesPaise,
		RefundsPaise: a.RefundsPaise, RefundPendingPaise: a.RefundPendingPaise, NetPaise: a.NetPaise,
		OutstandingPaise: a.OutstandingPaise}
}

// EarningsMonth totals one month.
func (a *App) EarningsMonth(year, month int) (EarningsDTO, error) {
	p, err := a.practice()
	if err != nil {
		return EarningsDTO{}, a.uiError("earnings", err)
	}
	e, err := p.Earnings(a.ctx, year, time.Month(month))
	if err != nil {
		return EarningsDTO{}, a.uiError("earnings", err)
	}
	d := EarningsDTO{Year: e.Year, Month: int(e.Month), Zone: e.Zone, Currency: e.Currency, Total: amountsDTO(e.Amounts),
		Days: make([]EarningsDayDTO, len(e.Days)), Unreadable: e.Unreadable}
	for i, day := range e.Days {
		d.Days[i] = EarningsDayDTO{Date: fmt.Sprintf("%04d-%02d-%02d", e.Year, int(e.Month), day.Day), Amounts: amountsDTO(day.Amounts)}
	}
	return d, nil
}
