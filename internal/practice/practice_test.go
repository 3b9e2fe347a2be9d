package practice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/logging"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

const (
	goodPass  = "correct horse battery staple orchard"
	otherPass = "quiet lanterns drift over monsoon hills"
)

// memKeychain is an in-process keychain; it can forget everything (a new
// computer) or fail (no Secret Service).
type memKeychain struct {
	mu    sync.Mutex
	items map[string][]byte
	fail  error
}

func newMemKeychain() *memKeychain { return &memKeychain{items: map[string][]byte{}} }

func (k *memKeychain) Get(account string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return nil, k.fail
	}
	v, ok := k.items[account]
	if !ok {
		return nil, vault.ErrKeychainItemMissing
	}
	return append([]byte(nil), v...), nil
}

func (k *memKeychain) Set(account string, secret []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	k.items[account] = append([]byte(nil), secret...)
	return nil
}

func (k *memKeychain) Delete(account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	delete(k.items, account)
	return nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	dir   string
	kc    *memKeychain
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return &fixture{
		dir:   filepath.Join(t.TempDir(), "profile"),
		kc:    newMemKeychain(),
		clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
	}
}

func (f *fixture) open(t *testing.T) *Practice {
	t.Helper()
	p, err := Open(context.Background(), Options{
		DataDir:  f.dir,
		Keychain: f.kc,
		Now:      f.clock.Now,
		KDF:      vault.MinimumKDF,
		Sleep:    func(time.Duration) {},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustCreate(t *testing.T, p *Practice, passphraseOnly bool) CreateResult {
	t.Helper()
	res, err := p.Create(context.Background(), []byte(goodPass), passphraseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if res.RecoveryCode == "" || !bytes.HasPrefix(res.RecoveryKit, []byte("%PDF")) {
		t.Fatalf("create returned no recovery code or kit")
	}
	return res
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("error %v has code %q, want %q", err, apperr.CodeOf(err), code)
	}
}

func TestCreateLockUnlock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	if s := p.Status(ctx); s.Initialized {
		t.Fatal("new profile reports a vault")
	}
	mustCreate(t, p, false)
	if _, err := p.Keys(); err != nil {
		t.Fatal("vault not unlocked after create")
	}
	p.Lock(ctx, "user")
	if _, err := p.Keys(); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("Keys after lock = %v", err)
	}
	wantCode(t, p.Unlock(ctx, []byte("not the passphrase at all")), apperr.Locked)
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	// A second process (the CLI) opens the same profile.
	p.Close()
	p2 := f.open(t)
	if s := p2.Status(ctx); !s.Initialized || !s.Locked {
		t.Fatalf("reopened status %+v", s)
	}
	if err := p2.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	waitIndexBuild(p2)
	n, err := p2.AuditVerify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := p2.AuditList(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []audit.Action
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Action == audit.ActionView {
			continue // the search index build at each unlock lists clients
		}
		actions = append(actions, entries[i].Action)
	}
	want := []audit.Action{audit.ActionVaultCreated, audit.ActionUnlock, audit.ActionLock,
		audit.ActionUnlockFailed, audit.ActionUnlock, audit.ActionLock, audit.ActionUnlock}
	if fmt.Sprint(actions) != fmt.Sprint(want) || n != int64(len(entries)) {
		t.Fatalf("audit trail %v (verified %d), want %v", actions, n, want)
	}
}

func TestWeakPassphraseRefused(t *testing.T) {
	f := newFixture(t)
	p := f.open(t)
	_, err := p.Create(context.Background(), []byte("password123"), false)
	wantCode(t, err, apperr.Invalid)
	if p.Status(context.Background()).Initialized {
		t.Fatal("a weak passphrase created a vault")
	}
}

func TestMissingKeychainItemPointsToRecovery(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	res := mustCreate(t, p, false)
	p.Lock(ctx, "user")
	f.kc.items = map[string][]byte{} // a new computer, or a reset keychain
	err := p.Unlock(ctx, []byte(goodPass))
	wantCode(t, err, apperr.Locked)
	if !errors.Is(err, vault.ErrKeychainItemMissing) {
		t.Fatalf("Unlock = %v, want the missing-item cause", err)
	}
	// Recovery after the lost keychain: the kit unlocks and re-enrols.
	next, err := p.Recover(ctx, res.RecoveryCode, []byte(otherPass), false)
	if err != nil {
		t.Fatal(err)
	}
	if next.RecoveryCode == res.RecoveryCode {
		t.Fatal("recovery did not replace the recovery code")
	}
	p.Lock(ctx, "user")
	if err := p.Unlock(ctx, []byte(otherPass)); err != nil {
		t.Fatalf("unlock with the new passphrase after recovery: %v", err)
	}
	p.Lock(ctx, "user")
	if _, err := p.Recover(ctx, res.RecoveryCode, []byte(goodPass), false); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("the old recovery code still works: %v", err)
	}
}

