package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzOpen feeds arbitrary envelopes and places to Open. It must never panic,
// and must succeed only for an authentic (envelope, place) pair sealed here.
func FuzzOpen(f *testing.F) {
	k := testKeys()
	type sealed struct {
		ad AD
		pt []byte
	}
	authentic := map[string]sealed{}
	// Fixed nonces: the fuzzing workers are separate processes and must all
	// agree on which envelopes are authentic.
	add := func(version uint32, ad AD, pt []byte) {
		nonce := bytes.Repeat([]byte{byte(len(authentic))}, 24)
		env, err := sealEnvelope(dataKey(k.vk, version), version, ad, nonce, pt)
		if err != nil {
			f.Fatal(err)
		}
		authentic[string(env)] = sealed{ad, pt}
		f.Add(env, ad.Table, ad.Column, ad.RowID, ad.Revision)
	}
	add(1, noteAD, []byte("Client reports better sleep."))
	add(1, noteAD, nil)
	add(2, AD{Table: "clients", Column: "name", RowID: "r1", Revision: 0}, []byte("Meera"))
	add(9, AD{Table: "consent", Column: "evidence", RowID: "c", Revision: -5}, bytes.Repeat([]byte{0}, 100))
	f.Add([]byte{}, "notes", "body", "r", int64(0))
	f.Add([]byte{1, 0, 0, 0, 1}, "notes", "body", "r", int64(0))
	f.Add(make([]byte, envelopeOverhead), "", "", "", int64(0))

	f.Fuzz(func(t *testing.T, env []byte, table, column, rowID string, revision int64) {
		ad := AD{Table: table, Column: column, RowID: rowID, Revision: revision}
		pt, err := k.Open(ad, env)
		if err != nil {
			if !errors.Is(err, ErrIntegrity) {
				t.Fatalf("Open failed without ErrIntegrity: %v", err)
			}
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			return
		}
		want, ok := authentic[string(env)]
		if !ok || want.ad != ad || !bytes.Equal(pt, want.pt) {
			t.Fatalf("Open accepted an envelope it never sealed for %+v", ad)
		}
		if _, err := EnvelopeKeyVersion(env); err != nil {
			t.Fatalf("EnvelopeKeyVersion of an authentic envelope: %v", err)
		}
	})
}

// FuzzParseHeader checks that ParseHeader never panics and that whatever it
// accepts re-marshals to a canonical form that parses to the same bytes.
func FuzzParseHeader(f *testing.F) {
	raw := `{"version":1,"kdf":{"name":"argon2id","time":3,"memoryKiB":65536,"threads":2,"salt":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},` +
		`"passphraseOnly":false,"passphraseWrap":"` + strings.Repeat("A", 96) + `","recoveryKdf":{"name":"hkdf-sha256","time":0,"memoryKiB":0,"threads":0,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="},` +
		`"recoveryWrap":"` + strings.Repeat("B", 96) + `","keyId":"AAAAAAAAAAAAAAAAAAAAAA==","dataKeyVersion":1,"rotatingTo":0,"createdAt":"2025-01-01T00:00:00Z"}`
	if _, err := ParseHeader([]byte(raw)); err != nil {
		f.Fatalf("seed header does not parse: %v", err)
	}
	f.Add([]byte(raw))
	f.Add([]byte(strings.Replace(raw, `"rotatingTo":0`, `"rotatingTo":2`, 1)))
	f.Add([]byte(strings.Replace(raw, `"createdAt":"2025-01-01T00:00:00Z"`, `"createdAt":"2025-03-30T02:30:00.5+05:30"`, 1)))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"version":1}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHeader(data)
		if err != nil {
			if h != nil {
				t.Fatal("header returned with an error")
			}
			if !errors.Is(err, ErrIntegrity) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		b1, err := h.Marshal()
		if err != nil {
			t.Fatalf("accepted header does not marshal: %v", err)
		}
		h2, err := ParseHeader(b1)
		if err != nil {
			t.Fatalf("marshalled header does not parse: %v", err)
		}
		b2, err := h2.Marshal()
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("marshal is not canonical:\n%s\n%s", b1, b2)
		}
		if !json.Valid(b1) {
			t.Fatal("invalid JSON")
		}
	})
}

// FuzzNormalizeRecoveryCode checks that any accepted input normalises to a
// fixed point of the canonical form.
func FuzzNormalizeRecoveryCode(f *testing.F) {
	code := newRecoveryCode()
	f.Add(code)
	f.Add(strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	f.Add("")
	f.Add("0000-0000-0000-0000-0000-0000-0000-0000")
	f.Add("oooo-llll-iiii")
	f.Add("—\u00a0\t")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeRecoveryCode(in)
		if err != nil {
			if !errors.Is(err, ErrWrongRecoveryCode) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if len(out) != 39 {
			t.Fatalf("canonical code %q has length %d", out, len(out))
		}
		again, err := NormalizeRecoveryCode(out)
		if err != nil || again != out {
			t.Fatalf("canonical form is not stable: %q → %q, %v", out, again, err)
		}
		if lower, err := NormalizeRecoveryCode(strings.ToLower(out)); err != nil || lower != out {
			t.Fatalf("lower case of %q not accepted: %v", out, err)
		}
	})
}
