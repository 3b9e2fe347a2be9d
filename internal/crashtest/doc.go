// Package crashtest holds the crash test of issue 9: a child process (this
// test binary, re-executed) saves notes, writes backups (uploaded to the
// backend), adds walk-ins and runs sync rounds against the reference backend
// the parent serves, and rotates the data key, in bursts, printing each
// acknowledged operation; the parent kills it with SIGKILL at random points
// and, after each kill, reopens the profile and checks that nothing
// acknowledged was lost, nothing is half-applied, and after one more sync
// round every acknowledged walk-in is on the backend exactly once.
//
// It has no code outside its test: run it with
//
//	go test ./internal/crashtest -run TestCrash -v
//
// It takes about a minute and is skipped with -short and on systems without
// SIGKILL semantics (Windows).
package crashtest
