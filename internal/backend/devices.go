package backend

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"
)

// EnrolmentCodeTTL is how long a one-time enrolment code is valid.
const EnrolmentCodeTTL = 15 * time.Minute

// codeAlphabet has no 0/O or 1/I/L, so a code read aloud is typed right.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// normaliseCode makes "calm-demo " and "CALMDEMO" the same code.
func normaliseCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r != '-' && r != ' ' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IssueEnrolmentCode makes a one-time code for this view's therapist, valid
// for EnrolmentCodeTTL, shown as XXXX-XXXX.
func (b *Backend) IssueEnrolmentCode(ctx context.Context) (code string, expiresAt time.Time, err error) {
	var c [9]byte
	for i := 0; i < len(c); i++ {
		if i == 4 {
			c[i] = '-'
			continue
		}
		c[i] = randomCodeChar()
	}
	code = string(c[:])
	expiresAt = b.now().Add(EnrolmentCodeTTL)
	return code, expiresAt, b.AddEnrolmentCode(ctx, code, EnrolmentCodeTTL)
}

// AddEnrolmentCode registers a chosen one-time code valid for ttl (the demo
// seed's fixed code). Dashes, spaces and case do not matter.
func (b *Backend) AddEnrolmentCode(ctx context.Context, code string, ttl time.Duration) error {
	n := normaliseCode(code)
	if n == "" || len(n) > wire.MaxCodeLen || ttl <= 0 {
		return errors.New("backend: add enrolment code: a code of 1 to 64 characters and a positive validity are required")
	}
	return b.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO enrolment_codes(code, therapist_id, expires_at) VALUES(?, ?, ?)
			ON CONFLICT(code) DO UPDATE SET therapist_id = excluded.therapist_id, expires_at = excluded.expires_at, used_at = NULL`,
			n, b.therapist, ts(b.now().Add(ttl)))
		if err != nil {
			return fmt.Errorf("backend: add enrolment code: %w", err)
		}
		return nil
	})
}

// randomCodeChar draws uniformly from codeAlphabet (rejection sampling: no
// letter is likelier than another).
func randomCodeChar() byte {
	limit := 256 - 256%len(codeAlphabet)
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < limit {
			return codeAlphabet[int(b[0])%len(codeAlphabet)]
		}
	}
}

// Device is an enrolled device as the backend knows it (never its token).
type Device struct {
	ID             string     `json:"id"`
	TherapistID    string     `json:"therapistId"`
	Name           string     `json:"name"`
	CreatedAt      time.Time  `json:"createdAt"`
	RevokedAt      *time.Time `json:"revokedAt,omitempty"`
	LastMutationID int64      `json:"lastMutationId"`
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Enrol trades a one-time code for a new device and its token. A code that
// is unknown, used or expired is refused (403 bad_enrolment).
func (b *Backend) Enrol(ctx context.Context, req wire.EnrolRequest) (wire.EnrolResponse, error) {
	now := b.now()
	token := randomToken()
	var out wire.EnrolResponse
	err := b.write(ctx, func(tx *sql.Tx) error {
		var therapist, expires string
		var used sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT therapist_id, expires_at, used_at FROM enrolment_codes WHERE code = ?",
			normaliseCode(req.EnrolmentCode)).Scan(&therapist, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadEnrolment
		}
		if err != nil {
			return fmt.Errorf("backend: read enrolment code: %w", err)
		}
		exp, err := parseTS(expires)
		if err != nil {
			return fmt.Errorf("backend: read enrolment code: %w", err)
		}
		if used.Valid || !now.Before(exp) {
			return errBadEnrolment
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enrolment_codes SET used_at = ? WHERE code = ?", ts(now), normaliseCode(req.EnrolmentCode)); err != nil {
			return fmt.Errorf("backend: use enrolment code: %w", err)
		}
		device := ids.New(now)
		if _, err := tx.ExecContext(ctx, "INSERT INTO devices(id, therapist_id, name, token_sha256, created_at) VALUES(?, ?, ?, ?, ?)",
			device, therapist, req.DeviceName, hashToken(token), ts(now)); err != nil {
			return fmt.Errorf("backend: add device: %w", err)
		}
		out = wire.EnrolResponse{DeviceID: device, TherapistID: therapist, Token: token}
		return nil
	})
	return out, err
}

// Authenticate finds the device of a bearer token: unknown → 401
// unauthorized, revoked → 401 token_revoked.
func (b *Backend) Authenticate(ctx context.Context, token string) (Device, error) {
	if token == "" {
		return Device{}, errUnauthorized
	}
	d, err := scanDevice(b.db.QueryRowContext(ctx, deviceColumns+" WHERE token_sha256 = ?", hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, errUnauthorized
	}
	if err != nil {
		return Device{}, err
	}
	if d.RevokedAt != nil {
		return Device{}, errRevoked
	}
	return d, nil
}

const deviceColumns = "SELECT id, therapist_id, name, created_at, revoked_at, last_mutation_id FROM devices"

type scanner interface{ Scan(dest ...any) error }

func scanDevice(row scanner) (Device, error) {
	var d Device
	var created string
	var revoked sql.NullString
	if err := row.Scan(&d.ID, &d.TherapistID, &d.Name, &created, &revoked, &d.LastMutationID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Device{}, err
		}
		return Device{}, fmt.Errorf("backend: read device: %w", err)
	}
	var err error
	if d.CreatedAt, err = parseTS(created); err != nil {
		return Device{}, fmt.Errorf("backend: read device: %w", err)
	}
	if revoked.Valid {
		t, err := parseTS(revoked.String)
		if err != nil {
			return Device{}, fmt.Errorf("backend: read device: %w", err)
		}
		d.RevokedAt = &t
	}
	return d, nil
}

// RevokeDevice revokes a device's token (DELETE /v1/devices/self, or the
// therapist on the web). Revoking twice is not an error; an unknown device is.
func (b *Backend) RevokeDevice(ctx context.Context, deviceID string) error {
	return b.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", ts(b.now()), deviceID)
		if err != nil {
			return fmt.Errorf("backend: revoke device: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoEntity
		}
		return nil
	})
}

// Devices lists every device of this view's therapist, oldest first.
func (b *Backend) Devices(ctx context.Context) ([]Device, error) {
	rows, err := b.db.QueryContext(ctx, deviceColumns+" WHERE therapist_id = ? ORDER BY created_at, id", b.therapist)
	if err != nil {
		return nil, fmt.Errorf("backend: list devices: %w", err)
	}
	defer rows.Close()
	out := []Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
