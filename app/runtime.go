package app

import (
	"context"

	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// Runtime is the small seam between the bound services and Wails: tests and
// headless runs supply their own.
type Runtime interface {
	Emit(event string, payload any)
}

type wailsRuntime struct{ ctx context.Context }

func (w wailsRuntime) Emit(event string, payload any) { wruntime.EventsEmit(w.ctx, event, payload) }

// NopRuntime drops events (tests, headless).
type NopRuntime struct{}

// Emit does nothing.
func (NopRuntime) Emit(string, any) {}

// FileDialog describes a native open or save dialog. Pattern is a
// semicolon-separated glob list ("*.zip;*.age"); empty shows every file.
type FileDialog struct {
	Title       string
	DefaultName string // save dialogs: the suggested file name
	FilterName  string // e.g. "Record bundles (*.zip, *.age)"
	Pattern     string
}

// FileDialogs is the part of a Runtime that can ask the user for a file. The
// Wails runtime has it; tests fake it; a runtime without it (headless) makes
// the "Choose…" bindings answer "unavailable" so the UI keeps the typed path.
// Both return "" when the user cancels.
type FileDialogs interface {
	SaveFile(d FileDialog) (string, error)
	OpenFile(d FileDialog) (string, error)
}

func (d FileDialog) filters() []wruntime.FileFilter {
	if d.Pattern == "" {
		return nil
	}
	return []wruntime.FileFilter{{DisplayName: d.FilterName, Pattern: d.Pattern}}
}

// SaveFile opens the native save dialog (it asks before replacing a file).
func (w wailsRuntime) SaveFile(d FileDialog) (string, error) {
	return wruntime.SaveFileDialog(w.ctx, wruntime.SaveDialogOptions{Title: d.Title, DefaultFilename: d.DefaultName,
		Filters: d.filters(), CanCreateDirectories: true})
}

// OpenFile opens the native open dialog for one file.
func (w wailsRuntime) OpenFile(d FileDialog) (string, error) {
	return wruntime.OpenFileDialog(w.ctx, wruntime.OpenDialogOptions{Title: d.Title, Filters: d.filters()})
}
