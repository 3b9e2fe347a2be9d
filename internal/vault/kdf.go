package vault

import (
	"crypto/rand"
	"fmt"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// KDF names accepted in a header.
const (
	KDFArgon2id   = "argon2id"    // passphrase stretching
	KDFHKDFSHA256 = "hkdf-sha256" // recovery code (already 140 random bits)
)

// Bounds on Argon2id parameters. The minimum is the security floor; the
// maximum stops a hostile header from making unlock allocate or spin forever.
const (
	minTime      = 3
	minMemoryKiB = 64 * 1024
	minThreads   = 2
	maxTime      = 64
	maxMemoryKiB = 2 * 1024 * 1024
	maxThreads   = 64

	// calibrateMaxMemoryKiB caps what Calibrate asks for: beyond it, cost
	// is added as passes so a modest laptop is not starved of memory.
	calibrateMaxMemoryKiB = 256 * 1024

	saltLen    = 32
	minSaltLen = 16
	maxSaltLen = 64
)

// KDFParams names a key-derivation function and its parameters, stored in
// the header beside the key it protects. Time, MemoryKiB and Threads are
// Argon2id's t, m (KiB) and p; they are zero for hkdf-sha256.
type KDFParams struct {
	Name      string `json:"name"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memoryKiB"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
}

// MinimumKDF returns the weakest Argon2id parameters a vault accepts
// (t=3, m=64 MiB, p=2) with a fresh random salt. Tests use it to stay fast;
// production uses Calibrate.
func MinimumKDF() KDFParams {
	return KDFParams{Name: KDFArgon2id, Time: minTime, MemoryKiB: minMemoryKiB, Threads: minThreads, Salt: newSalt()}
}

// Calibrate returns Argon2id parameters that take about target on this
// machine (0.5 s is the production choice), never below MinimumKDF. It runs
// Argon2id once at the minimum and scales from that: memory first (up to
// 256 MiB), then passes. It therefore costs one minimum run, whatever target;
// a target of zero or less returns the minimum without measuring.
func Calibrate(target time.Duration) KDFParams {
	p := MinimumKDF()
	if target <= 0 {
		return p
	}
	start := time.Now()
	argon2.IDKey([]byte("calibrate"), p.Salt, p.Time, p.MemoryKiB, p.Threads, 32)
	took := time.Since(start)
	if took <= 0 || target <= took {
		return p
	}
	factor := float64(target) / float64(took)

	mem := float64(minMemoryKiB) * factor
	if mem > calibrateMaxMemoryKiB {
		mem = calibrateMaxMemoryKiB
	}
	p.MemoryKiB = uint32(mem) / 1024 * 1024 // whole MiB
	if p.MemoryKiB < minMemoryKiB {
		p.MemoryKiB = minMemoryKiB
	}

	// Argon2id's cost is roughly proportional to t·m.
	t := float64(minTime) * factor * float64(minMemoryKiB) / float64(p.MemoryKiB)
	switch {
	case t < minTime:
		p.Time = minTime
	case t > maxTime:
		p.Time = maxTime
	default:
		p.Time = uint32(t + 0.5)
	}
	return p
}

func newSalt() []byte {
	s := make([]byte, saltLen)
	rand.Read(s)
	return s
}

// checkArgon2id refuses parameters this build will not run: an unknown name,
// a cost below the minimum (a downgraded header) or above the maximum (a
// header crafted to exhaust memory).
func (p KDFParams) checkArgon2id() error {
	switch {
	case p.Name != KDFArgon2id:
		return fmt.Errorf("kdf %q is not %s: %w", p.Name, KDFArgon2id, ErrUnsupported)
	case p.Time < minTime || p.MemoryKiB < minMemoryKiB || p.Threads < minThreads:
		return fmt.Errorf("argon2id parameters below the minimum (t=%d, m=%d KiB, p=%d): %w", minTime, minMemoryKiB, minThreads, ErrUnsupported)
	case p.Time > maxTime || p.MemoryKiB > maxMemoryKiB || p.Threads > maxThreads:
		return fmt.Errorf("argon2id parameters above the maximum (t=%d, m=%d KiB, p=%d): %w", maxTime, maxMemoryKiB, maxThreads, ErrUnsupported)
	}
	return checkSalt(p.Salt)
}

func (p KDFParams) checkHKDF() error {
	if p.Name != KDFHKDFSHA256 {
		return fmt.Errorf("recovery kdf %q is not %s: %w", p.Name, KDFHKDFSHA256, ErrUnsupported)
	}
	if p.Time != 0 || p.MemoryKiB != 0 || p.Threads != 0 {
		return fmt.Errorf("recovery kdf takes no cost parameters: %w", ErrUnsupported)
	}
	return checkSalt(p.Salt)
}

func checkSalt(s []byte) error {
	if len(s) < minSaltLen || len(s) > maxSaltLen {
		return fmt.Errorf("salt is %d bytes, want %d to %d: %w", len(s), minSaltLen, maxSaltLen, ErrUnsupported)
	}
	return nil
}

func (p KDFParams) clone() KDFParams {
	p.Salt = append([]byte(nil), p.Salt...)
	return p
}

// stretch runs Argon2id over the NFC-normalised passphrase. Normalising means
// the same words typed through another input method or OS (composed or
// decomposed accents, Devanagari nukta forms) derive the same key.
func stretch(passphrase []byte, p KDFParams) []byte {
	pass := norm.NFC.Append(nil, passphrase...) // a copy, so wiping it leaves the caller's alone
	defer wipe(pass)
	return argon2.IDKey(pass, p.Salt, p.Time, p.MemoryKiB, p.Threads, 32)
}

func wipe(b []byte) {
	clear(b)
}
