// Command release rehearses a release of the modules of this repository.
//
// It serves the root module and every nested module that requires it
// (benchmarks/ excepted) at the release version from a module proxy on
// disk, with module zips built by golang.org/x/mod/zip, and installs them
// in fresh modules with no replace, the way a user's go get would once the
// tags are pushed. The release version is read from .ci/release/VERSION.
// A nested module whose go.mod requires a root version that neither this
// release nor the public proxy provides fails the rehearsal.
//
// Usage, from this directory:
//
//	go run . [-repo dir] [-version vX.Y.Z] [-keep]
//
// See RELEASING.md at the repository root.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	repo := flag.String("repo", "", "the repository root (default: the top level of the git work tree holding the current directory)")
	version := flag.String("version", "", "the release version (default: the contents of "+versionFile+")")
	keep := flag.Bool("keep", false, "keep the temporary directory and print its name")
	flag.Parse()
	if err := rehearse(*repo, *version, *keep, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rehearsal failed:", err)
		os.Exit(1)
	}
}

// rehearse runs a rehearsal of the release of the repository at repo, at
// version, or at the version in versionFile if version is "", and writes
// its progress to log.
func rehearse(repo, version string, keep bool, log io.Writer) error {
	start := time.Now()
	if repo == "" {
		out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
		if err != nil {
			return fmt.Errorf("finding the repository root: %w", err)
		}
		repo = strings.TrimSpace(string(out))
	}
	repo, err := filepath.Abs(repo)
	if err != nil {
		return err
	}
	root, nested, skipped, err := discover(repo)
	if err != nil {
		return err
	}
	if version == "" {
		version, err = readVersion(repo, root.path)
	} else {
		version, err = checkVersion(version, root.path)
	}
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "release-rehearsal-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintln(log, "rehearsal: keeping", work)
	} else {
		defer os.RemoveAll(work)
	}
	r := &rehearsal{repo: repo, version: version, root: root, nested: nested, work: work, log: log}
	r.logf("release %s of %s with %d nested module(s); not published: %s",
		version, root.path, len(nested), strings.Join(skipped, ", "))
	if err := r.run(); err != nil {
		return err
	}
	r.logf("passed in %s", time.Since(start).Round(100*time.Millisecond))
	return nil
}
