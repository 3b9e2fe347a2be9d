package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

const (
	vkLen = 32

	// maxCachedDataKeys bounds the derived-key cache, so envelopes naming
	// arbitrary key versions cannot grow it without limit.
	maxCachedDataKeys = 8
	maxCachedSubkeys  = 16
)

// Keys holds an unlocked vault key (VK) and the data keys derived from it.
// It is safe for concurrent use. After Wipe every method fails with
// ErrLocked (Subkey returns nil).
type Keys struct {
	mu      sync.RWMutex
	vk      []byte // nil once wiped
	version uint32 // current data-key version, used by Seal
	data    map[uint32][]byte
	subkeys map[string][]byte // cache behind Subkey, one per purpose
}

func newKeys(vk []byte, version uint32) *Keys {
	return &Keys{vk: vk, version: version, data: make(map[uint32][]byte), subkeys: make(map[string][]byte)}
}

// DataKeyVersion is the key version Seal uses.
func (k *Keys) DataKeyVersion() uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.version
}

// SetDataKeyVersion makes Seal use version v from now on; call it when a
// rotation starts (new rows) or finishes. Versions start at 1; 0 is ignored.
func (k *Keys) SetDataKeyVersion(v uint32) {
	if v == 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.version = v
}

// Seal encrypts plaintext for the place ad names, under the current data-key
// version, into a self-describing envelope (see the package doc).
func (k *Keys) Seal(ad AD, plaintext []byte) ([]byte, error) {
	return k.SealWith(k.DataKeyVersion(), ad, plaintext)
}

// SealWith is Seal under a given data-key version, for rotation.
func (k *Keys) SealWith(version uint32, ad AD, plaintext []byte) ([]byte, error) {
	if version == 0 {
		return nil, errors.New("vault: seal: key version 0 is not valid")
	}
	if err := ad.check(); err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	env, err := k.withDataKey(version, func(key []byte) ([]byte, error) {
		return seal(key, version, ad, plaintext)
	})
	if err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	return env, nil
}

// Open authenticates and decrypts an envelope sealed for ad under any data-key
// version. It fails with ErrIntegrity (and no plaintext) if the envelope was
// altered, truncated, sealed for another place or revision, or sealed by
// another vault.
func (k *Keys) Open(ad AD, envelope []byte) ([]byte, error) {
	version, err := EnvelopeKeyVersion(envelope)
	if err != nil {
		return nil, err
	}
	pt, err := k.withDataKey(version, func(key []byte) ([]byte, error) {
		return openEnvelope(key, ad, envelope)
	})
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	return pt, err
}

// Subkey derives a 32-byte key for a purpose other than record fields, such
// as "audit-mac", "backup" or "consent-mac": HKDF-SHA256(VK, info
// "calmally/"+purpose). The same purpose always yields the same key. It
// returns nil after Wipe or for a reserved purpose; DeriveSubkey says why.
//
// Each call returns a fresh copy that the caller owns: Wipe cannot reach it,
// so fetch the key when needed rather than keeping it past a lock (and clear
// it if you do keep it). A shared slice zeroed by Wipe would instead let a
// lock racing with, say, an audit append produce a MAC under a half-zeroed
// key.
func (k *Keys) Subkey(purpose string) []byte {
	key, err := k.DeriveSubkey(purpose)
	if err != nil {
		return nil
	}
	return key
}

// DeriveSubkey is Subkey with an error: ErrLocked after Wipe, or a refusal for
// an empty purpose or one under the reserved "data/" and "vault/" prefixes
// (which would alias the data keys or this package's own keys).
func (k *Keys) DeriveSubkey(purpose string) ([]byte, error) {
	if purpose == "" || strings.HasPrefix(purpose, "data/") || strings.HasPrefix(purpose, "vault/") {
		return nil, fmt.Errorf("vault: derive subkey: purpose %q is reserved", purpose)
	}
	k.mu.RLock()
	if k.vk == nil {
		k.mu.RUnlock()
		return nil, fmt.Errorf("vault: derive subkey: %w", ErrLocked)
	}
	if key, ok := k.subkeys[purpose]; ok {
		defer k.mu.RUnlock()
		return bytes.Clone(key), nil
	}
	k.mu.RUnlock()

	k.mu.Lock()
	defer k.mu.Unlock()
	if k.vk == nil {
		return nil, fmt.Errorf("vault: derive subkey: %w", ErrLocked)
	}
	key, ok := k.subkeys[purpose]
	if !ok {
		key = deriveKey(k.vk, "calmally/"+purpose)
		if len(k.subkeys) < maxCachedSubkeys {
			k.subkeys[purpose] = key
		} else {
			defer wipe(key)
		}
	}
	return bytes.Clone(key), nil
}

// Wipe zeroes VK and the data keys and subkeys k holds, and locks k for good.
// It waits for seals and opens in progress to finish.
func (k *Keys) Wipe() {
	k.mu.Lock()
	defer k.mu.Unlock()
	wipe(k.vk)
	k.vk = nil
	for v, key := range k.data {
		wipe(key)
		delete(k.data, v)
	}
	for p, key := range k.subkeys {
		wipe(key)
		delete(k.subkeys, p)
	}
}

// withDataKey runs f with the data key of a version while holding the lock,
// so that Wipe cannot zero the key halfway through a seal or open. Keys of up
// to maxCachedDataKeys versions are cached; others are derived, used and
// wiped.
func (k *Keys) withDataKey(version uint32, f func(key []byte) ([]byte, error)) ([]byte, error) {
	k.mu.RLock()
	if k.vk == nil {
		k.mu.RUnlock()
		return nil, ErrLocked
	}
	if key, ok := k.data[version]; ok {
		defer k.mu.RUnlock()
		return f(key)
	}
	k.mu.RUnlock()

	k.mu.Lock()
	defer k.mu.Unlock()
	if k.vk == nil {
		return nil, ErrLocked
	}
	key, ok := k.data[version]
	if !ok {
		key = dataKey(k.vk, version)
		if len(k.data) < maxCachedDataKeys {
			k.data[version] = key
		} else {
			defer wipe(key)
		}
	}
	return f(key)
}

// vkCopy returns a copy of VK for wrapping, or ErrLocked.
func (k *Keys) vkCopy() ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.vk == nil {
		return nil, ErrLocked
	}
	return append([]byte(nil), k.vk...), nil
}

func dataKey(vk []byte, version uint32) []byte {
	return deriveKey(vk, "calmally/data/v"+strconv.FormatUint(uint64(version), 10))
}

// keyID is a public fingerprint of VK stored in the header, so that keys
// from another vault are caught before they rewrap this one.
func keyID(vk []byte) []byte {
	return deriveKey(vk, "calmally/vault/key-id")[:16]
}

// deriveKey is HKDF-SHA256 with no salt (VK is already uniformly random) and
// a 32-byte output.
func deriveKey(secret []byte, info string) []byte {
	key, err := hkdf.Key(sha256.New, secret, nil, info, 32)
	if err != nil {
		panic("vault: hkdf: " + err.Error()) // only for lengths > 255·32, impossible here
	}
	return key
}
