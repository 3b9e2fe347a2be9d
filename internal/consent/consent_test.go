package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
)

func TestEveryPurposeHasEnglishAndHindiNotices(t *testing.T) {
	for _, p := range Purposes() {
		for _, lang := range Languages {
			n, err := CurrentNotice(p, lang)
			if err != nil {
				t.Fatalf("%s/%s: %v", p, lang, err)
			}
			sum := sha256.Sum256([]byte(n.Text))
			if n.SHA256 != hex.EncodeToString(sum[:]) || n.Title == "" || n.Version != 1 || n.ID != "calmally."+string(p) {
				t.Errorf("%s/%s: notice %+v", p, lang, n)
			}
			if lang == "hi" && !strings.ContainsRune(n.Text, 'स') {
				t.Errorf("%s: the Hindi notice is not in Devanagari", p)
			}
		}
		if len(p.Categories()) == 0 {
			t.Errorf("%s covers no data categories", p)
		}
	}
	if _, err := CurrentNotice("marketing", "en"); err == nil {
		t.Error("unknown purpose has a notice")
	}
	if _, err := CurrentNotice(PurposeHealthData, "fr"); err == nil {
		t.Error("unknown language has a notice")
	}
}

var t0 = time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC)

func row(id string, p Purpose, k Kind, at time.Time) Row {
	n, _ := CurrentNotice(p, "en")
	r := Row{ID: id, Rev: 1, ClientID: "0190a2b4-0000-7000-8000-000000000001", Purpose: p, Kind: k,
		NoticeID: n.ID, NoticeVersion: n.Version, NoticeLanguage: "en", NoticeSHA256: n.SHA256,
		Categories: p.Categories(), Channel: ChannelClinic, Source: SourceClinic, CapturedBy: "practitioner",
		At: at, RecordedAt: at}
	if k == KindGrant {
		r.Method = MethodCheckbox
	}
	return r
}

func TestDerive(t *testing.T) {
	g := row("a", PurposeHealthData, KindGrant, t0)
	w := row("b", PurposeHealthData, KindWithdraw, t0.Add(time.Hour))
	exp := row("c", PurposeReminders, KindGrant, t0)
	exp.ExpiresAt = time.Date(2024, 2, 29, 18, 30, 0, 0, time.UTC) // end of a leap day in India
	late := row("d", PurposeRecording, KindWithdraw, t0)           // a platform withdrawal synced late…
	late.Seq = 9
	early := row("e", PurposeRecording, KindGrant, t0.Add(-time.Hour)) // …is still the latest by time
	early.Seq = 10
	rows := []Row{g, w, exp, late, early}
	tests := []struct {
		name string
		p    Purpose
		now  time.Time
		want Status
	}{
		{"never", PurposeCrossBorder, t0, StatusNever},
		{"granted before the withdrawal", PurposeHealthData, t0.Add(30 * time.Minute), StatusGranted},
		{"withdrawn", PurposeHealthData, t0.Add(2 * time.Hour), StatusWithdrawn},
		{"granted until the expiry", PurposeReminders, exp.ExpiresAt.Add(-time.Second), StatusGranted},
		{"expired at the instant", PurposeReminders, exp.ExpiresAt, StatusExpired},
		{"latest by time, not by arrival", PurposeRecording, t0.Add(time.Hour), StatusWithdrawn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var at []Row
			for _, r := range rows {
				if !r.At.After(tt.now) {
					at = append(at, r)
				}
			}
			if got := Derive(at, tt.p, tt.now).Status; got != tt.want {
				t.Fatalf("Derive = %s, want %s", got, tt.want)
			}
		})
	}
	if got := DeriveAll(rows, t0.Add(2*time.Hour)); len(got) != len(Purposes()) {
		t.Fatalf("DeriveAll returned %d states", len(got))
	}
}

// ledger builds a chained ledger of n events.
func ledger(t *testing.T, c *Chain, n int) ([]Row, Head) {
	t.Helper()
	var rows []Row
	var head Head
	var lastSeq int64
	var lastMAC []byte
	for i := 0; i < n; i++ {
		r, h, err := c.Append(head, lastSeq, lastMAC, row(newID(t0), PurposeHealthData, KindGrant, t0.Add(time.Duration(i)*time.Minute)))
		if err != nil {
			t.Fatal(err)
		}
		rows, head, lastSeq, lastMAC = append(rows, r), h, r.Seq, r.MAC
	}
	return rows, head
}

