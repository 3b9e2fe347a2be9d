package consent

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/calmally/practice/internal/apperr"
)

// Notice is the text shown to a client before they consent. It is the
// practice's own text, not client data, so it is stored plain; SHA256 (hex)
// is recorded on every event that relied on it.
type Notice struct {
	ID       string // "calmally.<purpose>"
	Version  int
	Language string // "en" | "hi"
	Purpose  Purpose
	Title    string // the first line of Text
	Text     string
	SHA256   string
}

// Languages in which every notice ships.
var Languages = []string{"en", "hi"}

// Notice files are named <purpose>.v<version>.<language>.txt. A new wording
// is a new version file; an old version file is never edited (events record
// its hash, and the store refuses a different text under a stored version).
//
//go:embed notices/*.txt
var noticeFiles embed.FS

var notices = mustLoadNotices()

func mustLoadNotices() map[string]Notice {
	m, err := loadNotices(noticeFiles)
	if err != nil {
		panic(err) // the embedded files are part of the binary; a test loads them
	}
	return m
}

func noticeKey(p Purpose, version int, lang string) string {
	return string(p) + "/" + strconv.Itoa(version) + "/" + lang
}

func loadNotices(fsys fs.FS) (map[string]Notice, error) {
	entries, err := fs.ReadDir(fsys, "notices")
	if err != nil {
		return nil, err
	}
	m := map[string]Notice{}
	for _, e := range entries {
		parts := strings.Split(strings.TrimSuffix(e.Name(), ".txt"), ".")
		if len(parts) != 3 || !strings.HasPrefix(parts[1], "v") {
			return nil, fmt.Errorf("consent: notice %q: name must be <purpose>.v<N>.<lang>.txt", e.Name())
		}
		p := Purpose(parts[0])
		v, err := strconv.Atoi(parts[1][1:])
		if !p.Valid() || err != nil || v < 1 {
			return nil, fmt.Errorf("consent: notice %q: unknown purpose or bad version", e.Name())
		}
		b, err := fs.ReadFile(fsys, "notices/"+e.Name())
		if err != nil {
			return nil, err
		}
		m[noticeKey(p, v, parts[2])] = newNotice(p, v, parts[2], string(b))
	}
	return m, nil
}

func newNotice(p Purpose, version int, lang, text string) Notice {
	title, _, _ := strings.Cut(text, "\n")
	sum := sha256.Sum256([]byte(text))
	return Notice{ID: "calmally." + string(p), Version: version, Language: lang, Purpose: p,
		Title: strings.TrimSpace(title), Text: text, SHA256: hex.EncodeToString(sum[:])}
}

// CurrentNotice returns the newest notice for p in lang ("" is English).
func CurrentNotice(p Purpose, lang string) (Notice, error) {
	return NoticeVersion(p, 0, lang)
}

// NoticeVersion returns version v (0: the newest) of p's notice in lang.
func NoticeVersion(p Purpose, v int, lang string) (Notice, error) {
	if lang == "" {
		lang = "en"
	}
	if !p.Valid() {
		return Notice{}, errPurpose
	}
	if !validLanguage(lang) {
		return Notice{}, apperr.New(apperr.Invalid, "language: must be en or hi")
	}
	if v == 0 {
		for n := 1; ; n++ {
			if _, ok := notices[noticeKey(p, n, lang)]; !ok {
				v = n - 1
				break
			}
		}
	}
	n, ok := notices[noticeKey(p, v, lang)]
	if !ok {
		return Notice{}, apperr.New(apperr.NotFound, "no notice of that version for that purpose and language")
	}
	return n, nil
}

func validLanguage(l string) bool {
	for _, x := range Languages {
		if l == x {
			return true
		}
	}
	return false
}

var errPurpose = apperr.New(apperr.Invalid,
	"purpose: must be one of health-data, teleconsultation, recording, summary-sharing, reminders, cross-border, representative-disclosure")
