package bookings

import (
	"fmt"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// allowed is the state machine written out independently of edges: every
// (from, to, by) not listed here must be refused.
var allowed = map[string]bool{
	"requested>confirmed:practitioner":                 true,
	"requested>confirmed:platform":                     true,
	"requested>declined:practitioner":                  true,
	"requested>declined:platform":                      true,
	"requested>cancelled_by_client:client":             true,
	"requested>rescheduled:client":                     true,
	"requested>rescheduled:platform":                   true,
	"confirmed>completed:practitioner":                 true,
	"confirmed>no_show:practitioner":                   true,
	"confirmed>cancelled_by_client:client":             true,
	"confirmed>cancelled_by_practitioner:practitioner": true,
	"confirmed>rescheduled:client":                     true,
	"confirmed>rescheduled:platform":                   true,
}

// rules is the refusal each kind of move must name.
func wantRefusal(from, to Status, by Actor) string {
	closed := map[Status]bool{Completed: true, NoShow: true, CancelledByClient: true, CancelledByPractitioner: true, Declined: true, Rescheduled: true}
	switch {
	case from == to:
		return "booking is already " + string(to)
	case to == Requested:
		return "a booking never returns to requested"
	case closed[from]:
		return "booking is " + string(from) + ": a closed booking does not change"
	case from == Requested && to == CancelledByPractitioner:
		return "a requested booking is declined, not cancelled"
	case from == Requested && (to == Completed || to == NoShow):
		return "only a confirmed booking can be completed or marked no-show"
	case from == Confirmed && to == Declined:
		return "a confirmed booking is cancelled, not declined"
	}
	return string(to) + ": not a change the " + string(by) + " can make"
}

func TestTransitionEveryPair(t *testing.T) {
	actors := []Actor{ByPractitioner, ByClient, ByPlatform}
	n, ok := 0, 0
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			for _, by := range actors {
				key := fmt.Sprintf("%s>%s:%s", from, to, by)
				t.Run(key, func(t *testing.T) {
					err := Transition(from, to, by)
					if allowed[key] {
						if err != nil {
							t.Fatalf("refused: %v", err)
						}
						ok++
						return
					}
					if err == nil {
						t.Fatal("allowed, want refused")
					}
					if apperr.CodeOf(err) != apperr.Conflict || apperr.MessageOf(err) != wantRefusal(from, to, by) {
						t.Fatalf("refusal %q (%s), want %q", apperr.MessageOf(err), apperr.CodeOf(err), wantRefusal(from, to, by))
					}
				})
				n++
			}
		}
	}
	if n != 8*8*3 || ok != len(allowed) {
		t.Fatalf("checked %d moves, %d allowed; want 192 and %d", n, ok, len(allowed))
	}
	if err := Transition("booked", Confirmed, ByPractitioner); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("unknown status: %v", err)
	}
}

func TestCheckTime(t *testing.T) {
	start := time.Date(2024, 6, 17, 4, 30, 0, 0, time.UTC)
	end := start.Add(50 * time.Minute)
	tests := []struct {
		to   Status
		now  time.Time
		want string
	}{
		{Completed, start.Add(-time.Minute), "a session can be completed or marked no-show only once it has started"},
		{NoShow, start.Add(-time.Second), "a session can be completed or marked no-show only once it has started"},
		{Completed, start, ""},
		{NoShow, end.Add(24 * time.Hour), ""},
		{Confirmed, start.Add(10 * time.Minute), ""},
		{Confirmed, end, "a session that has ended cannot be confirmed"},
		{CancelledByPractitioner, end.Add(time.Hour), "a session that has ended cannot be cancelled or declined: mark it completed or no-show"},
		{Declined, start.Add(-time.Hour), ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s at %s", tt.to, tt.now.Format(time.Kitchen)), func(t *testing.T) {
			err := CheckTime(tt.to, start, end, tt.now)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if apperr.MessageOf(err) != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPaymentAfter(t *testing.T) {
	tests := []struct {
		to   Status
		in   PaymentStatus
		want PaymentStatus
	}{
		{CancelledByPractitioner, PaymentPaid, PaymentRefundPending},
		{Declined, PaymentPaid, PaymentRefundPending},
		{CancelledByPractitioner, PaymentPending, PaymentPending},
		{Completed, PaymentPaid, PaymentPaid},
		{CancelledByClient, PaymentPaid, PaymentPaid}, // the platform's refund policy decides; it syncs the status down
	}
	for _, tt := range tests {
		if got := paymentAfter(tt.to, tt.in); got != tt.want {
			t.Errorf("%s with %s: %s, want %s", tt.to, tt.in, got, tt.want)
		}
	}
}
