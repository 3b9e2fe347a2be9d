package sync

import (
	"context"
	"errors"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/sync/wire"
)

// Applier applies one pulled change to local state (internal/practice
// implements it with the domain services).
//
// The engine calls Apply in the order the backend sent the changes, only
// with a version above the one it last recorded for the entity. Apply must
// be idempotent for a given (type, id, version): the engine records the
// version after Apply returns, so a crash in between applies that change
// once more at the next start.
//
// An error is either permanent — the change will never apply as it is (it
// breaks a rule): wrap it with Reject, or give it an apperr code invalid,
// forbidden, consent_required or integrity — and the change is recorded as
// refused, with that code, and skipped; or anything else (the vault locked,
// the database busy), which stops the round and leaves the change in the
// inbox for the next one.
type Applier interface {
	Apply(ctx context.Context, c wire.Change) error
}

// GroupApplier is an Applier that can also apply a run of changes at once,
// so that a page of a thousand bookings costs one commit rather than a
// thousand. The engine uses it for pages it has just pulled (stale changes
// already left out); leftovers after a stop still go through Apply.
//
// The engine calls ApplyGroup inside a batch of its store (store.DB.Batch)
// and records the outcomes in the same batch: an applier writing through
// that database joins the transaction (its Tx calls become savepoints), so
// the page is applied and settled in one commit or not at all.
//
// ApplyGroup returns one error per change, in order, each meaning what
// Apply's would. A transient error ends the run: the changes after it count
// as not applied, stay in the inbox and are offered again next round (so
// ApplyGroup must not have applied them, or must have applied them
// idempotently, as always).
type GroupApplier interface {
	Applier
	ApplyGroup(ctx context.Context, cs []wire.Change) []error
}

// RejectError is a permanent refusal of a pulled change under a rule code.
type RejectError struct {
	Code string // a wire.ValidCode, e.g. "minor", "unknown_client"
	Err  error
}

func (e *RejectError) Error() string {
	if e.Err != nil {
		return "sync: change refused: " + e.Code + ": " + e.Err.Error()
	}
	return "sync: change refused: " + e.Code
}

func (e *RejectError) Unwrap() error { return e.Err }

// Reject marks err as a permanent refusal under code.
func Reject(code string, err error) error { return &RejectError{Code: code, Err: err} }

// PermanentCode reports whether an Applier error is permanent, and the rule
// code to record for it.
func PermanentCode(err error) (string, bool) {
	var r *RejectError
	if errors.As(err, &r) {
		if !wire.ValidCode(r.Code) {
			return apperr.Invalid, true
		}
		return r.Code, true
	}
	switch c := apperr.CodeOf(err); c {
	case apperr.Invalid, apperr.Forbidden, apperr.ConsentRequired, apperr.Integrity:
		return c, true
	}
	return "", false
}
