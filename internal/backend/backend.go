package backend

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// Options configure a backend. The zero value is a usable in-memory backend
// in region IN on the real clock.
type Options struct {
	// DBPath is the SQLite file; "" keeps everything in memory.
	DBPath string
	// Region is what /v1/info declares (ISO 3166-1 alpha-2); default "IN".
	Region string
	// Now is the clock of every business rule (code expiry, deadlines,
	// serverTime); default time.Now. TLS certificates use the real clock:
	// the client checks them against its own.
	Now func() time.Time
	// Name is info.name; default "CalmAlly reference backend".
	Name string
	// MinProtocol is info.minProtocol and the lowest CalmAlly-Protocol
	// accepted (426 below it); default wire.Protocol. Raise it to test
	// "update the app".
	MinProtocol int
	// TherapistName names the therapist created with a new database;
	// default "Dr Kavya Menon" (fictitious).
	TherapistName string
	// AdminToken is the secret /admin/ requires; default: 32 random bytes.
	AdminToken string
	// Log receives one line per request (method, path, status, time —
	// never bodies or tokens) and unexpected errors; default: discarded.
	Log *slog.Logger
	// BackupDir holds the backup copies (backups.go); default: DBPath +
	// ".backups" beside a database file, or a temporary folder removed by
	// Close for an in-memory backend.
	BackupDir string
}

// Backend is one running reference platform. Its methods are safe for
// concurrent use; the HTTP handlers call the same methods tests do.
type Backend struct {
	*shared
	therapist string // whose data the platform methods act on (ForTherapist)
}

// shared is what every therapist-scoped view of one backend has in common.
type shared struct {
	db          *sql.DB
	now         func() time.Time
	region      string
	name        string
	minProtocol int
	adminToken  string
	faults      *Faults
	log         *slog.Logger
	// writeMu serialises write transactions: SQLite has one writer anyway,
	// and an in-memory database has a single connection.
	writeMu  sync.Mutex
	closeErr error
	closed   sync.Once
	// backupDir holds the backup copies; removeBackupDir: it is a
	// temporary folder of an in-memory backend, removed at Close.
	backupDir       string
	removeBackupDir bool
}

const defaultTherapistName = "Dr Kavya Menon"

// Open opens (creating if needed) the backend's database and makes sure it
// has a therapist: the one the platform methods act on by default.
func Open(ctx context.Context, opts Options) (*Backend, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Region == "" {
		opts.Region = wire.RegionIndia
	}
	if len(opts.Region) != 2 || strings.ToUpper(opts.Region) != opts.Region {
		return nil, errors.New("backend: region must be an ISO 3166-1 alpha-2 code in capitals")
	}
	if opts.Name == "" {
		opts.Name = "CalmAlly reference backend"
	}
	if opts.MinProtocol == 0 {
		opts.MinProtocol = wire.Protocol
	}
	if opts.MinProtocol < 1 {
		return nil, errors.New("backend: MinProtocol must be 1 or more")
	}
	if opts.TherapistName == "" {
		opts.TherapistName = defaultTherapistName
	}
	if opts.AdminToken == "" {
		opts.AdminToken = randomToken()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	backupDir, temporary, err := openBackupDir(opts)
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, opts.DBPath)
	if err != nil {
		if temporary {
			os.RemoveAll(backupDir)
		}
		return nil, err
	}
	s := &shared{db: db, now: func() time.Time { return opts.Now().UTC() }, region: opts.Region,
		name: opts.Name, minProtocol: opts.MinProtocol, adminToken: opts.AdminToken, faults: &Faults{}, log: opts.Log,
		backupDir: backupDir, removeBackupDir: temporary}
	therapist, err := s.firstTherapist(ctx, opts.TherapistName)
	if err != nil {
		s.close()
		return nil, err
	}
	return &Backend{shared: s, therapist: therapist}, nil
}

