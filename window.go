package main

import (
	"os"

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
