package practice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/matches"
	"github.com/calmally/practice/internal/notices"
	"github.com/calmally/practice/internal/profile"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// The Applier the sync engine calls for each pulled change
// (docs/sync-protocol.md, "Change types"). It routes by type to the domain
// services and keeps the engine's contract (internal/sync.Applier):
//
//   - Data outside the contract and rule violations are permanent (apperr
//     invalid, or sync.Reject with a code): the engine records the change
//     as refused and skips it. The vault locked, the database busy and the
//     like are transient: the change stays in the inbox for the next round.
//   - Applying the same change again changes nothing: every service keeps
//     the platform version it applied, a client record is created once per
//     platform client (platform_clients), consents once per purpose and
//     time, and a minor's refusal once.
//   - A record describing someone under 18 — a match outside the adult age
//     bands, a client whose date of birth (in India's calendar) makes them
//     under 18 — is not stored; its type and id are kept to report it once
//     (minor.refused). That is handled, not an error. A client record made
//     from an earlier version (or for a match now reported as a minor's) is
//     purged through the erasure engine first.

// Rule codes of permanent refusals this applier names itself.
const (
	RejectUnknownType   = "unknown_type"
	RejectConsentNotice = "consent_notice_unknown"
	RejectReviewState   = "review_state"
	RejectNoticeChanged = "notice_changed"
)

type changeApplier struct{ p *Practice }

// syncApplier is the sync engine's Applier on this profile.
func (p *Practice) syncApplier() sync.Applier { return changeApplier{p: p} }

var _ sync.GroupApplier = changeApplier{}

