package backend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"
)

// What the platform does on its own — clients booking and cancelling,
// matches proposed, notices received — for tests, the admin endpoints and
// the demo seed. Every record is checked with the app's own decoders
// (wire.Decode*) before it is stored, so the backend never serves data the
// app would refuse, except on purpose through PutRaw.

// Platform deadlines (the platform's rules, sent with each notice).
const (
	GrievanceAcknowledgeWithin = 24 * time.Hour
	GrievanceResolveWithin     = 15 * 24 * time.Hour
	TakedownRemoveWithin       = 36 * time.Hour
	MatchRespondWithin         = 72 * time.Hour
)

// checkData runs the app's decoder for typ over v, as the app will see it.
func checkData(typ, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("backend: encode %s: %w", typ, err)
	}
	c := wire.Change{Type: typ, ID: id, Version: 1}
	if err := json.Unmarshal(b, &c.Data); err != nil {
		return fmt.Errorf("backend: encode %s: %w", typ, err)
	}
	switch typ {
	case wire.TypeBooking:
		_, err = wire.DecodeBooking(c)
	case wire.TypeMatch:
		_, err = wire.DecodeMatch(c)
	case wire.TypeClient:
		_, err = wire.DecodeClient(c)
	case wire.TypeGrievance:
		_, err = wire.DecodeGrievance(c)
	case wire.TypeTakedown:
		_, err = wire.DecodeTakedown(c)
	case wire.TypeProfile:
		_, err = wire.DecodeProfile(c)
	case wire.TypeNotice:
		_, err = wire.DecodeNoticeVersion(c)
	default:
		return fmt.Errorf("backend: unknown change type %q", typ)
	}
	if err != nil {
		return fmt.Errorf("backend: the app would refuse this %s: %w", typ, err)
	}
	return nil
}

// put stores a checked entity for this view's therapist.
func (b *Backend) put(ctx context.Context, typ, id string, v any) error {
	if err := checkData(typ, id, v); err != nil {
		return err
	}
	return b.write(ctx, func(tx *sql.Tx) error {
		_, err := putEntity(ctx, tx, b.now(), b.therapist, typ, id, v)
		return err
	})
}

// PutRaw stores data for an entity as it is, unchecked: for tests of how
// the app handles data outside the contract. data nil is a tombstone.
func (b *Backend) PutRaw(ctx context.Context, typ, id string, data json.RawMessage) (int64, error) {
	var v any
	if data != nil {
		v = data
	}
	var version int64
	err := b.write(ctx, func(tx *sql.Tx) error {
		var err error
		version, err = putEntity(ctx, tx, b.now(), b.therapist, typ, id, v)
		return err
	})
	return version, err
}

// DeleteEntity tombstones an entity (a booking removed upstream, a match
// withdrawn): the app sees deleted=true at a new version.
func (b *Backend) DeleteEntity(ctx context.Context, typ, id string) error {
	return b.write(ctx, func(tx *sql.Tx) error {
		e, err := loadEntity(ctx, tx, b.therapist, typ, id)
		if err != nil {
			return err
		}
		if e.Deleted {
			return nil
		}
		if typ == wire.TypeMatch {
			if _, err := tx.ExecContext(ctx, "DELETE FROM pending_clients WHERE match_id = ?", id); err != nil {
				return fmt.Errorf("backend: drop pending client: %w", err)
			}
		}
		_, err = putEntity(ctx, tx, b.now(), b.therapist, typ, id, nil)
		return err
	})
}

// PutBooking adds or replaces a platform booking (a client booked, paid,
// cancelled, rescheduled). Empty fields get defaults: a new id, status
// requested, payment pending, modality online, ₹1,500.
func (b *Backend) PutBooking(ctx context.Context, bk wire.Booking) (wire.Booking, error) {
	if bk.ID == "" {
		bk.ID = ids.New(b.now())
	}
	if bk.Status == "" {
		bk.Status = statusRequested
	}
	if bk.PaymentStatus == "" {
		bk.PaymentStatus = paymentPending
	}
	if bk.Modality == "" {
		bk.Modality = "online"
	}
	if bk.FeePaise == 0 {
		bk.FeePaise = 150000
	}
	bk.Start, bk.End = bk.Start.UTC(), bk.End.UTC()
	return bk, b.put(ctx, wire.TypeBooking, bk.ID, bk)
}

