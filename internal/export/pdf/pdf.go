// Package pdf renders a record bundle as a printable PDF.
package pdf

import (
	"context"
	"io"

	"github.com/calmally/practice/internal/export/record"
)

// Render writes rec as a PDF to w.
func Render(ctx context.Context, w io.Writer, rec record.Record) error {
	_, err := w.Write([]byte("%PDF-1.4\n"))
	return err
}