func TestRecoveryAfterForgottenPassphrase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	res := mustCreate(t, p, false)
	p.Lock(ctx, "user")
	if _, err := p.Recover(ctx, "0000-0000-0000-0000-0000-0000-0000", []byte(otherPass), false); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("a wrong code recovered: %v", err)
	}
	if _, err := p.Recover(ctx, res.RecoveryCode, []byte(otherPass), false); err != nil {
		t.Fatal(err)
	}
	p.Lock(ctx, "user")
	wantCode(t, p.Unlock(ctx, []byte(goodPass)), apperr.Locked)
	if err := p.Unlock(ctx, []byte(otherPass)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AuditVerify(ctx); err != nil {
		t.Fatalf("audit trail after recovery: %v", err)
	}
}

func TestNoKeychainPassphraseOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.kc.fail = vault.ErrKeychainUnavailable
	p := f.open(t)
	s := p.Status(ctx)
	if s.KeychainAvailable || s.KeychainProblem == "" {
		t.Fatalf("status does not explain the missing keychain: %+v", s)
	}
	_, err := p.Create(ctx, []byte(goodPass), false)
	wantCode(t, err, apperr.Invalid)
	mustCreate(t, p, true)
	p.Lock(ctx, "user")
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	if len(f.kc.items) != 0 {
		t.Fatal("passphrase-only vault wrote to the keychain")
	}
}

func TestFailedUnlockDelayGrows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	p.Lock(ctx, "user")
	for i := 0; i < 3; i++ {
		wantCode(t, p.Unlock(ctx, []byte("wrong wrong wrong wrong")), apperr.Locked)
	}
	d := p.Status(ctx).UnlockDelay
	if d <= 0 {
		t.Fatal("no delay after three failures")
	}
	// Even the right passphrase waits out the delay.
	if err := p.Unlock(ctx, []byte(goodPass)); err == nil {
		t.Fatal("unlock accepted during the delay")
	}
	f.clock.Advance(d)
	wantCode(t, p.Unlock(ctx, []byte("wrong wrong wrong wrong")), apperr.Locked)
	if d2 := p.Status(ctx).UnlockDelay; d2 <= d {
		t.Fatalf("delay did not grow: %v then %v", d, d2)
	}
	f.clock.Advance(time.Hour)
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	if p.Status(ctx).UnlockDelay != 0 {
		t.Fatal("delay not cleared by a successful unlock")
	}
	// Failures while locked were chained into the keyed trail at unlock.
	entries, _, err := p.AuditList(ctx, audit.Filter{Action: audit.ActionUnlockFailed})
	if err != nil || len(entries) != 4 {
		t.Fatalf("failed unlocks audited: %d, %v", len(entries), err)
	}
}

func TestChangePassphraseAndNewRecoveryCode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	res := mustCreate(t, p, false)
	wantCode(t, p.ChangePassphrase(ctx, []byte("wrong wrong wrong wrong"), []byte(otherPass)), apperr.Locked)
	wantCode(t, p.ChangePassphrase(ctx, []byte(goodPass), []byte("short")), apperr.Invalid)
	if err := p.ChangePassphrase(ctx, []byte(goodPass), []byte(otherPass)); err != nil {
		t.Fatal(err)
	}
	next, err := p.NewRecoveryCode(ctx, []byte(otherPass))
	if err != nil {
		t.Fatal(err)
	}
	p.Lock(ctx, "user")
	wantCode(t, p.Unlock(ctx, []byte(goodPass)), apperr.Locked)
	if _, err := p.Recover(ctx, res.RecoveryCode, []byte(goodPass), false); err == nil {
		t.Fatal("the replaced recovery code still works")
	}
	f.clock.Advance(time.Hour)
	if _, err := p.Recover(ctx, next.RecoveryCode, []byte(goodPass), false); err != nil {
		t.Fatal(err)
	}
}

