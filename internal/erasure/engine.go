package erasure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Sealer seals and opens envelopes; *vault.Keys satisfies it.
type Sealer interface {
	Seal(ad vault.AD, plaintext []byte) ([]byte, error)
	Open(ad vault.AD, envelope []byte) ([]byte, error)
}

// Sealed is one envelope and where it lives.
type Sealed struct {
	RowID    string
	Rev      int64
	Envelope []byte
}

// SealedRow is a row with several sealed columns (clients, bookings).
type SealedRow struct {
	ID      string
	Rev     int64
	Columns map[string][]byte
}

// Held counts what stays on hold.
type Held struct {
	Notes, Addenda, Summaries, ConsentEvents, Requests, Bookings int
}

// Subject is everything of one client the engine reads.
type Subject struct {
	Client            SealedRow
	CreatedAt         time.Time
	LastInteractionAt time.Time // zero: none
	History           []Sealed  // client_history.previous
	ConsentEvidence   []Sealed  // consent_events.evidence
	RequestDetails    []Sealed  // rights_requests.details
	Bookings          []SealedRow
	Held              Held
}

// Plan is what Apply writes in one transaction.
type Plan struct {
	ClientID        string
	Client          SealedRow // Rev is the new revision; every sealed column under it
	UpdatedAt       time.Time
	History         []Sealed // same row revisions
	ConsentEvidence []Sealed // same row revisions
	RequestDetails  []Sealed // Rev is the new revision
	Bookings        []SealedRow
	HoldUntil       time.Time
	HoldCategories  []string
	HoldBasis       string
	Certificate     Certificate
}

// Purged is what a purge removed.
type Purged struct {
	NoteIDs []string
	Counts  map[string]int // table → rows deleted
}

// Store reads a subject and writes plans. A missing client is not_found.
type Store interface {
	Subject(ctx context.Context, clientID string) (Subject, error)
	// Apply writes p under an 'erasure' purge authorization, the
	// certificate and e in one transaction, then checkpoints the WAL.
	Apply(ctx context.Context, p Plan, e audit.Entry) error
	// Purge deletes every row of the client under a 'minor' authorization,
	// re-chains the consent ledger, stores c and appends e, in one
	// transaction, then checkpoints the WAL.
	Purge(ctx context.Context, clientID string, c Certificate, e audit.Entry) (Purged, error)
	// Certificate reads a stored certificate (body and SHA-256).
	Certificate(ctx context.Context, id string) (body []byte, sum string, err error)
}

// Config builds a Service.
type Config struct {
	Store Store
	// Contact writes contact-only erasures (EraseContact); nil refuses them.
	Contact ContactStore
	Keys    func() (Sealer, error)
	Now     func() time.Time
	Actor   string
}

// Service is the erasure engine.
type Service struct {
	store   Store
	contact ContactStore
	keys    func() (Sealer, error)
	now     func() time.Time
	actor   string
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{store: c.Store, contact: c.Contact, keys: c.Keys, now: c.Now, actor: c.Actor}
	if s.now == nil {
		s.now = time.Now
	}
	if s.actor == "" {
		s.actor = "practitioner"
	}
	return s
}

// Tables, columns and record types the engine names.
const (
	TableClients = "clients"
	TableHistory = "client_history"
	TableConsent = "consent_events"
	TableRights  = "rights_requests"
	TableBooking = "bookings"
	RecordType   = "client"
)

// ErasableClientColumns are the client columns no law requires keeping.
var ErasableClientColumns = []string{"phone", "email", "emergency_contact", "preferred_name", "treatment_preferences"}

// HeldClientColumns identify and describe the held health record.
var HeldClientColumns = []string{"name", "date_of_birth", "gender", "presenting_concerns", "language"}

// emptyValue is the sealed plaintext of an erased column.
func emptyValue(col string) []byte {
	if col == "emergency_contact" {
		return []byte(`{"name":"","relationship":"","phone":""}`)
	}
	return []byte{}
}

// HoldYears is how long health information is kept after the last interaction.
const HoldYears = 7

var india = time.FixedZone("IST", 5*60*60+30*60)

