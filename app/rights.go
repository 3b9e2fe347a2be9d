package app

// Rights-request and erasure methods bound to the UI (listed at the top of
// app/consent.go with the consent methods).
//
//	RightsList(filter RightsFilterDTO) ([]RightsRequestDTO, error)  earliest due first
//	RightsCreate(req RightsCreateDTO) (RightsRequestDTO, error)      entered at the clinic
//	RightsVerify(v RightsVerifyDTO) (RightsRequestDTO, error)        due date runs from now
//	RightsFulfil(f RightsFulfilDTO) (RightsRequestDTO, error)
//	RightsRefuse(r RightsRefuseDTO) (RightsRequestDTO, error)
//	ErasureCertificate(id string) (ErasureCertificateDTO, error)
//
// JSON shapes:
//
//	RightsFilterDTO   {clientId, status, kind, openOnly: bool, view: ""|"overdue"|"due_this_week"}
//	RightsRequestDTO  {id, clientId, kind: "access"|"correction"|"erasure"|"opt-out"|"withdrawal",
//	                   source: "platform"|"clinic", status: "received"|"verified"|"in_progress"|"fulfilled"|"refused",
//	                   purpose, platformRef, receivedAt, verificationMethod, verifiedBy, verifiedAt,
//	                   dueAt /* "" until verified */, overdue: bool, dueThisWeek: bool, closedAt,
//	                   refusalReason, outcomeRef, certificateId /* erasure */, details}
//	RightsCreateDTO   {clientId, kind, purpose /* withdrawal: required; opt-out: "" = reminders */, details}
//	RightsVerifyDTO   {id, method: "in_person_id"|"platform_account"|"video_call"|"phone_callback"|"email_link"}
//	RightsFulfilDTO   {id, correction: ClientUpdateDTO|null /* required for correction */,
//	                   access: {path, encrypt, passphrase, recipient}|null /* required for access */}
//	RightsRefuseDTO   {id, reason: "identity_not_verified"|"duplicate"|"withdrawn_by_client"|"legal_obligation"|"not_applicable"}
//	ErasureCertificateDTO {id, kind: "erasure"|"minor_purge", clientId, requestId, erasedAt, holdUntil,
//	                   sha256, json /* the certificate */, text /* for printing */}
//
// Rules the UI should expect: fulfilling before verification → "conflict:
// verify the requester's identity first"; access before the export issue
// lands → "conflict: fulfilling access requests is not available yet".
// Countdowns: dueAt is an instant; overdue/dueThisWeek are computed at the
// time of the call (weeks end Monday 00:00 in India).

import (
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/rights"
)

func (a *App) rightsService() (*rights.Service, error) {
	p, err := a.practice()
	if err != nil {
		return nil, err
	}
	return p.Rights(), nil
}

func (a *App) requestDTO(r rights.Request) RightsRequestDTO {
	now := a.now()
	d := RightsRequestDTO{ID: r.ID, ClientID: r.ClientID, Kind: string(r.Kind), Source: string(r.Source),
		Status: string(r.Status), Purpose: r.Purpose, PlatformRef: r.PlatformRef, ReceivedAt: instant(r.ReceivedAt),
		VerificationMethod: r.VerificationMethod, VerifiedBy: r.VerifiedBy, VerifiedAt: instant(r.VerifiedAt),
		DueAt: instant(r.DueAt), Overdue: r.Overdue(now), DueThisWeek: r.DueThisWeek(now), ClosedAt: instant(r.ClosedAt),
		RefusalReason: r.RefusalReason, OutcomeRef: r.OutcomeRef, Details: r.Details}
	if id, ok := strings.CutPrefix(r.OutcomeRef, "certificate:"); ok {
		d.CertificateID = id
	}
	return d
}

// RightsList lists rights requests, earliest due first.
func (a *App) RightsList(f RightsFilterDTO) ([]RightsRequestDTO, error) {
	svc, err := a.rightsService()
	if err != nil {
		return nil, a.uiError("rights list", err)
	}
	var rs []rights.Request
	switch f.View {
	case "":
		rs, err = svc.List(a.ctx, rights.Filter{ClientID: f.ClientID, Status: rights.Status(f.Status), Kind: rights.Kind(f.Kind), OpenOnly: f.OpenOnly})
	case "overdue":
		rs, err = svc.Overdue(a.ctx, a.now())
	case "due_this_week":
		rs, err = svc.DueThisWeek(a.ctx, a.now())
	default:
		err = apperr.New(apperr.Invalid, "view: must be overdue, due_this_week or empty")
	}
	if err != nil {
		return nil, a.uiError("rights list", err)
	}
	out := make([]RightsRequestDTO, len(rs))
	for i, r := range rs {
		out[i] = a.requestDTO(r)
	}
	return out, nil
}

