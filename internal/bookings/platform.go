package bookings

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Applying the platform's state of a booking (docs/sync-protocol.md, change
// type "booking"). The platform is authoritative for bookings: its status,
// payment status, times, modality, fee, join link and the client's
// recording request win. What is the practitioner's own — notes, location,
// the message of a decline or cancellation — stays.
//
// One exception keeps a decision from flickering: while the practitioner's
// action is still queued for the platform (not yet pushed), a platform
// state from which that action leads is not a disagreement, only news that
// has not arrived; the local status stays and the push settles it. Every
// other disagreement is a conflict: the platform's state is taken AND a
// sync_conflicts row (ids and status codes) is written in the same
// transaction, to be shown — never silently dropped:
//
//   - the local status differs while an action of this booking is still
//     queued or was parked (rejected), e.g. confirmed here while the client
//     cancelled there;
//   - the local status cannot lead to the platform's by anyone's move,
//     e.g. completed here, cancelled there.
//
// The platform's version of each booking is kept: a version at or below it
// is a no-op, so re-sent and re-ordered pages change nothing.

// PlatformState is a booking as the platform sends it.
type PlatformState struct {
	ID              string
	Status          Status
	Start           time.Time
	End             time.Time
	Modality        Modality
	FeePaise        int64
	PaymentStatus   PaymentStatus
	ClientRef       string // the platform's client id, "" until matched
	ClientLabel     string // how the platform names the client
	JoinLink        string
	RescheduledFrom string // the booking this one replaces
	Recording       bool   // the client asked for the session to be recorded
}

// SyncInfo is what sync keeps beside a booking.
type SyncInfo struct {
	RemoteVersion int64     // the platform version applied; 0: never synced (a walk-in)
	ClientRef     string    // the platform's client id
	Recording     bool      // the client asked for recording (recording itself needs consent)
	RemovedAt     time.Time // the platform deleted the booking (zero: it did not)
}

// PlatformView is what the store reads, in the applying transaction.
type PlatformView struct {
	Cur  *Row // nil: not known here
	Info SyncInfo
	// Queued and Parked report an outbox mutation of this booking still
	// waiting to be pushed, or rejected by the platform.
	Queued, Parked bool
	// RefClient is the local client linked to the incoming client ref ("").
	RefClient string
	// FromKnown reports that the incoming RescheduledFrom names a booking
	// here.
	FromKnown bool
}

// PlatformWrite is what one apply writes: Next (inserted when the view had
// no row, else an update at Cur.Rev+1), the sync columns, the audit entry,
// and when set a conflict, the back link of a reschedule and the client's
// last interaction.
type PlatformWrite struct {
	Next  Row
	Info  SyncInfo
	Audit audit.Entry
	// ConflictLocal and ConflictPlatform, both set, record a conflict at
	// Info.RemoteVersion.
	ConflictLocal       string
	ConflictPlatform    string
	LinkRescheduledFrom string // this old booking's rescheduled_to becomes Next.ID if unset
	MarkInteraction     time.Time
}

// PlatformStore is the store side of platform applies.
type PlatformStore interface {
	// ApplyPlatformBooking reads the view of booking id (with the incoming
	// client ref and reschedule origin resolved), calls fn and writes what
	// it returns (nil: nothing), in one transaction.
	ApplyPlatformBooking(ctx context.Context, id, clientRef, rescheduledFrom string,
		fn func(v PlatformView) (*PlatformWrite, error)) error
	// BookingSyncInfo reads a booking's sync columns (ErrNotFound).
	BookingSyncInfo(ctx context.Context, id string) (SyncInfo, error)
}

// PlatformOutcome is what an apply did.
type PlatformOutcome struct {
	Changed  bool // something was written
	Conflict bool // a conflict was recorded
}

// RemovedState is the platform state code a conflict names when the
// platform deleted the booking.
const RemovedState = "removed"

// unnamedClient labels a platform booking that names no client yet.
const unnamedClient = "CalmAlly client"