// HoldUntil is when the hold on a record last touched at last ends.
func HoldUntil(last time.Time) time.Time {
	return last.In(india).AddDate(HoldYears, 0, 0).UTC()
}

// EraseInput names the client and the request being fulfilled.
type EraseInput struct {
	ClientID   string
	RequestID  string
	ReceivedAt time.Time
	VerifiedAt time.Time
}

func (s *Service) sealer() (Sealer, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

func sealErr(err error) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	return apperr.Wrap(apperr.Integrity, "a record of this client failed its integrity check; nothing was erased", err)
}

// Erase removes the client's erasable data, puts the rest on hold and
// returns the certificate.
func (s *Service) Erase(ctx context.Context, in EraseInput) (Certificate, error) {
	keys, err := s.sealer()
	if err != nil {
		return Certificate{}, err
	}
	sub, err := s.store.Subject(ctx, in.ClientID)
	if err != nil {
		return Certificate{}, err
	}
	now := s.clock()
	p := Plan{ClientID: in.ClientID, UpdatedAt: now}

	// The client row: every column re-sealed under the next revision, the
	// erasable ones empty.
	p.Client = SealedRow{ID: sub.Client.ID, Rev: sub.Client.Rev + 1, Columns: map[string][]byte{}}
	for col, env := range sub.Client.Columns {
		plain, err := keys.Open(vault.AD{Table: TableClients, Column: col, RowID: sub.Client.ID, Revision: sub.Client.Rev}, env)
		if err != nil {
			return Certificate{}, sealErr(err)
		}
		if isErasable(col) {
			clear(plain)
			plain = emptyValue(col)
		}
		if p.Client.Columns[col], err = keys.Seal(vault.AD{Table: TableClients, Column: col, RowID: sub.Client.ID, Revision: p.Client.Rev}, plain); err != nil {
			return Certificate{}, sealErr(err)
		}
	}
	// Correction history: the previous values of erasable fields go.
	historyTouched := 0
	for _, h := range sub.History {
		ad := vault.AD{Table: TableHistory, Column: "previous", RowID: h.RowID, Revision: h.Rev}
		plain, err := keys.Open(ad, h.Envelope)
		if err != nil {
			return Certificate{}, sealErr(err)
		}
		stripped, changed, err := stripHistory(plain, ErasableClientColumns)
		clear(plain)
		if err != nil {
			return Certificate{}, sealErr(err)
		}
		if changed {
			historyTouched++
		}
		env, err := keys.Seal(ad, stripped)
		if err != nil {
			return Certificate{}, sealErr(err)
		}
		p.History = append(p.History, Sealed{RowID: h.RowID, Rev: h.Rev, Envelope: env})
	}
	var consentIDs []string
	for _, c := range sub.ConsentEvidence {
		env, err := keys.Seal(vault.AD{Table: TableConsent, Column: "evidence", RowID: c.RowID, Revision: c.Rev}, []byte("{}"))
		if err != nil {
			return Certificate{}, sealErr(err)
		}
		p.ConsentEvidence = append(p.ConsentEvidence, Sealed{RowID: c.RowID, Rev: c.Rev, Envelope: env})
		consentIDs = append(consentIDs, c.RowID)
	}
	var requestIDs []string
	for _, r := range sub.RequestDetails {
		env, err := keys.Seal(vault.AD{Table: TableRights, Column: "details", RowID: r.RowID, Revision: r.Rev + 1}, []byte{})
		if err != nil {
			return Certificate{}, sealErr(err)
		}
		p.RequestDetails = append(p.RequestDetails, Sealed{RowID: r.RowID, Rev: r.Rev + 1, Envelope: env})
		requestIDs = append(requestIDs, r.RowID)
	}
	var bookingIDs []string
	for _, b := range sub.Bookings {
		nb := SealedRow{ID: b.ID, Rev: b.Rev + 1, Columns: map[string][]byte{}}
		for col, env := range b.Columns {
			plain, err := keys.Open(vault.AD{Table: TableBooking, Column: col, RowID: b.ID, Revision: b.Rev}, env)
			if err != nil {
				return Certificate{}, sealErr(err)
			}
			if col == "client_label" {
				clear(plain)
				plain = []byte{}
			}
			if nb.Columns[col], err = keys.Seal(vault.AD{Table: TableBooking, Column: col, RowID: b.ID, Revision: nb.Rev}, plain); err != nil {
				return Certificate{}, sealErr(err)
			}
		}
		p.Bookings = append(p.Bookings, nb)
		bookingIDs = append(bookingIDs, b.ID)
	}

	last := sub.LastInteractionAt
	if last.IsZero() {
		last = sub.CreatedAt
	}
	p.HoldUntil = HoldUntil(last)
	p.HoldCategories = []string{"health_information", "record_identity", "consent_records", "rights_requests"}
	p.HoldBasis = basisDPDPRetention.Law + " " + basisDPDPRetention.Section + "; " + basisIMC.Law + " " + basisIMC.Section +
		"; " + basisMHCA.Law + " " + basisMHCA.Section + "; " + basisPolicy.Law
	hold := stamp(p.HoldUntil)
	c := Certificate{Version: 1, ID: newID(now), Kind: KindErasure, RequestID: in.RequestID, ClientID: in.ClientID,
		RequestedAt: stamp(in.ReceivedAt), VerifiedAt: stamp(in.VerifiedAt), ErasedAt: stamp(now), IssuedBy: s.actor,
		Method: method, HoldUntil: hold, LastActivity: stamp(last),
		Erased: []Erased{
			{Category: "contact_details", Table: TableClients, Columns: ErasableClientColumns, Count: 1, IDs: []string{in.ClientID}},
			{Category: "correction_history_contact_values", Table: TableHistory, Columns: []string{"previous"}, Count: historyTouched},
			{Category: "consent_evidence", Table: TableConsent, Columns: []string{"evidence"}, Count: len(consentIDs), IDs: consentIDs},
			{Category: "booking_display_names", Table: TableBooking, Columns: []string{"client_label"}, Count: len(bookingIDs), IDs: bookingIDs},
			{Category: "rights_request_details", Table: TableRights, Columns: []string{"details"}, Count: len(requestIDs), IDs: requestIDs},
		},
		Retained: []Retained{
			{Category: "health_information", What: "session notes, addenda, session summaries and presenting concerns",
				Count: sub.Held.Notes + sub.Held.Addenda + sub.Held.Summaries + 1, HoldUntil: hold,
				Basis: []Basis{basisDPDPRetention, basisIMC, basisMHCA, basisPolicy}},
			{Category: "record_identity", What: "name, date of birth, gender and language, to identify and read the held record",
				Count: 1, HoldUntil: hold, Basis: []Basis{basisDPDPRetention, basisIMC}},
			{Category: "consent_records", What: "consent events without evidence (purpose, notice, method, times)",
				Count: sub.Held.ConsentEvents, HoldUntil: hold, Basis: []Basis{basisConsentProof}},
			{Category: "rights_requests", What: "rights requests without their free-text details (kind, dates, status)",
				Count: sub.Held.Requests, HoldUntil: hold, Basis: []Basis{basisConsentProof, basisDPDPRetention}},
			{Category: "bookings", What: "session dates, fees and payment status (no display name)",
				Count: sub.Held.Bookings, HoldUntil: hold, Basis: []Basis{basisDPDPRetention, basisPolicy}},
		},
	}
	if err := c.seal(); err != nil {
		return Certificate{}, err
	}
	p.Certificate = c
	d := audit.D("scope", "erasure", "certificate", c.ID, "hold_until", p.HoldUntil.Format("2006-01-02"),
		"consent", strconv.Itoa(len(consentIDs)), "bookings", strconv.Itoa(len(bookingIDs)))
	if in.RequestID != "" {
		d = d.With("request", in.RequestID)
	}
	e, err := audit.Event{Action: audit.ActionDelete, RecordType: RecordType, RecordID: in.ClientID, Detail: d}.Entry(now, s.actor)
	if err != nil {
		return Certificate{}, fmt.Errorf("erasure: audit entry: %w", err)
	}
	if err := s.store.Apply(ctx, p, e); err != nil {
		return Certificate{}, err
	}
	return c, nil
}

