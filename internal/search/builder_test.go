package search

import "testing"

// asciiStops must mark exactly the bytes that end an ASCII run, wherever
// they sit among letters, whatever their neighbours' carries might do.
func TestASCIIStops(t *testing.T) {
	for _, fill := range []uint64{0x6161616161616161, 0x3939393939393939, 0x5A5A5A5A5A5A5A5A} {
		for c := range 256 {
			for pos := range 8 {
				w := fill&^(0xFF<<(8*pos)) | uint64(c)<<(8*pos)
				stops := asciiStops(w)
				want := c >= 0x80 || asciiFold[c] == 0
				if got := stops>>(8*pos+7)&1 == 1; got != want {
					t.Fatalf("byte %#x at %d among %#x: stop %v, want %v", c, pos, fill&0xFF, got, want)
				}
				if others := stops &^ (0x80 << (8 * pos)); others != 0 {
					t.Fatalf("byte %#x at %d among %#x also marks %#x", c, pos, fill&0xFF, others)
				}
			}
		}
	}
}
