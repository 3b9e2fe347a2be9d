package app

import (
	"strings"
	"testing"
)

func TestProfileMethods(t *testing.T) {
	a := newClientTestApp(t)
	empty, err := a.ProfileGet()
	if err != nil || empty.Profile.Rev != 0 || empty.Profile.ReviewState != "draft" || len(empty.Warnings) != 0 {
		t.Fatalf("empty: %+v %v", empty, err)
	}
	pr, err := a.PracticeGet()
	if err != nil || pr.TimeZone != "Asia/Kolkata" || pr.Currency != "INR" || pr.DateFormat != "DD/MM/YYYY" {
		t.Fatalf("default practice: %+v %v", pr, err)
	}
	in := ProfileDTO{Name: "Dr Meera Iyer", Languages: []string{"en", "hi"},
		Credentials: []CredentialDTO{{Qualification: "M.Phil", Council: "rci", RegistrationNumber: "a-12345", ValidUntil: "2000-01-01"}}}
	res, err := a.ProfileSave(in)
	if err != nil || res.Profile.Rev != 1 || res.Profile.Credentials[0].RegistrationNumber != "A12345" ||
		len(res.Warnings) != 1 || res.Warnings[0].Code != "registration_expired" {
		t.Fatalf("save: %+v %v", res, err)
	}
	if _, err := a.ProfileSave(in); err != nil { // rev 0: no check
		t.Fatal(err)
	}
	if _, err := a.ProfileSave(res.Profile); err == nil || !strings.HasPrefix(err.Error(), "conflict: ") {
		t.Fatalf("stale rev: %v", err)
	}
	in.Credentials[0].RegistrationNumber = "12"
	if _, err := a.ProfileSave(in); err == nil || !strings.HasPrefix(err.Error(), "invalid: profile: credential 1: registration number") {
		t.Fatalf("bad number: %v", err)
	}
	sub, err := a.ProfileSubmit()
	if err != nil || sub.ReviewState != "submitted" {
		t.Fatalf("submit: %+v %v", sub, err)
	}
	pr.Name, pr.Address.PIN = "Sukoon Clinic", "411001"
	saved, err := a.PracticeSave(pr)
	if err != nil || saved.Rev != 1 || saved.Name != "Sukoon Clinic" {
		t.Fatalf("practice save: %+v %v", saved, err)
	}
	pr.Address.PIN = "0123"
	if _, err := a.PracticeSave(pr); err == nil || !strings.HasPrefix(err.Error(), "invalid: profile: address.pin") {
		t.Fatalf("bad pin: %v", err)
	}
}