func (s *Service) platformStore() (PlatformStore, error) {
	ps, ok := s.store.(PlatformStore)
	if !ok {
		return nil, errors.New("bookings: this store cannot apply platform changes")
	}
	return ps, nil
}

// reachable reports whether anyone's move leads from one status to another.
func reachable(from, to Status) bool {
	for _, a := range []Actor{ByPractitioner, ByClient, ByPlatform} {
		if Transition(from, to, a) == nil {
			return true
		}
	}
	return false
}

// platformStatus decides the status after the platform's, and whether the
// difference is a conflict (see the file comment).
func platformStatus(local, platform Status, queued, parked bool) (Status, bool) {
	switch {
	case local == platform:
		return local, false
	case queued && !parked && Transition(platform, local, ByPractitioner) == nil:
		return local, false
	case queued || parked:
		return platform, true
	case reachable(local, platform):
		return platform, false
	}
	return platform, true
}

// ApplyPlatform applies the platform's state of a booking at version. The
// sync engine calls it for every pulled booking; nothing is queued back.
func (s *Service) ApplyPlatform(ctx context.Context, ps PlatformState, version int64) (PlatformOutcome, error) {
	if !validID(ps.ID) {
		return PlatformOutcome{}, apperr.New(apperr.Invalid, "booking: id must be a UUID")
	}
	if version < 1 {
		return PlatformOutcome{}, apperr.New(apperr.Invalid, "booking: version must be 1 or more")
	}
	if !ps.Status.valid() {
		return PlatformOutcome{}, apperr.New(apperr.Invalid, "booking status: unknown status")
	}
	if (ps.ClientRef != "" && !validID(ps.ClientRef)) || (ps.RescheduledFrom != "" && !validID(ps.RescheduledFrom)) ||
		ps.RescheduledFrom == ps.ID {
		return PlatformOutcome{}, apperr.New(apperr.Invalid, "booking: client ref and reschedule origin must be other UUIDs")
	}
	store, err := s.platformStore()
	if err != nil {
		return PlatformOutcome{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return PlatformOutcome{}, err
	}
	at := s.clock()
	var out PlatformOutcome
	err = store.ApplyPlatformBooking(ctx, ps.ID, ps.ClientRef, ps.RescheduledFrom, func(v PlatformView) (*PlatformWrite, error) {
		if v.Cur != nil && version <= v.Info.RemoteVersion {
			return nil, nil
		}
		var cur Booking
		if v.Cur != nil {
			var err error
			if cur, err = open(keys, *v.Cur); err != nil {
				return nil, err
			}
		}
		next := withPlatform(cur, ps, v, at)
		w := &PlatformWrite{Info: SyncInfo{RemoteVersion: version, ClientRef: ps.ClientRef, Recording: ps.Recording}}
		var d audit.Detail
		action := audit.ActionCreate
		if v.Cur == nil {
			next.ID, next.Rev, next.Source, next.CreatedAt = ps.ID, 1, SourcePlatform, at
			next.Status = ps.Status
			if v.FromKnown {
				next.RescheduledFrom, w.LinkRescheduledFrom = ps.RescheduledFrom, ps.RescheduledFrom
			}
			d = audit.D("source", string(SourcePlatform), "status", string(next.Status))
		} else {
			status, conflict := platformStatus(cur.Status, ps.Status, v.Queued, v.Parked)
			next.Rev, next.Status = cur.Rev+1, status
			if status == cur.Status && status != ps.Status {
				next.PaymentStatus = cur.PaymentStatus // our action's payment effect is on its way too
			}
			w.Info.RemovedAt = v.Info.RemovedAt
			action, d = audit.ActionEdit, audit.D("op", "platform", "from", string(cur.Status), "to", string(next.Status))
			if conflict {
				w.ConflictLocal, w.ConflictPlatform = string(cur.Status), string(ps.Status)
				d = d.With("conflict", "recorded")
			}
		}
		if err := validate(next); err != nil {
			return nil, err
		}
		if next.ClientID != "" && (next.Status == Confirmed || next.Status == Completed) && (v.Cur == nil || cur.Status != next.Status) {
			w.MarkInteraction = at
		}
		row, err := rowOf(keys, next)
		if err != nil {
			return nil, err
		}
		e, err := s.entry(action, ps.ID, d)
		if err != nil {
			return nil, err
		}
		w.Next, w.Audit = row, e
		out = PlatformOutcome{Changed: true, Conflict: w.ConflictLocal != ""}
		return w, nil
	})
	if err != nil {
		return PlatformOutcome{}, s.platformErr(ctx, ps.ID, err)
	}
	return out, nil
}

// withPlatform lays the platform's fields over cur (the zero Booking for a
// new one); the practitioner's own fields stay.
func withPlatform(cur Booking, ps PlatformState, v PlatformView, at time.Time) Booking {
	next := cur
	next.Start, next.End = ps.Start.UTC().Truncate(time.Second), ps.End.UTC().Truncate(time.Second)
	next.Modality, next.FeePaise, next.PaymentStatus, next.JoinLink = ps.Modality, ps.FeePaise, ps.PaymentStatus, ps.JoinLink
	next.UpdatedAt = at
	if next.ClientID == "" {
		next.ClientID = v.RefClient
	}
	if strings.TrimSpace(ps.ClientLabel) != "" {
		next.ClientLabel = ps.ClientLabel
	}
	if next.ClientID == "" && strings.TrimSpace(next.ClientLabel) == "" {
		next.ClientLabel = unnamedClient
	}
	return next
}

// RemovedOnPlatform applies the platform's tombstone of a booking at
// version: the booking stays visible, marked removed, and if it still held
// its time it is closed as cancelled by the client. A removal that meets a
// local action still queued or parked is a conflict. An unknown booking or
// an old version is a no-op.
func (s *Service) RemovedOnPlatform(ctx context.Context, id string, version int64) (PlatformOutcome, error) {
	if !validID(id) {
		return PlatformOutcome{}, apperr.New(apperr.Invalid, "booking: id must be a UUID")
	}
	store, err := s.platformStore()
	if err != nil {
		return PlatformOutcome{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return PlatformOutcome{}, err
	}
	at := s.clock()
	var out PlatformOutcome
	err = store.ApplyPlatformBooking(ctx, id, "", "", func(v PlatformView) (*PlatformWrite, error) {
		if v.Cur == nil || version <= v.Info.RemoteVersion {
			return nil, nil
		}
		cur, err := open(keys, *v.Cur)
		if err != nil {
			return nil, err
		}
		next := cur
		next.Rev, next.UpdatedAt = cur.Rev+1, at
		if cur.Status.Holds() {
			next.Status = CancelledByClient
		}
		info := v.Info
		info.RemoteVersion, info.RemovedAt = version, at
		w := &PlatformWrite{Info: info}
		d := audit.D("op", "platform_removed", "from", string(cur.Status), "to", string(next.Status))
		if v.Queued || v.Parked {
			w.ConflictLocal, w.ConflictPlatform = string(cur.Status), RemovedState
			d = d.With("conflict", "recorded")
		}
		row, err := rowOf(keys, next)
		if err != nil {
			return nil, err
		}
		if w.Audit, err = s.entry(audit.ActionEdit, id, d); err != nil {
			return nil, err
		}
		w.Next = row
		out = PlatformOutcome{Changed: true, Conflict: w.ConflictLocal != ""}
		return w, nil
	})
	if err != nil {
		return PlatformOutcome{}, s.platformErr(ctx, id, err)
	}
	return out, nil
}

func (s *Service) platformErr(ctx context.Context, id string, err error) error {
	var oe *openError
	if errors.As(err, &oe) {
		return s.integrity(ctx, id, err)
	}
	return err
}

// SyncInfo returns what sync keeps beside a booking: the platform version,
// client ref, recording request and removal. It holds no client data.
func (s *Service) SyncInfo(ctx context.Context, id string) (SyncInfo, error) {
	if !validID(id) {
		return SyncInfo{}, ErrNotFound
	}
	store, err := s.platformStore()
	if err != nil {
		return SyncInfo{}, err
	}
	return store.BookingSyncInfo(ctx, id)
}
