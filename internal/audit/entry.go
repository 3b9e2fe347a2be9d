package audit

import (
	"fmt"
	"time"
)

// Entry is one line of the trail as stored. Seq, PrevMAC and MAC are
// assigned by the store when the entry is appended.
type Entry struct {
	Seq        int64
	At         time.Time // UTC
	Actor      string    // practitioner or device id, never a name
	Action     Action
	RecordType string // "client", "note", ... or "" for vault actions
	RecordID   string // an id only
	Detail     string // machine codes only; see D and ValidateDetail
	PrevMAC    []byte
	MAC        []byte
}

// Event is what a caller wants recorded; the Recorder adds who and when.
// Detail is a checked Detail, not a string, so free text cannot slip in.
type Event struct {
	Action     Action
	RecordType string
	RecordID   string
	Detail     Detail
}

// Entry turns ev into an Entry at the given time by the given actor, checking
// every field.
func (ev Event) Entry(at time.Time, actor string) (Entry, error) {
	if ev.Detail.err != nil {
		return Entry{}, ev.Detail.err
	}
	e := Entry{
		At:         at.UTC(),
		Actor:      actor,
		Action:     ev.Action,
		RecordType: ev.RecordType,
		RecordID:   ev.RecordID,
		Detail:     ev.Detail.s,
	}
	if err := e.Validate(); err != nil {
		return Entry{}, err
	}
	return e, nil
}

const (
	maxIDLen         = 128
	maxRecordTypeLen = 32
)

// Validate checks the fields a caller supplies (not Seq or the MACs). Errors
// wrap ErrInvalid and never quote the offending value.
func (e Entry) Validate() error {
	if !e.Action.Valid() {
		return fmt.Errorf("%w: unknown action", ErrInvalid)
	}
	if e.At.IsZero() || e.At.Year() < 1970 || e.At.Year() > 9999 {
		return fmt.Errorf("%w: time missing or out of range", ErrInvalid)
	}
	if e.Actor == "" || !validID(e.Actor) {
		return fmt.Errorf("%w: actor must be an id [A-Za-z0-9_.:-]{1,128}", ErrInvalid)
	}
	if !validRecordType(e.RecordType) {
		return fmt.Errorf("%w: record type must be [a-z_]{0,32}", ErrInvalid)
	}
	if !validID(e.RecordID) {
		return fmt.Errorf("%w: record id must be an id [A-Za-z0-9_.:-]{0,128}", ErrInvalid)
	}
	if e.RecordID != "" && e.RecordType == "" {
		return fmt.Errorf("%w: record id without record type", ErrInvalid)
	}
	return ValidateDetail(e.Detail)
}

func validID(s string) bool {
	if len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func validRecordType(s string) bool {
	if len(s) > maxRecordTypeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// Head is the trail's anchor: the newest entry's Seq and MAC, and a MAC over
// both (Chain.HeadMAC). The zero Head means "no head stored".
type Head struct {
	Seq     int64
	MAC     []byte
	HeadMAC []byte
}

// Missing reports whether no head was stored.
func (h Head) Missing() bool { return len(h.HeadMAC) == 0 }

// Filter selects entries for listing. Zero fields do not filter. From is
// inclusive and To exclusive; there is no limit on the span between them.
type Filter struct {
	Action     Action
	RecordType string
	RecordID   string
	From, To   time.Time
	Offset     int
	Limit      int // 0 means DefaultLimit; at most MaxLimit
}

// Paging bounds for Filter.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Normalize checks f and fills in the default limit.
func (f Filter) Normalize() (Filter, error) {
	if f.Action != "" && !f.Action.Valid() {
		return f, fmt.Errorf("%w: unknown action in filter", ErrInvalid)
	}
	if !validRecordType(f.RecordType) || !validID(f.RecordID) {
		return f, fmt.Errorf("%w: record filter must be ids", ErrInvalid)
	}
	if f.Offset < 0 || f.Limit < 0 || f.Limit > MaxLimit {
		return f, fmt.Errorf("%w: offset must be >= 0 and limit 0..%d", ErrInvalid, MaxLimit)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, fmt.Errorf("%w: filter ends before it starts", ErrInvalid)
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	return f, nil
}
