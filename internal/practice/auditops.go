package practice

import (
	"context"
	"strconv"

	"github.com/calmally/practice/internal/audit"
)

func itoa(i int) string { return strconv.Itoa(i) }

// Record appends an audit entry for an action taken by a service.
func (p *Practice) Record(ctx context.Context, e audit.Entry) { p.record(ctx, e) }

// AuditChain is the keyed chain for writing entries in a service's own
// transaction, or a "locked" error.
func (p *Practice) AuditChain() (*audit.Chain, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chain == nil {
		return nil, errLocked
	}
	return p.chain, nil
}

// AuditList returns entries matching f, newest first, and the total.
func (p *Practice) AuditList(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error) {
	if _, err := p.AuditChain(); err != nil {
		return nil, 0, err
	}
	return p.db.ListAudit(ctx, f)
}

// AuditVerify checks the whole chain and returns how many entries it holds.
func (p *Practice) AuditVerify(ctx context.Context) (int64, error) {
	chain, err := p.AuditChain()
	if err != nil {
		return 0, err
	}
	return p.db.VerifyAudit(ctx, chain)
}
