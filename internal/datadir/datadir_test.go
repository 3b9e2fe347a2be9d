package datadir

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestResolvePrecedence(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	tmp := t.TempDir()
	tests := []struct {
		name, flag, env, want string
	}{
		{"flag wins", filepath.Join(tmp, "flag"), filepath.Join(tmp, "env"), filepath.Join(tmp, "flag")},
		{"env when no flag", "", filepath.Join(tmp, "env"), filepath.Join(tmp, "env")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.flag, env(tt.env))
			if err != nil || got != tt.want {
				t.Fatalf("Resolve = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("default is per-user config dir", func(t *testing.T) {
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "xdg"))
		t.Setenv("HOME", filepath.Join(tmp, "home"))
		got, err := Resolve("", env(""))
		if err != nil {
			t.Fatal(err)
		}
		base, _ := os.UserConfigDir()
		if got != filepath.Join(base, "CalmAlly") {
			t.Fatalf("Resolve = %q", got)
		}
	})
	t.Run("relative becomes absolute", func(t *testing.T) {
		got, err := Resolve("rel/dir", env(""))
		if err != nil || !filepath.IsAbs(got) {
			t.Fatalf("Resolve = %q, %v", got, err)
		}
	})
}

func TestEnsureMakesOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions")
	}
	dir := filepath.Join(t.TempDir(), "a", "CalmAlly")
	if err := Ensure(dir); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want 0700", fi.Mode().Perm())
	}
	os.Chmod(dir, 0o755)
	if err := Ensure(dir); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("existing open folder not tightened: %v", fi.Mode().Perm())
	}
}

func TestEnsureRefusesAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o600)
	if err := Ensure(f); err == nil {
		t.Fatal("Ensure on a file succeeded")
	}
}
