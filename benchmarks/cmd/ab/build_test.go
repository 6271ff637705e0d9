package main

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// tarOf returns a tar stream of the entries, name → content; a name
// ending in / is a directory.
func tarOf(t *testing.T, names []string, content map[string]string) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(content[n]))}
		if n[len(n)-1] == '/' {
			h = &tar.Header{Name: n, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestUntarWritesTheTree(t *testing.T) {
	dst := t.TempDir()
	files := map[string]string{"go.mod": "module x\n", "sub/a.go": "package sub\n"}
	if err := untar(tarOf(t, []string{"sub/", "go.mod", "sub/a.go"}, files), dst); err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s holds %q; want %q", name, got, want)
		}
	}
}

func TestUntarRefusesPathsOutsideItsDirectory(t *testing.T) {
	dst := t.TempDir()
	err := untar(tarOf(t, []string{"../escape.go"}, map[string]string{"../escape.go": "x"}), filepath.Join(dst, "in"))
	if err == nil {
		t.Fatal("untar of ../escape.go returned no error")
	}
	if _, err := os.Stat(filepath.Join(dst, "escape.go")); !os.IsNotExist(err) {
		t.Errorf("the file outside the directory exists (stat: %v)", err)
	}
}

// TestCopyFilesLeavesNestedModulesOut: the candidate's copy of the working
// tree holds the root module's files, tracked or new, and not those of the
// nested modules (which the root module does not contain) nor files listed
// but deleted.
func TestCopyFilesLeavesNestedModulesOut(t *testing.T) {
	repo, dst := t.TempDir(), t.TempDir()
	files := map[string]string{
		"go.mod":              "module root\n",
		"a.go":                "package root\n",
		"examples/q/main.go":  "package main\n",
		"benchmarks/go.mod":   "module root/benchmarks\n",
		"benchmarks/bench.go": "package benchmarks\n",
	}
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	list := []string{"go.mod", "a.go", "examples/q/main.go", "benchmarks/go.mod", "benchmarks/bench.go", "deleted.go"}
	if err := copyFiles(repo, dst, list); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go.mod", "a.go", "examples/q/main.go"} {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || string(got) != files[name] {
			t.Errorf("%s: %q, %v; want %q", name, got, err, files[name])
		}
	}
	for _, name := range []string{"benchmarks/go.mod", "benchmarks/bench.go", "deleted.go"} {
		if _, err := os.Stat(filepath.Join(dst, name)); !os.IsNotExist(err) {
			t.Errorf("%s was copied (stat: %v); want it left out", name, err)
		}
	}
}
