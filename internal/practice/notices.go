package practice

import (
	"context"

	"github.com/calmally/practice/internal/notices"
	"github.com/calmally/practice/internal/store"
)

// NoticeService is the grievances and takedown notices of this profile.
func (p *Practice) NoticeService() *notices.Service {
	return notices.NewService(notices.Config{
		Store: store.NewNoticeStore(p.db, p.AuditChain),
		Keys: func() (notices.Sealer, error) {
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

// Notices lists grievances and takedown notices, nearest deadline first
// (audited as one view). Notice.Overdue(p.Now()) flags the late ones.
func (p *Practice) Notices(ctx context.Context) ([]notices.Notice, error) {
	return p.NoticeService().List(ctx)
}

// AcknowledgeGrievance acknowledges a grievance (due within 24 hours).
func (p *Practice) AcknowledgeGrievance(ctx context.Context, id string) (notices.Notice, error) {
	return p.answered(p.NoticeService().Acknowledge(ctx, id))
}

// ResolveGrievance resolves a grievance with the response for the
// complainant (due within 15 days).
func (p *Practice) ResolveGrievance(ctx context.Context, id, response string) (notices.Notice, error) {
	return p.answered(p.NoticeService().Resolve(ctx, id, response))
}

// RemoveTakedown records that the content was removed (due within 36 hours).
func (p *Practice) RemoveTakedown(ctx context.Context, id, response string) (notices.Notice, error) {
	return p.answered(p.NoticeService().Remove(ctx, id, response))
}

// DisputeTakedown disputes a takedown notice, saying why.
func (p *Practice) DisputeTakedown(ctx context.Context, id, response string) (notices.Notice, error) {
	return p.answered(p.NoticeService().Dispute(ctx, id, response))
}

func (p *Practice) answered(n notices.Notice, err error) (notices.Notice, error) {
	if err == nil {
		p.queuedForSync()
	}
	return n, err
}
