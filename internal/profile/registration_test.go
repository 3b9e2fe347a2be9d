package profile

import (
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

func TestRegistrationValidation(t *testing.T) {
	tests := []struct {
		name    string
		cr      Credential
		wantNo  string // normalised number when valid
		wantErr string // substring of the refusal; "" = valid
	}{
		{"rci plain", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "A12345"}, "A12345", ""},
		{"rci with CRR label and hyphen", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "CRR No. a-12345"}, "A12345", ""},
		{"rci six digits", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "B030612"}, "B030612", ""},
		{"rci missing letter", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "98765"}, "", "does not look like a rci number (e.g. A12345)"},
		{"rci too short", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "Z9876"}, "", "does not look like"},
		{"rci number required", Credential{Qualification: "M.Phil", Council: CouncilRCI}, "", "registrationNumber is required"},
		{"nmc digits", Credential{Qualification: "MD Psychiatry", Council: CouncilNMC, RegistrationNumber: "Reg. No. 1234567"}, "1234567", ""},
		{"nmc letters refused", Credential{Qualification: "MD Psychiatry", Council: CouncilNMC, RegistrationNumber: "MMC123"}, "", "does not look like a nmc number"},
		{"mmc year/month/serial", Credential{Qualification: "MD Psychiatry", Council: CouncilMaharashtra, RegistrationNumber: "2012/03/1234"}, "2012/03/1234", ""},
		{"mmc serial", Credential{Qualification: "MD Psychiatry", Council: CouncilMaharashtra, RegistrationNumber: "I 54321"}, "I54321", ""},
		{"mmc bad", Credential{Qualification: "MD Psychiatry", Council: CouncilMaharashtra, RegistrationNumber: "12/3/4"}, "", "does not look like a mmc number"},
		{"state council needs its name", Credential{Qualification: "MD", Council: CouncilStateMedical, RegistrationNumber: "KMC-12345"}, "", "councilName is required"},
		{"state council named", Credential{Qualification: "MD", Council: CouncilStateMedical, CouncilName: "Karnataka Medical Council", RegistrationNumber: "kmc-12345"}, "KMC-12345", ""},
		{"other without number", Credential{Qualification: "Diploma in Counselling", Council: CouncilOther, CouncilName: "Counsellors Council"}, "", ""},
		{"none is plain", Credential{Qualification: "MA Counselling Psychology", Council: CouncilNone}, "", ""},
		{"none takes no number", Credential{Qualification: "MA", Council: CouncilNone, RegistrationNumber: "X1"}, "", "council none takes no registration number"},
		{"empty council is none", Credential{Qualification: "MA"}, "", ""},
		{"councilName only for named", Credential{Qualification: "M.Phil", Council: CouncilRCI, CouncilName: "x", RegistrationNumber: "A12345"}, "", "councilName is only for"},
		{"unknown council", Credential{Qualification: "M.Phil", Council: "xyz"}, "", "council must be one of"},
		{"qualification required", Credential{Council: CouncilRCI, RegistrationNumber: "A12345"}, "", "qualification is required"},
		{"until before from", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "A12345", ValidFrom: "2024-03-01", ValidUntil: "2024-02-29"}, "", "validUntil must not be before validFrom"},
		{"not a leap year", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "A12345", ValidUntil: "2025-02-29"}, "", "exists in the calendar"},
		{"leap day fine", Credential{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "A12345", ValidUntil: "2028-02-29"}, "A12345", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := tt.cr
			err := validateCredential(1, &cr)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if cr.RegistrationNumber != tt.wantNo {
					t.Fatalf("number %q, want %q", cr.RegistrationNumber, tt.wantNo)
				}
				return
			}
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.wantErr) {
				t.Fatalf("err %v, want invalid containing %q", err, tt.wantErr)
			}
			if tt.cr.RegistrationNumber != "" && strings.Contains(apperr.MessageOf(err), tt.cr.RegistrationNumber) {
				t.Fatal("the refusal echoes the number")
			}
		})
	}
}

func TestExpiryWarnings(t *testing.T) {
	cred := func(from, until string) Profile {
		return Profile{Credentials: []Credential{
			{Qualification: "MA", Council: CouncilNone},
			{Qualification: "M.Phil", Council: CouncilRCI, RegistrationNumber: "A12345", ValidFrom: from, ValidUntil: until}}}
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	tests := []struct {
		name, from, until, today string
		code                     string // "" = none
		days                     int
	}{
		{"far away", "", "2030-01-01", "2024-06-01", "", 0},
		{"61 days: no warning", "", "2028-02-29", "2027-12-30", "", 0},
		{"60 days across a leap February", "", "2028-02-29", "2027-12-31", WarnExpiring, 60},
		{"last valid day", "", "2024-03-31", "2024-03-31", WarnExpiring, 0},
		{"day after: expired", "", "2024-03-31", "2024-04-01", WarnExpired, 1},
		{"expired across a month end", "", "2024-01-31", "2024-03-01", WarnExpired, 30},
		{"expired on a leap day", "", "2024-02-29", "2025-03-01", WarnExpired, 366},
		{"not yet valid", "2024-03-01", "2029-02-28", "2024-02-28", WarnNotYetValid, 2},
		{"no expiry recorded", "2020-01-01", "", "2024-02-28", WarnNoExpiry, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Warnings(cred(tt.from, tt.until), day(tt.today))
			if tt.code == "" {
				if len(ws) != 0 {
					t.Fatalf("warnings %+v, want none", ws)
				}
				return
			}
			if len(ws) != 1 || ws[0].Code != tt.code || ws[0].Days != tt.days || ws[0].Credential != 2 {
				t.Fatalf("warnings %+v, want %s in %d days on credential 2", ws, tt.code, tt.days)
			}
		})
	}
}

func TestCanTransition(t *testing.T) {
	all := []ReviewState{ReviewDraft, ReviewSubmitted, ReviewApproved, ReviewChangesRequested}
	allowed := map[[2]ReviewState]bool{
		{ReviewDraft, ReviewSubmitted}:            true,
		{ReviewChangesRequested, ReviewSubmitted}: true,
		{ReviewSubmitted, ReviewApproved}:         true,
		{ReviewSubmitted, ReviewChangesRequested}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanTransition(from, to); got != allowed[[2]ReviewState{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
}
