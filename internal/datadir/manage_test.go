package datadir

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ label, want string }{
		{"Dr Meera Iyer", "dr-meera-iyer"},
		{"  Rahul  (clinic 2) ", "rahul-clinic-2"},
		{"मीरा", "profile"},
		{"Ananya — Sukoon", "ananya-sukoon"},
		{strings.Repeat("a", 80), strings.Repeat("a", 40)},
		{"---", "profile"},
	}
	for _, tt := range tests {
		got := Slugify(tt.label)
		if got != tt.want || !ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q, want %q (valid slug)", tt.label, got, tt.want)
		}
	}
}

func TestCheckLabel(t *testing.T) {
	for _, bad := range []string{"", "   ", "a\nb", strings.Repeat("x", MaxLabel+1)} {
		if _, err := CheckLabel(bad); err == nil {
			t.Errorf("CheckLabel(%q) accepted", bad)
		}
	}
	if l, err := CheckLabel("  मीरा अय्यर "); err != nil || l != "मीरा अय्यर" {
		t.Fatalf("CheckLabel: %q %v", l, err)
	}
}

func TestAddProfileUniqueFoldersAndLabels(t *testing.T) {
	base := filepath.Join(t.TempDir(), "CalmAlly")
	a, err := AddProfile(base, "Dr Meera Iyer")
	if err != nil {
		t.Fatal(err)
	}
	b, err := AddProfile(base, "dr meera IYER") // same slug: a second folder, never the first
	if err != nil {
		t.Fatal(err)
	}
	c, err := AddProfile(base, "मीरा")
	if err != nil {
		t.Fatal(err)
	}
	if a.Slug != "dr-meera-iyer" || b.Slug != "dr-meera-iyer-2" || c.Slug != "profile" {
		t.Fatalf("slugs %q %q %q", a.Slug, b.Slug, c.Slug)
	}
	for _, p := range []Profile{a, b, c} {
		fi, err := os.Stat(p.Dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v", p.Dir, fi.Mode(), err)
		}
		lf, err := os.Stat(filepath.Join(p.Dir, LabelFile))
		if err != nil || lf.Mode().Perm() != 0o600 {
			t.Fatalf("label file of %s: %v", p.Slug, err)
		}
	}
	if _, err := AddProfile(base, " "); err == nil {
		t.Fatal("an empty name was accepted")
	}
	ps, err := Profiles(base)
	if err != nil || len(ps) != 3 {
		t.Fatalf("Profiles: %+v %v", ps, err)
	}
	labels := []string{ps[0].Label, ps[1].Label, ps[2].Label}
	sort.Strings(labels)
	if strings.Join(labels, "|") != "Dr Meera Iyer|dr meera IYER|मीरा" {
		t.Fatalf("labels %q", labels)
	}
	if err := SetLabel(a.Dir, "Meera (Tuesdays)"); err != nil || Label(a.Dir) != "Meera (Tuesdays)" {
		t.Fatalf("SetLabel: %v %q", err, Label(a.Dir))
	}
	// A damaged label file falls back to the slug in the list.
	os.WriteFile(filepath.Join(b.Dir, LabelFile), []byte("{not json"), 0o600)
	if p, _ := Find(base, b.Slug); p.Label != b.Slug {
		t.Fatalf("damaged label: %+v", p)
	}
}

func TestLastUsed(t *testing.T) {
	base := t.TempDir()
	if LastUsed(base) != "" {
		t.Fatal("last used before any")
	}
	if err := SetLastUsed(base, ""); err != nil { // legacy only: nothing written
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(base, ProfilesDir)); !os.IsNotExist(err) {
		t.Fatal("SetLastUsed(legacy) created the profiles folder")
	}
	p, _ := AddProfile(base, "Rahul")
	if err := SetLastUsed(base, p.Slug); err != nil || LastUsed(base) != "rahul" {
		t.Fatalf("SetLastUsed: %v %q", err, LastUsed(base))
	}
	if err := SetLastUsed(base, "../etc"); err == nil {
		t.Fatal("a path was accepted as a slug")
	}
	// The marker is not a profile.
	if ps, _ := Profiles(base); len(ps) != 1 {
		t.Fatalf("Profiles: %+v", ps)
	}
}

func TestRemoveProfile(t *testing.T) {
	base := t.TempDir()
	// A legacy profile in the base, next to a named one and a file of the user's.
	for _, n := range []string{dbFile, dbFile + "-wal", dbFile + "-shm", "calmally.log", "calmally.log.1",
		".backup-x.snapshot", LabelFile, "my-notes.txt"} {
		os.WriteFile(filepath.Join(base, n), []byte("x"), 0o600)
	}
	named, err := AddProfile(base, "Rahul")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(named.Dir, dbFile), []byte("x"), 0o600)
	SetLastUsed(base, named.Slug)
	ps, _ := Profiles(base)
	if len(ps) != 2 || !ps[0].Legacy {
		t.Fatalf("Profiles: %+v", ps)
	}

	// A forged profile pointing outside its folder is refused.
	if err := RemoveProfile(base, Profile{Slug: "rahul", Dir: t.TempDir()}); err == nil {
		t.Fatal("a folder outside the base was accepted")
	}
	if err := RemoveProfile(base, Profile{Dir: named.Dir, Legacy: true}); err == nil {
		t.Fatal("a named folder passed as legacy was accepted")
	}

	if err := RemoveProfile(base, ps[0]); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(base)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "my-notes.txt,profiles" {
		t.Fatalf("after removing the legacy profile the base holds %v", names)
	}
	if _, err := os.Stat(filepath.Join(named.Dir, dbFile)); err != nil {
		t.Fatal("removing the legacy profile touched a named one")
	}

	if err := RemoveProfile(base, named); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(named.Dir); !os.IsNotExist(err) {
		t.Fatal("named folder still there")
	}
	if LastUsed(base) != "" {
		t.Fatal("last-used still names the removed profile")
	}
	if ps, _ := Profiles(base); len(ps) != 0 {
		t.Fatalf("Profiles after removal: %+v", ps)
	}
}
