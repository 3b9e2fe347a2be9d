package practice

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

// Meta keys. The header holds no secret in the clear; the vault id names the
// keychain item, so two profiles on one computer never share a secret.
const (
	metaHeader   = "vault.header"
	metaVaultID  = "vault.id"
	metaFailures = "vault.unlock_failures"
)

func (p *Practice) loadHeader(ctx context.Context) error {
	b, err := p.db.Meta(ctx, metaHeader)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	h, err := vault.ParseHeader(b)
	if err != nil {
		return apperr.Wrap(apperr.Integrity, "the vault header is damaged or from an unknown version", err)
	}
	p.header = h
	return nil
}

func (p *Practice) keychainAccount(ctx context.Context) (string, error) {
	id, err := p.db.Meta(ctx, metaVaultID)
	if err != nil {
		return "", fmt.Errorf("practice: read vault id: %w", err)
	}
	return "vault-" + string(id), nil
}

func (p *Practice) probeKeychain(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 6*time.Second)
	defer cancel()
	return vault.Probe(ctx, p.opts.Keychain)
}

// keychainProblem explains a keychain failure in words a therapist can act on.
func keychainProblem(err error) string {
	switch {
	case errors.Is(err, vault.ErrKeychainItemMissing):
		return "The keychain no longer holds this profile's secret (a new computer or a reset keychain). Use your recovery kit."
	case errors.Is(err, vault.ErrKeychainUnavailable):
		return "No system keychain is available (no Secret Service, or its collection is locked). You can protect this profile with the passphrase alone, which is weaker: anyone who copies the data folder can try to guess the passphrase."
	default:
		return "The system keychain did not answer."
	}
}

func (p *Practice) saveHeaderTx(ctx context.Context, tx *sql.Tx, h *vault.Header) error {
	b, err := h.Marshal()
	if err != nil {
		return err
	}
	return store.SetMetaTx(ctx, tx, metaHeader, b)
}

// CreateResult is returned once, at vault creation or when a new recovery code
// is made: the code is never stored and cannot be shown again.
type CreateResult struct {
	RecoveryCode string
	RecoveryKit  []byte // printable PDF with the code and a QR code
}

// Create makes the vault: a vault key wrapped by the passphrase and the
// keychain secret (or the passphrase alone when passphraseOnly), and by a new
// recovery code. The vault is left unlocked.
func (p *Practice) Create(ctx context.Context, passphrase []byte, passphraseOnly bool) (CreateResult, error) {
	p.mu.Lock()
	exists := p.header != nil
	p.mu.Unlock()
	if exists {
		return CreateResult{}, apperr.New(apperr.Conflict, "this profile already has a vault")
	}
	if err := vault.RequireStrong(string(passphrase), nil); err != nil {
		return CreateResult{}, apperr.Wrap(apperr.Invalid, err.Error(), err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	account := "vault-" + id
	var secret []byte
	if !passphraseOnly {
		if err := p.probeKeychain(ctx); err != nil {
			return CreateResult{}, apperr.Wrap(apperr.Invalid, "the system keychain is not available; choose passphrase-only or start a keychain", err)
		}
		secret = vault.NewKeychainSecret()
		if err := p.opts.Keychain.Set(account, secret); err != nil {
			return CreateResult{}, apperr.Wrap(apperr.Invalid, "could not store the secret in the system keychain", err)
		}
	}
	h, keys, code, err := vault.Create(passphrase, secret, p.opts.KDF())
	if err != nil {
		p.forgetSecret(account, secret)
		return CreateResult{}, err
	}
	err = p.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SetMetaTx(ctx, tx, metaVaultID, []byte(id)); err != nil {
			return err
		}
		return p.saveHeaderTx(ctx, tx, h)
	})
	if err != nil {
		keys.Wipe()
		p.forgetSecret(account, secret)
		return CreateResult{}, err
	}
	kit, err := vault.RecoveryKitPDF(code, p.Now())
	if err != nil {
		p.log.Error("recovery kit pdf failed", "err", err)
	}
	p.setUnlocked(h, keys)
	p.record(ctx, audit.Entry{Action: audit.ActionVaultCreated, Detail: detailMode(passphraseOnly)})
	p.record(ctx, audit.Entry{Action: audit.ActionUnlock})
	p.startIndexBuild(ctx)
	p.startSync()
	return CreateResult{RecoveryCode: code, RecoveryKit: kit}, nil
}

