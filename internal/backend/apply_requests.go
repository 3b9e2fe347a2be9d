package backend

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/sync/wire"
)

// Grievance and takedown statuses.
const (
	grievanceOpen         = "open"
	grievanceAcknowledged = "acknowledged"
	grievanceResolved     = "resolved"

	takedownOpen     = "open"
	takedownRemoved  = "removed"
	takedownDisputed = "disputed"
)

type responsePayload struct {
	GrievanceID string    `json:"grievanceId"`
	TakedownID  string    `json:"takedownId"`
	Response    string    `json:"response"`
	At          time.Time `json:"at"`
}

func checkResponse(text string) error {
	if strings.TrimSpace(text) == "" {
		return rejectInvalid("a response is required")
	}
	if !utf8.ValidString(text) || len(text) > wire.MaxTextLen {
		return rejectInvalid("the response must be at most 4000 bytes of text")
	}
	return nil
}

// applyGrievance acknowledges or resolves a grievance. The response text is
// kept in the mutation log, where the platform's grievance officer reads it.
func applyGrievance(a *applyCtx, m wire.Mutation) error {
	var p responsePayload
	if err := decodePayload(m, &p); err != nil {
		return err
	}
	if p.GrievanceID != m.EntityID {
		return rejectInvalid("payload grievanceId must be the mutation's entityId")
	}
	to := grievanceAcknowledged
	if m.Kind == wire.KindGrievanceResolve {
		to = grievanceResolved
		if err := checkResponse(p.Response); err != nil {
			return err
		}
	}
	var g wire.Grievance
	if _, err := a.load(wire.TypeGrievance, m.EntityID, &g); errors.Is(err, errNoEntity) {
		return reject(wire.CodeNotFound, "the platform has no such grievance")
	} else if err != nil {
		return err
	}
	// Acknowledging a resolved grievance changes nothing; resolving moves
	// open or acknowledged to resolved.
	if g.Status == to || g.Status == grievanceResolved {
		return nil
	}
	g.Status = to
	return a.put(wire.TypeGrievance, g.ID, g)
}

// applyTakedown removes the content or disputes the notice. A notice
// already answered the other way is not changed (invalid).
func applyTakedown(a *applyCtx, m wire.Mutation) error {
	var p responsePayload
	if err := decodePayload(m, &p); err != nil {
		return err
	}
	if p.TakedownID != m.EntityID {
		return rejectInvalid("payload takedownId must be the mutation's entityId")
	}
	to := takedownRemoved
	if m.Kind == wire.KindTakedownDispute {
		to = takedownDisputed
		if err := checkResponse(p.Response); err != nil {
			return err
		}
	}
	var t wire.Takedown
	if _, err := a.load(wire.TypeTakedown, m.EntityID, &t); errors.Is(err, errNoEntity) {
		return reject(wire.CodeNotFound, "the platform has no such takedown notice")
	} else if err != nil {
		return err
	}
	switch t.Status {
	case to:
		return nil
	case takedownOpen:
	default:
		return rejectInvalid("the takedown notice was already answered: " + t.Status)
	}
	t.Status = to
	return a.put(wire.TypeTakedown, t.ID, t)
}

type consentPayload struct {
	ClientRef     string    `json:"clientRef"`
	Purpose       string    `json:"purpose"`
	At            time.Time `json:"at"`
	NoticeVersion string    `json:"noticeVersion"`
}

// consentPurposes are the purposes of docs/sync-protocol.md.
var consentPurposes = []string{"health-data", "teleconsultation", "recording", "summary-sharing", "reminders",
	"cross-border", "representative-disclosure"}

// applyConsent records a consent given or withdrawn in the app. The event
// id is the entity id; the same event twice is recorded once.
func applyConsent(a *applyCtx, m wire.Mutation) error {
	var p consentPayload
	if err := decodePayload(m, &p); err != nil {
		return err
	}
	switch {
	case p.ClientRef == "" || len(p.ClientRef) > wire.MaxCodeLen*2:
		return rejectInvalid("clientRef is required, at most 128 bytes")
	case !contains(consentPurposes, p.Purpose):
		return rejectInvalid("purpose is not a consent purpose of this protocol")
	case p.At.IsZero():
		return rejectInvalid("at is required")
	case len(p.NoticeVersion) > wire.MaxCodeLen:
		return rejectInvalid("noticeVersion is longer than 64 bytes")
	}
	return a.exec(`INSERT INTO consent_events(id, therapist_id, client_ref, purpose, granted, at, notice_version)
		VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
		m.EntityID, a.therapist, p.ClientRef, p.Purpose, m.Kind == wire.KindConsentGrant, ts(p.At), p.NoticeVersion)
}

// versionedDocument is the top of the availability and profile documents.
type versionedDocument struct {
	Version  int             `json:"version"`
	RuleSets json.RawMessage `json:"ruleSets"`
}

// applyAvailability stores the published schedule (docs/availability-format.md):
// clients book from it.
func applyAvailability(a *applyCtx, m wire.Mutation) error {
	if m.EntityID != "schedule" {
		return rejectInvalid("availability.publish has entityId schedule")
	}
	var d versionedDocument
	if err := decodePayload(m, &d); err != nil {
		return err
	}
	if d.Version != 1 || len(d.RuleSets) == 0 || d.RuleSets[0] != '[' {
		return rejectInvalid("the schedule document needs version 1 and a ruleSets list")
	}
	doc, err := json.Marshal(m.Payload)
	if err != nil {
		return rejectInvalid("payload is not JSON")
	}
	return a.exec(`INSERT INTO schedules(therapist_id, document, published_at) VALUES(?, ?, ?)
		ON CONFLICT(therapist_id) DO UPDATE SET document = excluded.document, published_at = excluded.published_at`,
		a.therapist, string(doc), ts(a.now))
}

// applyProfileSubmit stores the submitted profile (docs/profile-format.md)
// for review; the profile's review state becomes submitted.
func applyProfileSubmit(a *applyCtx, m wire.Mutation) error {
	if m.EntityID != "profile" && m.EntityID != a.therapist {
		return rejectInvalid("profile.submit has entityId profile (or the therapist's id)")
	}
	var d versionedDocument
	if err := decodePayload(m, &d); err != nil {
		return err
	}
	if d.Version != 1 {
		return rejectInvalid("the profile document needs version 1")
	}
	doc, err := json.Marshal(m.Payload)
	if err != nil {
		return rejectInvalid("payload is not JSON")
	}
	if err := a.exec(`INSERT INTO profile_submissions(therapist_id, document, submitted_at) VALUES(?, ?, ?)
		ON CONFLICT(therapist_id) DO UPDATE SET document = excluded.document, submitted_at = excluded.submitted_at`,
		a.therapist, string(doc), ts(a.now)); err != nil {
		return err
	}
	return a.put(wire.TypeProfile, a.therapist, wire.Profile{ReviewState: "submitted"})
}
