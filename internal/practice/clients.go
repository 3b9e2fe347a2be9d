package practice

import (
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/store"
)

// Clients is the client record service on this profile. It asks for the
// keys and the audit chain on every call, so it refuses with "locked" while
// the vault is locked and works again after the next unlock.
func (p *Practice) Clients() *clients.Service {
	ix := p.searchIndex().ix
	return p.clientsService(func(c clients.Client) { ix.Put(clientDoc(c)) })
}

// clientsService builds the service with an optional change hook.
func (p *Practice) clientsService(onChange func(clients.Client)) *clients.Service {
	return clients.NewService(clients.Config{
		OnChange: onChange,
		Store:    store.NewClientStore(p.db, func() (*audit.Chain, error) { return p.AuditChain() }),
		Keys: func() (clients.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
}
