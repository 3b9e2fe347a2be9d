package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Correction is an edit of a client's profile. Input is the whole profile as
// it should now read (not a patch); Rev is the revision the editor started
// from, so an edit made over a newer one is refused rather than lost.
type Correction struct {
	ID     string
	Rev    int64
	Reason string // one of Reasons()
	Input  Input
}

// Update applies a correction: the revision bumps, every sealed column is
// re-sealed, and a history row keeps who, when, why, which fields and their
// previous values (sealed). A correction that changes nothing is refused.
func (s *Service) Update(ctx context.Context, c Correction) (Client, error) {
	if !validID(c.ID) {
		return Client{}, errNotFound
	}
	if !slices.Contains(Reasons(), c.Reason) {
		return Client{}, apperr.New(apperr.Invalid, "reason: must be client_request, data_entry_error or new_information")
	}
	at := s.clock()
	p, err := Normalize(c.Input, at)
	if err != nil {
		return Client{}, err
	}
	return s.modify(ctx, c.ID, at, func(cur Client) (Client, HistoryAction, []string, previousValues, audit.Detail, error) {
		if c.Rev != cur.Rev {
			return Client{}, "", nil, previousValues{}, audit.Detail{}, apperr.New(apperr.Conflict,
				"the client was changed since you opened it; reload and make the correction again")
		}
		fields := changedFields(cur.Profile, p)
		if len(fields) == 0 {
			return Client{}, "", nil, previousValues{}, audit.Detail{}, apperr.New(apperr.Invalid, "nothing to save: no field differs from the record")
		}
		next := cur
		next.Profile = p
		prev := previousValues{Values: previousOf(cur.Profile, fields)}
		d := audit.D("reason", c.Reason, "changed", strconv.Itoa(len(fields)))
		return next, HistoryCorrection, fields, prev, d, nil
	}, c.Reason)
}

// Discharge marks an active client discharged.
func (s *Service) Discharge(ctx context.Context, id string) (Client, error) {
	return s.setStatus(ctx, id, StatusDischarged, HistoryDischarge)
}

// Reopen makes a discharged client active again.
func (s *Service) Reopen(ctx context.Context, id string) (Client, error) {
	return s.setStatus(ctx, id, StatusActive, HistoryReopen)
}

func (s *Service) setStatus(ctx context.Context, id string, to Status, action HistoryAction) (Client, error) {
	if !validID(id) {
		return Client{}, errNotFound
	}
	return s.modify(ctx, id, s.clock(), func(cur Client) (Client, HistoryAction, []string, previousValues, audit.Detail, error) {
		if cur.Status == to {
			return Client{}, "", nil, previousValues{}, audit.Detail{}, apperr.Errorf(apperr.Conflict, "the client is already %s", to)
		}
		next := cur
		next.Status = to
		return next, action, []string{"status"}, previousValues{Status: cur.Status}, audit.D("status", string(to)), nil
	}, "")
}

type modifyFunc func(cur Client) (next Client, action HistoryAction, fields []string, prev previousValues, d audit.Detail, err error)

// modify runs fn over the opened current record inside the store's
// transaction and writes the next revision, its history row and its audit
// entry.
func (s *Service) modify(ctx context.Context, id string, at time.Time, fn modifyFunc, reason string) (Client, error) {
	keys, err := s.sealer()
	if err != nil {
		return Client{}, err
	}
	var out Client
	var integrityErr error
	err = s.store.UpdateClient(ctx, id, func(r Row) (Change, error) {
		p, err := openProfile(keys, r)
		if err != nil {
			integrityErr = err
			return Change{}, err
		}
		cur := Client{ID: r.ID, Rev: r.Rev, Profile: p, Status: r.Status, Source: r.Source,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, LastInteractionAt: r.LastInteractionAt}
		next, action, fields, prev, d, err := fn(cur)
		if err != nil {
			return Change{}, err
		}
		next.Rev = cur.Rev + 1
		next.UpdatedAt = at
		sealed, err := sealProfile(keys, next.ID, next.Rev, next.Profile)
		if err != nil {
			return Change{}, fmt.Errorf("update client: %w", err)
		}
		prev.ClientID, prev.Rev = cur.ID, cur.Rev
		h := HistoryRow{ID: newID(at), ClientID: cur.ID, Rev: next.Rev, At: at, Actor: s.actor,
			Action: action, Reason: reason, Fields: fields}
		plain, err := json.Marshal(prev)
		if err != nil {
			return Change{}, fmt.Errorf("update client: encode history: %w", err)
		}
		h.Previous, err = keys.Seal(historyAD(h.ID, h.Rev), plain)
		clear(plain)
		if err != nil {
			return Change{}, fmt.Errorf("update client: seal history: %w", err)
		}
		e, err := s.entry(at, audit.ActionEdit, cur.ID, d.With("rev", strconv.FormatInt(next.Rev, 10)))
		if err != nil {
			return Change{}, err
		}
		out = next
		return Change{Next: rowOf(next, sealed), History: h, Audit: e}, nil
	})
	if integrityErr != nil {
		return Client{}, s.integrity(ctx, id, integrityErr)
	}
	if err != nil {
		return Client{}, err
	}
	s.changed(out)
	return out, nil
}

