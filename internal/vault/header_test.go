package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestHeaderRoundTrip(t *testing.T) {
	h, _, _, _ := sharedVault(t)
	h.DataKeyVersion = 4
	h.RotatingTo = 5
	b, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	h2, err := ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := h2.Marshal()
	if !bytes.Equal(b, b2) {
		t.Fatalf("round trip changed the header:\n%s\n%s", b, b2)
	}
	if !h2.CreatedAt.Equal(h.CreatedAt) || h2.DataKeyVersion != 4 || h2.RotatingTo != 5 {
		t.Fatalf("round trip lost fields: %+v", h2)
	}
	// The JSON uses lowerCamel names.
	for _, name := range []string{`"version"`, `"kdf"`, `"memoryKiB"`, `"passphraseOnly"`, `"passphraseWrap"`, `"recoveryKdf"`, `"recoveryWrap"`, `"keyId"`, `"dataKeyVersion"`, `"rotatingTo"`, `"createdAt"`} {
		if !bytes.Contains(b, []byte(name)) {
			t.Errorf("header JSON lacks %s", name)
		}
	}
}

func TestParseHeaderRefuses(t *testing.T) {
	h, _, _, _ := sharedVault(t)
	good, _ := h.Marshal()
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	kdf := func(f func(k map[string]any)) []byte {
		return edit(func(m map[string]any) { f(m["kdf"].(map[string]any)) })
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"unknown version", edit(func(m map[string]any) { m["version"] = 2 }), ErrUnsupported},
		{"version 0", edit(func(m map[string]any) { m["version"] = 0 }), ErrUnsupported},
		{"unknown kdf", kdf(func(k map[string]any) { k["name"] = "scrypt" }), ErrUnsupported},
		{"argon2i", kdf(func(k map[string]any) { k["name"] = "argon2i" }), ErrUnsupported},
		{"time below minimum", kdf(func(k map[string]any) { k["time"] = 2 }), ErrUnsupported},
		{"memory below minimum", kdf(func(k map[string]any) { k["memoryKiB"] = 65535 }), ErrUnsupported},
		{"threads below minimum", kdf(func(k map[string]any) { k["threads"] = 1 }), ErrUnsupported},
		{"memory absurd", kdf(func(k map[string]any) { k["memoryKiB"] = math.MaxUint32 }), ErrUnsupported},
		{"time absurd", kdf(func(k map[string]any) { k["time"] = 100000 }), ErrUnsupported},
		{"short salt", kdf(func(k map[string]any) { k["salt"] = "AAAA" }), ErrUnsupported},
		{"recovery kdf argon2id", edit(func(m map[string]any) { m["recoveryKdf"].(map[string]any)["name"] = "argon2id" }), ErrUnsupported},
		{"recovery kdf with cost", edit(func(m map[string]any) { m["recoveryKdf"].(map[string]any)["time"] = 1 }), ErrUnsupported},
		{"missing wrap", edit(func(m map[string]any) { delete(m, "passphraseWrap") }), ErrIntegrity},
		{"short recovery wrap", edit(func(m map[string]any) { m["recoveryWrap"] = "AAAA" }), ErrIntegrity},
		{"missing key id", edit(func(m map[string]any) { delete(m, "keyId") }), ErrIntegrity},
		{"data key version 0", edit(func(m map[string]any) { m["dataKeyVersion"] = 0 }), ErrIntegrity},
		{"rotating backwards", edit(func(m map[string]any) { m["rotatingTo"] = 1 }), ErrIntegrity},
		{"unknown field", edit(func(m map[string]any) { m["plainVaultKey"] = "oops" }), ErrIntegrity},
		{"truncated", good[:len(good)/2], ErrIntegrity},
		{"trailing data", append(bytes.Clone(good), []byte(`{}`)...), ErrIntegrity},
		{"empty", nil, ErrIntegrity},
		{"not json", []byte("CALMALLY"), ErrIntegrity},
		{"null", []byte("null"), ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHeader(tt.data)
			wantErr(t, err, tt.want)
			if h != nil {
				t.Fatal("header returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "vault: parse header: ") {
				t.Errorf("error %q lacks its prefix", err)
			}
		})
	}
}

func TestMarshalRefusesInvalidHeader(t *testing.T) {
	var h Header
	if _, err := h.Marshal(); err == nil {
		t.Fatal("Marshal of an empty header succeeded")
	}
	var nilHeader *Header
	if _, err := nilHeader.Marshal(); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("Marshal(nil) = %v", err)
	}
}

func TestRotationBookkeeping(t *testing.T) {
	h, k, _, secret := newTestVault(t)
	old, _ := k.Seal(noteAD, []byte("before rotation"))

	to, err := h.StartRotation()
	if err != nil || to != 2 || h.RotatingTo != 2 || h.DataKeyVersion != 1 {
		t.Fatalf("StartRotation = %d, %v; header %d→%d", to, err, h.DataKeyVersion, h.RotatingTo)
	}
	if again, _ := h.StartRotation(); again != 2 {
		t.Fatalf("resumed rotation targets %d", again)
	}
	k.SetDataKeyVersion(to)
	if v, _ := EnvelopeKeyVersion(old); v == to {
		t.Fatal("old envelope already at the target")
	}
	pt, _ := k.Open(noteAD, old)
	resealed, _ := k.Seal(noteAD, pt)
	h.FinishRotation()
	if h.DataKeyVersion != 2 || h.RotatingTo != 0 {
		t.Fatalf("after FinishRotation: %d→%d", h.DataKeyVersion, h.RotatingTo)
	}

	k2, err := Unlock(cloneHeader(t, h), []byte(testPassphrase), secret)
	if err != nil {
		t.Fatal(err)
	}
	if k2.DataKeyVersion() != 2 {
		t.Fatalf("unlocked keys seal with v%d", k2.DataKeyVersion())
	}
	mustOpen(t, k2, noteAD, resealed, []byte("before rotation"))
	mustOpen(t, k2, noteAD, old, []byte("before rotation"))

	h.DataKeyVersion = math.MaxUint32
	if _, err := h.StartRotation(); err == nil {
		t.Fatal("rotation past the last version succeeded")
	}
}

func TestCreatedAtUsesClock(t *testing.T) {
	fixed := time.Date(2025, 3, 30, 1, 30, 15, 999, time.FixedZone("IST", 5*3600+1800))
	now = func() time.Time { return fixed }
	defer func() { now = time.Now }()
	h, _, _, err := Create([]byte(testPassphrase), nil, MinimumKDF())
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 3, 29, 20, 0, 15, 0, time.UTC); !h.CreatedAt.Equal(want) || h.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want %v", h.CreatedAt, want)
	}
}
