package datadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
)

// Several practitioners on one computer each have their own folder under
// <base>/profiles/<slug>, with their own database and vault. The folder
// resolved by Resolve stays what it was: a single-practitioner install keeps
// its data in the base folder itself (the "legacy" profile), and nothing here
// moves it. The UI's profile picker lists Profiles and passes the chosen Dir
// as the data directory.

// ProfilesDir is the sub-folder of the base that holds named profiles.
const ProfilesDir = "profiles"

// dbFile is the database file that marks a folder as a profile (the same
// name as store.FileName; datadir does not import the store).
const dbFile = "calmally.db"

// Profile is one practitioner's folder.
type Profile struct {
	Slug   string // folder name; "" for the legacy profile in the base itself
	Dir    string // absolute path to pass as the data directory
	Legacy bool   // the base folder itself holds a database
	// Label is what the picker shows (LabelFile; the slug, or LegacyLabel,
	// when there is none). It is stored in the clear: never a client's name.
	Label string
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSlug reports whether s can name a profile folder: lower-case letters,
// digits and hyphens, 1–63 characters, not starting with a hyphen. Slugs are
// ids, not names: the practitioner's name lives sealed inside the profile.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// ProfileDir is the folder of the profile slug under base.
func ProfileDir(base, slug string) (string, error) {
	if !ValidSlug(slug) {
		return "", errors.New("datadir: a profile name must be lower-case letters, digits and hyphens (1–63)")
	}
	return filepath.Join(base, ProfilesDir, slug), nil
}

// Profiles lists the profiles under base: the legacy one first (if base
// holds a database), then <base>/profiles/<slug> folders in slug order. A
// folder under profiles/ counts even before its database exists (a profile
// being created). A missing base or profiles folder is an empty list.
func Profiles(base string) ([]Profile, error) {
	var out []Profile
	if _, err := os.Stat(filepath.Join(base, dbFile)); err == nil {
		label := Label(base)
		if label == "" {
			label = LegacyLabel
		}
		out = append(out, Profile{Dir: base, Legacy: true, Label: label})
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("datadir: list profiles: %w", err)
	}
	entries, err := os.ReadDir(filepath.Join(base, ProfilesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("datadir: list profiles: %w", err)
	}
	var named []Profile
	for _, e := range entries {
		if !e.IsDir() || !ValidSlug(e.Name()) {
			continue
		}
		dir := filepath.Join(base, ProfilesDir, e.Name())
		label := Label(dir)
		if label == "" {
			label = e.Name()
		}
		named = append(named, Profile{Slug: e.Name(), Dir: dir, Label: label})
	}
	sort.Slice(named, func(i, j int) bool { return named[i].Slug < named[j].Slug })
	return append(out, named...), nil
}
