package notes

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// SummaryStatus is where a client-facing summary stands.
type SummaryStatus string

// Summary statuses: draft (being edited), ready (reviewed), shared (sent to
// the client; no longer editable).
const (
	SummaryDraft  SummaryStatus = "draft"
	SummaryReady  SummaryStatus = "ready"
	SummaryShared SummaryStatus = "shared"
)

// PurposeSummarySharing is the consent purpose that gates ShareSummary.
const PurposeSummarySharing = "summary-sharing"

// RecordTypeSummary is how summaries appear in the audit trail.
const RecordTypeSummary = "note_summary"

// SummaryContent is what the client sees. It is sealed as one JSON object.
type SummaryContent struct {
	Plan        string `json:"plan"`
	Homework    string `json:"homework"`
	NextSession string `json:"nextSession"`
}

// Summary is a client-facing session summary derived from a note.
type Summary struct {
	ID        string
	NoteID    string
	ClientID  string
	Rev       int64
	Content   SummaryContent
	Status    SummaryStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

const maxSummaryBytes = 32 << 10

var errPsychotherapySummary = apperr.New(apperr.Forbidden, "summaries are not made from psychotherapy notes")

func summaryAD(id string, rev int64) vault.AD {
	return vault.AD{Table: TableSummaries, Column: ColContent, RowID: id, Revision: rev}
}

// prefill takes the plan and homework from the sections the template marks.
// Without a homework section, plan lines that start with "Homework:" move to
// the homework field.
func prefill(n Note, t Template) SummaryContent {
	var c SummaryContent
	for _, sec := range t.Sections {
		switch sec.Summary {
		case SummaryPlan:
			c.Plan = n.Sections[sec.Key]
		case SummaryHomework:
			c.Homework = n.Sections[sec.Key]
		}
	}
	if c.Homework == "" && c.Plan != "" {
		var plan, hw []string
		for _, line := range strings.Split(c.Plan, "\n") {
			head, rest, ok := strings.Cut(line, ":")
			if ok && strings.EqualFold(strings.TrimSpace(head), "homework") {
				hw = append(hw, strings.TrimSpace(rest))
				continue
			}
			plan = append(plan, line)
		}
		if len(hw) > 0 {
			c.Plan, c.Homework = strings.TrimSpace(strings.Join(plan, "\n")), strings.Join(hw, "\n")
		}
	}
	return c
}

// DeriveSummary creates the note's summary, pre-filled from its plan
// sections; if one exists already it is returned unchanged.
func (s *Service) DeriveSummary(ctx context.Context, noteID string) (Summary, error) {
	keys, err := s.sealer()
	if err != nil {
		return Summary{}, err
	}
	if sum, err := s.Summary(ctx, noteID); err == nil || apperr.CodeOf(err) != apperr.NotFound {
		return sum, err
	}
	n, err := s.load(ctx, keys, noteID)
	if err != nil {
		return Summary{}, err
	}
	if n.Kind == KindPsychotherapy {
		return Summary{}, errPsychotherapySummary
	}
	t, err := s.Template(ctx, n.TemplateID, n.TemplateVersion)
	if err != nil {
		return Summary{}, err
	}
	now := s.clock()
	sum := Summary{ID: newID(now), NoteID: n.ID, ClientID: n.ClientID, Rev: 1, Content: prefill(n, t),
		Status: SummaryDraft, CreatedAt: now, UpdatedAt: now}
	env, err := sealSummary(keys, sum)
	if err != nil {
		return Summary{}, err
	}
	e, err := s.entry(audit.ActionCreate, RecordTypeSummary, sum.ID, audit.D("client", n.ClientID, "note", n.ID))
	if err != nil {
		return Summary{}, err
	}
	r := SummaryRecord{ID: sum.ID, NoteID: sum.NoteID, ClientID: sum.ClientID, Rev: sum.Rev, Content: env,
		Status: sum.Status, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateSummary(ctx, r, e); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

func sealSummary(keys Sealer, sum Summary) ([]byte, error) {
	js, err := json.Marshal(sum.Content)
	if err != nil {
		return nil, fmt.Errorf("notes: encode summary: %w", err)
	}
	defer clear(js)
	return seal(keys, summaryAD(sum.ID, sum.Rev), js)
}

// Summary returns a note's summary (audited view).
func (s *Service) Summary(ctx context.Context, noteID string) (Summary, error) {
	if !validID(noteID) {
		return Summary{}, ErrSummaryNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Summary{}, err
	}
	e, err := s.entry(audit.ActionView, RecordType, noteID, audit.D("what", "summary"))
	if err != nil {
		return Summary{}, err
	}
	r, err := s.store.GetSummary(ctx, noteID, &e)
	if err != nil {
		return Summary{}, err
	}
	return s.openSummary(ctx, keys, r)
}

func (s *Service) openSummary(ctx context.Context, keys Sealer, r SummaryRecord) (Summary, error) {
	js, err := open(keys, summaryAD(r.ID, r.Rev), r.Content)
	if err != nil {
		return Summary{}, s.integrity(ctx, RecordTypeSummary, r.ID, err)
	}
	var c SummaryContent
	if err := json.Unmarshal(js, &c); err != nil {
		return Summary{}, s.integrity(ctx, RecordTypeSummary, r.ID, &openError{table: TableSummaries, column: ColContent, err: err})
	}
	return Summary{ID: r.ID, NoteID: r.NoteID, ClientID: r.ClientID, Rev: r.Rev, Content: c, Status: r.Status,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

// SaveSummary replaces the summary's content if it is at rev. Editing a
// ready summary returns it to draft; a shared one cannot change.
func (s *Service) SaveSummary(ctx context.Context, noteID string, rev int64, c SummaryContent) (Summary, error) {
	size := len(c.Plan) + len(c.Homework) + len(c.NextSession)
	if size > maxSummaryBytes || !utf8.ValidString(c.Plan+c.Homework+c.NextSession) {
		return Summary{}, apperr.Errorf(apperr.Invalid, "a summary is valid text of at most %d KiB", maxSummaryBytes>>10)
	}
	return s.changeSummary(ctx, noteID, rev, "edit", func(sum *Summary) error {
		sum.Content, sum.Status = c, SummaryDraft
		return nil
	})
}

// MarkSummaryReady records that the practitioner reviewed the summary.
func (s *Service) MarkSummaryReady(ctx context.Context, noteID string, rev int64) (Summary, error) {
	return s.changeSummary(ctx, noteID, rev, "ready", func(sum *Summary) error {
		if strings.TrimSpace(sum.Content.Plan+sum.Content.Homework+sum.Content.NextSession) == "" {
			return apperr.New(apperr.Invalid, "an empty summary cannot be marked ready")
		}
		sum.Status = SummaryReady
		return nil
	})
}

// ShareSummary marks a ready summary shared with the client, if the client
// consented to summary sharing (ConsentCheck; refused while it is not wired).
func (s *Service) ShareSummary(ctx context.Context, noteID string, rev int64) (Summary, error) {
	return s.changeSummary(ctx, noteID, rev, "share", func(sum *Summary) error {
		if sum.Status != SummaryReady {
			return apperr.New(apperr.Conflict, "mark the summary ready before sharing it")
		}
		var err error
		if s.ConsentCheck == nil {
			err = apperr.New(apperr.ConsentRequired, "consent required: "+PurposeSummarySharing)
		} else {
			err = s.ConsentCheck(ctx, sum.ClientID, PurposeSummarySharing)
		}
		if err != nil {
			_ = s.record(ctx, audit.ActionExport, RecordTypeSummary, sum.ID, audit.D("client", sum.ClientID, "refused", "consent"))
			return err
		}
		sum.Status = SummaryShared
		return nil
	})
}

func (s *Service) changeSummary(ctx context.Context, noteID string, rev int64, op string, change func(*Summary) error) (Summary, error) {
	if !validID(noteID) {
		return Summary{}, ErrSummaryNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Summary{}, err
	}
	r, err := s.store.GetSummary(ctx, noteID, nil)
	if err != nil {
		return Summary{}, err
	}
	sum, err := s.openSummary(ctx, keys, r)
	if err != nil {
		return Summary{}, err
	}
	if sum.Status == SummaryShared {
		return Summary{}, apperr.New(apperr.Conflict, "the summary was shared and cannot change")
	}
	if rev != sum.Rev {
		return Summary{}, ErrSummaryStale
	}
	if err := change(&sum); err != nil {
		return Summary{}, err
	}
	sum.Rev, sum.UpdatedAt = rev+1, s.clock()
	env, err := sealSummary(keys, sum)
	if err != nil {
		return Summary{}, err
	}
	action, d := audit.ActionEdit, audit.D("client", sum.ClientID, "op", op, "status", string(sum.Status))
	if sum.Status == SummaryShared {
		action, d = audit.ActionExport, audit.D("client", sum.ClientID, "to", "client")
	}
	e, err := s.entry(action, RecordTypeSummary, sum.ID, d)
	if err != nil {
		return Summary{}, err
	}
	r = SummaryRecord{ID: sum.ID, NoteID: sum.NoteID, ClientID: sum.ClientID, Rev: sum.Rev, Content: env,
		Status: sum.Status, CreatedAt: sum.CreatedAt, UpdatedAt: sum.UpdatedAt}
	if err := s.store.UpdateSummary(ctx, r, rev, e); err != nil {
		return Summary{}, err
	}
	return sum, nil
}