func detailMode(passphraseOnly bool) string {
	if passphraseOnly {
		return "mode=passphrase_only"
	}
	return "mode=passphrase_and_keychain"
}

func (p *Practice) forgetSecret(account string, secret []byte) {
	if secret != nil {
		_ = p.opts.Keychain.Delete(account)
	}
}

func (p *Practice) setUnlocked(h *vault.Header, keys *vault.Keys) {
	p.mu.Lock()
	p.header = h
	p.keys = keys
	p.chain = audit.NewChain(keys.Subkey("audit-mac"))
	p.mu.Unlock()
	p.idle.reset()
}

// Unlock opens the vault with the passphrase and the keychain secret. After
// repeated failures it refuses attempts until a growing delay has passed.
func (p *Practice) Unlock(ctx context.Context, passphrase []byte) error {
	p.mu.Lock()
	h, unlocked := p.header, p.keys != nil
	p.mu.Unlock()
	if h == nil {
		return apperr.New(apperr.NotFound, "this profile has no vault yet; create one first")
	}
	if unlocked {
		return nil
	}
	if d := p.unlockDelay(ctx); d > 0 {
		return apperr.Errorf(apperr.Locked, "too many failed attempts; try again in %s", fmtDuration(d))
	}
	var secret []byte
	if !h.PassphraseOnly {
		account, err := p.keychainAccount(ctx)
		if err != nil {
			return err
		}
		secret, err = p.opts.Keychain.Get(account)
		if err != nil {
			p.record(ctx, audit.Entry{Action: audit.ActionUnlockFailed, Detail: "reason=keychain"})
			return apperr.Wrap(apperr.Locked, keychainProblem(err), err)
		}
	}
	keys, err := vault.Unlock(h, passphrase, secret)
	if err != nil {
		if errors.Is(err, vault.ErrWrongPassphrase) {
			p.noteFailure(ctx)
			p.record(ctx, audit.Entry{Action: audit.ActionUnlockFailed, Detail: "reason=wrong_passphrase"})
			return apperr.Wrap(apperr.Locked, "wrong passphrase", err)
		}
		return apperr.Wrap(apperr.Integrity, "the vault could not be opened", err)
	}
	p.setUnlocked(h, keys)
	if n, err := p.db.AbsorbPendingAudit(ctx, p.chain); err != nil {
		p.log.Error("absorb pending audit failed", "err", err)
	} else if n > 0 {
		p.log.Info("pending audit entries chained", "count", n)
	}
	p.clearFailures(ctx)
	p.record(ctx, audit.Entry{Action: audit.ActionUnlock})
	// The index build audits its listing; it starts after the unlock entry so
	// the trail reads in the order things happened.
	p.startIndexBuild(ctx)
	p.startSync()
	if h.RotatingTo != 0 {
		p.log.Info("data key rotation was interrupted; it resumes on request", "to", int(h.RotatingTo))
	}
	return nil
}

// Lock wipes the keys and decrypted caches and checkpoints the WAL. reason is
// a code ("user", "idle", "exit").
func (p *Practice) Lock(ctx context.Context, reason string) {
	p.mu.Lock()
	if p.keys == nil {
		p.mu.Unlock()
		return
	}
	hooks := append([]func(){}, p.onLock...)
	p.mu.Unlock()
	p.record(ctx, audit.Entry{Action: audit.ActionLock, Detail: "reason=" + reason})
	for _, fn := range hooks {
		fn()
	}
	p.mu.Lock()
	p.keys.Wipe()
	p.keys, p.chain = nil, nil
	p.mu.Unlock()
	if err := p.db.Checkpoint(ctx); err != nil {
		p.log.Warn("checkpoint at lock failed", "err", err)
	}
	if p.opts.OnLock != nil {
		p.opts.OnLock(reason)
	}
}

