package app

// Consent methods bound to the UI (window.go.app.App.<Method>). Errors are
// "code: message" strings; messages name the rule, never client data.
// Instants are RFC 3339 UTC, "" when unset.
//
//	ConsentPurposes() ([]string, error)                        in display order
//	ConsentState(clientID string) ([]ConsentStateDTO, error)   one per purpose, in display order
//	ConsentHistory(clientID string) ([]ConsentEventDTO, error) the client's ledger, oldest first
//	ConsentNotice(purpose, language string) (ConsentNoticeDTO, error)  language "en" | "hi" ("" en)
//	ConsentGrant(grant ConsentGrantDTO) (ConsentEventDTO, error)
//	ConsentWithdraw(w ConsentWithdrawDTO) (ConsentEventDTO, error)   takes effect at once
//	ConsentReceipt(eventID, format string) (ConsentReceiptDTO, error) format "fhir" | "kantara"
//	ConsentVerify() (int, error)                               events in a verified ledger
//
// JSON shapes:
//
//	ConsentNoticeDTO   {id, version, language, purpose, title, text, sha256}
//	ConsentEventDTO    {id, seq, clientId, purpose, kind: "grant"|"withdraw",
//	                    method: ""|"checkbox"|"signature"|"platform",
//	                    channel: "clinic"|"platform"|"phone"|"email"|"written", source: "clinic"|"platform",
//	                    at, expiresAt, recordedAt, capturedBy, noticeId, noticeVersion, noticeLanguage,
//	                    noticeSha256, categories: string[], signedBy, note}
//	ConsentStateDTO    {purpose, status: "granted"|"withdrawn"|"expired"|"never",
//	                    event: ConsentEventDTO|null /* the deciding event, without evidence */,
//	                    notice: ConsentNoticeDTO /* current, in the language of the deciding event or en */,
//	                    notices: ConsentNoticeDTO[] /* current, every language */,
//	                    renewalVersion: number /* 0, or the material notice version that replaced this consent's */}
//	ConsentGrantDTO    {clientId, purpose, method: "checkbox"|"signature" (clinic), language: "en"|"hi",
//	                    expiresAt: "" | RFC 3339, signedBy /* required for signature */, note}
//	ConsentWithdrawDTO {clientId, purpose, channel: ""|"clinic"|"phone"|"email"|"written", note}
//	ConsentReceiptDTO  {eventId, format, contentType, fileName, json /* the document */}
//
// Capture rules the UI must keep: show each purpose separately with its
// notice; never pre-tick; one grant per purpose (there is no bundled call).
// Refusals: no affirmative method → "invalid: method: …"; withdrawing what is
// not granted → "conflict: nothing to withdraw: <purpose> is not granted";
// enforcement elsewhere → "consent_required: consent required: <purpose>".
//
// Rights requests and erasure (same file family, DTOs in dto_consent.go):
//
//	RightsList(filter RightsFilterDTO) ([]RightsRequestDTO, error)
//	RightsCreate(req RightsCreateDTO) (RightsRequestDTO, error)
//	RightsVerify(v RightsVerifyDTO) (RightsRequestDTO, error)
//	RightsFulfil(f RightsFulfilDTO) (RightsRequestDTO, error)
//	RightsRefuse(r RightsRefuseDTO) (RightsRequestDTO, error)
//	ErasureCertificate(id string) (ErasureCertificateDTO, error)
//	(shapes below, beside the methods in rights.go)

import (
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/consent"
)

func (a *App) consentService() (*consent.Service, error) {
	p, err := a.practice()
	if err != nil {
		return nil, err
	}
	return p.Consent(), nil
}

func noticeDTO(n consent.Notice) ConsentNoticeDTO {
	return ConsentNoticeDTO{ID: n.ID, Version: n.Version, Language: n.Language, Purpose: string(n.Purpose),
		Title: n.Title, Text: n.Text, SHA256: n.SHA256}
}

func eventDTO(r consent.Row, ev consent.Evidence) ConsentEventDTO {
	cats := append([]string{}, r.Categories...)
	return ConsentEventDTO{ID: r.ID, Seq: r.Seq, ClientID: r.ClientID, Purpose: string(r.Purpose), Kind: string(r.Kind),
		Method: string(r.Method), Channel: string(r.Channel), Source: string(r.Source), At: instant(r.At),
		ExpiresAt: instant(r.ExpiresAt), RecordedAt: instant(r.RecordedAt), CapturedBy: r.CapturedBy,
		NoticeID: r.NoticeID, NoticeVersion: r.NoticeVersion, NoticeLanguage: r.NoticeLanguage,
		NoticeSHA256: r.NoticeSHA256, Categories: cats, SignedBy: ev.SignedBy, Note: ev.Note}
}

// ConsentPurposes lists the purposes in display order.
func (a *App) ConsentPurposes() ([]string, error) {
	var out []string
	for _, p := range consent.Purposes() {
		out = append(out, string(p))
	}
	return out, nil
}

