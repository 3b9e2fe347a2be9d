package apperr

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestCodeAndMessage(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"coded", New(NotFound, "client not found"), NotFound, "client not found"},
		{"wrapped by fmt", fmt.Errorf("cli: show: %w", New(Locked, "the vault is locked")), Locked, "the vault is locked"},
		{"plain error hides detail", errors.New("sql: something with data"), Internal, "Internal error."},
		{"wrap keeps cause", Wrap(Invalid, "bad file", io.ErrUnexpectedEOF), Invalid, "bad file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := MessageOf(tt.err); got != tt.msg {
				t.Errorf("MessageOf = %q, want %q", got, tt.msg)
			}
		})
	}
	if !errors.Is(Wrap(Invalid, "x", io.ErrUnexpectedEOF), io.ErrUnexpectedEOF) {
		t.Error("Wrap lost its cause")
	}
}