func TestAutoLockAfterIdle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	locked := make(chan string, 1)
	p, err := Open(ctx, Options{DataDir: f.dir, Keychain: f.kc, Now: f.clock.Now, KDF: vault.MinimumKDF,
		OnLock: func(reason string) { locked <- reason }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	mustCreate(t, p, false)
	if err := p.SetAutoLock(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(4 * time.Minute)
	p.Touch()
	f.clock.Advance(4 * time.Minute)
	if p.CheckIdle(ctx) {
		t.Fatal("locked although there was activity 4 minutes ago")
	}
	f.clock.Advance(time.Minute)
	if !p.CheckIdle(ctx) {
		t.Fatal("did not lock after 5 idle minutes")
	}
	if r := <-locked; r != "idle" {
		t.Fatalf("lock reason %q", r)
	}
	wantCode(t, p.SetAutoLock(0), apperr.Invalid)
}

// TestRotationInterruptedAndResumed re-seals a table of sealed rows, stops
// half way (as a crash would), reopens and finishes.
func TestRotationInterruptedAndResumed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	cols := []store.SealedColumn{{Table: "rotation_fixture", Column: "body"}}
	db := p.DB().SQL()
	if _, err := db.Exec(`CREATE TABLE rotation_fixture (id TEXT PRIMARY KEY, rev INTEGER NOT NULL, body BLOB)`); err != nil {
		t.Fatal(err)
	}
	keys, _ := p.Keys()
	const rows = 1000
	for i := 0; i < rows; i++ {
		id := fmt.Sprintf("row-%04d", i)
		env, err := keys.Seal(vault.AD{Table: "rotation_fixture", Column: "body", RowID: id, Revision: 1}, []byte("text "+id))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO rotation_fixture VALUES (?, 1, ?)`, id, env); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	err := p.rotate(cctx, cols, func(done, total int) {
		if done >= 400 {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("rotation ran to the end despite the interruption")
	}
	left, _ := p.DB().CountNotAtKeyVersion(ctx, cols, 2)
	if left == 0 || left == rows {
		t.Fatalf("%d rows left after interruption; want a partial rotation", left)
	}
	p.Close()

	p = f.open(t)
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	if p.header.RotatingTo != 2 {
		t.Fatalf("header does not remember the rotation in progress: %+v", p.header.RotatingTo)
	}
	var last int
	if err := p.rotate(ctx, cols, func(done, total int) { last = total }); err != nil {
		t.Fatal(err)
	}
	if last != left {
		t.Fatalf("resumed rotation counted %d rows, want the %d left", last, left)
	}
	keys, _ = p.Keys()
	rs, err := p.DB().SQL().Query(`SELECT id, body FROM rotation_fixture`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	n := 0
	for rs.Next() {
		var id string
		var env []byte
		if err := rs.Scan(&id, &env); err != nil {
			t.Fatal(err)
		}
		if v, _ := vault.EnvelopeKeyVersion(env); v != 2 {
			t.Fatalf("row %s still at key version %d", id, v)
		}
		plain, err := keys.Open(vault.AD{Table: "rotation_fixture", Column: "body", RowID: id, Revision: 1}, env)
		if err != nil || string(plain) != "text "+id {
			t.Fatalf("row %s after rotation: %q, %v", id, plain, err)
		}
		n++
	}
	if n != rows || p.header.DataKeyVersion != 2 || p.header.RotatingTo != 0 {
		t.Fatalf("rows %d, header %d/%d", n, p.header.DataKeyVersion, p.header.RotatingTo)
	}
}

// TestNoPlaintextOnDisk writes sealed data containing a unique marker, locks,
// closes, and scans every file in the data directory.
func TestNoPlaintextOnDisk(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	marker := "LEAKMARKER-7f3a9c-आशा"
	keys, _ := p.Keys()
	db := p.DB().SQL()
	db.Exec(`CREATE TABLE leak_fixture (id TEXT PRIMARY KEY, rev INTEGER NOT NULL, body BLOB)`)
	for i := 0; i < 50; i++ {
		id := fmt.Sprint(i)
		env, _ := keys.Seal(vault.AD{Table: "leak_fixture", Column: "body", RowID: id, Revision: 1}, []byte(marker+" note "+id))
		if _, err := db.Exec(`INSERT INTO leak_fixture VALUES (?, 1, ?)`, id, env); err != nil {
			t.Fatal(err)
		}
	}
	p.Logger().Info("saved", "body", marker)
	for _, extra := range LeakProbes {
		extra(t, p, marker)
	}
	p.Lock(ctx, "user")
	p.Close()
	AssertNoMarker(t, f.dir, marker)
}

// LeakProbes lets the services of later issues write their own records with
// the marker into the leak test (each file adds one in an init function).
var LeakProbes []func(t *testing.T, p *Practice, marker string)

// AssertNoMarker fails if marker (or its UTF-16 form) appears in any file
// under dir.
func AssertNoMarker(t *testing.T, dir, marker string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s contains the plaintext marker", filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("scanned only %d files: the test is not looking at the data directory", files)
	}
	if _, err := os.Stat(filepath.Join(dir, logging.FileName)); err != nil {
		t.Fatal("no log file to scan")
	}
}

// waitIndexBuild waits for the background search-index build started at
// unlock, whose listing adds an audit entry.
func waitIndexBuild(p *Practice) {
	s := p.searchIndex()
	s.mu.Lock()
	ready := s.ready
	s.mu.Unlock()
	<-ready
}
