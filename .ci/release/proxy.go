package main

import (
	stdzip "archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// serve writes module m at version v into proxy, a directory in the layout
// GOPROXY=file:// reads ($path/@v/list, .info, .mod, .zip), and returns the
// number of files in the zip. The zip is built as the go command builds one
// from a tag: the files git would check out (tracked ones plus new ones
// .gitignore does not exclude, so a rehearsal before a commit sees them),
// without nested modules, and with the repository's LICENSE added to a
// nested module that has none.
func serve(proxy, repo string, m mod, v string) (int, error) {
	files, err := moduleFiles(repo, m.dir)
	if err != nil {
		return 0, err
	}
	var zipped bytes.Buffer
	if err := zip.Create(&zipped, module.Version{Path: m.path, Version: v}, files); err != nil {
		return 0, err
	}
	n, err := zipLen(zipped.Bytes())
	if err != nil {
		return 0, err
	}
	escaped, err := module.EscapePath(m.path)
	if err != nil {
		return 0, err
	}
	dir := filepath.Join(proxy, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":%q}`, v, time.Now().UTC().Format(time.RFC3339))
	for name, data := range map[string][]byte{
		"list":      []byte(v + "\n"),
		v + ".info": []byte(info),
		v + ".mod":  m.gomod,
		v + ".zip":  zipped.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// moduleFiles lists the files of the module in dir (slash-separated,
// relative to repo) that git tracks or would track, for zip.Create, which
// leaves out those of nested modules.
func moduleFiles(repo, dir string) ([]zip.File, error) {
	abs := filepath.Join(repo, filepath.FromSlash(dir))
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = abs
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %v\n%s", abs, err, stderr.Bytes())
	}
	var files []zip.File
	seen := make(map[string]bool)
	for _, rel := range strings.Split(string(out), "\x00") {
		if rel == "" || seen[rel] {
			continue
		}
		seen[rel] = true
		info, err := os.Lstat(filepath.Join(abs, filepath.FromSlash(rel)))
		if os.IsNotExist(err) {
			continue // deleted from the work tree but not yet from the index
		}
		if err != nil {
			return nil, err
		}
		files = append(files, diskFile{path: rel, abs: filepath.Join(abs, filepath.FromSlash(rel)), info: info})
	}
	if dir != "" && !seen["LICENSE"] {
		// The go command adds the repository's LICENSE to a module in a
		// subdirectory that has none of its own.
		lic := filepath.Join(repo, "LICENSE")
		if info, err := os.Lstat(lic); err == nil {
			files = append(files, diskFile{path: "LICENSE", abs: lic, info: info})
		}
	}
	return files, nil
}

// diskFile is a file on disk as zip.Create takes it.
type diskFile struct {
	path string // slash-separated, relative to the module root
	abs  string
	info os.FileInfo
}

func (f diskFile) Path() string                 { return f.path }
func (f diskFile) Lstat() (os.FileInfo, error)  { return f.info, nil }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.abs) }

// zipLen returns the number of files in a zip archive.
func zipLen(data []byte) (int, error) {
	r, err := stdzip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, err
	}
	return len(r.File), nil
}
