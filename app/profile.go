package app

// Profile methods bound to the UI (window.go.app.App.<Method>): Settings →
// Profile and Practice. Errors are "code: message" strings naming the rule
// (e.g. "invalid: profile: credential 1: registration number does not look
// like a rci number (e.g. A12345); choose council other if yours differs").
// Registration expiry is a warning, never a refusal.
//
//	ProfileGet() (ProfileResultDTO, error)                 before the first save: an empty draft, rev 0
//	ProfileSave(p ProfileDTO) (ProfileResultDTO, error)    rev from Get (0 on first save); returns warnings
//	ProfileSubmit() (ProfileDTO, error)                    send for the platform's review
//	PracticeGet() (PracticeDTO, error)                     before the first save: the defaults, rev 0
//	PracticeSave(p PracticeDTO) (PracticeDTO, error)
//
// JSON shapes (the same fields as docs/profile-format.md):
//
//	ProfileResultDTO {profile: ProfileDTO, warnings: WarningDTO[]}
//	ProfileDTO    {rev, reviewState: "draft"|"submitted"|"approved"|"changes_requested", name,
//	               contact: {email, phone}, credentials: CredentialDTO[], specialisations: string[],
//	               approaches: string[], languages: string[] /* BCP 47: "en", "hi" */,
//	               sessionTypes: [{name, minutes, feePaise, modality: "online"|"in_person"|"either"}],
//	               bio, demographics: {gender, pronouns, yearOfBirth, other},
//	               preferences: {pauseNewMatches, marketingEmails} /* reach the platform with a submission */,
//	               reviewComment /* read-only: the platform's comment while changes are requested */}
//	CredentialDTO {qualification, council: "rci"|"nmc"|"mmc"|"state_medical"|"other"|"none",
//	               councilName /* state_medical, other */, registrationNumber, validFrom, validUntil /* YYYY-MM-DD */}
//	WarningDTO    {code: "registration_expired"|"registration_expiring"|"registration_not_yet_valid"|
//	               "registration_no_expiry", credential /* 1-based */, days, message}
//	PracticeDTO   {rev, name, address: {line1, line2, city, state, pin, country}, contact: {email, phone},
//	               grievance: {name, email, phone}, defaultSessionMinutes, defaultFeePaise,
//	               timeZone /* default "Asia/Kolkata" */, noteTemplate: "soap"|"dap"|"birp"|"free",
//	               dateFormat: "DD/MM/YYYY"|"YYYY-MM-DD"|"DD-MM-YYYY", numberFormat: "en-IN"|"en", currency: "INR"}
//
// A save whose rev is not the stored one → "conflict: … reload it and try
// again". Editing anything but contact and demographics puts an approved
// profile back to draft: show the review state beside the Save button.

import (
	"encoding/json"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/profile"
)

// convert maps between a DTO and its domain twin through their shared JSON.
func convert[T any](from any) (T, error) {
	var to T
	b, err := json.Marshal(from)
	if err != nil {
		return to, err
	}
	if err := json.Unmarshal(b, &to); err != nil {
		return to, apperr.Wrap(apperr.Invalid, "profile: not the documented shape", err)
	}
	return to, nil
}

func profileResult(p profile.Profile, ws []profile.Warning) (ProfileResultDTO, error) {
	d, err := convert[ProfileDTO](p)
	if err != nil {
		return ProfileResultDTO{}, err
	}
	out := ProfileResultDTO{Profile: d, Warnings: []WarningDTO{}}
	for _, w := range ws {
		out.Warnings = append(out.Warnings, WarningDTO{Code: w.Code, Credential: w.Credential, Days: w.Days, Message: w.Message})
	}
	return out, nil
}

// ProfileGet returns the practitioner profile and its registration warnings.
func (a *App) ProfileGet() (ProfileResultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return ProfileResultDTO{}, a.uiError("profile get", err)
	}
	pf, ws, err := p.Profile().Profile(a.ctx)
	if err != nil {
		return ProfileResultDTO{}, a.uiError("profile get", err)
	}
	out, err := profileResult(pf, ws)
	return out, a.uiError("profile get", err)
}

// ProfileSave validates and saves the profile; warnings do not stop it.
func (a *App) ProfileSave(d ProfileDTO) (ProfileResultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return ProfileResultDTO{}, a.uiError("profile save", err)
	}
	in, err := convert[profile.Profile](d)
	if err != nil {
		return ProfileResultDTO{}, a.uiError("profile save", err)
	}
	in.ReviewState, in.ReviewComment = "", ""
	pf, ws, err := p.Profile().SaveProfile(a.ctx, in)
	if err != nil {
		return ProfileResultDTO{}, a.uiError("profile save", err)
	}
	out, err := profileResult(pf, ws)
	return out, a.uiError("profile save", err)
}

// ProfileSubmit sends the profile for the platform's review.
func (a *App) ProfileSubmit() (ProfileDTO, error) {
	p, err := a.practice()
	if err != nil {
		return ProfileDTO{}, a.uiError("profile submit", err)
	}
	pf, err := p.Profile().Submit(a.ctx)
	if err != nil {
		return ProfileDTO{}, a.uiError("profile submit", err)
	}
	out, err := convert[ProfileDTO](pf)
	return out, a.uiError("profile submit", err)
}

// PracticeGet returns the practice settings (defaults before the first save).
func (a *App) PracticeGet() (PracticeDTO, error) {
	p, err := a.practice()
	if err != nil {
		return PracticeDTO{}, a.uiError("practice get", err)
	}
	pr, err := p.Profile().Practice(a.ctx)
	if err != nil {
		return PracticeDTO{}, a.uiError("practice get", err)
	}
	out, err := convert[PracticeDTO](pr)
	return out, a.uiError("practice get", err)
}

// PracticeSave validates and saves the practice settings.
func (a *App) PracticeSave(d PracticeDTO) (PracticeDTO, error) {
	p, err := a.practice()
	if err != nil {
		return PracticeDTO{}, a.uiError("practice save", err)
	}
	in, err := convert[profile.Practice](d)
	if err != nil {
		return PracticeDTO{}, a.uiError("practice save", err)
	}
	pr, err := p.Profile().SavePractice(a.ctx, in)
	if err != nil {
		return PracticeDTO{}, a.uiError("practice save", err)
	}
	out, err := convert[PracticeDTO](pr)
	return out, a.uiError("practice save", err)
}