// HistoryEntry is one change, opened.
type HistoryEntry struct {
	ID     string
	Rev    int64 // the revision the change produced
	At     time.Time
	Actor  string
	Action HistoryAction
	Reason string
	Fields []string
	// Previous holds the values of Fields before the change (other fields
	// are zero). For discharge and reopen, PreviousStatus is set instead.
	Previous       Profile
	PreviousStatus Status
}

// History lists a client's changes, oldest first; the view is audited.
func (s *Service) History(ctx context.Context, id string) ([]HistoryEntry, error) {
	if !validID(id) {
		return nil, errNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return nil, err
	}
	e, err := s.entry(s.clock(), audit.ActionView, id, audit.D("scope", "history"))
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ClientHistory(ctx, id, e)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(rows))
	for _, h := range rows {
		he, err := openHistory(keys, h)
		if err != nil {
			return nil, s.integrity(ctx, id, &openError{TableHistory, ColumnPrevious, err})
		}
		out = append(out, he)
	}
	return out, nil
}

func openHistory(keys Sealer, h HistoryRow) (HistoryEntry, error) {
	plain, err := keys.Open(historyAD(h.ID, h.Rev), h.Previous)
	if err != nil {
		return HistoryEntry{}, err
	}
	defer clear(plain)
	var prev previousValues
	if err := json.Unmarshal(plain, &prev); err != nil {
		return HistoryEntry{}, fmt.Errorf("history %s: undecodable: %w", h.ID, err)
	}
	// The sealed content names its client and revision: a row moved to
	// another client, or renumbered, is caught here.
	if prev.ClientID != h.ClientID || prev.Rev != h.Rev-1 {
		return HistoryEntry{}, fmt.Errorf("history %s: belongs to another record", h.ID)
	}
	p, err := profileFrom(prev.Values)
	if err != nil {
		return HistoryEntry{}, fmt.Errorf("history %s: %w", h.ID, err)
	}
	return HistoryEntry{ID: h.ID, Rev: h.Rev, At: h.At, Actor: h.Actor, Action: h.Action, Reason: h.Reason,
		Fields: slices.Clone(h.Fields), Previous: p, PreviousStatus: prev.Status}, nil
}

// MarkInteraction records that something happened with the client at at (a
// note written, a session held). It only moves the date forward and does not
// change the revision; retention counts from it.
func (s *Service) MarkInteraction(ctx context.Context, id string, at time.Time) error {
	if !validID(id) {
		return errNotFound
	}
	if at.IsZero() {
		return apperr.New(apperr.Invalid, "interaction time: required")
	}
	return s.store.MarkClientInteraction(ctx, id, at.UTC().Truncate(time.Second))
}

// FieldsText joins field names for display ("name, phone").
func FieldsText(fields []string) string {
	r := make([]string, len(fields))
	for i, f := range fields {
		r[i] = readable(f)
	}
	return strings.Join(r, ", ")
}

// PreviousValues is Previous as text, one entry per changed profile field
// (dates YYYY-MM-DD; the emergency contact as "name (relationship) phone").
func (h HistoryEntry) PreviousValues() map[string]string {
	out := make(map[string]string, len(h.Fields))
	plain, _ := fieldPlaintexts(h.Previous)
	for _, f := range h.Fields {
		switch {
		case f == FieldEmergencyContact:
			ec := h.Previous.EmergencyContact
			if !ec.IsZero() {
				out[f] = strings.TrimSpace(fmt.Sprintf("%s (%s) %s", ec.Name, ec.Relationship, ec.Phone))
			} else {
				out[f] = ""
			}
		case slices.Contains(SealedFields, f):
			out[f] = string(plain[f])
		}
	}
	return out
}