// ApplyGroup applies a page of pulled changes in one transaction
// (store.DB.Batch) rather than one durable commit each — the difference
// between a pull of 10,000 bookings taking seconds or tens of seconds.
// Each change goes through Apply as it would alone: every store
// transaction it makes runs as a savepoint of the batch, so a refused
// change undoes what its failing transaction did and nothing of the
// others, and a change whose rules keep part of it (a client's record
// before a consent refused) keeps the same part. Effects outside the
// database (the search index) wait for the commit.
//
// A transient failure stops the page there: the changes before it commit,
// it and those after it are reported with it and stay in the inbox. When
// the batch itself cannot commit, every change is reported with that
// error: none was applied. The engine runs this inside its own batch with
// the settle of the page (inbox rows removed, versions recorded), so the
// page is applied and settled in one commit.
func (a changeApplier) ApplyGroup(ctx context.Context, cs []wire.Change) []error {
	errs := make([]error, len(cs))
	err := a.p.db.Batch(ctx, func(ctx context.Context) error {
		for i, c := range cs {
			err := a.Apply(ctx, c)
			if _, permanent := sync.PermanentCode(err); err != nil && !permanent {
				for j := i; j < len(cs); j++ {
					errs[j] = err
				}
				return nil // commit what came before
			}
			errs[i] = err
		}
		return nil
	})
	switch {
	case errors.Is(err, store.ErrAfterCommit):
		a.p.log.Warn("sync: work after applying a page failed; the page stands", "err", err)
	case err != nil:
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// Apply applies one pulled change.
func (a changeApplier) Apply(ctx context.Context, c wire.Change) error {
	if c.Version < 1 || !ids.Valid(c.ID) {
		return apperr.New(apperr.Invalid, "sync change: a UUID id and a version of 1 or more are required")
	}
	switch c.Type {
	case wire.TypeBooking:
		return a.booking(ctx, c)
	case wire.TypeMatch:
		return a.match(ctx, c)
	case wire.TypeClient:
		return a.client(ctx, c)
	case wire.TypeGrievance, wire.TypeTakedown:
		return a.notice(ctx, c)
	case wire.TypeProfile:
		return a.profile(ctx, c)
	case wire.TypeNotice:
		return a.noticeVersion(ctx, c)
	}
	return sync.Reject(RejectUnknownType, apperr.New(apperr.Invalid, "sync change: unknown type"))
}

// noticeVersion stores a new wording of the privacy policy or a consent
// notice. A published version whose text changed is refused for good (a
// version never changes), not retried.
func (a changeApplier) noticeVersion(ctx context.Context, c wire.Change) error {
	if c.Deleted {
		return nil // a published wording stays: consents name it
	}
	n, err := wire.DecodeNoticeVersion(c)
	if err != nil {
		return err
	}
	err = a.p.ReceiveNoticeVersion(ctx, n)
	if apperr.CodeOf(err) == apperr.Conflict {
		return sync.Reject(RejectNoticeChanged, err)
	}
	return err
}

func (a changeApplier) booking(ctx context.Context, c wire.Change) error {
	bs := a.p.Bookings()
	if c.Deleted {
		_, err := bs.RemovedOnPlatform(ctx, c.ID, c.Version)
		return err
	}
	b, err := wire.DecodeBooking(c)
	if err != nil {
		return err
	}
	_, err = bs.ApplyPlatform(ctx, bookings.PlatformState{ID: b.ID, Status: bookings.Status(b.Status), Start: b.Start,
		End: b.End, Modality: bookings.Modality(b.Modality), FeePaise: b.FeePaise,
		PaymentStatus: bookings.PaymentStatus(b.PaymentStatus), ClientRef: b.ClientRef, ClientLabel: b.ClientLabel,
		JoinLink: b.JoinLink, RescheduledFrom: b.RescheduledFrom, Recording: b.Recording}, c.Version)
	return err
}

func (a changeApplier) match(ctx context.Context, c wire.Change) error {
	ms := a.p.MatchService()
	if c.Deleted {
		_, err := ms.Withdrawn(ctx, c.ID, c.Version)
		return err
	}
	m, err := wire.DecodeMatch(c)
	if err != nil {
		return err
	}
	if !wire.AdultAgeBand(m.AgeBand) {
		if err := a.purgeMatchClient(ctx, ms, m.ID); err != nil {
			return err
		}
	}
	_, err = ms.Receive(ctx, matches.Proposal{ID: m.ID, Status: matches.Status(m.Status), AgeBand: m.AgeBand,
		Modality: matches.Modality(m.Modality), Concerns: m.Concerns, Languages: m.Languages,
		Preferences: m.Preferences, ProposedAt: m.ProposedAt, RespondBy: m.RespondBy}, c.Version)
	return err
}

// minorPurgeReason is why sync purges a client: the platform reported the
// person is under 18.
const minorPurgeReason = "platform_report"

// purgeMatchClient purges the client record made for a match the platform
// now reports as a minor's (the match itself is refused by Receive).
func (a changeApplier) purgeMatchClient(ctx context.Context, ms *matches.Service, id string) error {
	m, err := ms.Get(ctx, id)
	if apperr.CodeOf(err) == apperr.NotFound || (err == nil && m.ClientID == "") {
		return nil
	}
	if err != nil {
		return err
	}
	return a.purgeMinor(ctx, m.ClientID)
}

// purgeMinor is Practice.PurgeMinor for the applier: the client's entries
// leave the search index once the purge is committed (in a batch, a purge
// rolled back must leave the index as it was).
func (a changeApplier) purgeMinor(ctx context.Context, clientID string) error {
	_, purged, err := a.p.Erasure().PurgeMinor(ctx, clientID, minorPurgeReason)
	if err != nil {
		return err
	}
	return a.p.db.AfterCommit(ctx, func(context.Context) error {
		ix := a.p.searchIndex().ix
		ix.Delete(clientID)
		for _, id := range purged.NoteIDs {
			ix.Delete(id)
		}
		return nil
	})
}

func (a changeApplier) notice(ctx context.Context, c wire.Change) error {
	ns := a.p.NoticeService()
	if c.Deleted {
		_, err := ns.Withdrawn(ctx, c.ID, c.Version)
		return err
	}
	var in notices.Incoming
	if c.Type == wire.TypeGrievance {
		g, err := wire.DecodeGrievance(c)
		if err != nil {
			return err
		}
		in = notices.Incoming{ID: g.ID, Kind: notices.Grievance, Status: notices.Status(g.Status), Category: g.Category,
			Summary: g.Summary, ReceivedAt: g.ReceivedAt, AcknowledgeBy: g.AcknowledgeBy, ResolveBy: g.ResolveBy}
	} else {
		t, err := wire.DecodeTakedown(c)
		if err != nil {
			return err
		}
		in = notices.Incoming{ID: t.ID, Kind: notices.Takedown, Status: notices.Status(t.Status), ContentRef: t.ContentRef,
			Reason: t.Reason, ReceivedAt: t.ReceivedAt, RemoveBy: t.RemoveBy}
	}
	_, err := ns.Receive(ctx, in, c.Version)
	return err
}

// profile applies the platform's review: approved or changes requested
// (with its comment) after a submission. "submitted" only echoes ours. A decision on a profile
// that is no longer submitted (edited since) is refused with a code.
func (a changeApplier) profile(ctx context.Context, c wire.Change) error {
	if c.Deleted {
		return nil
	}
	v, err := wire.DecodeProfile(c)
	if err != nil {
		return err
	}
	to := profile.ReviewState(v.ReviewState)
	if to == profile.ReviewSubmitted {
		return nil
	}
	ps := a.p.Profile()
	cur, _, err := ps.Profile(ctx)
	if err != nil {
		return err
	}
	if cur.ReviewState == to {
		return nil
	}
	if !profile.CanTransition(cur.ReviewState, to) {
		return sync.Reject(RejectReviewState, apperr.New(apperr.Invalid, "profile review: the profile is not awaiting review"))
	}
	comment := []rune(v.Comment)
	if len(comment) > profile.MaxReviewComment {
		comment = comment[:profile.MaxReviewComment] // the decision matters more than the tail of its comment
	}
	_, err = ps.ApplyPlatformReview(ctx, to, string(comment))
	return err
}

// client applies the minimal record of an accepted match's client: refused
// (not stored, reported once) if under 18 in India's calendar; otherwise a
// client record (source platform) linked to the platform's id and the
// match, created once, and the consents given on the platform recorded in
// the ledger as platform evidence (not pushed back).
func (a changeApplier) client(ctx context.Context, c wire.Change) error {
	if c.Deleted {
		return nil // the platform stops sharing; the record here is the practitioner's
	}
	p := a.p
	v, err := wire.DecodeClient(c)
	if err != nil {
		return err
	}
	links := store.NewPlatformClientStore(p.db, p.AuditChain)
	if refused, err := links.MinorRefused(ctx, matches.RefusedClient, v.ID); err != nil || refused {
		return err
	}
	dob, err := clients.ParseDate(v.DateOfBirth)
	if err != nil {
		return apperr.New(apperr.Invalid, "sync client: date of birth must be a real date")
	}
	now := p.Now()
	clientID, err := links.PlatformClient(ctx, v.ID)
	if err != nil {
		return err
	}
	if err := clients.CheckAdult(dob, now); err != nil {
		if apperr.MessageOf(err) != clients.MsgUnder18 {
			return err
		}
		// A record made from an earlier version goes first (purge, then
		// refuse: a retry after a failed refusal finds no record and refuses).
		if clientID != "" {
			if err := a.purgeMinor(ctx, clientID); err != nil {
				return err
			}
		}
		_, err = p.MatchService().RefuseMinor(ctx, matches.RefusedClient, v.ID)
		return err
	}
	grants, err := platformGrants(v.Consents, now)
	if err != nil {
		return err
	}
	if clientID == "" {
		if clientID, err = a.createClient(ctx, links, v, c.Version); err != nil {
			return err
		}
	}
	return a.recordConsents(ctx, links, clientID, grants)
}

// platformGrant is a consent given on the platform, checked.
type platformGrant struct {
	purpose consent.Purpose
	version int
	at      time.Time
}

// platformGrants checks the granted consents before anything is stored.
// A consent the client did not give is not an event: nothing is recorded.
func platformGrants(in []wire.PlatformConsent, now time.Time) ([]platformGrant, error) {
	var out []platformGrant
	for _, pc := range in {
		if !pc.Granted {
			continue
		}
		p := consent.Purpose(pc.Purpose)
		n, ok := wire.NoticeVersionNumber(pc.NoticeVersion)
		if !p.Valid() || !ok {
			return nil, apperr.New(apperr.Invalid, "sync client: a consent names an unknown purpose or notice version")
		}
		at := pc.At.UTC().Truncate(time.Second)
		if at.After(now.Add(5 * time.Minute)) {
			return nil, apperr.New(apperr.Invalid, "sync client: a consent cannot be given in the future")
		}
		out = append(out, platformGrant{purpose: p, version: n, at: at})
	}
	return out, nil
}

func (a changeApplier) createClient(ctx context.Context, links *store.PlatformClientStore, v wire.Client, version int64) (string, error) {
	p := a.p
	keys, err := p.Keys()
	if err != nil {
		return "", err
	}
	now := p.Now()
	in := clients.ImportInput{ID: ids.New(now), Status: clients.StatusActive, CreatedAt: now, Input: clients.Input{
		Name: v.Name, PreferredName: v.PreferredName, DateOfBirth: v.DateOfBirth, Gender: v.Gender, Phone: v.Phone,
		Email: v.Email, PresentingConcerns: strings.Join(v.Concerns, "\n"), Language: v.Language}}
	cl, row, err := clients.SealImported(keys, in, now)
	if err != nil {
		return "", err
	}
	cl.Source, row.Source = clients.SourcePlatform, clients.SourcePlatform
	e, err := audit.Event{Action: audit.ActionCreate, RecordType: clients.RecordType, RecordID: cl.ID,
		Detail: audit.D("source", string(clients.SourcePlatform), "match", v.MatchID)}.Entry(now, p.opts.Actor)
	if err != nil {
		return "", fmt.Errorf("sync client: audit entry: %w", err)
	}
	if err := links.InsertPlatformClient(ctx, row, store.PlatformClientLink{PlatformRef: v.ID, MatchID: v.MatchID,
		RemoteVersion: version}, e); err != nil {
		return "", err
	}
	doc := clientDoc(cl)
	if err := p.db.AfterCommit(ctx, func(context.Context) error { p.searchIndex().ix.Put(doc); return nil }); err != nil {
		return "", err
	}
	return cl.ID, nil
}

// recordConsents records each platform grant not yet in the ledger (same
// purpose, same time, from the platform). A notice version this build does
// not know refuses the change with a code; the client and the consents
// already recorded stay, and a later version of the change completes them.
func (a changeApplier) recordConsents(ctx context.Context, links *store.PlatformClientStore, clientID string, grants []platformGrant) error {
	if len(grants) == 0 {
		return nil
	}
	have, err := links.PlatformGrants(ctx, clientID)
	if err != nil {
		return err
	}
	cs := a.p.Consent()
	for _, g := range grants {
		recorded := false
		for _, h := range have {
			if h.Purpose == string(g.purpose) && h.At.Equal(g.at) {
				recorded = true
				break
			}
		}
		if recorded {
			continue
		}
		_, err := cs.Grant(ctx, consent.GrantInput{ClientID: clientID, Purpose: g.purpose, Method: consent.MethodPlatform,
			Source: consent.SourcePlatform, NoticeVersion: g.version, GivenAt: g.at})
		if err != nil {
			if _, permanent := sync.PermanentCode(err); permanent {
				return sync.Reject(RejectConsentNotice, err)
			}
			return err
		}
	}
	return nil
}
