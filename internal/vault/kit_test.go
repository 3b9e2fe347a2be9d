package vault

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRecoveryKitPDF(t *testing.T) {
	code := newRecoveryCode()
	created := time.Date(2025, 11, 2, 9, 30, 0, 0, time.FixedZone("IST", 5*3600+1800))
	pdf, err := RecoveryKitPDF(strings.ToLower(code), created)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:8])
	}
	if !bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Fatal("PDF is not terminated")
	}
	if n := len(regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1)); n != 1 {
		t.Fatalf("PDF has %d pages, want 1", n)
	}
	// The code appears, canonical and in its two printed lines.
	groups := strings.Split(code, "-")
	for _, line := range []string{strings.Join(groups[:4], "-"), strings.Join(groups[4:], "-")} {
		if !bytes.Contains(pdf, []byte("("+line+")")) {
			t.Errorf("PDF text lacks code line %s", line)
		}
	}
	for _, want := range []string{
		"CalmAlly Practice \x97 Recovery kit", // em dash in the core fonts' encoding
		"Created on 2 November 2025",
		"Keep it offline, somewhere safe",
		"Anyone who holds this code",
		"/Subtype /Image", // the QR code
	} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	// The code is not in the metadata.
	if info := regexp.MustCompile(`/Title [^\n]*`).Find(pdf); bytes.Contains(info, []byte(groups[0]+"-")) {
		t.Errorf("code leaks into the title: %s", info)
	}
	if dir := os.Getenv("CALMALLY_KIT_OUT"); dir != "" {
		_ = os.WriteFile(dir+"/recovery-kit.pdf", pdf, 0o600)
	}
}

func TestRecoveryKitPDFRefusesBadInput(t *testing.T) {
	if _, err := RecoveryKitPDF("ABCD-EFGH", time.Now()); !errors.Is(err, ErrWrongRecoveryCode) {
		t.Fatalf("bad code: %v", err)
	}
	if _, err := RecoveryKitPDF(newRecoveryCode(), time.Time{}); err == nil {
		t.Fatal("zero date accepted")
	}
}