// UpdateBooking changes a platform booking's status and/or payment status
// ("" keeps it): the client cancels, the payment arrives, a refund is paid.
func (b *Backend) UpdateBooking(ctx context.Context, id, status, paymentStatus string) (wire.Booking, error) {
	var bk wire.Booking
	if _, err := loadLive(ctx, b.db, b.therapist, wire.TypeBooking, id, &bk); err != nil {
		return wire.Booking{}, err
	}
	if status != "" {
		bk.Status = status
	}
	if paymentStatus != "" {
		bk.PaymentStatus = paymentStatus
	}
	return bk, b.put(ctx, wire.TypeBooking, id, bk)
}

// MatchProposal is a client the platform proposes to the therapist.
type MatchProposal struct {
	ID          string    `json:"id,omitempty"`          // default: new id
	AgeBand     string    `json:"ageBand"`               // "18-24" ... "65+", or e.g. "under-18" to see the refusal
	Concerns    []string  `json:"concerns,omitempty"`    //
	Languages   []string  `json:"languages,omitempty"`   // default ["en"]
	Modality    string    `json:"modality,omitempty"`    // default online
	Preferences string    `json:"preferences,omitempty"` //
	ProposedAt  time.Time `json:"proposedAt,omitzero"`   // default now
	RespondBy   time.Time `json:"respondBy,omitzero"`    // default ProposedAt + 72 h
	// Client is the record released when the therapist accepts (id and
	// matchId are filled in when empty). Nil: a fictitious adult with
	// health-data and teleconsultation consents.
	Client *wire.Client `json:"client,omitempty"`
}

