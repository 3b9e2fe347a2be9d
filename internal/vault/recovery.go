package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"unicode"
)

// A recovery code is 28 random Crockford base32 symbols (140 bits) followed
// by 4 checksum symbols, shown as 8 groups of 4: XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-CCCC.
// Crockford's alphabet has no I, L, O or U, and reading it back maps I and L
// to 1 and O to 0, so the code survives being read aloud or hand-copied.
const (
	crockford          = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	recoveryDataLen    = 28
	recoveryCheckLen   = 4
	recoveryGroup      = 4
	recoveryCodeLen    = recoveryDataLen + recoveryCheckLen
	maxRecoveryCodeLen = 256 // of typed input, with separators
)

// newRecoveryCode returns a fresh code in canonical (dashed) form.
func newRecoveryCode() string {
	raw := make([]byte, recoveryDataLen)
	rand.Read(raw)
	data := make([]byte, recoveryDataLen)
	for i, b := range raw {
		data[i] = crockford[b&31] // 256 is a multiple of 32: uniform
	}
	wipe(raw)
	return formatRecoveryCode(append(data, recoveryChecksum(data)...))
}

// recoveryChecksum is 20 bits of SHA-256 over the data symbols, as 4 symbols.
// It catches typos before any key is derived; it is not a secret and adds no
// strength.
func recoveryChecksum(data []byte) []byte {
	h := sha256.New()
	h.Write([]byte("calmally/recovery-code/v1\x00"))
	h.Write(data)
	sum := h.Sum(nil)
	bits := uint32(sum[0])<<12 | uint32(sum[1])<<4 | uint32(sum[2])>>4
	check := make([]byte, recoveryCheckLen)
	for i := recoveryCheckLen - 1; i >= 0; i-- {
		check[i] = crockford[bits&31]
		bits >>= 5
	}
	return check
}

func formatRecoveryCode(symbols []byte) string {
	var b strings.Builder
	for i, c := range symbols {
		if i > 0 && i%recoveryGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// NormalizeRecoveryCode checks a typed recovery code and returns it in
// canonical form (upper case, groups of 4 joined by dashes). It ignores case,
// spaces and dashes, reads I and L as 1 and O as 0, and rejects a code whose
// checksum group does not match — almost every single typo or swap — with an
// error wrapping ErrWrongRecoveryCode. Use it for "type it back" confirmation.
func NormalizeRecoveryCode(code string) (string, error) {
	symbols, err := parseRecoveryCode(code)
	if err != nil {
		return "", err
	}
	return formatRecoveryCode(symbols), nil
}

// parseRecoveryCode returns the 32 canonical symbols (data then checksum).
func parseRecoveryCode(code string) ([]byte, error) {
	if len(code) > maxRecoveryCodeLen {
		return nil, fmt.Errorf("vault: read recovery code: too long: %w", ErrWrongRecoveryCode)
	}
	symbols := make([]byte, 0, recoveryCodeLen)
	for _, r := range code {
		if r == '-' || r == '‐' || r == '‑' || r == '–' || r == '—' || unicode.IsSpace(r) {
			continue
		}
		c, ok := crockfordSymbol(r)
		if !ok {
			return nil, fmt.Errorf("vault: read recovery code: character %d is not used in recovery codes: %w", len(symbols)+1, ErrWrongRecoveryCode)
		}
		if len(symbols) == recoveryCodeLen {
			return nil, fmt.Errorf("vault: read recovery code: more than %d characters: %w", recoveryCodeLen, ErrWrongRecoveryCode)
		}
		symbols = append(symbols, c)
	}
	if len(symbols) != recoveryCodeLen {
		return nil, fmt.Errorf("vault: read recovery code: %d characters, want %d: %w", len(symbols), recoveryCodeLen, ErrWrongRecoveryCode)
	}
	if string(recoveryChecksum(symbols[:recoveryDataLen])) != string(symbols[recoveryDataLen:]) {
		return nil, fmt.Errorf("vault: read recovery code: checksum does not match, a character is probably mistyped: %w", ErrWrongRecoveryCode)
	}
	return symbols, nil
}

func crockfordSymbol(r rune) (byte, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		r -= 'a' - 'A'
	case r > unicode.MaxASCII:
		return 0, false
	}
	switch r {
	case 'O':
		return '0', true
	case 'I', 'L':
		return '1', true
	}
	if strings.IndexByte(crockford, byte(r)) < 0 {
		return 0, false
	}
	return byte(r), true
}
