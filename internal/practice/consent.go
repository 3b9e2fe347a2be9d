package practice

import (
	"context"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/store"
)

// Consent is the consent ledger of this profile. Like the other services it
// asks for the keys on every call, so it refuses while the vault is locked.
// Its Check is what every enforcement point calls (notes here; scheduling,
// sync and export through the same method).
func (p *Practice) Consent() *consent.Service {
	return consent.NewService(consent.Config{
		Store: store.NewConsentStore(p.db, p.AuditChain),
		Keys: func() (consent.Keys, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return k, nil
		},
		Now:       p.Now,
		Actor:     p.opts.Actor,
		Published: p.publishedConsentNotices,
		// Consents of platform clients are sent under the platform's id.
		PlatformRef: store.NewPlatformClientStore(p.db, p.AuditChain).PlatformRef,
		// Receipts name the practice from its profile (the grievance
		// officer as the privacy contact, as the DPDP Rules ask).
		ControllerFor: func(ctx context.Context) (consent.Controller, error) {
			pr, err := p.Profile().Practice(ctx)
			if err != nil {
				return consent.Controller{}, err
			}
			c := consent.Controller{Name: pr.Name, Contact: pr.Grievance.Name, Street: pr.Address.OneLine(),
				Country: pr.Address.Country, Email: pr.Grievance.Email, Phone: pr.Grievance.Phone}
			if c.Email == "" {
				c.Email = pr.Contact.Email
			}
			if c.Phone == "" {
				c.Phone = pr.Contact.Phone
			}
			return c, nil
		},
	})
}

// RequireConsent is Consent().Check, auditing a refusal (ids and codes only)
// with the action the caller was about to take on recordType.
func (p *Practice) RequireConsent(ctx context.Context, clientID string, purpose consent.Purpose,
	action audit.Action, recordType string) error {
	err := p.Consent().Check(ctx, clientID, purpose)
	if err != nil && apperr.CodeOf(err) == apperr.ConsentRequired {
		d := audit.D("client", clientID, "refused", "consent", "purpose", string(purpose))
		if e, aerr := (audit.Event{Action: action, RecordType: recordType, Detail: d}).Entry(p.Now(), p.opts.Actor); aerr == nil {
			p.record(ctx, e)
		}
	}
	return err
}
