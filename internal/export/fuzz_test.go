package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheck feeds the manifest check (the first decoder an import runs on
// outside data) arbitrary archives: refusal, never a panic.
func FuzzCheck(f *testing.F) {
	path := filepath.Join(f.TempDir(), "seed.zip")
	if _, err := Write(context.Background(), testRecord(), Options{Path: path}); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = check(data)
	})
}
