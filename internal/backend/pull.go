package backend

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/calmally/practice/internal/sync/wire"
)

// A cursor is a position in the global change sequence: seq is the last
// change the app has, prev the position the page that produced it started
// after (the duplicated-pages fault re-sends (prev, seq]). On the wire it is
// base64url of "v1.<seq>.<prev>", opaque to the app.
//
// Paging by sequence is gap-free because every write is serialised and
// commits in sequence order: no change can later appear below a cursor
// already handed out.
type cursor struct{ seq, prev int64 }

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1." + strconv.FormatInt(c.seq, 10) + "." + strconv.FormatInt(c.prev, 10)))
}

// parseCursor reads a cursor this backend made; last is the highest
// sequence number that exists (a cursor beyond it is not ours).
func parseCursor(s string, last int64) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	bad := invalid("cursor is not one this backend made")
	if len(s) > wire.MaxCursorLen {
		return cursor{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return cursor{}, bad
	}
	var n [2]int64
	for i, p := range parts[1:] {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || strconv.FormatInt(v, 10) != p {
			return cursor{}, bad
		}
		n[i] = v
	}
	c := cursor{seq: n[0], prev: n[1]}
	// Only the exact form we make: the base64 decoder skips line breaks.
	if c.prev < 0 || c.prev > c.seq || c.seq > last || c.String() != s {
		return cursor{}, bad
	}
	return c, nil
}

// pageChange is a wire.Change whose data stays raw JSON from the database
// (a page of 1000 bookings is not decoded only to be encoded again). Its
// JSON is wire.Change's (TestPageChangeIsWireChange).
type pageChange struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Version int64           `json:"version"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
	seq     int64
}

type page struct {
	Changes []pageChange `json:"changes"`
	Cursor  string       `json:"cursor"`
	More    bool         `json:"more"`
}

// checkLimit applies the protocol's page size: 0 means the default.
func checkLimit(limit int) (int, error) {
	if limit == 0 {
		return wire.DefaultPageSize, nil
	}
	if limit < 1 || limit > wire.MaxPageChanges {
		return 0, invalid("limit must be 1 to 1000")
	}
	return limit, nil
}

// pull builds the page after cursor s for a device's therapist: each
// entity changed after it, once, in its latest state, in sequence order.
func (b *Backend) pull(ctx context.Context, dev Device, s string, limit int) (page, error) {
	limit, err := checkLimit(limit)
	if err != nil {
		return page{}, err
	}
	var last int64
	if err := b.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM changes").Scan(&last); err != nil {
		return page{}, fmt.Errorf("backend: read change sequence: %w", err)
	}
	cur, err := parseCursor(s, last)
	if err != nil {
		return page{}, err
	}
	duplicate := b.faults.takeDuplicate()
	fresh := limit
	if duplicate {
		fresh = (limit + 1) / 2
	}
	changes, err := b.changesAfter(ctx, dev.TherapistID, cur.seq, -1, fresh+1)
	if err != nil {
		return page{}, err
	}
	more := len(changes) > fresh
	if more {
		changes = changes[:fresh]
	}
	next := cur
	if len(changes) > 0 {
		next = cursor{seq: changes[len(changes)-1].seq, prev: cur.seq}
	}
	if duplicate && cur.seq > cur.prev {
		again, err := b.changesAfter(ctx, dev.TherapistID, cur.prev, cur.seq, limit-len(changes))
		if err != nil {
			return page{}, err
		}
		changes = append(again, changes...)
	}
	if b.faults.takeReverse() {
		slices.Reverse(changes)
	}
	return page{Changes: changes, Cursor: next.String(), More: more}, nil
}

// changesAfter lists up to n entities whose last change is after seq (and
// at or before upTo, unless upTo < 0), in sequence order.
func (b *Backend) changesAfter(ctx context.Context, therapist string, seq, upTo int64, n int) ([]pageChange, error) {
	out := make([]pageChange, 0, min(n, 64))
	if n <= 0 {
		return out, nil
	}
	q := "SELECT type, id, version, deleted, data, seq FROM entities WHERE therapist_id = ? AND seq > ?"
	args := []any{therapist, seq}
	if upTo >= 0 {
		q += " AND seq <= ?"
		args = append(args, upTo)
	}
	q += " ORDER BY seq LIMIT ?"
	rows, err := b.db.QueryContext(ctx, q, append(args, n)...)
	if err != nil {
		return nil, fmt.Errorf("backend: read changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c pageChange
		var data sql.NullString
		if err := rows.Scan(&c.Type, &c.ID, &c.Version, &c.Deleted, &data, &c.seq); err != nil {
			return nil, fmt.Errorf("backend: read changes: %w", err)
		}
		if data.Valid && !c.Deleted {
			c.Data = json.RawMessage(data.String)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Pull answers GET /v1/pull for an authenticated device, as the wire type
// (the HTTP handler writes the same page without decoding the data).
// Pull-page faults (duplicated, reversed pages) apply here too.
func (b *Backend) Pull(ctx context.Context, dev Device, cursor string, limit int) (wire.PullResponse, error) {
	p, err := b.pull(ctx, dev, cursor, limit)
	if err != nil {
		return wire.PullResponse{}, err
	}
	out := wire.PullResponse{Changes: make([]wire.Change, 0, len(p.Changes)), Cursor: p.Cursor, More: p.More}
	for _, c := range p.Changes {
		wc := wire.Change{Type: c.Type, ID: c.ID, Version: c.Version, Deleted: c.Deleted}
		if c.Data != nil {
			if err := json.Unmarshal(c.Data, &wc.Data); err != nil {
				return wire.PullResponse{}, fmt.Errorf("backend: decode stored %s: %w", c.Type, err)
			}
		}
		out.Changes = append(out.Changes, wc)
	}
	return out, nil
}