// ConsentState derives every purpose's state for a client.
func (a *App) ConsentState(clientID string) ([]ConsentStateDTO, error) {
	svc, err := a.consentService()
	if err != nil {
		return nil, a.uiError("consent state", err)
	}
	states, err := svc.State(a.ctx, clientID)
	if err != nil {
		return nil, a.uiError("consent state", err)
	}
	out := make([]ConsentStateDTO, 0, len(states))
	for _, s := range states {
		d := ConsentStateDTO{Purpose: string(s.Purpose), Status: string(s.Status), Notices: []ConsentNoticeDTO{},
			RenewalVersion: s.RenewalVersion}
		lang := "en"
		if s.Event != nil {
			e := eventDTO(*s.Event, consent.Evidence{})
			d.Event, lang = &e, s.Event.NoticeLanguage
		}
		for _, l := range consent.Languages {
			n, err := svc.CurrentNotice(a.ctx, s.Purpose, l)
			if err != nil {
				return nil, a.uiError("consent state", err)
			}
			d.Notices = append(d.Notices, noticeDTO(n))
			if l == lang {
				d.Notice = noticeDTO(n)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// ConsentHistory returns a client's ledger events, oldest first.
func (a *App) ConsentHistory(clientID string) ([]ConsentEventDTO, error) {
	svc, err := a.consentService()
	if err != nil {
		return nil, a.uiError("consent history", err)
	}
	evs, err := svc.History(a.ctx, clientID)
	if err != nil {
		return nil, a.uiError("consent history", err)
	}
	out := make([]ConsentEventDTO, len(evs))
	for i, e := range evs {
		out[i] = eventDTO(e.Row, e.Evidence)
	}
	return out, nil
}

// ConsentNotice returns the current notice for a purpose in a language
// (a version the platform published since this build shipped counts).
func (a *App) ConsentNotice(purpose, language string) (ConsentNoticeDTO, error) {
	svc, err := a.consentService()
	if err != nil {
		return ConsentNoticeDTO{}, a.uiError("consent notice", err)
	}
	n, err := svc.CurrentNotice(a.ctx, consent.Purpose(purpose), language)
	if err != nil {
		return ConsentNoticeDTO{}, a.uiError("consent notice", err)
	}
	return noticeDTO(n), nil
}

// ConsentGrant records one consent to one purpose.
func (a *App) ConsentGrant(g ConsentGrantDTO) (ConsentEventDTO, error) {
	svc, err := a.consentService()
	if err != nil {
		return ConsentEventDTO{}, a.uiError("consent grant", err)
	}
	var exp time.Time
	if g.ExpiresAt != "" {
		if exp, err = time.Parse(time.RFC3339, g.ExpiresAt); err != nil {
			return ConsentEventDTO{}, a.uiError("consent grant", apperr.New(apperr.Invalid, "expiresAt: want RFC 3339"))
		}
	}
	ev, err := svc.Grant(a.ctx, consent.GrantInput{ClientID: g.ClientID, Purpose: consent.Purpose(g.Purpose),
		Method: consent.Method(g.Method), Language: g.Language, ExpiresAt: exp,
		Evidence: consent.Evidence{SignedBy: g.SignedBy, Note: g.Note}})
	if err != nil {
		return ConsentEventDTO{}, a.uiError("consent grant", err)
	}
	return eventDTO(ev.Row, ev.Evidence), nil
}

// ConsentWithdraw records a withdrawal; the next check refuses.
func (a *App) ConsentWithdraw(w ConsentWithdrawDTO) (ConsentEventDTO, error) {
	svc, err := a.consentService()
	if err != nil {
		return ConsentEventDTO{}, a.uiError("consent withdraw", err)
	}
	ev, err := svc.Withdraw(a.ctx, consent.WithdrawInput{ClientID: w.ClientID, Purpose: consent.Purpose(w.Purpose),
		Channel: consent.Channel(w.Channel), Evidence: consent.Evidence{Note: w.Note}})
	if err != nil {
		return ConsentEventDTO{}, a.uiError("consent withdraw", err)
	}
	return eventDTO(ev.Row, ev.Evidence), nil
}

// ConsentReceipt exports one event as FHIR R4 Consent or Kantara CR v1.1.
func (a *App) ConsentReceipt(eventID, format string) (ConsentReceiptDTO, error) {
	svc, err := a.consentService()
	if err != nil {
		return ConsentReceiptDTO{}, a.uiError("consent receipt", err)
	}
	b, err := svc.Receipt(a.ctx, eventID, format)
	if err != nil {
		return ConsentReceiptDTO{}, a.uiError("consent receipt", err)
	}
	ct, name := "application/fhir+json", "consent-"+eventID+".fhir.json"
	if format == consent.FormatKantara {
		ct, name = "application/json", "consent-"+eventID+".kantara.json"
	}
	return ConsentReceiptDTO{EventID: eventID, Format: format, ContentType: ct, FileName: name, JSON: string(b)}, nil
}

// ConsentVerify checks the ledger's chain and returns its length.
func (a *App) ConsentVerify() (int, error) {
	svc, err := a.consentService()
	if err != nil {
		return 0, a.uiError("consent verify", err)
	}
	n, err := svc.Verify(a.ctx)
	if err != nil {
		return 0, a.uiError("consent verify", err)
	}
	return n, nil
}
