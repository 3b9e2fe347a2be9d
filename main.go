// Command calmally is CalmAlly Practice. With no arguments it opens the
// window; with a subcommand it runs headless (see internal/cli), never
// touching GTK or Wails.
package main

import (
	"context"
	"embed"
	"fmt"
	"os"

	"github.com/calmally/practice/internal/cli"
)

// The built frontend. frontend/dist/.gitkeep is tracked so that a fresh
// clone compiles (and `go test ./...` runs) before the frontend is built.
//
//go:embed all:frontend/dist
var assets embed.FS

func main() {
	args := os.Args[1:]
	dataDir, rest, window := cli.WindowLaunch(args)
	if !window {
		os.Exit(cli.Run(context.Background(), args, cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	// Wails' dev and bindings builds parse os.Args themselves.
	os.Args = append([]string{os.Args[0]}, rest...)
	if err := runWindow(dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "calmally:", err)
		os.Exit(1)
	}
}
