package main

import (
	"os"
	"runtime/debug"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"github.com/calmally/practice/app"
	"github.com/calmally/practice/internal/datadir"
)

// runWindow wires the services into the bound app and starts Wails.
func runWindow(dataDirFlag string) error {
	dir, err := datadir.Resolve(dataDirFlag, os.Getenv)
	if err != nil {
		return err
	}
	// A soft memory limit keeps the GC's headroom from pushing RSS past the
	// 250 MB budget while the search index of a large practice is built
	// (DESIGN.md section 8); it is a target for the collector, not a cap.
	debug.SetMemoryLimit(200 << 20)
	a, life := app.New(app.Config{DataDir: dir})
	return wails.Run(&options.App{
		Title:            "CalmAlly Practice",
		Width:            1200,
		Height:           780,
		MinWidth:         880,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 246, G: 247, B: 245, A: 255},
		OnStartup:        life.Startup,
		OnShutdown:       life.Shutdown,
		Bind:             []any{a},
		Linux:            &linux.Options{ProgramName: "calmally"},
	})
}
