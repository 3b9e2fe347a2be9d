package practice

import (
	"context"
	"slices"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
)

// Who an export is for. Handing a client their own record (an access request)
// needs no further consent; handing it to anyone else — a nominated
// representative, a family member, another professional — is a disclosure.
const (
	RecipientClient         = ""               // the client themself (default)
	RecipientRepresentative = "representative" // a third party
)

// LegalBases are the grounds on which the Mental Healthcare Act 2017, s.23(1)
// lets a record be disclosed without the client's consent; the one relied on
// is recorded in the audit trail. (Codes, not free text, so the trail stays
// free of client data.)
var LegalBases = []string{
	"mha_s23_1a", // to the nominated representative, to fulfil their duties
	"mha_s23_1b", // to other professionals providing care
	"mha_s23_1c", // to protect another person from harm or violence
	"mha_s23_1d", // only the information needed to protect against a specific risk
	"mha_s23_1e", // at the order of a court, tribunal or review board
	"mha_s23_1f", // in the interests of public safety and security
}

// checkDisclosure enforces the representative-disclosure rule for an export:
// a third party receives a client's record only with that client's
// representative-disclosure consent, or under a recorded legal basis.
func (p *Practice) checkDisclosure(ctx context.Context, o ExportOptions) error {
	switch o.Recipient {
	case RecipientClient:
		if o.LegalBasis != "" {
			return apperr.New(apperr.Invalid, "a legal basis is recorded only for an export to a third party")
		}
		return nil
	case RecipientRepresentative:
	default:
		return apperr.New(apperr.Invalid, "recipient must be the client or a representative")
	}
	if o.All {
		return apperr.New(apperr.Forbidden, "a whole-practice export cannot go to a third party; export each client's record")
	}
	if o.LegalBasis != "" {
		if !slices.Contains(LegalBases, o.LegalBasis) {
			return apperr.New(apperr.Invalid, "legal basis must be one of the Mental Healthcare Act s.23(1) grounds (mha_s23_1a … mha_s23_1f)")
		}
		return nil
	}
	if err := p.Consent().Check(ctx, o.ClientID, consent.PurposeRepresentativeDisclosure); err != nil {
		if apperr.CodeOf(err) == apperr.ConsentRequired {
			p.record(ctx, audit.Entry{Action: audit.ActionExport, RecordType: "client", RecordID: o.ClientID,
				Detail: "refused=consent_required purpose=representative-disclosure"})
		}
		return err
	}
	return nil
}
