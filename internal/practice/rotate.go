package practice

import (
	"context"
	"database/sql"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

// RotateDataKey re-seals every sealed field under a new data key version.
//
// It is resumable: the header first records the target version (new writes
// use it from then on), then rows are re-sealed in small transactions, then
// the header records completion. A crash at any point leaves every row
// readable (each envelope names its key version) and the next call continues
// with the rows still under the old version.
func (p *Practice) RotateDataKey(ctx context.Context, progress func(done, total int)) error {
	return p.rotate(ctx, store.SealedColumns(), progress)
}

func (p *Practice) rotate(ctx context.Context, cols []store.SealedColumn, progress func(done, total int)) error {
	p.mu.Lock()
	h, keys := p.header, p.keys
	p.mu.Unlock()
	if keys == nil {
		return errLocked
	}
	target := h.RotatingTo
	if target == 0 {
		target = h.DataKeyVersion + 1
		next, err := cloneHeader(h)
		if err != nil {
			return err
		}
		next.RotatingTo = target
		if err := p.db.Tx(ctx, func(tx *sql.Tx) error { return p.saveHeaderTx(ctx, tx, next) }); err != nil {
			return err
		}
		p.mu.Lock()
		*h = *next
		p.mu.Unlock()
	}
	keys.SetDataKeyVersion(target)
	total, err := p.db.CountNotAtKeyVersion(ctx, cols, target)
	if err != nil {
		return err
	}
	if progress != nil {
		progress(0, total)
	}
	reseal := func(c store.SealedColumn, id string, rev int64, env []byte) ([]byte, error) {
		ad := vault.AD{Table: c.Table, Column: c.Column, RowID: id, Revision: rev}
		plain, err := keys.Open(ad, env)
		if err != nil {
			p.record(ctx, audit.Entry{Action: audit.ActionIntegrityError, RecordType: c.Table, RecordID: id})
			return nil, apperr.Wrap(apperr.Integrity, "a sealed field failed its integrity check during rotation; nothing was changed for it", err)
		}
		out, err := keys.SealWith(target, ad, plain)
		clear(plain)
		return out, err
	}
	err = p.db.Reseal(ctx, cols, target, reseal, func(done int) {
		if progress != nil {
			progress(done, total)
		}
	})
	if err != nil {
		return err
	}
	next, err := cloneHeader(h)
	if err != nil {
		return err
	}
	next.DataKeyVersion, next.RotatingTo = target, 0
	if err := p.db.Tx(ctx, func(tx *sql.Tx) error { return p.saveHeaderTx(ctx, tx, next) }); err != nil {
		return err
	}
	p.mu.Lock()
	*h = *next
	p.mu.Unlock()
	p.record(ctx, audit.Entry{Action: audit.ActionDataKeyRotated, Detail: "to=" + itoa(int(target))})
	return p.db.Checkpoint(ctx)
}
