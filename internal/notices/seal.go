package notices

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/vault"
)

func fieldAD(id string, rev int64, col string) vault.AD {
	return vault.AD{Table: TableNotices, Column: col, RowID: id, Revision: rev}
}

// details is the sealed document: what the notice says.
type details struct {
	Category   string `json:"category,omitempty"`
	Summary    string `json:"summary,omitempty"`
	ContentRef string `json:"contentRef,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func lockedOr(err error, what string) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	if apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// rowOf seals n's details and response for (n.ID, n.Rev).
func rowOf(keys Sealer, n Notice) (Row, error) {
	r := Row{ID: n.ID, Rev: n.Rev, Kind: n.Kind, Status: n.Status, ReceivedAt: n.ReceivedAt,
		AcknowledgeBy: n.AcknowledgeBy, ResolveBy: n.ResolveBy, RemoveBy: n.RemoveBy, AcknowledgedAt: n.AcknowledgedAt,
		ClosedAt: n.ClosedAt, RemoteVersion: n.RemoteVersion, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
	js, err := json.Marshal(details{Category: n.Category, Summary: n.Summary, ContentRef: n.ContentRef, Reason: n.Reason})
	if err != nil {
		return Row{}, fmt.Errorf("notices: encode details: %w", err)
	}
	r.Details, err = keys.Seal(fieldAD(n.ID, n.Rev, ColDetails), js)
	clear(js)
	if err != nil {
		return Row{}, lockedOr(err, "notices: seal details")
	}
	if r.Response, err = keys.Seal(fieldAD(n.ID, n.Rev, ColResponse), []byte(n.Response)); err != nil {
		return Row{}, lockedOr(err, "notices: seal response")
	}
	return r, nil
}

// openError names the column that failed to open (never its content).
type openError struct {
	column string
	err    error
}

func (e *openError) Error() string { return fmt.Sprintf("open notices.%s: %v", e.column, e.err) }
func (e *openError) Unwrap() error { return e.err }

func open(keys Sealer, r Row) (Notice, error) {
	n := Notice{ID: r.ID, Rev: r.Rev, Kind: r.Kind, Status: r.Status, ReceivedAt: r.ReceivedAt,
		AcknowledgeBy: r.AcknowledgeBy, ResolveBy: r.ResolveBy, RemoveBy: r.RemoveBy, AcknowledgedAt: r.AcknowledgedAt,
		ClosedAt: r.ClosedAt, RemoteVersion: r.RemoteVersion, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	js, err := keys.Open(fieldAD(r.ID, r.Rev, ColDetails), r.Details)
	if err != nil {
		return Notice{}, &openError{ColDetails, err}
	}
	var d details
	err = json.Unmarshal(js, &d)
	clear(js)
	if err != nil {
		return Notice{}, &openError{ColDetails, vault.ErrIntegrity}
	}
	n.Category, n.Summary, n.ContentRef, n.Reason = d.Category, d.Summary, d.ContentRef, d.Reason
	resp, err := keys.Open(fieldAD(r.ID, r.Rev, ColResponse), r.Response)
	if err != nil {
		return Notice{}, &openError{ColResponse, err}
	}
	n.Response = string(resp)
	return n, nil
}
