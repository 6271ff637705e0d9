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
