package datadir

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestProfiles(t *testing.T) {
	base := t.TempDir()
	got, err := Profiles(filepath.Join(base, "missing"))
	if err != nil || len(got) != 0 {
		t.Fatalf("missing base: %v %v", got, err)
	}
	// A single-practitioner install: the database in the base itself.
	os.WriteFile(filepath.Join(base, dbFile), nil, 0o600)
	for _, slug := range []string{"meera", "dr-rahul-2", "Bad Name", ".hidden"} {
		os.MkdirAll(filepath.Join(base, ProfilesDir, slug), 0o700)
	}
	os.WriteFile(filepath.Join(base, ProfilesDir, "afile"), nil, 0o600)
	got, err = Profiles(base)
	if err != nil {
		t.Fatal(err)
	}
	want := []Profile{
		{Dir: base, Legacy: true, Label: LegacyLabel},
		{Slug: "dr-rahul-2", Dir: filepath.Join(base, ProfilesDir, "dr-rahul-2"), Label: "dr-rahul-2"},
		{Slug: "meera", Dir: filepath.Join(base, ProfilesDir, "meera"), Label: "meera"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Profiles = %+v\nwant %+v", got, want)
	}
	// Resolve is unchanged: the base, not a profile under it.
	if dir, _ := Resolve(base, func(string) string { return "" }); dir != base {
		t.Fatalf("Resolve moved: %s", dir)
	}
}

func TestProfileDir(t *testing.T) {
	tests := []struct {
		slug string
		ok   bool
	}{{"meera", true}, {"a", true}, {"clinic-2", true}, {"", false}, {"-x", false}, {"../x", false}, {"Meera", false}, {"a/b", false}}
	for _, tt := range tests {
		_, err := ProfileDir("/base", tt.slug)
		if (err == nil) != tt.ok {
			t.Errorf("ProfileDir(%q): %v", tt.slug, err)
		}
	}
}
