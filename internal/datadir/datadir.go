// Package datadir decides where a practice profile keeps its files and makes
// sure that folder is private to the user.
//
// Order of precedence: the --data-dir flag, then CALMALLY_DATA_DIR, then the
// OS's per-user configuration folder (os.UserConfigDir()/CalmAlly).
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvVar names the environment variable that overrides the default folder.
const EnvVar = "CALMALLY_DATA_DIR"

// Resolve returns the data directory to use. flagValue is the --data-dir
// flag ("" when not given); getenv is os.Getenv in production.
func Resolve(flagValue string, getenv func(string) string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = getenv(EnvVar)
	}
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("datadir: find the user configuration folder (set %s or --data-dir): %w", EnvVar, err)
		}
		dir = filepath.Join(base, "CalmAlly")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("datadir: resolve path: %w", err)
	}
	return abs, nil
}

// Ensure creates dir (and parents) if needed and makes dir itself owner-only
// (0700). An existing folder that others can read is tightened, not refused:
// the common cause is a folder made by hand with the default umask.
func Ensure(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("datadir: create: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("datadir: inspect: %w", err)
	}
	if !fi.IsDir() {
		return errors.New("datadir: the data directory path exists but is not a folder")
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("datadir: make owner-only: %w", err)
		}
	}
	return nil
}
