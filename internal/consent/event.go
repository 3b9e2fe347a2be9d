package consent

import (
	"slices"
	"time"

	"github.com/calmally/practice/internal/vault"
)

// Tables and the sealed column named in associated data.
const (
	TableEvents    = "consent_events"
	ColumnEvidence = "evidence"
)

// RecordType is how consent events appear in the audit trail.
const RecordType = "consent"

// Evidence is what backs an event and names or describes the client: sealed.
type Evidence struct {
	SignedBy string `json:"signedBy,omitempty"` // who signed, as written on the form
	Note     string `json:"note,omitempty"`     // free text by whoever captured it
}

// IsZero reports whether no evidence was given.
func (e Evidence) IsZero() bool { return e == Evidence{} }

// Row is an event as stored: every field plain except Evidence, a vault
// envelope with associated data (consent_events, evidence, ID, Rev). Seq,
// PrevMAC and MAC are assigned by the store when the row is appended.
type Row struct {
	Seq            int64
	ID             string
	Rev            int64
	ClientID       string
	Purpose        Purpose
	Kind           Kind
	NoticeID       string
	NoticeVersion  int
	NoticeLanguage string
	NoticeSHA256   string
	Categories     []string
	Method         Method  // grants
	Channel        Channel // withdrawals; grants record where they were captured too
	Source         Source
	CapturedBy     string    // actor id
	At             time.Time // when given or withdrawn
	ExpiresAt      time.Time // zero: no expiry (grants only)
	RecordedAt     time.Time
	Evidence       []byte
	PrevMAC        []byte
	MAC            []byte
}

// Event is a Row with its evidence opened.
type Event struct {
	Row
	Evidence Evidence
}

func evidenceAD(id string, rev int64) vault.AD {
	return vault.AD{Table: TableEvents, Column: ColumnEvidence, RowID: id, Revision: rev}
}

// Status is the derived state of one purpose.
type Status string

// Statuses.
const (
	StatusGranted   Status = "granted"
	StatusWithdrawn Status = "withdrawn"
	StatusExpired   Status = "expired"
	StatusNever     Status = "never"
)

// State is a purpose's derived state: the deciding event, if any.
type State struct {
	Purpose Purpose
	Status  Status
	Event   *Row // the deciding event; nil for StatusNever
	// RenewalVersion, when not 0, is the material notice version that
	// replaced the one this consent was given under: ask again.
	RenewalVersion int
}

// Latest returns the event that decides p among rows (all of one client):
// the latest by At, then by ledger order. ok is false if p has no event.
func Latest(rows []Row, p Purpose) (Row, bool) {
	var best Row
	found := false
	for _, r := range rows {
		if r.Purpose != p {
			continue
		}
		if !found || r.At.After(best.At) || (r.At.Equal(best.At) && r.Seq > best.Seq) {
			best, found = r, true
		}
	}
	return best, found
}

// Derive computes p's state at now from a client's rows. A grant expires at
// ExpiresAt (the instant itself is no longer covered).
func Derive(rows []Row, p Purpose, now time.Time) State {
	r, ok := Latest(rows, p)
	if !ok {
		return State{Purpose: p, Status: StatusNever}
	}
	st := State{Purpose: p, Event: &r}
	switch {
	case r.Kind == KindWithdraw:
		st.Status = StatusWithdrawn
	case !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt):
		st.Status = StatusExpired
	default:
		st.Status = StatusGranted
	}
	return st
}

// DeriveAll is Derive for every purpose, in Purposes order.
func DeriveAll(rows []Row, now time.Time) []State {
	out := make([]State, 0, len(allPurposes))
	for _, p := range allPurposes {
		out = append(out, Derive(rows, p, now))
	}
	return out
}

// sortRows orders rows by ledger position.
func sortRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
}