func isErasable(col string) bool {
	for _, c := range ErasableClientColumns {
		if c == col {
			return true
		}
	}
	return false
}

// stripHistory removes the fields cols from a history row's previous values.
func stripHistory(plain []byte, cols []string) ([]byte, bool, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(plain, &doc); err != nil {
		return nil, false, err
	}
	changed := false
	if raw, ok := doc["values"]; ok {
		var values map[string]string
		if err := json.Unmarshal(raw, &values); err != nil {
			return nil, false, err
		}
		for _, c := range cols {
			if _, ok := values[c]; ok {
				delete(values, c)
				changed = true
			}
		}
		b, err := json.Marshal(values)
		if err != nil {
			return nil, false, err
		}
		doc["values"] = b
	}
	out, err := json.Marshal(doc)
	return out, changed, err
}

// Minor-purge reasons: how the client's minority came to light.
var PurgeReasons = []string{"date_of_birth_corrected", "disclosed_in_session", "platform_report", "guardian_report"}

// PurgeMinor deletes every record of a client discovered to be under 18 and
// returns the certificate and what was deleted.
func (s *Service) PurgeMinor(ctx context.Context, clientID, reason string) (Certificate, Purged, error) {
	valid := false
	for _, r := range PurgeReasons {
		valid = valid || r == reason
	}
	if !valid {
		return Certificate{}, Purged{}, apperr.New(apperr.Invalid,
			"reason: must be date_of_birth_corrected, disclosed_in_session, platform_report or guardian_report")
	}
	if _, err := s.sealer(); err != nil {
		return Certificate{}, Purged{}, err
	}
	sub, err := s.store.Subject(ctx, clientID)
	if err != nil {
		return Certificate{}, Purged{}, err
	}
	now := s.clock()
	all := []string{"*"}
	c := Certificate{Version: 1, ID: newID(now), Kind: KindMinorPurge, ClientID: clientID, Reason: reason,
		ErasedAt: stamp(now), IssuedBy: s.actor, Method: method,
		Erased: []Erased{
			{Category: "client_record", Table: TableClients, Columns: all, Count: 1, IDs: []string{clientID}},
			{Category: "correction_history", Table: TableHistory, Columns: all, Count: len(sub.History)},
			{Category: "session_notes", Table: "notes", Columns: all, Count: sub.Held.Notes},
			{Category: "note_addenda", Table: "note_addenda", Columns: all, Count: sub.Held.Addenda},
			{Category: "session_summaries", Table: "note_summaries", Columns: all, Count: sub.Held.Summaries},
			{Category: "consent_records", Table: TableConsent, Columns: all, Count: sub.Held.ConsentEvents},
			{Category: "rights_requests", Table: TableRights, Columns: all, Count: sub.Held.Requests},
			{Category: "bookings", Table: TableBooking, Columns: all, Count: sub.Held.Bookings},
		},
		Retained: []Retained{},
	}
	if err := c.seal(); err != nil {
		return Certificate{}, Purged{}, err
	}
	e, err := audit.Event{Action: audit.ActionDelete, RecordType: RecordType, RecordID: clientID,
		Detail: audit.D("scope", "minor_purge", "reason", reason, "certificate", c.ID,
			"notes", strconv.Itoa(sub.Held.Notes), "consent", strconv.Itoa(sub.Held.ConsentEvents))}.Entry(now, s.actor)
	if err != nil {
		return Certificate{}, Purged{}, fmt.Errorf("erasure: audit entry: %w", err)
	}
	purged, err := s.store.Purge(ctx, clientID, c, e)
	if err != nil {
		return Certificate{}, Purged{}, err
	}
	return c, purged, nil
}

// ErrCertificateNotFound is returned for an unknown certificate id.
var ErrCertificateNotFound = apperr.New(apperr.NotFound, "erasure certificate not found")

// Certificate reads a stored certificate and checks its SHA-256.
func (s *Service) Certificate(ctx context.Context, id string) (Certificate, error) {
	body, sum, err := s.store.Certificate(ctx, id)
	if err != nil {
		return Certificate{}, err
	}
	c, err := Parse(body, sum)
	if err != nil {
		return Certificate{}, apperr.Wrap(apperr.Integrity, "the erasure certificate does not match its SHA-256", err)
	}
	return c, nil
}
