// Package archtest holds the tests that keep the layout of DESIGN.md section 1
// true: who may import whom.
package archtest
