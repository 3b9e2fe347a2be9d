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
