package wire

import (
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/ids"
)

const seedNotice = `{"id":"` + tID + `","kind":"consent-notice","purpose":"recording","version":2,"language":"hi",
	"text":"रिकॉर्डिंग की सहमति\nनया पाठ","summary":"Recordings are now kept 30 days, not 90.","material":true,
	"publishedAt":"2026-03-01T09:00:00+05:30"}`

func TestDecodeNoticeVersion(t *testing.T) {
	c, _ := change(t, TypeNotice, seedNotice)
	n, err := DecodeNoticeVersion(c)
	if err != nil || n.Kind != NoticeConsent || n.Purpose != "recording" || n.Version != 2 || !n.Material ||
		n.PublishedAt.Location() != time.UTC || !strings.HasPrefix(n.Text, "रिकॉर्डिंग") {
		t.Fatalf("notice: %+v %v", n, err)
	}
	policy := edit(edit(seedNotice, `"consent-notice","purpose":"recording"`, `"privacy-policy"`), `"material":true`, `"material":false`)
	c, _ = change(t, TypeNotice, policy)
	if n, err := DecodeNoticeVersion(c); err != nil || n.Kind != NoticePrivacyPolicy || n.Purpose != "" || n.Material {
		t.Fatalf("policy: %+v %v", n, err)
	}
	for name, doc := range map[string]string{
		"policy with a purpose": edit(seedNotice, `"consent-notice"`, `"privacy-policy"`),
		"unknown purpose":       edit(seedNotice, `"recording"`, `"marketing"`),
		"unknown kind":          edit(seedNotice, `"consent-notice"`, `"terms"`),
		"version 0":             edit(seedNotice, `"version":2`, `"version":0`),
		"language":              edit(seedNotice, `"language":"hi"`, `"language":"ta"`),
		"empty text":            edit(seedNotice, `"text":"रिकॉर्डिंग की सहमति\nनया पाठ"`, `"text":"  "`),
		"no summary":            edit(seedNotice, `"summary":"Recordings are now kept 30 days, not 90."`, `"summary":""`),
		"control character":     edit(seedNotice, `नया पाठ`, `\u0007`),
		"no time":               edit(seedNotice, `"publishedAt":"2026-03-01T09:00:00+05:30"`, `"x":1`),
	} {
		c, _ := change(t, TypeNotice, doc)
		if _, err := DecodeNoticeVersion(c); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			mustRefuse(t, err, doc)
		}
	}
}

func FuzzDecodeNoticeVersion(f *testing.F) {
	addSeeds(f, seedNotice, edit(seedNotice, `"version":2`, `"version":-1`))
	f.Fuzz(func(t *testing.T, doc string) {
		c, ok := change(t, TypeNotice, doc)
		if !ok {
			return
		}
		n, err := DecodeNoticeVersion(c)
		if err != nil {
			mustRefuse(t, err, doc)
			return
		}
		if !ids.Valid(n.ID) || n.ID != c.ID || n.Version < 1 || (n.Kind == NoticeConsent) == (n.Purpose == "") ||
			!oneOf(n.Language, "en", "hi") || n.PublishedAt.Location() != time.UTC || strings.TrimSpace(n.Text) == "" {
			t.Fatalf("accepted a notice outside the contract: %+v", n)
		}
		okText(t, "text", n.Text, MaxNoticeText)
		okText(t, "summary", n.Summary, MaxTextLen)
	})
}
