package bookings

import (
	"fmt"

	"github.com/calmally/practice/internal/vault"
)

func fieldAD(id string, rev int64, col string) vault.AD {
	return vault.AD{Table: TableBookings, Column: col, RowID: id, Revision: rev}
}

func plaintexts(b Booking) map[string]string {
	return map[string]string{
		ColClientLabel: b.ClientLabel,
		ColJoinLink:    b.JoinLink,
		ColLocation:    b.Location,
		ColNotes:       b.Notes,
		ColMessage:     b.Message,
	}
}

// rowOf seals b's fields for (b.ID, b.Rev).
func rowOf(keys Sealer, b Booking) (Row, error) {
	r := Row{ID: b.ID, Rev: b.Rev, Source: b.Source, Status: b.Status, ClientID: b.ClientID,
		Start: b.Start, End: b.End, Modality: b.Modality, FeePaise: b.FeePaise, PaymentStatus: b.PaymentStatus,
		RescheduledFrom: b.RescheduledFrom, RescheduledTo: b.RescheduledTo, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
		Sealed: make(map[string][]byte, len(SealedColumns))}
	plain := plaintexts(b)
	for _, col := range SealedColumns {
		env, err := keys.Seal(fieldAD(b.ID, b.Rev, col), []byte(plain[col]))
		if err != nil {
			return Row{}, lockedOr(err, "seal booking "+col)
		}
		r.Sealed[col] = env
	}
	return r, nil
}

// openError names the column that failed to open (never its content).
type openError struct {
	column string
	err    error
}

func (e *openError) Error() string { return fmt.Sprintf("open bookings.%s: %v", e.column, e.err) }
func (e *openError) Unwrap() error { return e.err }

// open opens every sealed column of r.
func open(keys Sealer, r Row) (Booking, error) {
	b := Booking{ID: r.ID, Rev: r.Rev, Source: r.Source, Status: r.Status, ClientID: r.ClientID,
		Start: r.Start, End: r.End, Modality: r.Modality, FeePaise: r.FeePaise, PaymentStatus: r.PaymentStatus,
		RescheduledFrom: r.RescheduledFrom, RescheduledTo: r.RescheduledTo, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, col := range SealedColumns {
		env := r.Sealed[col]
		if len(env) == 0 {
			return Booking{}, &openError{col, vault.ErrIntegrity}
		}
		p, err := keys.Open(fieldAD(r.ID, r.Rev, col), env)
		if err != nil {
			return Booking{}, &openError{col, err}
		}
		s := string(p)
		switch col {
		case ColClientLabel:
			b.ClientLabel = s
		case ColJoinLink:
			b.JoinLink = s
		case ColLocation:
			b.Location = s
		case ColNotes:
			b.Notes = s
		case ColMessage:
			b.Message = s
		}
	}
	return b, nil
}
