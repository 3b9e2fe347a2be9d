package cli

import (
	"fmt"
	"runtime"

	"github.com/calmally/practice/internal/buildinfo"
	"github.com/calmally/practice/internal/store"
)

type versionCmd struct{}

func (versionCmd) Run(rc *runCtx) error {
	fmt.Fprintf(rc.env.Stdout, "calmally %s (commit %s, schema %d, %s/%s)\n",
		buildinfo.Version, buildinfo.Commit(), store.SchemaVersion(), runtime.GOOS, runtime.GOARCH)
	return nil
}
