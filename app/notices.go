package app

// Grievances and takedown notices bound to the UI; shapes in
// app/dto_sync.go. Deadlines are the platform's, capped by the rules
// (acknowledge within 24 hours and resolve within 15 days of receipt;
// remove within 36 hours).
//
//	NoticesList() (NoticesDTO, error)                               nearest deadline first (audited as one view)
//	GrievanceAcknowledge(id string) (GrievanceNoticeDTO, error)
//	GrievanceResolve(r NoticeResponseDTO) (GrievanceNoticeDTO, error)  response required
//	TakedownRemove(r NoticeResponseDTO) (TakedownNoticeDTO, error)     response optional
//	TakedownDispute(r NoticeResponseDTO) (TakedownNoticeDTO, error)    response required
//
// Each answer is queued for the platform in the same transaction as the
// change and its audit entry. Rules the UI should expect: answering a
// notice that is already closed, or out of order → "conflict: …"; a
// missing response → "invalid: …".

import (
	"github.com/calmally/practice/internal/notices"
	"github.com/calmally/practice/internal/practice"
)

func grievanceDTO(n notices.Notice) GrievanceNoticeDTO {
	d := GrievanceNoticeDTO{ID: n.ID, Status: string(n.Status), Category: n.Category, Summary: n.Summary,
		ReceivedAt: instant(n.ReceivedAt), AcknowledgeBy: instant(n.AcknowledgeBy), ResolveBy: instant(n.ResolveBy),
		AcknowledgedAt: instant(n.AcknowledgedAt), Response: n.Response}
	if n.Status == notices.Resolved {
		d.ResolvedAt = instant(n.ClosedAt)
	}
	return d
}

func takedownDTO(n notices.Notice) TakedownNoticeDTO {
	return TakedownNoticeDTO{ID: n.ID, Status: string(n.Status), ContentRef: n.ContentRef, Reason: n.Reason,
		ReceivedAt: instant(n.ReceivedAt), RemoveBy: instant(n.RemoveBy), RespondedAt: instant(n.ClosedAt),
		Response: n.Response}
}

// NoticesList lists every grievance and takedown notice.
func (a *App) NoticesList() (NoticesDTO, error) {
	p, err := a.practice()
	if err != nil {
		return NoticesDTO{}, a.uiError("notices", err)
	}
	ns, err := p.Notices(a.ctx)
	if err != nil {
		return NoticesDTO{}, a.uiError("notices", err)
	}
	out := NoticesDTO{Grievances: []GrievanceNoticeDTO{}, Takedowns: []TakedownNoticeDTO{}}
	for _, n := range ns {
		switch n.Kind {
		case notices.Grievance:
			out.Grievances = append(out.Grievances, grievanceDTO(n))
		case notices.Takedown:
			out.Takedowns = append(out.Takedowns, takedownDTO(n))
		}
	}
	return out, nil
}

func (a *App) notice(op string, fn func(*practice.Practice) (notices.Notice, error)) (notices.Notice, error) {
	p, err := a.practice()
	if err != nil {
		return notices.Notice{}, a.uiError(op, err)
	}
	n, err := fn(p)
	return n, a.uiError(op, err)
}

// GrievanceAcknowledge acknowledges a grievance.
func (a *App) GrievanceAcknowledge(id string) (GrievanceNoticeDTO, error) {
	n, err := a.notice("grievance acknowledge", func(p *practice.Practice) (notices.Notice, error) {
		return p.AcknowledgeGrievance(a.ctx, id)
	})
	if err != nil {
		return GrievanceNoticeDTO{}, err
	}
	return grievanceDTO(n), nil
}

// GrievanceResolve resolves a grievance with the response for the person
// who raised it.
func (a *App) GrievanceResolve(r NoticeResponseDTO) (GrievanceNoticeDTO, error) {
	n, err := a.notice("grievance resolve", func(p *practice.Practice) (notices.Notice, error) {
		return p.ResolveGrievance(a.ctx, r.ID, r.Response)
	})
	if err != nil {
		return GrievanceNoticeDTO{}, err
	}
	return grievanceDTO(n), nil
}

// TakedownRemove records that the content was removed.
func (a *App) TakedownRemove(r NoticeResponseDTO) (TakedownNoticeDTO, error) {
	n, err := a.notice("takedown remove", func(p *practice.Practice) (notices.Notice, error) {
		return p.RemoveTakedown(a.ctx, r.ID, r.Response)
	})
	if err != nil {
		return TakedownNoticeDTO{}, err
	}
	return takedownDTO(n), nil
}

// TakedownDispute disputes a takedown notice.
func (a *App) TakedownDispute(r NoticeResponseDTO) (TakedownNoticeDTO, error) {
	n, err := a.notice("takedown dispute", func(p *practice.Practice) (notices.Notice, error) {
		return p.DisputeTakedown(a.ctx, r.ID, r.Response)
	})
	if err != nil {
		return TakedownNoticeDTO{}, err
	}
	return takedownDTO(n), nil
}
