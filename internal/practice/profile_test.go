package practice

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/profile"
	"github.com/calmally/practice/internal/vault"
)

// The profile leak probe: the marker in the practitioner's name, bio,
// contact and demographics and in the practice's name, address and
// grievance contact; then read back and the export view taken.
func init() {
	LeakProbes = append(LeakProbes, func(t *testing.T, p *Practice, marker string) {
		t.Helper()
		ctx := context.Background()
		svc := p.Profile()
		pf := profile.Profile{Name: marker + " Practitioner", Bio: marker + " bio",
			Contact:      profile.Contact{Email: "meera@example.in"},
			Demographics: profile.Demographics{Other: marker + " demographics"},
			Credentials: []profile.Credential{{Qualification: marker + " M.Phil", Council: profile.CouncilRCI,
				RegistrationNumber: "A12345", ValidUntil: "2027-03-31"}}}
		if _, _, err := svc.SaveProfile(ctx, pf); err != nil {
			t.Fatalf("profile probe: save profile: %v", err)
		}
		pr := profile.Practice{Name: marker + " Clinic", Address: profile.Address{Line1: marker + " road"},
			Grievance: profile.Grievance{Name: marker + " officer", Email: "grievance@example.in"}}
		if _, err := svc.SavePractice(ctx, pr); err != nil {
			t.Fatalf("profile probe: save practice: %v", err)
		}
		if _, err := svc.Submit(ctx); err != nil {
			t.Fatalf("profile probe: submit: %v", err)
		}
		v, err := p.PractitionerForExport(ctx)
		if err != nil || v.Name != marker+" Practitioner" || v.RegistrationNumber != "A12345" ||
			v.Council != "Rehabilitation Council of India" || v.PracticeName != marker+" Clinic" {
			t.Fatalf("profile probe: export view %+v %v", v, err)
		}
	})
}

// openAt opens (and creates a vault in) the profile folder dir.
func openAt(t *testing.T, f *fixture, dir, pass string) *Practice {
	t.Helper()
	g := *f
	g.dir = dir
	p := g.open(t)
	if _, err := p.Create(context.Background(), []byte(pass), false); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTwoProfilesCannotReadEachOther: two practitioners on one computer,
// each in <base>/profiles/<slug> with its own vault. Neither's keys open the
// other's envelopes, and neither's services see the other's rows.
func TestTwoProfilesCannotReadEachOther(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	base := filepath.Dir(f.dir)
	dirA, _ := datadir.ProfileDir(base, "meera")
	dirB, _ := datadir.ProfileDir(base, "rahul")
	a := openAt(t, f, dirA, goodPass)
	b := openAt(t, f, dirB, otherPass) // same keychain, as on one computer

	if _, _, err := a.Profile().SaveProfile(ctx, profile.Profile{Name: "Meera", Credentials: []profile.Credential{
		{Qualification: "M.Phil", Council: profile.CouncilRCI, RegistrationNumber: "A12345"}}}); err != nil {
		t.Fatal(err)
	}
	c, err := a.Clients().Create(ctx, clients.Input{Name: "Asha Kumar", DateOfBirth: "1990-05-01"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := datadir.Profiles(base)
	if err != nil || len(ps) != 2 || ps[0].Slug != "meera" || ps[1].Slug != "rahul" {
		t.Fatalf("Profiles = %+v %v", ps, err)
	}

	// Services: B sees no profile and no client of A's.
	if pf, _, err := b.Profile().Profile(ctx); err != nil || pf.Name != "" || pf.Rev != 0 {
		t.Fatalf("B reads a profile: %+v %v", pf, err)
	}
	if _, err := b.Clients().Get(ctx, c.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("B reads A's client: %v", err)
	}

	// Keys: B's keys cannot open A's envelopes, read straight from A's file.
	var env []byte
	if err := a.DB().SQL().QueryRow(`SELECT document FROM profile_documents WHERE id = 'practitioner'`).Scan(&env); err != nil {
		t.Fatal(err)
	}
	ka, _ := a.Keys()
	kb, _ := b.Keys()
	ad := vault.AD{Table: profile.TableDocuments, Column: profile.ColDocument, RowID: profile.IDPractitioner, Revision: 1}
	if _, err := ka.Open(ad, env); err != nil {
		t.Fatalf("A cannot open its own envelope: %v", err)
	}
	if _, err := kb.Open(ad, env); !errors.Is(err, vault.ErrIntegrity) {
		t.Fatalf("B's keys opened A's envelope: %v", err)
	}

	// A's passphrase does not unlock B's folder.
	b.Lock(ctx, "user")
	if err := b.Unlock(ctx, []byte(goodPass)); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("A's passphrase on B: %v", err)
	}
}
