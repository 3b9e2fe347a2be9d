package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
)

// SealedColumn names a column that holds vault envelopes. Every table with a
// sealed column has a TEXT primary key `id` and an INTEGER `rev` (the row
// revision bound into each envelope's associated data).
type SealedColumn struct {
	Table, Column string
}

// sealedColumns lists every sealed column in the schema. An aggregate's file
// appends its own in an init function, beside the SQL that writes them, so
// that rotating the data key cannot forget a column (TestEverySealedColumnIsListed
// cross-checks the schema).
var sealedColumns []SealedColumn

func registerSealed(cols ...SealedColumn) { sealedColumns = append(sealedColumns, cols...) }

// SealedColumns returns every sealed column in the schema.
func SealedColumns() []SealedColumn { return append([]SealedColumn(nil), sealedColumns...) }

// ResealFunc opens an envelope and seals it again under the target key, with
// the same associated data (row id and revision do not change).
type ResealFunc func(col SealedColumn, rowID string, rev int64, envelope []byte) ([]byte, error)

// keyVersionBytes is how the key version appears in an envelope: bytes 2–5
// (1-based, as SQLite's substr counts), big-endian, after the format byte.
func keyVersionBytes(v uint32) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, v)
	return b
}

// CountNotAtKeyVersion counts envelopes in cols not yet sealed under version v.
func (db *DB) CountNotAtKeyVersion(ctx context.Context, cols []SealedColumn, v uint32) (int, error) {
	total := 0
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT COUNT(*) FROM %q WHERE %q IS NOT NULL AND substr(%q, 2, 4) <> ?`, c.Table, c.Column, c.Column)
		if err := db.sql.QueryRowContext(ctx, q, keyVersionBytes(v)).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: count envelopes to re-seal: %w", err)
		}
		total += n
	}
	return total, nil
}

// Reseal re-seals, in small transactions, every envelope in cols that is not
// yet under key version v. It is resumable: a crash between batches leaves
// each row either wholly old or wholly new, and the next call carries on from
// what is left. progress is called after each batch with the rows done so far.
func (db *DB) Reseal(ctx context.Context, cols []SealedColumn, v uint32, fn ResealFunc, progress func(done int)) error {
	const batch = 200
	done := 0
	for _, c := range cols {
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, err := db.resealBatch(ctx, c, v, batch, fn)
			if err != nil {
				return err
			}
			done += n
			if progress != nil && n > 0 {
				progress(done)
			}
			if n < batch {
				break
			}
		}
	}
	return nil
}

func (db *DB) resealBatch(ctx context.Context, c SealedColumn, v uint32, limit int, fn ResealFunc) (int, error) {
	n := 0
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		q := fmt.Sprintf(`SELECT id, rev, %q FROM %q WHERE %q IS NOT NULL AND substr(%q, 2, 4) <> ? LIMIT ?`,
			c.Column, c.Table, c.Column, c.Column)
		rows, err := tx.QueryContext(ctx, q, keyVersionBytes(v), limit)
		if err != nil {
			return fmt.Errorf("store: read envelopes to re-seal: %w", err)
		}
		type item struct {
			id  string
			rev int64
			env []byte
		}
		var items []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.id, &it.rev, &it.env); err != nil {
				rows.Close()
				return fmt.Errorf("store: read envelope: %w", err)
			}
			items = append(items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read envelopes: %w", err)
		}
		upd := fmt.Sprintf(`UPDATE %q SET %q = ? WHERE id = ? AND rev = ?`, c.Table, c.Column)
		for _, it := range items {
			env, err := fn(c, it.id, it.rev, it.env)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, upd, env, it.id, it.rev); err != nil {
				return fmt.Errorf("store: write re-sealed envelope: %w", err)
			}
		}
		n = len(items)
		return nil
	})
	return n, err
}