func TestLedgerTamperingIsDetected(t *testing.T) {
	c := NewChain([]byte("0123456789abcdef0123456789abcdef"))
	tests := []struct {
		name   string
		tamper func(rows []Row, h Head) ([]Row, Head)
		want   error
		seq    int64
	}{
		{"intact", func(r []Row, h Head) ([]Row, Head) { return r, h }, nil, 0},
		{"edited purpose", func(r []Row, h Head) ([]Row, Head) { r[2].Purpose = PurposeRecording; return r, h }, ErrEdited, 3},
		{"edited time", func(r []Row, h Head) ([]Row, Head) { r[1].At = r[1].At.Add(time.Hour); return r, h }, ErrEdited, 2},
		{"edited kind", func(r []Row, h Head) ([]Row, Head) { r[4].Kind = KindWithdraw; return r, h }, ErrEdited, 5},
		{"deleted middle", func(r []Row, h Head) ([]Row, Head) { return append(r[:2:2], r[3:]...), h }, ErrDeleted, 3},
		{"deleted and renumbered", func(r []Row, h Head) ([]Row, Head) {
			out := append(r[:2:2], r[3:]...)
			for i := range out {
				out[i].Seq = int64(i + 1)
			}
			return out, h
		}, ErrReordered, 3},
		{"swapped positions", func(r []Row, h Head) ([]Row, Head) { r[1].Seq, r[3].Seq = r[3].Seq, r[1].Seq; return r, h }, ErrReordered, 2},
		{"swapped contents", func(r []Row, h Head) ([]Row, Head) {
			// Everything but the position and the MAC columns moves.
			a, b := r[1], r[3]
			a.Seq, a.PrevMAC, a.MAC, b.Seq, b.PrevMAC, b.MAC = b.Seq, b.PrevMAC, b.MAC, a.Seq, a.PrevMAC, a.MAC
			r[1], r[3] = b, a
			return r, h
		}, ErrReordered, 2},
		{"truncated", func(r []Row, h Head) ([]Row, Head) { return r[:4], h }, ErrTruncated, 5},
		{"truncated with the head rolled back by hand", func(r []Row, h Head) ([]Row, Head) {
			return r[:4], Head{Seq: 4, MAC: r[3].MAC, HeadMAC: h.HeadMAC}
		}, ErrTruncated, 0},
		{"head removed", func(r []Row, h Head) ([]Row, Head) { return r, Head{} }, ErrHeadMissing, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, head := ledger(t, c, 6)
			rows, head = tt.tamper(rows, head)
			err := c.Verify(rows, head)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v", err)
				}
				return
			}
			var p *Problem
			if !errors.Is(err, tt.want) || !errors.As(err, &p) || p.Seq != tt.seq {
				t.Fatalf("Verify = %v, want %v at %d", err, tt.want, tt.seq)
			}
		})
	}
	// Another vault's key verifies nothing.
	rows, head := ledger(t, c, 2)
	if err := NewChain([]byte("another key, another vault......")).Verify(rows, head); err == nil {
		t.Fatal("a ledger verified under another key")
	}
	// Appending to a damaged ledger is refused.
	if _, _, err := c.Append(head, 1, rows[0].MAC, row("x", PurposeHealthData, KindGrant, t0)); !errors.Is(err, ErrTruncated) {
		t.Fatalf("append after truncation = %v", err)
	}
	// Relinking (the minor purge) yields a ledger that verifies.
	rows, _ = ledger(t, c, 5)
	kept, h := c.Relink(append(rows[:1:1], rows[3:]...))
	if err := c.Verify(kept, h); err != nil || len(kept) != 3 || kept[2].Seq != 3 {
		t.Fatalf("relinked ledger: %v", err)
	}
	if _, h := c.Relink(nil); c.Verify(nil, h) != nil {
		t.Fatal("empty relinked ledger does not verify")
	}
}

