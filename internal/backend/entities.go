package backend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// entity is the stored latest state of one pulled entity.
type entity struct {
	Therapist string
	Version   int64
	Deleted   bool
	Data      []byte // JSON; nil for a tombstone
}

// EntityState is an entity as the backend holds it now (for tests and the
// admin API): Data is nil for a tombstone.
type EntityState struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Version int64           `json:"version"`
	Deleted bool            `json:"deleted"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// errNoEntity: the entity does not exist (or belongs to another therapist).
var errNoEntity = errors.New("backend: no such entity")

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadEntity(ctx context.Context, q querier, therapist, typ, id string) (entity, error) {
	var e entity
	var data sql.NullString
	err := q.QueryRowContext(ctx, "SELECT therapist_id, version, deleted, data FROM entities WHERE type = ? AND id = ?",
		typ, id).Scan(&e.Therapist, &e.Version, &e.Deleted, &data)
	if errors.Is(err, sql.ErrNoRows) || err == nil && e.Therapist != therapist {
		return entity{}, errNoEntity
	}
	if err != nil {
		return entity{}, fmt.Errorf("backend: read %s: %w", typ, err)
	}
	if data.Valid {
		e.Data = []byte(data.String)
	}
	return e, nil
}

// loadLive reads an entity that must exist and not be a tombstone, decoding
// its data into v.
func loadLive(ctx context.Context, q querier, therapist, typ, id string, v any) (entity, error) {
	e, err := loadEntity(ctx, q, therapist, typ, id)
	if err != nil {
		return entity{}, err
	}
	if e.Deleted {
		return e, errNoEntity
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return entity{}, fmt.Errorf("backend: decode stored %s: %w", typ, err)
	}
	return e, nil
}

// putEntity stores a new state of an entity (data nil = tombstone): its
// version goes up by one and it takes the next number of the change
// sequence. It returns the new version.
func putEntity(ctx context.Context, tx *sql.Tx, now time.Time, therapist, typ, id string, data any) (int64, error) {
	var payload sql.NullString
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return 0, fmt.Errorf("backend: encode %s: %w", typ, err)
		}
		payload = sql.NullString{String: string(b), Valid: true}
	}
	version := int64(1)
	prev, err := loadEntity(ctx, tx, therapist, typ, id)
	switch {
	case err == nil:
		version = prev.Version + 1
	case errors.Is(err, errNoEntity):
		var other int
		if tx.QueryRowContext(ctx, "SELECT 1 FROM entities WHERE type = ? AND id = ?", typ, id).Scan(&other) == nil {
			return 0, fmt.Errorf("backend: %s id belongs to another therapist", typ)
		}
	default:
		return 0, err
	}
	deleted := !payload.Valid
	res, err := tx.ExecContext(ctx, "INSERT INTO changes(therapist_id, type, id, version, deleted, at) VALUES(?, ?, ?, ?, ?, ?)",
		therapist, typ, id, version, deleted, ts(now))
	if err != nil {
		return 0, fmt.Errorf("backend: append change: %w", err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("backend: append change: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO entities(type, id, therapist_id, version, deleted, data, seq) VALUES(?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(type, id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted, data = excluded.data, seq = excluded.seq`,
		typ, id, therapist, version, deleted, payload, seq)
	if err != nil {
		return 0, fmt.Errorf("backend: store %s: %w", typ, err)
	}
	return version, nil
}

// Entity returns an entity's current state as the backend holds it.
func (b *Backend) Entity(ctx context.Context, typ, id string) (EntityState, error) {
	e, err := loadEntity(ctx, b.db, b.therapist, typ, id)
	if err != nil {
		return EntityState{}, err
	}
	return EntityState{Type: typ, ID: id, Version: e.Version, Deleted: e.Deleted, Data: e.Data}, nil
}

// IsNotFound reports whether err says an entity, device, code or backup
// copy does not exist.
func IsNotFound(err error) bool { return errors.Is(err, errNoEntity) || errors.Is(err, errNoBackup) }
