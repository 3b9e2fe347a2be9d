package app

// Published notice versions (privacy policy and consent notices) that
// arrived by sync, bound to the UI:
//
//	NoticeUpdates() (NoticeUpdatesDTO, error)     what needs the practitioner's attention
//	NoticeAcknowledge(id string) error            the practitioner read a policy change
//
// JSON shapes:
//
//	NoticeVersionDTO  {id, kind: "privacy-policy"|"consent-notice", purpose, version, language,
//	                   summary, text, material, publishedAt, acknowledgedAt /* "" until read */}
//	ConsentRenewalDTO {clientId, clientName, purpose, givenVersion, currentVersion, givenAt}
//	NoticeUpdatesDTO  {policy: NoticeVersionDTO[] /* material, unread */, renewals: ConsentRenewalDTO[]}

import (
	"github.com/calmally/practice/internal/store"
)

// NoticeVersionDTO is one published version.
type NoticeVersionDTO struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	Purpose        string `json:"purpose"`
	Version        int    `json:"version"`
	Language       string `json:"language"`
	Summary        string `json:"summary"`
	Text           string `json:"text"`
	Material       bool   `json:"material"`
	PublishedAt    string `json:"publishedAt"`
	AcknowledgedAt string `json:"acknowledgedAt"`
}

// ConsentRenewalDTO is a consent in force that a material notice change
// flagged: the client should be asked again.
type ConsentRenewalDTO struct {
	ClientID       string `json:"clientId"`
	ClientName     string `json:"clientName"`
	Purpose        string `json:"purpose"`
	GivenVersion   int    `json:"givenVersion"`
	CurrentVersion int    `json:"currentVersion"`
	GivenAt        string `json:"givenAt"`
}

// NoticeUpdatesDTO is what the Today screen shows about notice changes.
type NoticeUpdatesDTO struct {
	Policy   []NoticeVersionDTO  `json:"policy"`
	Renewals []ConsentRenewalDTO `json:"renewals"`
}

func noticeVersionDTO(v store.NoticeVersion) NoticeVersionDTO {
	return NoticeVersionDTO{ID: v.ID, Kind: v.Kind, Purpose: v.Purpose, Version: v.Version, Language: v.Language,
		Summary: v.Summary, Text: v.Text, Material: v.Material, PublishedAt: instant(v.PublishedAt),
		AcknowledgedAt: instant(v.AcknowledgedAt)}
}

// NoticeUpdates lists unread material privacy-policy changes and the
// consents flagged for renewal (with the client's display name).
func (a *App) NoticeUpdates() (NoticeUpdatesDTO, error) {
	p, err := a.practice()
	if err != nil {
		return NoticeUpdatesDTO{}, a.uiError("notice updates", err)
	}
	out := NoticeUpdatesDTO{Policy: []NoticeVersionDTO{}, Renewals: []ConsentRenewalDTO{}}
	pol, err := p.PolicyUpdates(a.ctx)
	if err != nil {
		return NoticeUpdatesDTO{}, a.uiError("notice updates", err)
	}
	for _, v := range pol {
		out.Policy = append(out.Policy, noticeVersionDTO(v))
	}
	rs, err := p.ConsentRenewals(a.ctx)
	if err != nil {
		return NoticeUpdatesDTO{}, a.uiError("notice updates", err)
	}
	names := map[string]string{}
	for _, r := range rs {
		name, ok := names[r.ClientID]
		if !ok {
			if c, err := p.Clients().Get(a.ctx, r.ClientID); err == nil {
				name = c.DisplayName()
			}
			names[r.ClientID] = name
		}
		out.Renewals = append(out.Renewals, ConsentRenewalDTO{ClientID: r.ClientID, ClientName: name, Purpose: string(r.Purpose),
			GivenVersion: r.GivenVersion, CurrentVersion: r.CurrentVersion, GivenAt: instant(r.GivenAt)})
	}
	return out, nil
}

// NoticeAcknowledge records that the practitioner read a policy change.
func (a *App) NoticeAcknowledge(id string) error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("notice acknowledge", err)
	}
	if err := p.AcknowledgeNoticeVersion(a.ctx, id); err != nil {
		return a.uiError("notice acknowledge", err)
	}
	return nil
}