func TestFHIRConsentValidates(t *testing.T) {
	um, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		t.Fatal(err)
	}
	exp := row(newID(t0), PurposeCrossBorder, KindGrant, t0)
	exp.ExpiresAt = t0.AddDate(1, 0, 0)
	for _, r := range []Row{
		row(newID(t0), PurposeHealthData, KindGrant, t0),
		row(newID(t0), PurposeHealthData, KindWithdraw, t0),
		exp,
	} {
		b, err := FHIRConsent(r, DefaultController)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := um.Unmarshal(b); err != nil {
			t.Fatalf("FHIR R4 validator rejected the %s receipt: %v\n%s", r.Kind, err, b)
		}
		var doc map[string]any
		json.Unmarshal(b, &doc)
		want := map[Kind]string{KindGrant: "active", KindWithdraw: "inactive"}[r.Kind]
		if doc["resourceType"] != "Consent" || doc["status"] != want || !strings.Contains(string(b), r.NoticeSHA256) {
			t.Fatalf("receipt: %s", b)
		}
	}
	// The validator is not vacuous: a Consent without its required status fails.
	bad := `{"resourceType": "Consent", "scope": {"coding": [{"code": "patient-privacy"}]}, "category": [{"text": "x"}]}`
	if _, err := um.Unmarshal([]byte(bad)); err == nil {
		t.Fatal("the validator accepted a Consent without status")
	}
}

func TestKantaraReceiptHasEveryRequiredField(t *testing.T) {
	for _, r := range []Row{row(newID(t0), PurposeRepresentativeDisclosure, KindGrant, t0), row(newID(t0), PurposeReminders, KindWithdraw, t0)} {
		b, err := KantaraReceipt(r, DefaultController)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		str := func(m map[string]any, k string) {
			t.Helper()
			if s, ok := m[k].(string); !ok || s == "" {
				t.Errorf("%s: want a non-empty string, got %#v", k, m[k])
			}
		}
		boolean := func(m map[string]any, k string) {
			t.Helper()
			if _, ok := m[k].(bool); !ok {
				t.Errorf("%s: want a boolean, got %#v", k, m[k])
			}
		}
		list := func(m map[string]any, k string) []any {
			t.Helper()
			l, ok := m[k].([]any)
			if !ok || len(l) == 0 {
				t.Errorf("%s: want a non-empty array, got %#v", k, m[k])
			}
			return l
		}
		for _, k := range []string{"version", "jurisdiction", "collectionMethod", "consentReceiptID", "language", "piiPrincipalId", "policyUrl"} {
			str(doc, k)
		}
		if doc["version"] != "KI-CR-v1.1.0" || doc["consentReceiptID"] != r.ID || doc["piiPrincipalId"] != r.ClientID {
			t.Errorf("header: %v", doc)
		}
		if ts, ok := doc["consentTimestamp"].(float64); !ok || int64(ts) != r.At.Unix() {
			t.Errorf("consentTimestamp: want integer seconds, got %#v", doc["consentTimestamp"])
		}
		boolean(doc, "sensitive")
		for _, c := range list(doc, "spiCat") {
			if _, ok := c.(string); !ok {
				t.Errorf("spiCat entry %#v", c)
			}
		}
		for _, c := range list(doc, "piiControllers") {
			m := c.(map[string]any)
			for _, k := range []string{"piiController", "contact", "email", "phone"} {
				str(m, k)
			}
			if a, ok := m["address"].(map[string]any); !ok || a["addressCountry"] == "" {
				t.Errorf("address: %#v", m["address"])
			}
		}
		for _, s := range list(doc, "services") {
			sm := s.(map[string]any)
			str(sm, "service")
			for _, p := range list(sm, "purposes") {
				pm := p.(map[string]any)
				for _, k := range []string{"purpose", "consentType", "termination"} {
					str(pm, k)
				}
				list(pm, "purposeCategory")
				list(pm, "piiCategory")
				boolean(pm, "primaryPurpose")
				boolean(pm, "thirdPartyDisclosure")
				if pm["consentType"] != "EXPLICIT" {
					t.Errorf("consentType %v", pm["consentType"])
				}
				if pm["thirdPartyDisclosure"] == true {
					str(pm, "thirdPartyName")
				}
			}
		}
	}
}