// ProposeMatch proposes a match, holding its client's record back until
// the therapist accepts.
func (b *Backend) ProposeMatch(ctx context.Context, p MatchProposal) (wire.Match, error) {
	now := b.now()
	m := wire.Match{ID: p.ID, Status: matchProposed, AgeBand: p.AgeBand, Concerns: p.Concerns, Languages: p.Languages,
		Modality: p.Modality, Preferences: p.Preferences, ProposedAt: p.ProposedAt.UTC(), RespondBy: p.RespondBy.UTC()}
	if m.ID == "" {
		m.ID = ids.New(now)
	}
	if m.Concerns == nil {
		m.Concerns = []string{}
	}
	if len(m.Languages) == 0 {
		m.Languages = []string{"en"}
	}
	if m.Modality == "" {
		m.Modality = "online"
	}
	if m.ProposedAt.IsZero() {
		m.ProposedAt = now
	}
	if m.RespondBy.IsZero() {
		m.RespondBy = m.ProposedAt.Add(MatchRespondWithin)
	}
	var c wire.Client
	if p.Client != nil {
		c = *p.Client
	} else {
		c = fictitiousClient(now, m)
	}
	if c.ID == "" {
		c.ID = ids.New(now)
	}
	c.MatchID = m.ID
	if c.Consents == nil {
		c.Consents = []wire.PlatformConsent{}
	}
	if err := checkData(wire.TypeMatch, m.ID, m); err != nil {
		return wire.Match{}, err
	}
	if err := checkData(wire.TypeClient, c.ID, c); err != nil {
		return wire.Match{}, err
	}
	clientJSON, err := json.Marshal(c)
	if err != nil {
		return wire.Match{}, fmt.Errorf("backend: encode client: %w", err)
	}
	err = b.write(ctx, func(tx *sql.Tx) error {
		if _, err := putEntity(ctx, tx, now, b.therapist, wire.TypeMatch, m.ID, m); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO pending_clients(match_id, client_id, data) VALUES(?, ?, ?)
			ON CONFLICT(match_id) DO UPDATE SET client_id = excluded.client_id, data = excluded.data`, m.ID, c.ID, string(clientJSON))
		if err != nil {
			return fmt.Errorf("backend: hold client record: %w", err)
		}
		return nil
	})
	return m, err
}

// SetMatchStatus changes a match's status on the platform's side (e.g.
// expired). Withdrawing a match is DeleteEntity: a tombstone.
func (b *Backend) SetMatchStatus(ctx context.Context, id, status string) (wire.Match, error) {
	var m wire.Match
	if _, err := loadLive(ctx, b.db, b.therapist, wire.TypeMatch, id, &m); err != nil {
		return wire.Match{}, err
	}
	m.Status = status
	return m, b.put(ctx, wire.TypeMatch, id, m)
}

// AddGrievance routes a grievance to the therapist. Defaults: a new id,
// status open, received now, the platform's deadlines (acknowledge within
// 24 h, resolve within 15 days).
func (b *Backend) AddGrievance(ctx context.Context, g wire.Grievance) (wire.Grievance, error) {
	now := b.now()
	if g.ID == "" {
		g.ID = ids.New(now)
	}
	if g.Status == "" {
		g.Status = grievanceOpen
	}
	if g.ReceivedAt.IsZero() {
		g.ReceivedAt = now
	}
	g.ReceivedAt = g.ReceivedAt.UTC()
	if g.AcknowledgeBy.IsZero() {
		g.AcknowledgeBy = g.ReceivedAt.Add(GrievanceAcknowledgeWithin)
	}
	if g.ResolveBy.IsZero() {
		g.ResolveBy = g.ReceivedAt.Add(GrievanceResolveWithin)
	}
	g.AcknowledgeBy, g.ResolveBy = g.AcknowledgeBy.UTC(), g.ResolveBy.UTC()
	return g, b.put(ctx, wire.TypeGrievance, g.ID, g)
}

// AddTakedown sends the therapist a takedown notice. Defaults: a new id,
// status open, received now, remove within 36 h.
func (b *Backend) AddTakedown(ctx context.Context, t wire.Takedown) (wire.Takedown, error) {
	now := b.now()
	if t.ID == "" {
		t.ID = ids.New(now)
	}
	if t.Status == "" {
		t.Status = takedownOpen
	}
	if t.ReceivedAt.IsZero() {
		t.ReceivedAt = now
	}
	t.ReceivedAt = t.ReceivedAt.UTC()
	if t.RemoveBy.IsZero() {
		t.RemoveBy = t.ReceivedAt.Add(TakedownRemoveWithin)
	}
	t.RemoveBy = t.RemoveBy.UTC()
	return t, b.put(ctx, wire.TypeTakedown, t.ID, t)
}

// SetProfileReview records the platform's review of the therapist's
// profile (approved, changes_requested with a comment).
func (b *Backend) SetProfileReview(ctx context.Context, state, comment string) error {
	return b.put(ctx, wire.TypeProfile, b.therapist, wire.Profile{ReviewState: state, Comment: comment})
}

// ProfileSubmission returns the profile document the therapist last
// submitted (profile.submit), or an error satisfying IsNotFound.
func (b *Backend) ProfileSubmission(ctx context.Context) (json.RawMessage, error) {
	var doc string
	err := b.db.QueryRowContext(ctx, `SELECT document FROM profile_submissions WHERE therapist_id = ?`, b.therapist).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoEntity
	}
	if err != nil {
		return nil, fmt.Errorf("backend: read profile submission: %w", err)
	}
	return json.RawMessage(doc), nil
}

// PublishNotice sends a new wording of the privacy policy or of a consent
// notice to this view's therapist (each therapist's feed is separate here,
// so a notice meant for several is published to each). Defaults: a new id,
// language en, published now.
func (b *Backend) PublishNotice(ctx context.Context, n wire.NoticeVersion) (wire.NoticeVersion, error) {
	if n.ID == "" {
		n.ID = ids.New(b.now())
	}
	if n.Language == "" {
		n.Language = "en"
	}
	if n.PublishedAt.IsZero() {
		n.PublishedAt = b.now()
	}
	n.PublishedAt = n.PublishedAt.UTC()
	return n, b.put(ctx, wire.TypeNotice, n.ID, n)
}

// Schedule is the last availability document published by the therapist's
// app (nil if none).
func (b *Backend) Schedule(ctx context.Context) (json.RawMessage, error) {
	var doc string
	err := b.db.QueryRowContext(ctx, "SELECT document FROM schedules WHERE therapist_id = ?", b.therapist).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backend: read schedule: %w", err)
	}
	return json.RawMessage(doc), nil
}

// BusySlot is a time taken by a walk-in at the clinic.
type BusySlot struct {
	ID       string    `json:"id"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Modality string    `json:"modality"`
}

// BusySlots lists the walk-ins reported by the therapist's devices.
func (b *Backend) BusySlots(ctx context.Context) ([]BusySlot, error) {
	rows, err := b.db.QueryContext(ctx, "SELECT id, start_at, end_at, modality FROM busy_slots WHERE therapist_id = ? ORDER BY start_at, id", b.therapist)
	if err != nil {
		return nil, fmt.Errorf("backend: list busy slots: %w", err)
	}
	defer rows.Close()
	out := []BusySlot{}
	for rows.Next() {
		var s BusySlot
		var start, end string
		if err := rows.Scan(&s.ID, &start, &end, &s.Modality); err != nil {
			return nil, fmt.Errorf("backend: list busy slots: %w", err)
		}
		if s.Start, err = parseTS(start); err != nil {
			return nil, fmt.Errorf("backend: list busy slots: %w", err)
		}
		if s.End, err = parseTS(end); err != nil {
			return nil, fmt.Errorf("backend: list busy slots: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
