package practice

import (
	"context"
	"fmt"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/erasure"
	"github.com/calmally/practice/internal/rights"
	"github.com/calmally/practice/internal/store"
)

// AccessExport, when set (by the export issue's wiring in this package),
// hands a client their records for an access request and returns a
// reference to what was handed over (the export's id). Until then access
// requests cannot be fulfilled here and say so.
var AccessExport func(ctx context.Context, p *Practice, clientID string) (ref string, err error)

// Rights is the rights-request service of this profile, with fulfilment
// wired: access → AccessExport, correction → Clients().Update (input: a
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
		rights.KindWithdrawal: withdraw,
		rights.KindOptOut:     withdraw,
	}
	if AccessExport != nil {
		fulfil[rights.KindAccess] = func(ctx context.Context, r rights.Request, _ any) (string, error) {
			return AccessExport(ctx, p, r.ClientID)
		}
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
