package datadir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Adding, labelling and removing profiles. The label is what the profile
// picker shows before anyone has unlocked anything, so it cannot be sealed:
// it is stored in the clear in the profile's folder (LabelFile) and must
// never be a client's name. The practitioner's full profile stays sealed in
// the database.

// LabelFile holds a profile's label, in its folder (for the legacy profile,
// in the base folder itself).
const LabelFile = "profile-label.json"

// lastUsedFile, under <base>/profiles, names the slug opened last (an id).
const lastUsedFile = ".last-used"

// MaxLabel bounds a label, in characters.
const MaxLabel = 60

// LegacyLabel is what the picker calls a legacy profile that has no label.
const LegacyLabel = "Main profile"

type labelDoc struct {
	Version int    `json:"version"`
	Label   string `json:"label"`
}

// CheckLabel trims a label and checks it: 1–MaxLabel characters, no control
// characters.
func CheckLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return "", errors.New("datadir: give the profile a name")
	}
	if utf8.RuneCountInString(label) > MaxLabel || !utf8.ValidString(label) {
		return "", fmt.Errorf("datadir: a profile name is at most %d characters", MaxLabel)
	}
	for _, r := range label {
		if unicode.IsControl(r) {
			return "", errors.New("datadir: a profile name cannot hold control characters")
		}
	}
	return label, nil
}

// Label reads the label of the profile folder dir; "" when it has none or
// the file is unreadable (the picker then falls back to the slug).
func Label(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, LabelFile))
	if err != nil || len(b) > 4096 {
		return ""
	}
	var d labelDoc
	if json.Unmarshal(b, &d) != nil || d.Version != 1 {
		return ""
	}
	l, err := CheckLabel(d.Label)
	if err != nil {
		return ""
	}
	return l
}

// SetLabel writes the label of the profile folder dir (owner-only, replaced
// atomically).
func SetLabel(dir, label string) error {
	label, err := CheckLabel(label)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(labelDoc{Version: 1, Label: label})
	return writeAtomic(filepath.Join(dir, LabelFile), b)
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("datadir: write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("datadir: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// Slugify turns a label into a folder name: ASCII letters and digits kept
// (lower-cased), every other run of characters one hyphen, at most 40
// characters. A label with no ASCII letter or digit (a name written in
// Devanagari, say) gives "profile".
func Slugify(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= 40 {
				break
			}
			continue
		}
		dash = true
	}
	s := strings.TrimRight(b.String(), "-")
	if s == "" {
		return "profile"
	}
	return s
}

// AddProfile creates a new, empty profile folder under <base>/profiles with
// a slug made from label (made unique with -2, -3, …) and writes its label.
// The vault and database are created later, when the profile is first
// opened (onboarding).
func AddProfile(base, label string) (Profile, error) {
	label, err := CheckLabel(label)
	if err != nil {
		return Profile{}, err
	}
	if err := Ensure(base); err != nil {
		return Profile{}, err
	}
	root := filepath.Join(base, ProfilesDir)
	if err := Ensure(root); err != nil {
		return Profile{}, err
	}
	stem := Slugify(label)
	for n := 1; n <= 999; n++ {
		slug := stem
		if n > 1 {
			suffix := "-" + strconv.Itoa(n)
			slug = strings.TrimRight(stem[:min(len(stem), 63-len(suffix))], "-") + suffix
		}
		dir := filepath.Join(root, slug)
		// Mkdir, not MkdirAll: an existing folder (someone else's profile)
		// is never reused.
		if err := os.Mkdir(dir, 0o700); errors.Is(err, fs.ErrExist) {
			continue
		} else if err != nil {
			return Profile{}, fmt.Errorf("datadir: create profile folder: %w", err)
		}
		if err := SetLabel(dir, label); err != nil {
			os.Remove(dir)
			return Profile{}, err
		}
		return Profile{Slug: slug, Dir: dir, Label: label}, nil
	}
	return Profile{}, errors.New("datadir: too many profiles with that name")
}

// LastUsed returns the slug recorded by SetLastUsed ("" for the legacy
// profile or when none is recorded).
func LastUsed(base string) string {
	b, err := os.ReadFile(filepath.Join(base, ProfilesDir, lastUsedFile))
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if !ValidSlug(s) {
		return ""
	}
	return s
}

// SetLastUsed records which profile was opened last, so the next start
// opens (and the picker pre-selects) it. slug "" means the legacy profile.
func SetLastUsed(base, slug string) error {
	if slug != "" && !ValidSlug(slug) {
		return errors.New("datadir: not a profile folder name")
	}
	root := filepath.Join(base, ProfilesDir)
	if _, err := os.Stat(root); err != nil {
		if slug == "" && errors.Is(err, fs.ErrNotExist) {
			return nil // only the legacy profile exists: nothing to remember
		}
		if err := Ensure(root); err != nil {
			return err
		}
	}
	return writeAtomic(filepath.Join(root, lastUsedFile), []byte(slug+"\n"))
}

// Find returns the profile with the given slug ("" for the legacy profile).
func Find(base, slug string) (Profile, error) {
	ps, err := Profiles(base)
	if err != nil {
		return Profile{}, err
	}
	for _, p := range ps {
		if p.Slug == slug {
			return p, nil
		}
	}
	return Profile{}, fs.ErrNotExist
}

// profileFile reports whether name, in a legacy base folder, belongs to the
// profile: the database and its journals, the logs, the label and the
// snapshots backups and verifications leave while they run.
func profileFile(name string) bool {
	switch {
	case name == LabelFile, name == LabelFile+".tmp":
		return true
	case strings.HasPrefix(name, dbFile): // calmally.db, -wal, -shm, -journal
		return true
	case name == "calmally.log" || strings.HasPrefix(name, "calmally.log."):
		return true
	case strings.HasPrefix(name, ".backup-") || strings.HasPrefix(name, ".verify-"):
		return true
	}
	return false
}

// RemoveProfile deletes a profile's files. A named profile's folder goes
// entirely. The legacy profile shares its folder with the profiles/ folder
// (and possibly with files the user put there), so only the files CalmAlly
// writes are deleted, by name. Files are unlinked, not overwritten: what
// they held was sealed, and the keys go with the vault.
//
// The caller must have closed the profile first.
func RemoveProfile(base string, p Profile) error {
	if p.Legacy {
		if filepath.Clean(p.Dir) != filepath.Clean(base) {
			return errors.New("datadir: the legacy profile lives in the base folder")
		}
		entries, err := os.ReadDir(base)
		if err != nil {
			return fmt.Errorf("datadir: remove profile: %w", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && profileFile(e.Name()) {
				if err := os.Remove(filepath.Join(base, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("datadir: remove profile: %w", err)
				}
			}
		}
		return nil
	}
	want, err := ProfileDir(base, p.Slug)
	if err != nil {
		return err
	}
	if filepath.Clean(p.Dir) != want {
		return errors.New("datadir: the profile folder is not under the base folder")
	}
	if err := os.RemoveAll(want); err != nil {
		return fmt.Errorf("datadir: remove profile: %w", err)
	}
	if LastUsed(base) == p.Slug {
		_ = os.Remove(filepath.Join(base, ProfilesDir, lastUsedFile))
	}
	return nil
}
