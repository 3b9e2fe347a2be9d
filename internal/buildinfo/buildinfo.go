// Package buildinfo holds the version stamped into the binary at build time
// (-ldflags "-X github.com/calmally/practice/internal/buildinfo.Version=...").
package buildinfo

import "runtime/debug"

// Version is the release version; "dev" for unstamped builds.
var Version = "0.1.0-dev"

// Commit is the VCS revision the binary was built from, when Go recorded it.
func Commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}
