package erasure

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// The contact-only option: the retention policy deletes a discharged
// client's contact details 30 days after the discharge while the clinical
// record stays for its own 7 years. Only the contact columns are wiped (their
// sealed values replaced by sealed empty values) and stripped from the
// correction history; names, date of birth, notes, consent records and
// bookings are untouched, and no certificate or erasure hold is written (no
// request was made; the retention run audits what it removed).

// ContactColumns are the client's contact details.
var ContactColumns = []string{"phone", "email", "emergency_contact"}

// ContactPlan is what ApplyContact writes in one transaction.
type ContactPlan struct {
	ClientID  string
	Client    SealedRow // Rev is the new revision; every sealed column under it
	UpdatedAt time.Time
	History   []Sealed // same row revisions
}

// ContactStore writes a contact-only erasure.
type ContactStore interface {
	// ApplyContact writes p and appends e in one transaction (the client's
	// revision must still be p.Client.Rev-1, else a conflict), records when
	// the contact details were wiped, then checkpoints the WAL. It refuses
	// (conflict) while the client is on hold.
	ApplyContact(ctx context.Context, p ContactPlan, e audit.Entry) error
}

// ContactInput names the client and why (a rule code, e.g. the retention
// rule that fell due).
type ContactInput struct {
	ClientID string
	Rule     string
}

// ContactResult is what a contact-only erasure removed (ids and column names).
type ContactResult struct {
	ClientID   string
	Rev        int64    // the client's new revision
	Columns    []string // the client columns wiped
	HistoryIDs []string // correction-history rows whose previous contact values were removed
}

// EraseContact wipes the client's contact details only. It is audited as a
// retention purge of the client with scope=contact_only.
func (s *Service) EraseContact(ctx context.Context, in ContactInput) (ContactResult, error) {
	if s.contact == nil {
		return ContactResult{}, fmt.Errorf("erasure: contact-only erasure is not configured")
	}
	if in.Rule == "" {
		return ContactResult{}, apperr.New(apperr.Invalid, "a contact-only erasure names the rule it follows")
	}
	keys, err := s.sealer()
	if err != nil {
		return ContactResult{}, err
	}
	sub, err := s.store.Subject(ctx, in.ClientID)
	if err != nil {
		return ContactResult{}, err
	}
	now := s.clock()
	p := ContactPlan{ClientID: in.ClientID, UpdatedAt: now,
		Client: SealedRow{ID: sub.Client.ID, Rev: sub.Client.Rev + 1, Columns: map[string][]byte{}}}
	for col, env := range sub.Client.Columns {
		plain, err := keys.Open(vault.AD{Table: TableClients, Column: col, RowID: sub.Client.ID, Revision: sub.Client.Rev}, env)
		if err != nil {
			return ContactResult{}, sealErr(err)
		}
		if slices.Contains(ContactColumns, col) {
			clear(plain)
			plain = emptyValue(col)
		}
		p.Client.Columns[col], err = keys.Seal(vault.AD{Table: TableClients, Column: col, RowID: sub.Client.ID, Revision: p.Client.Rev}, plain)
		clear(plain)
		if err != nil {
			return ContactResult{}, sealErr(err)
		}
	}
	res := ContactResult{ClientID: in.ClientID, Rev: p.Client.Rev, Columns: slices.Clone(ContactColumns)}
	for _, h := range sub.History {
		ad := vault.AD{Table: TableHistory, Column: "previous", RowID: h.RowID, Revision: h.Rev}
		plain, err := keys.Open(ad, h.Envelope)
		if err != nil {
			return ContactResult{}, sealErr(err)
		}
		stripped, changed, err := stripHistory(plain, ContactColumns)
		clear(plain)
		if err != nil {
			return ContactResult{}, sealErr(err)
		}
		if !changed {
			continue // left as it is: nothing of the contact details in it
		}
		env, err := keys.Seal(ad, stripped)
		if err != nil {
			return ContactResult{}, sealErr(err)
		}
		p.History = append(p.History, Sealed{RowID: h.RowID, Rev: h.Rev, Envelope: env})
		res.HistoryIDs = append(res.HistoryIDs, h.RowID)
	}
	e, err := audit.Event{Action: audit.ActionRetentionPurge, RecordType: RecordType, RecordID: in.ClientID,
		Detail: audit.D("scope", "contact_only", "rule", in.Rule, "rev", strconv.FormatInt(p.Client.Rev, 10),
			"history", strconv.Itoa(len(res.HistoryIDs)))}.Entry(now, s.actor)
	if err != nil {
		return ContactResult{}, fmt.Errorf("erasure: audit entry: %w", err)
	}
	if err := s.contact.ApplyContact(ctx, p, e); err != nil {
		return ContactResult{}, err
	}
	return res, nil
}
