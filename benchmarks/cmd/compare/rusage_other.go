//go:build !unix

package main

import "os"

// maxRSS returns 0: this system has no getrusage; the child's own reading
// of its peak (Linux only) is all there is.
func maxRSS(*os.ProcessState) uint64 { return 0 }
