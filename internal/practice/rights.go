package practice

import (
	"context"
	"fmt"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/erasure"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/rights"
	"github.com/calmally/practice/internal/store"
)

// AccessHandover is the input that fulfils an access request: where to write
// the client's export bundle and how to encrypt it. The bundle is the same
// one `export --client` writes (FHIR, PDF, iCalendar, receipts, manifest),
// addressed to the client themself, psychotherapy notes withheld and listed.
type AccessHandover struct {
	Path       string
	Encryption export.Encryption
	Progress   func(done, total int)
}

// fulfilAccess hands the client their records: an export of their record to
// in.Path, recorded like every export; the outcome names the export.
func (p *Practice) fulfilAccess(ctx context.Context, r rights.Request, input any) (string, error) {
	in, ok := input.(AccessHandover)
	if !ok || in.Path == "" {
		return "", apperr.New(apperr.Invalid, "an access request is fulfilled with an export: choose where to save the client's records")
	}
	res, err := p.Export(ctx, ExportOptions{ClientID: r.ClientID, Path: in.Path, Encryption: in.Encryption,
		Progress: in.Progress, Recipient: RecipientClient})
	if err != nil {
		return "", err
	}
	return "export:" + res.ID, nil
}

// Rights is the rights-request service of this profile, with fulfilment
// wired: access → an export (input: AccessHandover), correction → Clients().Update (input: a
// clients.Correction of that client, reason client_request), erasure → the
// erasure engine, withdrawal and opt-out → the consent ledger.
func (p *Practice) Rights() *rights.Service {
	withdraw := func(ctx context.Context, r rights.Request, _ any) (string, error) {
		ch := consent.ChannelClinic
		if r.Source == rights.SourcePlatform {
			ch = consent.ChannelPlatform
		}
		ev, err := p.Consent().Withdraw(ctx, consent.WithdrawInput{ClientID: r.ClientID, Purpose: consent.Purpose(r.Purpose), Channel: ch})
		if apperr.CodeOf(err) == apperr.Conflict {
			return "consent:not_granted", nil // nothing left to withdraw: the request is met
		}
		if err != nil {
			return "", err
		}
		return "consent:" + ev.ID, nil
	}
	fulfil := map[rights.Kind]rights.Fulfiller{
		rights.KindCorrection: func(ctx context.Context, r rights.Request, input any) (string, error) {
			c, ok := input.(clients.Correction)
			if !ok || c.ID != r.ClientID {
				return "", apperr.New(apperr.Invalid, "a correction request is fulfilled with the corrected record of the same client")
			}
			c.Reason = clients.ReasonClientRequest
			cl, err := p.Clients().Update(ctx, c)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("client:%s:rev:%d", cl.ID, cl.Rev), nil
		},
		rights.KindErasure: func(ctx context.Context, r rights.Request, _ any) (string, error) {
			c, err := p.EraseClient(ctx, erasure.EraseInput{ClientID: r.ClientID, RequestID: r.ID,
				ReceivedAt: r.ReceivedAt, VerifiedAt: r.VerifiedAt})
			if err != nil {
				return "", err
			}
			return "certificate:" + c.ID, nil
		},
		rights.KindAccess:     p.fulfilAccess,
		rights.KindWithdrawal: withdraw,
		rights.KindOptOut:     withdraw,
	}
	return rights.NewService(rights.Config{
		Store: store.NewRightsStore(p.db, p.AuditChain),
		Keys: func() (rights.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err
			}
			return k, nil
		},
		Now:    p.Now,
		Actor:  p.opts.Actor,
		Fulfil: fulfil,
	})
}

// Erasure is the erasure engine of this profile.
func (p *Practice) Erasure() *erasure.Service {
	return erasure.NewService(erasure.Config{
		Store: store.NewErasureStore(p.db, p.AuditChain, func() (*consent.Chain, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err
			}
			key := k.Subkey(consent.SubkeyPurpose)
			if len(key) == 0 {
				return nil, errLocked
			}
			defer clear(key)
			return consent.NewChain(key), nil
		}),
		Keys: func() (erasure.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
}

// EraseClient runs the erasure engine for a client and brings the search
// index up to date (the preferred name is erased).
func (p *Practice) EraseClient(ctx context.Context, in erasure.EraseInput) (erasure.Certificate, error) {
	c, err := p.Erasure().Erase(ctx, in)
	if err != nil {
		return erasure.Certificate{}, err
	}
	if cl, err := p.clientsService(nil).Get(ctx, in.ClientID); err == nil {
		p.searchIndex().ix.Put(clientDoc(cl))
	}
	return c, nil
}

// PurgeMinor deletes every record of a client discovered to be under 18
// and drops them from the search index. See internal/erasure for why notes
// go too.
func (p *Practice) PurgeMinor(ctx context.Context, clientID, reason string) (erasure.Certificate, error) {
	c, purged, err := p.Erasure().PurgeMinor(ctx, clientID, reason)
	if err != nil {
		return erasure.Certificate{}, err
	}
	ix := p.searchIndex().ix
	ix.Delete(clientID)
	for _, id := range purged.NoteIDs {
		ix.Delete(id)
	}
	return c, nil
}