// Recover opens the vault with the recovery code (forgotten passphrase, lost
// keychain, new computer), enrols a new passphrase and keychain secret, and
// replaces the recovery code, which is returned once.
func (p *Practice) Recover(ctx context.Context, code string, newPassphrase []byte, passphraseOnly bool) (CreateResult, error) {
	p.mu.Lock()
	h := p.header
	p.mu.Unlock()
	if h == nil {
		return CreateResult{}, apperr.New(apperr.NotFound, "this profile has no vault to recover")
	}
	if err := vault.RequireStrong(string(newPassphrase), nil); err != nil {
		return CreateResult{}, apperr.Wrap(apperr.Invalid, err.Error(), err)
	}
	if d := p.unlockDelay(ctx); d > 0 {
		return CreateResult{}, apperr.Errorf(apperr.Locked, "too many failed attempts; try again in %s", fmtDuration(d))
	}
	keys, err := vault.Recover(h, code)
	if err != nil {
		p.noteFailure(ctx)
		p.record(ctx, audit.Entry{Action: audit.ActionUnlockFailed, Detail: "reason=wrong_recovery_code"})
		return CreateResult{}, apperr.Wrap(apperr.Locked, "wrong recovery code", err)
	}
	res, err := p.reenrol(ctx, h, keys, newPassphrase, passphraseOnly, true)
	if err != nil {
		keys.Wipe()
		return CreateResult{}, err
	}
	p.setUnlocked(h, keys)
	if _, err := p.db.AbsorbPendingAudit(ctx, p.chain); err != nil {
		p.log.Error("absorb pending audit failed", "err", err)
	}
	p.clearFailures(ctx)
	p.record(ctx, audit.Entry{Action: audit.ActionRecoveryUsed})
	p.record(ctx, audit.Entry{Action: audit.ActionUnlock, Detail: "via=recovery_code"})
	p.startIndexBuild(ctx)
	p.startSync()
	return res, nil
}

// reenrol wraps the vault key for a new passphrase and a new keychain secret
// (and, when newCode, a new recovery code), and persists the header in one
// transaction. A failure leaves the previous header, and so the previous
// factors, in force.
func (p *Practice) reenrol(ctx context.Context, h *vault.Header, keys *vault.Keys, passphrase []byte, passphraseOnly, newCode bool) (CreateResult, error) {
	account, err := p.keychainAccount(ctx)
	if err != nil {
		return CreateResult{}, err
	}
	var secret []byte
	if !passphraseOnly {
		if err := p.probeKeychain(ctx); err != nil {
			return CreateResult{}, apperr.Wrap(apperr.Invalid, "the system keychain is not available; choose passphrase-only or start a keychain", err)
		}
		secret = vault.NewKeychainSecret()
	}
	// Work on a copy so that a failure leaves p.header untouched.
	next, err := cloneHeader(h)
	if err != nil {
		return CreateResult{}, err
	}
	if err := next.Rewrap(keys, passphrase, secret, p.opts.KDF()); err != nil {
		return CreateResult{}, err
	}
	var res CreateResult
	if newCode {
		if res.RecoveryCode, err = next.NewRecoveryCode(keys); err != nil {
			return CreateResult{}, err
		}
		if res.RecoveryKit, err = vault.RecoveryKitPDF(res.RecoveryCode, p.Now()); err != nil {
			p.log.Error("recovery kit pdf failed", "err", err)
		}
	}
	// The keychain item is replaced before the header that needs it is
	// committed; if the commit fails, the old secret is put back.
	var old []byte
	if !h.PassphraseOnly {
		old, _ = p.opts.Keychain.Get(account)
	}
	if secret != nil {
		if err := p.opts.Keychain.Set(account, secret); err != nil {
			return CreateResult{}, apperr.Wrap(apperr.Invalid, "could not store the secret in the system keychain", err)
		}
	}
	err = p.db.Tx(ctx, func(tx *sql.Tx) error { return p.saveHeaderTx(ctx, tx, next) })
	if err != nil {
		if old != nil {
			_ = p.opts.Keychain.Set(account, old)
		}
		return CreateResult{}, err
	}
	if secret == nil {
		_ = p.opts.Keychain.Delete(account)
	}
	p.mu.Lock()
	*h = *next
	p.mu.Unlock()
	return res, nil
}

