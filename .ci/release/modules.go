package main

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// versionFile holds the version the next release is cut at, relative to the
// repository root. It is the one place the release version is written down
// outside the go.mod files; RELEASING.md says when to change it.
const versionFile = ".ci/release/VERSION"

// unpublished lists the nested modules, by directory, that require the root
// module but are never tagged: benchmarks/ compares this library with its
// peers and is run from a clone.
var unpublished = map[string]bool{"benchmarks": true}

// mod is one module of the repository.
type mod struct {
	dir     string // slash-separated, relative to the repository root; "" for the root
	path    string // the module path its go.mod declares
	gomod   []byte // its go.mod file, served as the .mod of the release
	rootReq string // the version of the root module it requires; "" for the root
}

// tagPrefix is the prefix of the module's tags: "" for the root, "dir/" for
// a nested module, whose tags read dir/vX.Y.Z.
func (m mod) tagPrefix() string {
	if m.dir == "" {
		return ""
	}
	return m.dir + "/"
}

// readVersion returns the release version recorded in versionFile after
// checking that it is a canonical semantic version that rootPath can take.
func readVersion(repo, rootPath string) (string, error) {
	data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(versionFile)))
	if err != nil {
		return "", err
	}
	return checkVersion(strings.TrimSpace(string(data)), rootPath)
}

// checkVersion checks that v is a canonical semantic version with the major
// version the module path rootPath allows (v0 or v1 without a /vN suffix).
func checkVersion(v, rootPath string) (string, error) {
	if !semver.IsValid(v) || semver.Canonical(v) != v || semver.Build(v) != "" {
		return "", fmt.Errorf("release version %q is not a canonical semantic version such as v0.1.0", v)
	}
	if err := module.Check(rootPath, v); err != nil {
		return "", fmt.Errorf("release version %s: %w", v, err)
	}
	return v, nil
}

// discover reads the root module of the repository and finds every nested
// module to release with it: each directory below the root whose go.mod
// requires the root module, except those in unpublished. It skips the
// directories the go command ignores (names starting with "." or "_", and
// testdata) and vendor directories. It returns an error for a nested module
// whose path is not the root path followed by its directory, since a tag
// dir/vX.Y.Z could not serve it. skipped lists the unpublished modules it
// found.
func discover(repo string) (root mod, nested []mod, skipped []string, err error) {
	root, err = readMod(repo, "", "")
	if err != nil {
		return mod{}, nil, nil, err
	}
	err = filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || p == repo {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err != nil {
			return nil
		}
		rel, err := filepath.Rel(repo, p)
		if err != nil {
			return err
		}
		m, err := readMod(repo, filepath.ToSlash(rel), root.path)
		if err != nil {
			return err
		}
		if m.rootReq == "" {
			return nil // not a module of this library
		}
		if unpublished[m.dir] {
			skipped = append(skipped, m.dir)
			return nil
		}
		if want := path.Join(root.path, m.dir); m.path != want {
			return fmt.Errorf("%s/go.mod: module %s; want %s, the path its tags %sv… publish", m.dir, m.path, want, m.tagPrefix())
		}
		nested = append(nested, m)
		return nil
	})
	if err != nil {
		return mod{}, nil, nil, err
	}
	return root, nested, skipped, nil
}

// readMod reads the go.mod file of the module in dir (slash-separated,
// relative to repo). Its rootReq is the version it requires of rootPath,
// the module of the repository root ("" when reading the root itself).
func readMod(repo, dir, rootPath string) (mod, error) {
	name := filepath.Join(repo, filepath.FromSlash(dir), "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return mod{}, err
	}
	f, err := modfile.Parse(name, data, nil)
	if err != nil {
		return mod{}, err
	}
	if f.Module == nil {
		return mod{}, fmt.Errorf("%s: no module line", name)
	}
	m := mod{dir: dir, path: f.Module.Mod.Path, gomod: data}
	for _, r := range f.Require {
		if rootPath != "" && r.Mod.Path == rootPath {
			m.rootReq = r.Mod.Version
		}
	}
	return m, nil
}
