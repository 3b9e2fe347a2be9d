package wire

import "time"

// TypeNotice is a new version of the platform's privacy policy or of a
// consent notice (Change.Type "notice"). The change id is a UUID the
// platform gives the version.
const TypeNotice = "notice"

// Notice kinds.
const (
	NoticePrivacyPolicy = "privacy-policy"
	NoticeConsent       = "consent-notice"
)

// MaxNoticeText bounds a notice's full text (a privacy policy is long).
const MaxNoticeText = 200_000

// NoticeVersion is a published wording. Material says whether the change
// alters what people agreed to: consents given under an older version of a
// material consent notice are flagged for renewal; a material privacy-policy
// change is shown to the practitioner until acknowledged. Summary says, in a
// few sentences, what changed.
type NoticeVersion struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Purpose     string    `json:"purpose,omitempty"` // consent notices: the consent purpose
	Version     int       `json:"version"`
	Language    string    `json:"language"` // "en" | "hi"
	Text        string    `json:"text"`
	Summary     string    `json:"summary"`
	Material    bool      `json:"material"`
	PublishedAt time.Time `json:"publishedAt"`
}

// consentPurposes are the consent purposes a notice may be for (the strings
// of internal/consent's purposes; wire cannot import a domain package).
var consentPurposes = []string{"health-data", "teleconsultation", "recording", "summary-sharing",
	"reminders", "cross-border", "representative-disclosure"}

// DecodeNoticeVersion decodes a "notice" change.
func DecodeNoticeVersion(c Change) (NoticeVersion, error) {
	const doc = "notice"
	var v NoticeVersion
	if err := decodeData(c, TypeNotice, &v); err != nil {
		return NoticeVersion{}, err
	}
	if err := dataID(doc, "id", v.ID, c.ID); err != nil {
		return NoticeVersion{}, err
	}
	switch v.Kind {
	case NoticePrivacyPolicy:
		if v.Purpose != "" {
			return NoticeVersion{}, dataRule(doc, "a privacy policy has no purpose")
		}
	case NoticeConsent:
		if !oneOf(v.Purpose, consentPurposes...) {
			return NoticeVersion{}, dataRule(doc, "purpose must be a consent purpose")
		}
	default:
		return NoticeVersion{}, dataRule(doc, "kind must be privacy-policy or consent-notice")
	}
	if v.Version < 1 || v.Version > 999999 {
		return NoticeVersion{}, dataRule(doc, "version must be a number from 1 to 999999")
	}
	if !oneOf(v.Language, "en", "hi") {
		return NoticeVersion{}, dataRule(doc, "language must be en or hi")
	}
	if err := dataText(doc, "text", v.Text, MaxNoticeText, true, true); err != nil {
		return NoticeVersion{}, err
	}
	if err := dataText(doc, "summary", v.Summary, MaxTextLen, true, true); err != nil {
		return NoticeVersion{}, err
	}
	if err := dataTime(doc, "publishedAt", v.PublishedAt); err != nil {
		return NoticeVersion{}, err
	}
	utc(&v.PublishedAt)
	return v, nil
}
