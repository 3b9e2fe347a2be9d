package app

// Match proposals bound to the UI (window.go.app.App.<Method>); shapes in
// app/dto_sync.go. Errors are "code: message" strings naming the rule.
//
//	MatchesList() ([]MatchDTO, error)             open proposals first by deadline (audited as one view)
//	MatchAccept(id string) (MatchDTO, error)      match.accept queued; the client's record arrives by sync
//	MatchDecline(d MatchDeclineDTO) (MatchDTO, error)  reason sent, note kept here
//
// Rules the UI should expect: deciding a proposal whose time has passed or
// that the platform closed → "conflict: …"; an unknown decline reason →
// "invalid: …". Status "expired" is shown as soon as the time to respond
// has passed, before the platform says so.

import (
	"time"

	"github.com/calmally/practice/internal/matches"
)

func matchDTO(m matches.Match, now time.Time) MatchDTO {
	return MatchDTO{ID: m.ID, Status: string(m.Shown(now)), AgeBand: m.AgeBand, Concerns: strs(m.Concerns),
		Languages: strs(m.Languages), Modality: string(m.Modality), Preferences: m.Preferences,
		ProposedAt: instant(m.ProposedAt), RespondBy: instant(m.RespondBy), DecidedAt: instant(m.DecidedAt),
		DeclineReason: string(m.DeclineReason), DeclineNote: m.DeclineNote, ClientID: m.ClientID}
}

// MatchesList lists the proposals.
func (a *App) MatchesList() ([]MatchDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("matches", err)
	}
	ms, err := p.Matches(a.ctx)
	if err != nil {
		return nil, a.uiError("matches", err)
	}
	now := p.Now()
	out := make([]MatchDTO, len(ms))
	for i, m := range ms {
		out[i] = matchDTO(m, now)
	}
	return out, nil
}

// MatchAccept accepts a proposal.
func (a *App) MatchAccept(id string) (MatchDTO, error) {
	p, err := a.practice()
	if err != nil {
		return MatchDTO{}, a.uiError("match accept", err)
	}
	m, err := p.AcceptMatch(a.ctx, id)
	if err != nil {
		return MatchDTO{}, a.uiError("match accept", err)
	}
	return matchDTO(m, p.Now()), nil
}

// MatchDecline declines a proposal with a reason and an optional private note.
func (a *App) MatchDecline(d MatchDeclineDTO) (MatchDTO, error) {
	p, err := a.practice()
	if err != nil {
		return MatchDTO{}, a.uiError("match decline", err)
	}
	m, err := p.DeclineMatch(a.ctx, d.ID, d.Reason, d.Note)
	if err != nil {
		return MatchDTO{}, a.uiError("match decline", err)
	}
	return matchDTO(m, p.Now()), nil
}
