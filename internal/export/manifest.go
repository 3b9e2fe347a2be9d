package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/export/record"
)

// Format names the archive layout in manifest.json; FormatVersion bumps when
// the layout changes incompatibly. Import refuses anything else.
const (
	Format        = "calmally-record-bundle"
	FormatVersion = 1
)

// Paths inside the archive.
const (
	PathManifest = "manifest.json"
	PathREADME   = "README.txt"
	PathFHIR     = "fhir/bundle.json"
	PathPDF      = "record.pdf"
	PathICS      = "calendar.ics"
	dirConsents  = "consents/"
)

// FileDigest is one file of the archive.
type FileDigest struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Manifest is manifest.json: what the archive holds and the SHA-256 of
// every other file in it.
type Manifest struct {
	Format                     string            `json:"format"`
	FormatVersion              int               `json:"formatVersion"`
	BundleID                   string            `json:"bundleId"`
	App                        string            `json:"app"`
	AppVersion                 string            `json:"appVersion"`
	ExportedAt                 string            `json:"exportedAt"`
	Scope                      record.Scope      `json:"scope"`
	ClientID                   string            `json:"clientId,omitempty"`
	IncludesPsychotherapyNotes bool              `json:"includesPsychotherapyNotes"`
	Counts                     record.Counts     `json:"counts"`
	Files                      []FileDigest      `json:"files"`
	Withheld                   []record.Withheld `json:"withheld"`
}

// readme is README.txt, for whoever receives the archive.
func readme(rec record.Record, m Manifest, hasICS bool) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("CLINICAL RECORD EXPORT\n======================\n\n")
	w("Made by CalmAlly Practice %s on %s (UTC).\n", m.AppVersion, rec.ExportedAt.UTC().Format(time.RFC1123))
	if rec.Scope == record.ScopeClient {
		w("Scope: the record of one client (id %s).\n", rec.ClientID)
	} else {
		w("Scope: every client record of the practice (%d clients).\n", len(rec.Clients))
	}
	w("Bundle id: %s\n\n", rec.ID)
	w("This archive contains confidential health information. Keep it as carefully as the\n")
	w("original record, and delete it once it has served its purpose.\n\n")
	w("WHAT EACH FILE IS\n-----------------\n")
	w("record.pdf          The record for people to read and print: the client's details,\n")
	w("                    then every session note in date order, with signatures and addenda.\n")
	w("fhir/bundle.json    The same record as a FHIR R4 document Bundle (HL7 FHIR, release 4),\n")
	w("                    for import into another clinical system. Notes are DocumentReference\n")
	w("                    resources (LOINC 11506-3 Progress note), each signature a Provenance,\n")
	w("                    the access history AuditEvent resources.\n")
	if hasICS {
		w("calendar.ics        The client's sessions (iCalendar, RFC 5545).\n")
	}
	if len(rec.Consents) > 0 {
		w("consents/           One receipt per consent given or withdrawn, twice: as a FHIR R4\n")
		w("                    Consent (*.fhir.json) and as a Kantara Consent Receipt v1.1\n")
		w("                    (*.kantara.json).\n")
	}
	w("manifest.json       The list of files with their SHA-256 digests, the app version,\n")
	w("                    the export time, the scope and what was withheld.\n")
	w("README.txt          This file.\n\n")
	w("HOW TO CHECK THAT NOTHING WAS CHANGED\n-------------------------------------\n")
	w("Each file's SHA-256 digest is listed in manifest.json. Compute it and compare:\n")
	w("  Linux:    sha256sum record.pdf\n")
	w("  macOS:    shasum -a 256 record.pdf\n")
	w("  Windows:  certutil -hashfile record.pdf SHA256\n")
	w("A signed note also carries the SHA-256 hash recorded when it was signed (the\n")
	w("Provenance signature in the FHIR bundle). It is a content hash that shows the note\n")
	w("has not changed since signing; it is not a digital signature by a certificate.\n\n")
	w("WHAT WAS WITHHELD, AND WHY\n--------------------------\n")
	if len(rec.Withheld) == 0 {
		w("Nothing was withheld.\n")
	}
	review := false
	for _, x := range rec.Withheld {
		if x.Count > 0 {
			w("- %s (%d): %s\n", x.What, x.Count, x.Reason)
		} else {
			w("- %s: %s\n", x.What, x.Reason)
		}
		review = review || x.Review
	}
	if review {
		w("\nYOUR RIGHT TO A REVIEW\n----------------------\n")
		w("Where information about a person's mental health care is withheld from them, they\n")
		w("may apply to the Mental Health Review Board for its release (Mental Healthcare Act\n")
		w("2017, section 25: the right to access medical records). The practitioner named in\n")
		w("the record can tell you which Board covers the district.\n")
	}
	return b.String()
}
