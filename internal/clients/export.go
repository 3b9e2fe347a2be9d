package clients

import (
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// ImportInput is a client read from an import file: the profile as the
// other vault recorded it, keeping its id (signed notes name it) and when it
// was created.
type ImportInput struct {
	ID        string
	Input     Input
	Status    Status
	CreatedAt time.Time
}

// SealImported checks an imported client against every record rule —
// adults only among them (CheckAdult at now) — and seals it for storage at
// revision 1 with source "import". The id is kept so that the signatures of
// imported notes, which cover it, still verify.
func SealImported(keys Sealer, in ImportInput, now time.Time) (Client, Row, error) {
	if !validID(in.ID) {
		return Client{}, Row{}, apperr.New(apperr.Invalid, "a client in the file has an invalid id")
	}
	p, err := Normalize(in.Input, now)
	if err != nil {
		return Client{}, Row{}, err
	}
	st := in.Status
	if st != StatusDischarged {
		st = StatusActive
	}
	at := now.UTC().Truncate(time.Second)
	created := in.CreatedAt.UTC().Truncate(time.Second)
	if created.IsZero() || created.After(at) {
		created = at
	}
	c := Client{ID: in.ID, Rev: 1, Profile: p, Status: st, Source: SourceImport, CreatedAt: created, UpdatedAt: at}
	sealed, err := sealProfile(keys, c.ID, c.Rev, p)
	if err != nil {
		return Client{}, Row{}, err
	}
	return c, rowOf(c, sealed), nil
}
