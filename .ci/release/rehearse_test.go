package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// TestRehearsal runs the rehearsal on copies of the repository: as it is,
// where it must pass, and with one nested module's go.mod requiring a root
// version that is neither the release nor on the public proxy, where it
// must fail and say which module and version. Each rehearsal takes seconds
// to a minute (it builds the nested modules' dependencies), so -short
// skips it.
func TestRehearsal(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the release rehearsals, which build modules, in -short mode")
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	root, nested, _, err := discover(repo)
	if err != nil {
		t.Fatal(err)
	}
	version, err := readVersion(repo, root.path)
	if err != nil {
		t.Fatal(err)
	}
	if len(nested) == 0 {
		t.Fatalf("discover found no nested module to release in %s", repo)
	}

	t.Run("passes on the repository as it is", func(t *testing.T) {
		var log bytes.Buffer
		if err := rehearse(copyRepo(t, repo), "", false, &log); err != nil {
			t.Fatalf("rehearsal: %v\nprogress:\n%s", err, log.Bytes())
		}
	})

	// v0.0.0 is the placeholder a nested module requires during
	// development; the next minor version is one a release would name if
	// the go.mod files were bumped but VERSION was not.
	for _, bad := range []string{"v0.0.0", nextMinor(t, version)} {
		for _, m := range nested {
			t.Run(fmt.Sprintf("fails when %s requires the root at %s", m.dir, bad), func(t *testing.T) {
				dir := copyRepo(t, repo)
				setRequire(t, filepath.Join(dir, filepath.FromSlash(m.dir), "go.mod"), root.path, bad)
				var log bytes.Buffer
				err := rehearse(dir, "", false, &log)
				if err == nil {
					t.Fatalf("rehearsal passed; want an error\nprogress:\n%s", log.Bytes())
				}
				for _, want := range []string{"go get " + m.path + "@" + version + " alone", root.path + "@" + bad} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("rehearsal error does not mention %q:\n%v", want, err)
					}
				}
			})
		}
	}
}

// TestDiscover checks what discover finds in the repository itself.
func TestDiscover(t *testing.T) {
	root, nested, skipped, err := discover(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := root.path, "github.com/antsgo/ants"; got != want {
		t.Errorf("root module: got %s; want %s", got, want)
	}
	if got, want := strings.Join(skipped, " "), "benchmarks"; got != want {
		t.Errorf("unpublished modules: got %q; want %q", got, want)
	}
	dirs := make(map[string]bool)
	for _, m := range nested {
		dirs[m.dir] = true
		if got, want := m.path, root.path+"/"+m.dir; got != want {
			t.Errorf("module in %s: got path %s; want %s", m.dir, got, want)
		}
		if m.rootReq == "" {
			t.Errorf("module in %s: requires no version of %s", m.dir, root.path)
		}
	}
	for _, dir := range []string{"prometheus"} {
		if !dirs[dir] {
			t.Errorf("nested modules: %s is missing from %v", dir, nested)
		}
	}
	if dirs["benchmarks"] || dirs[".ci/release"] {
		t.Errorf("nested modules: got %v; want neither benchmarks nor .ci/release", nested)
	}
}

// TestCheckVersion checks which release versions the rehearsal accepts.
func TestCheckVersion(t *testing.T) {
	for _, c := range []struct {
		version string
		ok      bool
	}{
		{"v0.1.0", true},
		{"v1.2.3", true},
		{"v1.0.0-rc.1", true},
		{"0.1.0", false},    // no v
		{"v0.1", false},     // not canonical
		{"v2.0.0", false},   // needs a /v2 module path
		{"v1.0.0+x", false}, // build metadata is dropped by the go command
	} {
		_, err := checkVersion(c.version, "github.com/antsgo/ants")
		if got := err == nil; got != c.ok {
			t.Errorf("checkVersion(%q): got error %v; want ok %v", c.version, err, c.ok)
		}
	}
}

// copyRepo copies the files git lists in repo (tracked, and new ones
// .gitignore does not exclude) into a new git work tree and returns it.
func copyRepo(t *testing.T, repo string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dir := t.TempDir()
	for _, rel := range strings.Split(string(out), "\x00") {
		if rel == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(rel)))
		if os.IsNotExist(err) {
			continue // deleted but still in the index
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return dir
}

// setRequire rewrites the go.mod file name to require path at version.
func setRequire(t *testing.T, name, path, version string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(name, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddRequire(path, version); err != nil {
		t.Fatal(err)
	}
	data, err = f.Format()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// nextMinor returns the version after v with its minor number raised.
func nextMinor(t *testing.T, v string) string {
	t.Helper()
	mm := strings.SplitN(strings.TrimPrefix(semver.MajorMinor(v), "v"), ".", 2)
	minor, err := strconv.Atoi(mm[1])
	if err != nil {
		t.Fatalf("version %s: %v", v, err)
	}
	return fmt.Sprintf("v%s.%d.0", mm[0], minor+1)
}
