package cli

import "strings"

// windowFlags are the single-dash flags that Wails' dev and bindings builds
// read from the command line themselves (with their values).
var windowFlags = map[string]bool{
	"-devserver": true, "-assetdir": true, "-frontenddevserverurl": true, "-loglevel": true,
	"-tsprefix": true, "-tssuffix": true, "-tsoutputtype": true,
}

// WindowLaunch reports whether args (without the program name) ask for the
// window rather than a subcommand: no command at all, only --data-dir, or
// only the flags Wails' own dev and bindings builds take. It returns the data
// directory flag's value and the arguments to leave for Wails.
func WindowLaunch(args []string) (dataDir string, rest []string, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--data-dir" && i+1 < len(args):
			dataDir = args[i+1]
			i++
		case strings.HasPrefix(a, "--data-dir="):
			dataDir = strings.TrimPrefix(a, "--data-dir=")
		case windowFlags[a] && i+1 < len(args):
			rest = append(rest, a, args[i+1])
			i++
		case strings.Contains(a, "=") && windowFlags[a[:strings.Index(a, "=")]]:
			rest = append(rest, a)
		default:
			return "", nil, false
		}
	}
	return dataDir, rest, true
}
