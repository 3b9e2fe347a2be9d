package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"testing"
)

var noteAD = AD{Table: "notes", Column: "body", RowID: "0190f3a2-7c1e-7d4b-9b1a-3f5e2c8d9a10", Revision: 3}

func testKeys() *Keys {
	vk := bytes.Repeat([]byte{0x42}, vkLen)
	return newKeys(vk, 1)
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := testKeys()
	for _, pt := range [][]byte{nil, {}, []byte("x"), []byte("Client reports better sleep since the last session."), bytes.Repeat([]byte("नमस्ते "), 500)} {
		env, err := k.Seal(noteAD, pt)
		if err != nil {
			t.Fatal(err)
		}
		if len(env) != envelopeOverhead+len(pt) {
			t.Errorf("envelope of %d-byte plaintext is %d bytes, want %d", len(pt), len(env), envelopeOverhead+len(pt))
		}
		if len(pt) > 8 && bytes.Contains(env, pt[:8]) {
			t.Errorf("envelope contains plaintext")
		}
		got, err := k.Open(noteAD, env)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("Open = %q, want %q", got, pt)
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	k := testKeys()
	a, _ := k.Seal(noteAD, []byte("same"))
	b, _ := k.Seal(noteAD, []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical")
	}
}

func TestSealRefusesIncompleteAD(t *testing.T) {
	k := testKeys()
	for _, ad := range []AD{{}, {Table: "notes", Column: "body"}, {Table: "notes", RowID: "r"}, {Column: "body", RowID: "r"}} {
		if _, err := k.Seal(ad, []byte("x")); err == nil {
			t.Errorf("Seal(%+v) succeeded", ad)
		}
	}
	if _, err := k.SealWith(0, noteAD, []byte("x")); err == nil {
		t.Error("SealWith(0) succeeded")
	}
}

// TestOpenRejects covers every way an envelope can be moved, replayed or
// damaged: each must fail with ErrIntegrity and return no plaintext.
func TestOpenRejects(t *testing.T) {
	k := testKeys()
	pt := []byte("Discussed grief after her father's death; plan: weekly sessions.")
	env, err := k.Seal(noteAD, pt)
	if err != nil {
		t.Fatal(err)
	}
	other := newKeys(bytes.Repeat([]byte{0x43}, vkLen), 1)

	flip := func(i int) []byte {
		e := bytes.Clone(env)
		e[i] ^= 0x01
		return e
	}
	with := func(f func(*AD)) AD { ad := noteAD; f(&ad); return ad }

	tests := []struct {
		name string
		keys *Keys
		ad   AD
		env  []byte
	}{
		{"other row", k, with(func(a *AD) { a.RowID = "0190f3a2-7c1e-7d4b-9b1a-3f5e2c8d9a11" }), env},
		{"other column", k, with(func(a *AD) { a.Column = "title" }), env},
		{"other table", k, with(func(a *AD) { a.Table = "addenda" }), env},
		{"older revision replayed", k, with(func(a *AD) { a.Revision = 4 }), env},
		{"newer revision", k, with(func(a *AD) { a.Revision = 2 }), env},
		{"field boundary shifted", k, AD{Table: "notesb", Column: "ody", RowID: noteAD.RowID, Revision: 3}, env},
		{"other vault's key", other, noteAD, env},
		{"flipped format byte", k, noteAD, flip(0)},
		{"flipped key version", k, noteAD, flip(4)},
		{"flipped nonce", k, noteAD, flip(10)},
		{"flipped ciphertext", k, noteAD, flip(envelopeHeadLen + 3)},
		{"flipped tag", k, noteAD, flip(len(env) - 1)},
		{"truncated by one", k, noteAD, env[:len(env)-1]},
		{"truncated to header", k, noteAD, env[:envelopeHeadLen]},
		{"truncated to overhead", k, noteAD, env[:envelopeOverhead-1]},
		{"extended", k, noteAD, append(bytes.Clone(env), 0)},
		{"empty", k, noteAD, nil},
		{"unknown format version", k, noteAD, append([]byte{2}, env[1:]...)},
		{"key version 0", k, noteAD, func() []byte { e := bytes.Clone(env); binary.BigEndian.PutUint32(e[1:5], 0); return e }()},
		{"key version relabelled", k, noteAD, func() []byte { e := bytes.Clone(env); binary.BigEndian.PutUint32(e[1:5], 2); return e }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.keys.Open(tt.ad, tt.env)
			wantErr(t, err, ErrIntegrity)
			if got != nil {
				t.Fatalf("Open returned %d bytes of plaintext alongside the error", len(got))
			}
			if strings.Contains(err.Error(), "grief") {
				t.Fatalf("error leaks plaintext: %v", err)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	k := testKeys()
	old, _ := k.Seal(noteAD, []byte("v1"))
	if v, _ := EnvelopeKeyVersion(old); v != 1 {
		t.Fatalf("EnvelopeKeyVersion = %d, want 1", v)
	}
	k.SetDataKeyVersion(2)
	if k.DataKeyVersion() != 2 {
		t.Fatalf("DataKeyVersion = %d", k.DataKeyVersion())
	}
	k.SetDataKeyVersion(0) // ignored
	fresh, _ := k.Seal(noteAD, []byte("v2"))
	if v, _ := EnvelopeKeyVersion(fresh); v != 2 {
		t.Fatalf("EnvelopeKeyVersion = %d, want 2", v)
	}
	mustOpen(t, k, noteAD, old, []byte("v1"))
	mustOpen(t, k, noteAD, fresh, []byte("v2"))

	pinned, _ := k.SealWith(7, noteAD, []byte("v7"))
	if v, _ := EnvelopeKeyVersion(pinned); v != 7 {
		t.Fatalf("EnvelopeKeyVersion = %d, want 7", v)
	}
	mustOpen(t, k, noteAD, pinned, []byte("v7"))

	// Data keys of different versions differ.
	if bytes.Equal(dataKey(k.vk, 1), dataKey(k.vk, 2)) {
		t.Fatal("data keys v1 and v2 are equal")
	}
	if _, err := EnvelopeKeyVersion([]byte{1, 2}); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("EnvelopeKeyVersion(short) = %v", err)
	}
}

func TestOpenManyKeyVersionsBoundsCache(t *testing.T) {
	k := testKeys()
	for v := uint32(1); v <= 100; v++ {
		env, _ := k.SealWith(v, noteAD, []byte("x"))
		mustOpen(t, k, noteAD, env, []byte("x"))
	}
	if n := len(k.data); n > maxCachedDataKeys {
		t.Fatalf("cache holds %d data keys, want at most %d", n, maxCachedDataKeys)
	}
}

func TestSubkey(t *testing.T) {
	k := testKeys()
	audit := k.Subkey("audit-mac")
	if len(audit) != 32 {
		t.Fatalf("Subkey length %d", len(audit))
	}
	if !bytes.Equal(audit, k.Subkey("audit-mac")) {
		t.Fatal("Subkey is not deterministic")
	}
	audit[0] ^= 0xff // the caller's copy; the vault's key is unaffected
	if bytes.Equal(audit, k.Subkey("audit-mac")) {
		t.Fatal("Subkey hands out its own cache")
	}
	audit[0] ^= 0xff
	if bytes.Equal(audit, k.Subkey("backup")) {
		t.Fatal("different purposes give the same key")
	}
	if bytes.Equal(audit, testKeys().Subkey("backup")) || !bytes.Equal(audit, testKeys().Subkey("audit-mac")) {
		t.Fatal("Subkey does not depend only on VK and purpose")
	}
	for _, p := range []string{"", "data/v1", "vault/key-id"} {
		if k.Subkey(p) != nil {
			t.Errorf("Subkey(%q) is not refused", p)
		}
		if _, err := k.DeriveSubkey(p); err == nil {
			t.Errorf("DeriveSubkey(%q) succeeded", p)
		}
	}
}

func TestWipe(t *testing.T) {
	k := testKeys()
	env, _ := k.Seal(noteAD, []byte("secret"))
	k.Subkey("backup")
	cachedVK, cachedData, cachedSub := k.vk, k.data[1], k.subkeys["backup"]
	k.Wipe()
	for name, b := range map[string][]byte{"vault key": cachedVK, "data key": cachedData, "subkey": cachedSub} {
		if len(b) != 32 || !bytes.Equal(b, make([]byte, 32)) {
			t.Errorf("Wipe left the %s in memory", name)
		}
	}
	if _, err := k.Seal(noteAD, []byte("x")); !errors.Is(err, ErrLocked) {
		t.Errorf("Seal after Wipe: %v", err)
	}
	if _, err := k.Open(noteAD, env); !errors.Is(err, ErrLocked) {
		t.Errorf("Open after Wipe: %v", err)
	}
	if k.Subkey("backup") != nil {
		t.Error("Subkey after Wipe is not nil")
	}
	if _, err := k.DeriveSubkey("backup"); !errors.Is(err, ErrLocked) {
		t.Errorf("DeriveSubkey after Wipe: %v", err)
	}
	k.Wipe() // idempotent
}

func TestKeysConcurrentUse(t *testing.T) {
	k := testKeys()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ad := noteAD
			ad.Revision = int64(i)
			for j := range 200 {
				if j == 100 && i == 0 {
					k.SetDataKeyVersion(2)
				}
				env, err := k.Seal(ad, []byte("concurrent"))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := k.Open(ad, env); err != nil {
					t.Error(err)
					return
				}
				k.Subkey("audit-mac")
			}
		}()
	}
	wg.Wait()
}

// TestWipeDuringUse: a Wipe racing with Seal must never produce an envelope
// under a half-zeroed key; every seal that succeeds opens with the real key.
func TestWipeDuringUse(t *testing.T) {
	for range 20 {
		k := testKeys()
		var wg sync.WaitGroup
		envs := make(chan []byte, 400)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 100 {
					env, err := k.Seal(noteAD, []byte("racing"))
					if err != nil {
						if !errors.Is(err, ErrLocked) {
							t.Error(err)
						}
						return
					}
					envs <- env
				}
			}()
		}
		k.Wipe()
		wg.Wait()
		close(envs)
		for env := range envs {
			mustOpen(t, testKeys(), noteAD, env, []byte("racing"))
		}
	}
}
