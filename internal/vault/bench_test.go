package vault

import (
	"bytes"
	"testing"
)

func BenchmarkSealField(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"200B", 200}, {"2KB", 2048}} {
		b.Run(size.name, func(b *testing.B) {
			k := testKeys()
			pt := bytes.Repeat([]byte("a"), size.n)
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Seal(noteAD, pt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpenField(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"200B", 200}, {"2KB", 2048}} {
		b.Run(size.name, func(b *testing.B) {
			k := testKeys()
			env, err := k.Seal(noteAD, bytes.Repeat([]byte("a"), size.n))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Open(noteAD, env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnlockKDF is the Argon2id run that dominates unlocking, at the
// minimum parameters (production calibrates to about 0.5 s).
func BenchmarkUnlockKDF(b *testing.B) {
	p := MinimumKDF()
	pass := []byte(testPassphrase)
	for b.Loop() {
		stretch(pass, p)
	}
}

// BenchmarkUnlockAfterKDF is everything after Argon2id: HKDF, unwrap, key-id
// check. DESIGN.md's target is ≤ 50 ms; it should be microseconds.
func BenchmarkUnlockAfterKDF(b *testing.B) {
	h, _, _, secret := newTestVault(b)
	stretched := stretch([]byte(testPassphrase), h.KDF)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := unlockAfterKDF(h, stretched, secret); err != nil {
			b.Fatal(err)
		}
	}
}
