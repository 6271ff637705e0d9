package ants

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind. It works
// because importing the package starts nothing: the default pool is built
// on first use, and every test releases what it builds.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
