package erasure

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kinds of certificate.
const (
	KindErasure    = "erasure"
	KindMinorPurge = "minor_purge"
)

// Erased is one category of data removed.
type Erased struct {
	Category string   `json:"category"`
	Table    string   `json:"table"`
	Columns  []string `json:"columns"`
	Count    int      `json:"count"` // rows affected
	IDs      []string `json:"ids,omitempty"`
}

// Basis is one legal reference for a hold.
type Basis struct {
	Law     string `json:"law"`
	Section string `json:"section"`
	Why     string `json:"why"`
}

// Retained is one category of data kept, why, and until when.
type Retained struct {
	Category  string  `json:"category"`
	What      string  `json:"what"`
	Count     int     `json:"count"`
	Basis     []Basis `json:"basis"`
	HoldUntil string  `json:"holdUntil"` // RFC 3339, or "" when kept as long as the practice's records
}

// Certificate is what the engine attests. It holds no client data.
type Certificate struct {
	Version      int        `json:"version"`
	ID           string     `json:"certificateId"`
	Kind         string     `json:"kind"`
	RequestID    string     `json:"requestId,omitempty"`
	ClientID     string     `json:"clientId"`
	Reason       string     `json:"reason,omitempty"` // minor purges: how the minority came to light (a code)
	RequestedAt  string     `json:"requestReceivedAt,omitempty"`
	VerifiedAt   string     `json:"identityVerifiedAt,omitempty"`
	ErasedAt     string     `json:"erasedAt"`
	IssuedBy     string     `json:"issuedBy"`
	Method       string     `json:"method"`
	Erased       []Erased   `json:"erased"`
	Retained     []Retained `json:"retained"`
	HoldUntil    string     `json:"holdUntil,omitempty"`
	LastActivity string     `json:"lastInteractionAt,omitempty"`
	SHA256       string     `json:"-"`
	Body         []byte     `json:"-"`
}

const method = "sealed values replaced by sealed empty values (or rows deleted) in one SQLite transaction with " +
	"secure_delete on; write-ahead log checkpointed with TRUNCATE"

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// seal computes Body (canonical JSON) and its SHA256.
func (c *Certificate) seal() error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("erasure: encode certificate: %w", err)
	}
	sum := sha256.Sum256(b)
	c.Body, c.SHA256 = b, hex.EncodeToString(sum[:])
	return nil
}

// Parse reads a stored certificate body and checks it against sum.
func Parse(body []byte, sum string) (Certificate, error) {
	var c Certificate
	if err := json.Unmarshal(body, &c); err != nil {
		return Certificate{}, fmt.Errorf("erasure: read certificate: %w", err)
	}
	got := sha256.Sum256(body)
	if hex.EncodeToString(got[:]) != sum {
		return Certificate{}, fmt.Errorf("erasure: certificate does not match its SHA-256")
	}
	c.Body, c.SHA256 = body, sum
	return c, nil
}

// Text renders the certificate for people, ending with its SHA-256.
func (c Certificate) Text() string {
	var b strings.Builder
	title := "ERASURE CERTIFICATE"
	if c.Kind == KindMinorPurge {
		title = "CERTIFICATE OF DELETION (MINOR)"
	}
	fmt.Fprintf(&b, "%s\n\nCertificate:  %s\nClient id:    %s\n", title, c.ID, c.ClientID)
	if c.RequestID != "" {
		fmt.Fprintf(&b, "Request:      %s (received %s, identity verified %s)\n", c.RequestID, c.RequestedAt, c.VerifiedAt)
	}
	if c.Reason != "" {
		fmt.Fprintf(&b, "Reason:       %s\n", c.Reason)
	}
	fmt.Fprintf(&b, "Erased at:    %s by %s\nMethod:       %s\n\nERASED\n", c.ErasedAt, c.IssuedBy, c.Method)
	for _, e := range c.Erased {
		fmt.Fprintf(&b, "  - %s: %d row(s) of %s (%s)\n", e.Category, e.Count, e.Table, strings.Join(e.Columns, ", "))
	}
	b.WriteString("\nRETAINED\n")
	if len(c.Retained) == 0 {
		b.WriteString("  nothing\n")
	}
	for _, r := range c.Retained {
		until := r.HoldUntil
		if until == "" {
			until = "as long as the practice keeps its records"
		}
		fmt.Fprintf(&b, "  - %s: %s (%d) until %s\n", r.Category, r.What, r.Count, until)
		for _, l := range r.Basis {
			fmt.Fprintf(&b, "      %s, %s: %s\n", l.Law, l.Section, l.Why)
		}
	}
	if c.HoldUntil != "" {
		fmt.Fprintf(&b, "\nThe hold ends %s (7 years after the last interaction, %s); the retained health\n"+
			"information is deleted then by the retention engine.\n", c.HoldUntil, c.LastActivity)
	}
	fmt.Fprintf(&b, "\nSHA-256 of the JSON certificate: %s\n", c.SHA256)
	return b.String()
}

// Legal references used in holds. They are recorded on each certificate as
// text, so a later change here does not alter issued certificates.
var (
	basisDPDPRetention = Basis{Law: "Digital Personal Data Protection Act 2023", Section: "s.8(7)(a)",
		Why: "personal data is erased on request unless its retention is necessary for compliance with any law"}
	basisIMC = Basis{Law: "Indian Medical Council (Professional Conduct, Etiquette and Ethics) Regulations 2002",
		Section: "reg. 1.3.1", Why: "practitioners maintain patients' medical records"}
	basisMHCA = Basis{Law: "Mental Healthcare Act 2017", Section: "s.25",
		Why: "a person with mental illness has the right to access their basic medical records"}
	basisPolicy = Basis{Law: "CalmAlly privacy policy (retention schedule)", Section: "health information",
		Why: "health information is kept 7 years after the last interaction"}
	basisConsentProof = Basis{Law: "Digital Personal Data Protection Act 2023", Section: "s.6(10)",
		Why: "the data fiduciary must be able to prove that notice was given and consent obtained"}
)