func openDB(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	if path == "" {
		dsn = "file::memory:?" + q.Encode()
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("backend: open database: %w", err)
	}
	// One connection: ":memory:" is per connection, and SQLite has one writer.
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("backend: open database: %w", err)
	}
	switch version {
	case schemaVersion:
	case 0:
		if _, err := db.ExecContext(ctx, schema+fmt.Sprintf("PRAGMA user_version = %d;", schemaVersion)); err != nil {
			db.Close()
			return nil, fmt.Errorf("backend: create schema: %w", err)
		}
	case 1:
		if _, err := db.ExecContext(ctx, schemaV2+fmt.Sprintf("PRAGMA user_version = %d;", schemaVersion)); err != nil {
			db.Close()
			return nil, fmt.Errorf("backend: add backup copies: %w", err)
		}
	default:
		db.Close()
		return nil, fmt.Errorf("backend: database schema %d is not this backend's (%d): use a new file", version, schemaVersion)
	}
	return db, nil
}

// firstTherapist returns the oldest therapist, creating one in a new database.
func (s *shared) firstTherapist(ctx context.Context, name string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, "SELECT id FROM therapists ORDER BY created_at, id LIMIT 1").Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("backend: read therapists: %w", err)
	}
	return s.addTherapist(ctx, name)
}

func (s *shared) addTherapist(ctx context.Context, name string) (string, error) {
	now := s.now()
	id := ids.New(now)
	if _, err := s.db.ExecContext(ctx, "INSERT INTO therapists(id, name, created_at) VALUES(?, ?, ?)", id, name, ts(now)); err != nil {
		return "", fmt.Errorf("backend: add therapist: %w", err)
	}
	return id, nil
}

// AddTherapist creates another therapist (another CalmAlly account) and
// returns its id; ForTherapist(id) acts on its data.
func (b *Backend) AddTherapist(ctx context.Context, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errors.New("backend: add therapist: name is required")
	}
	return b.addTherapist(ctx, name)
}

// ForTherapist returns a view of the same backend whose platform methods
// (codes, bookings, matches, ...) act on another therapist's data.
func (b *Backend) ForTherapist(id string) *Backend { return &Backend{shared: b.shared, therapist: id} }

// TherapistID is the therapist this view acts on.
func (b *Backend) TherapistID() string { return b.therapist }

// Region is what /v1/info declares.
func (b *Backend) Region() string { return b.region }

// AdminToken is the bearer token /admin/ requires.
func (b *Backend) AdminToken() string { return b.adminToken }

// Faults is the backend's fault injector (shared by every view).
func (b *Backend) Faults() *Faults { return b.faults }

// Now is the backend's clock, in UTC.
func (b *Backend) Now() time.Time { return b.now() }

// Close closes the database (and removes the temporary backup folder of an
// in-memory backend). Serve no request after it.
func (b *Backend) Close() error { return b.close() }

func (s *shared) close() error {
	s.closed.Do(func() {
		s.closeErr = s.db.Close()
		if s.removeBackupDir {
			if err := os.RemoveAll(s.backupDir); s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}

// openBackupDir makes the folder of the backup copies and reports whether
// it is a temporary one (an in-memory backend's).
func openBackupDir(opts Options) (dir string, temporary bool, err error) {
	dir = opts.BackupDir
	switch {
	case dir == "" && opts.DBPath == "":
		if dir, err = os.MkdirTemp("", "calmally-backend-backups-"); err != nil {
			return "", false, fmt.Errorf("backend: backup folder: %w", err)
		}
		return dir, true, nil
	case dir == "":
		dir = opts.DBPath + ".backups"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("backend: backup folder: %w", err)
	}
	return dir, false, nil
}

// Info is what GET /v1/info answers.
func (b *Backend) Info() wire.Info {
	return wire.Info{Name: b.name, Protocol: b.protocol(), MinProtocol: b.minProtocol,
		Region: b.region, ServerTime: b.now()}
}

// protocol is the newest version this backend claims: its own, or the
// minimum when a test raised it (a server never serves below its minimum).
func (s *shared) protocol() int { return max(wire.Protocol, s.minProtocol) }

// write runs fn in one immediate transaction, serialised with every other
// write of this backend.
func (s *shared) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("backend: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("backend: commit: %w", err)
	}
	return nil
}

// ts formats a time the way every column stores it.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTS(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

// randomToken is 32 random bytes, URL-safe base64 without padding (43
// characters of a bearer token).
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