func cloneHeader(h *vault.Header) (*vault.Header, error) {
	b, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	return vault.ParseHeader(b)
}

// ChangePassphrase replaces the passphrase (and the keychain secret with it)
// after checking the current one.
func (p *Practice) ChangePassphrase(ctx context.Context, current, next []byte) error {
	h, keys, err := p.reauth(ctx, current)
	if err != nil {
		return err
	}
	if err := vault.RequireStrong(string(next), nil); err != nil {
		return apperr.Wrap(apperr.Invalid, err.Error(), err)
	}
	if _, err := p.reenrol(ctx, h, keys, next, h.PassphraseOnly, false); err != nil {
		return err
	}
	p.record(ctx, audit.Entry{Action: audit.ActionPassphraseChanged})
	return nil
}

// NewRecoveryCode replaces the recovery code after checking the passphrase;
// the old code stops working.
func (p *Practice) NewRecoveryCode(ctx context.Context, passphrase []byte) (CreateResult, error) {
	h, keys, err := p.reauth(ctx, passphrase)
	if err != nil {
		return CreateResult{}, err
	}
	res, err := p.reenrol(ctx, h, keys, passphrase, h.PassphraseOnly, true)
	if err != nil {
		return CreateResult{}, err
	}
	p.record(ctx, audit.Entry{Action: audit.ActionRecoveryCodeReplaced})
	return res, nil
}

// reauth checks the passphrase against the vault while it is unlocked, for
// actions that change the factors.
func (p *Practice) reauth(ctx context.Context, passphrase []byte) (*vault.Header, *vault.Keys, error) {
	p.mu.Lock()
	h, keys := p.header, p.keys
	p.mu.Unlock()
	if keys == nil {
		return nil, nil, errLocked
	}
	var secret []byte
	if !h.PassphraseOnly {
		account, err := p.keychainAccount(ctx)
		if err != nil {
			return nil, nil, err
		}
		if secret, err = p.opts.Keychain.Get(account); err != nil {
			return nil, nil, apperr.Wrap(apperr.Locked, keychainProblem(err), err)
		}
	}
	check, err := vault.Unlock(h, passphrase, secret)
	if err != nil {
		p.record(ctx, audit.Entry{Action: audit.ActionUnlockFailed, Detail: "reason=reauth"})
		return nil, nil, apperr.Wrap(apperr.Locked, "wrong passphrase", err)
	}
	check.Wipe()
	return h, keys, nil
}

type failures struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

// delayAfter is the wait imposed after n consecutive failures: none for the
// first three typos, then doubling from 2 s up to 5 minutes. Argon2id already
// bounds offline guessing; this bounds guessing at the keyboard.
func delayAfter(n int) time.Duration {
	if n < 3 {
		return 0
	}
	d := 2 * time.Second << min(n-3, 8)
	return min(d, 5*time.Minute)
}

func (p *Practice) readFailures(ctx context.Context) failures {
	var f failures
	if b, err := p.db.Meta(ctx, metaFailures); err == nil {
		_ = json.Unmarshal(b, &f)
	}
	return f
}

func (p *Practice) unlockDelay(ctx context.Context) time.Duration {
	f := p.readFailures(ctx)
	wait := f.Last.Add(delayAfter(f.Count)).Sub(p.Now())
	return max(wait, 0)
}

func (p *Practice) noteFailure(ctx context.Context) {
	f := p.readFailures(ctx)
	f.Count++
	f.Last = p.Now()
	b, _ := json.Marshal(f)
	if err := p.db.SetMeta(ctx, metaFailures, b); err != nil {
		p.log.Error("record unlock failure failed", "err", err)
	}
}

func (p *Practice) clearFailures(ctx context.Context) {
	if err := p.db.SetMeta(ctx, metaFailures, []byte(`{"count":0}`)); err != nil {
		p.log.Error("clear unlock failures failed", "err", err)
	}
}
