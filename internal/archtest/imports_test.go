package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/calmally/practice"

// infrastructure packages may use the store; domain packages may not.
var infrastructure = map[string]bool{
	"store": true, "practice": true, "cli": true, "sync": true, "backend": true,
	"backup": true, "export": true, "archtest": true, "vault": true, "logging": true,
	"datadir": true, "buildinfo": true, "apperr": true, "search": true,
	"crashtest": true, // a test harness over the whole profile
}

type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	for _, p := range listPackages(t) {
		rel, ok := strings.CutPrefix(p.ImportPath, module+"/internal/")
		if !ok {
			continue
		}
		top, _, _ := strings.Cut(rel, "/")
		imports := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range imports {
			if strings.HasPrefix(imp, "github.com/wailsapp/wails") {
				t.Errorf("%s imports Wails (%s): only app/ and main may", p.ImportPath, imp)
			}
			if imp == module+"/app" || strings.HasPrefix(imp, module+"/app/") {
				t.Errorf("%s imports app/: internal packages never do", p.ImportPath)
			}
			if !infrastructure[top] {
				for _, banned := range []string{"store", "sync", "practice", "cli"} {
					if imp == module+"/internal/"+banned {
						t.Errorf("domain package %s imports internal/%s; define a small interface instead", p.ImportPath, banned)
					}
				}
			}
		}
	}
}

// TestRuleCatchesViolations makes sure the rule above is not vacuous: the
// app package does import Wails, and the check sees it.
func TestRuleCatchesViolations(t *testing.T) {
	for _, p := range listPackages(t) {
		if p.ImportPath != module+"/app" {
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, "github.com/wailsapp/wails") {
				return
			}
		}
		t.Fatal("app/ does not import Wails: the import-rule test would not notice a violation")
	}
	t.Fatal("package app not found by go list")
}
