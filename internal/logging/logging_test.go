package logging

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestClientDataIsRedacted(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelDebug)
	secrets := []string{"Asha Rao", "asha@example.in", "+919876543210", "9876543210", "आशा", "felt anxious about work"}
	for _, s := range secrets {
		log.Info("client saved", "name", s)
		if s != "felt anxious about work" { // free lowercase text: see redactMessage
			log.Info("save failed", "err", fmt.Errorf("store: insert %s: constraint", s))
			log.Info("note for " + s)
		}
		log.Info("any", "v", struct{ Name string }{s})
		log.Info("group", slog.Group("client", "name", s))
	}
	out := buf.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("log contains %q:\n%s", s, out)
		}
	}
	for _, word := range strings.Fields("Asha Rao आशा 9876543210") {
		if strings.Contains(out, word) {
			t.Errorf("log contains fragment %q", word)
		}
	}
}

func TestSafeValuesPass(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelDebug)
	id := "0192d3c4-5e6f-7a8b-9c0d-e1f2a3b4c5d6"
	log.Info("note signed", "note_id", id, "count", 3, "took", 150*time.Millisecond, "err", errors.New("store: commit: disk full"))
	out := buf.String()
	for _, want := range []string{id, `"count":3`, "store: commit: disk full", "note signed"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	log, c, err := Open(Options{Dir: dir, MaxBytes: 400, Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		log.Info("tick", "i", i)
	}
	c.Close()
	for _, name := range []string{FileName, FileName + ".1", FileName + ".2"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s missing: %v", name, err)
		}
		if fi.Size() > 400 {
			t.Errorf("%s is %d bytes, over the limit", name, fi.Size())
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v, want owner-only", name, fi.Mode().Perm())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, FileName+".3")); err == nil {
		t.Error("kept more rotated files than asked")
	}
}
