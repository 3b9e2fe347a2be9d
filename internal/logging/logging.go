// Package logging writes the app's structured, levelled log to a rotating file
// in the data directory.
//
// # Keeping client data out
//
// The log must never hold a client's name, contact details or note text. The
// safe path is the only easy one here: messages are meant to be constant
// strings, and every string attribute value is checked by [Safe] before it is
// written. Values that look like identifiers, codes, numbers or durations pass;
// anything else (free text with spaces, e-mail addresses, phone numbers, non-ASCII
// letters) is replaced by "[redacted]". Errors pass through [Safe] too, so an
// error message that accidentally carried data would be redacted rather than
// written.
package logging

import (
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"time"
)

// FileName is the log file inside the data directory.
const FileName = "calmally.log"

// Options configures Open.
type Options struct {
	Dir      string     // data directory
	Level    slog.Level // minimum level
	MaxBytes int64      // rotate when the file would pass this size (default 5 MiB)
	Keep     int        // rotated files to keep (default 3)
}

// Open returns a logger writing JSON lines to Dir/calmally.log with rotation,
// and a closer for the file.
func Open(o Options) (*slog.Logger, io.Closer, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 5 << 20
	}
	if o.Keep <= 0 {
		o.Keep = 3
	}
	w, err := openRotating(filepath.Join(o.Dir, FileName), o.MaxBytes, o.Keep)
	if err != nil {
		return nil, nil, err
	}
	return New(w, o.Level), w, nil
}

// New returns a logger writing redacted JSON lines to w.
func New(w io.Writer, level slog.Level) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey) {
				return a
			}
			if a.Key == slog.MessageKey {
				// Messages are constants in our code; still, never let
				// a formatted message carry data.
				a.Value = slog.StringValue(redactMessage(a.Value.String()))
				return a
			}
			return safeAttr(a)
		},
	})
	return slog.New(h)
}

// Discard is a logger that writes nothing (tests, CLI without a data dir).
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// safeValue matches strings that cannot carry personal data: identifiers,
// codes, numbers, versions, durations, paths without spaces, UUIDs.
var safeValue = regexp.MustCompile(`^[A-Za-z0-9_.:/=+\-]{0,96}$`)

// phoneLike catches the contact data that the pattern above would otherwise
// admit: a phone number is digits with optional separators (an e-mail is
// already refused by its '@').
var phoneLike = regexp.MustCompile(`^\+?[0-9][0-9 .\-]{6,}[0-9][:;,.]?$`)

const redacted = "[redacted]"

// Safe reports whether s may be written to the log as it is.
func Safe(s string) bool { return safeValue.MatchString(s) && !phoneLike.MatchString(s) }

func safeAttr(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if !Safe(a.Value.String()) {
			a.Value = slog.StringValue(redacted)
		}
	case slog.KindAny:
		v := a.Value.Any()
		if err, ok := v.(error); ok {
			a.Value = slog.StringValue(redactMessage(err.Error()))
		} else if _, ok := v.(time.Duration); !ok {
			a.Value = slog.StringValue(redacted)
		}
	case slog.KindGroup:
		attrs := a.Value.Group()
		out := make([]slog.Attr, len(attrs))
		for i, g := range attrs {
			out[i] = safeAttr(g)
		}
		a.Value = slog.GroupValue(out...)
	}
	return a
}

// redactMessage keeps each word of a message or error only if it is safe, so
// "store: open: disk full" survives and "note for Asha Rao" does not.
//
// This is a second line of defence, not the first: it cannot tell lowercase
// free text from our own wording. The first is that messages are constants
// and that errors never carry client data (STYLE.md, rule 9), which the leak
// tests check end to end.
func redactMessage(s string) string {
	out := make([]byte, 0, len(s))
	word := make([]byte, 0, 32)
	flush := func() {
		if Safe(string(word)) && !looksLikeName(string(word)) {
			out = append(out, word...)
		} else {
			out = append(out, redacted...)
		}
		word = word[:0]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			flush()
			out = append(out, ' ')
			continue
		}
		word = append(word, c)
	}
	flush()
	return string(out)
}

// looksLikeName flags capitalised words in messages: our own messages and
// error strings are lowercase by convention (STYLE.md), so a capitalised word
// is most likely data that slipped in.
func looksLikeName(w string) bool {
	return len(w) > 1 && w[0] >= 'A' && w[0] <= 'Z' && w[1] >= 'a' && w[1] <= 'z'
}