// RightsCreate records a request received at the clinic.
func (a *App) RightsCreate(in RightsCreateDTO) (RightsRequestDTO, error) {
	svc, err := a.rightsService()
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights create", err)
	}
	r, err := svc.Create(a.ctx, rights.NewRequest{ClientID: in.ClientID, Kind: rights.Kind(in.Kind), Source: rights.SourceClinic,
		Purpose: in.Purpose, Details: in.Details})
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights create", err)
	}
	return a.requestDTO(r), nil
}

// RightsVerify records how the requester's identity was verified.
func (a *App) RightsVerify(v RightsVerifyDTO) (RightsRequestDTO, error) {
	svc, err := a.rightsService()
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights verify", err)
	}
	r, err := svc.Verify(a.ctx, v.ID, v.Method)
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights verify", err)
	}
	return a.requestDTO(r), nil
}

// RightsFulfil does what the request asks and closes it.
func (a *App) RightsFulfil(f RightsFulfilDTO) (RightsRequestDTO, error) {
	svc, err := a.rightsService()
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights fulfil", err)
	}
	var input any
	switch {
	case f.Correction != nil:
		input = clients.Correction{ID: f.Correction.ID, Rev: f.Correction.Rev, Reason: clients.ReasonClientRequest,
			Input: clientInput(f.Correction.Client)}
	case f.Access != nil:
		enc, err := exportEncryption(f.Access.Encrypt, f.Access.Passphrase, f.Access.Recipient)
		if err != nil {
			return RightsRequestDTO{}, a.uiError("rights fulfil", err)
		}
		input = practice.AccessHandover{Path: f.Access.Path, Encryption: enc}
	}
	r, err := svc.Fulfil(a.ctx, f.ID, input)
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights fulfil", err)
	}
	return a.requestDTO(r), nil
}

// RightsRefuse closes a request with a reason code.
func (a *App) RightsRefuse(in RightsRefuseDTO) (RightsRequestDTO, error) {
	svc, err := a.rightsService()
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights refuse", err)
	}
	r, err := svc.Refuse(a.ctx, in.ID, in.Reason)
	if err != nil {
		return RightsRequestDTO{}, a.uiError("rights refuse", err)
	}
	return a.requestDTO(r), nil
}

// ErasureCertificate returns a certificate, checked against its SHA-256.
func (a *App) ErasureCertificate(id string) (ErasureCertificateDTO, error) {
	p, err := a.practice()
	if err != nil {
		return ErasureCertificateDTO{}, a.uiError("erasure certificate", err)
	}
	if _, err := p.Keys(); err != nil {
		return ErasureCertificateDTO{}, a.uiError("erasure certificate", err)
	}
	c, err := p.Erasure().Certificate(a.ctx, id)
	if err != nil {
		return ErasureCertificateDTO{}, a.uiError("erasure certificate", err)
	}
	return ErasureCertificateDTO{ID: c.ID, Kind: c.Kind, ClientID: c.ClientID, RequestID: c.RequestID, ErasedAt: c.ErasedAt,
		HoldUntil: c.HoldUntil, SHA256: c.SHA256, JSON: string(c.Body), Text: c.Text()}, nil
}

// now is the profile's clock (time.Now before the profile opens).
func (a *App) now() time.Time {
	if p, err := a.practice(); err == nil {
		return p.Now()
	}
	return time.Now().UTC()
}

// exportEncryption turns the UI's encryption choice into the export's.
func exportEncryption(encrypt, passphrase, recipient string) (export.Encryption, error) {
	var enc export.Encryption
	switch encrypt {
	case "", "none":
	case "passphrase":
		if passphrase == "" {
			return enc, apperr.New(apperr.Invalid, "give a passphrase for the archive")
		}
		enc.Passphrase = []byte(passphrase)
	case "recipient":
		enc.Recipient = strings.TrimSpace(recipient)
	default:
		return enc, apperr.New(apperr.Invalid, "encrypt: must be none, passphrase or recipient")
	}
	return enc, nil
}
