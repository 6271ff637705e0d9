package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// rootModule is the module that the two builds take from different
// revisions; everything else, the harness included, comes from the
// benchmarks module of the working tree.
const rootModule = "github.com/antsgo/ants"

// side is one build of cmd/compare: the harness of this working tree
// linked with this library's code from dir.
type side struct {
	desc string // for the report: "main at 5ef5740"
	dir  string // root of the library's source
	bin  string // the built cmd/compare
}

// git runs git in dir and returns its trimmed standard output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// checkout writes the tree of ref into dst (git archive, so the
// repository's worktrees and index are left alone) and describes it.
func checkout(repo, ref, dst string) (side, error) {
	hash, err := git(repo, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return side{}, fmt.Errorf("no commit %q: %w", ref, err)
	}
	cmd := exec.Command("git", "archive", "--format=tar", hash)
	cmd.Dir = repo
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return side{}, err
	}
	if err := cmd.Start(); err != nil {
		return side{}, err
	}
	err = untar(out, dst)
	if werr := cmd.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return side{}, fmt.Errorf("git archive %s: %w", ref, err)
	}
	return side{desc: fmt.Sprintf("%s at %s", ref, hash[:min(len(hash), 10)]), dir: dst}, nil
}

// untar writes the directories and regular files of a tar stream under
// dst; other entries (links) are skipped.
func untar(r io.Reader, dst string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("unsafe path %q in archive", h.Name)
		}
		path := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFrom(path, tr, h.FileInfo().Mode().Perm()); err != nil {
				return err
			}
		}
	}
}

func writeFrom(path string, r io.Reader, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm|0o200)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// workingTree copies the library in the working tree at repo into dst and
// describes it: HEAD and whether files outside benchmarks/ differ from it.
//
// The copy, rather than the working tree itself, is what the candidate is
// built from, so that both sides' replace directives name directories of
// the same length (tmp/base, tmp/cand). The directory is recorded in the
// binary's build information; a longer or shorter one moves every global
// variable of the binary, the scheduler's included, by the difference
// rounded to 32 bytes, and on 2026-12-01 that alone made the working
// tree measure 1.07-1.08 against the same commit extracted on W2/cap=8
// and W5 (15 rounds), where two extracted builds of one commit measured
// 1.01-1.03.
func workingTree(repo, dst string) (side, error) {
	head, err := git(repo, "rev-parse", "--short=10", "HEAD")
	if err != nil {
		return side{}, err
	}
	status, err := git(repo, "status", "--porcelain", "--", ".", ":(exclude)benchmarks")
	if err != nil {
		return side{}, err
	}
	desc := "the working tree (HEAD " + head + ", no changes outside benchmarks/)"
	if status != "" {
		desc = fmt.Sprintf("the working tree (HEAD %s with %d changed files outside benchmarks/)", head, len(strings.Split(status, "\n")))
	}
	if err := copyModule(repo, dst); err != nil {
		return side{}, fmt.Errorf("copying the working tree: %w", err)
	}
	return side{desc: desc, dir: dst}, nil
}

// copyModule copies into dst the files of the root module in the working
// tree at repo, tracked or not (but not ignored), leaving out the nested
// modules (directories with a go.mod of their own) and files deleted from
// the working tree.
func copyModule(repo, dst string) error {
	list, err := git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return err
	}
	files := strings.Split(strings.TrimRight(list, "\x00"), "\x00")
	return copyFiles(repo, dst, files)
}

// copyFiles copies the files named (relative to repo) into dst, except
// those under a directory that has a go.mod of its own and those that no
// longer exist.
func copyFiles(repo, dst string, files []string) error {
	var nested []string
	for _, f := range files {
		if dir := filepath.Dir(f); filepath.Base(f) == "go.mod" && dir != "." {
			nested = append(nested, dir+"/")
		}
	}
	for _, f := range files {
		if f == "" || hasAnyPrefix(f, nested) {
			continue
		}
		src := filepath.Join(repo, f)
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		err = writeFrom(filepath.Join(dst, filepath.FromSlash(f)), in, info.Mode().Perm())
		if cerr := in.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// hasAnyPrefix reports whether s starts with one of prefixes.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// build builds cmd/compare of the benchmarks module at benchDir into
// tmp/compare-name, with the library replaced by s.dir: a copy of the
// module's go.mod and go.sum whose replace directive points there
// (-modfile), so the harness's own files stay as they are. Both sides
// build with the same flags (-trimpath, so that no path differs), and
// -mod=mod lets a baseline whose go.mod requires other versions complete
// the copy.
func build(s *side, name, benchDir, tmp, tags string) error {
	mod := filepath.Join(tmp, name+".mod")
	for _, f := range [][2]string{{"go.mod", mod}, {"go.sum", strings.TrimSuffix(mod, ".mod") + ".sum"}} {
		b, err := os.ReadFile(filepath.Join(benchDir, f[0]))
		if err != nil {
			return err
		}
		if err := os.WriteFile(f[1], b, 0o644); err != nil {
			return err
		}
	}
	abs, err := filepath.Abs(s.dir)
	if err != nil {
		return err
	}
	s.bin = filepath.Join(tmp, "compare-"+name)
	for _, args := range [][]string{
		{"mod", "edit", "-modfile=" + mod, "-replace=" + rootModule + "=" + abs},
		{"build", "-mod=mod", "-modfile=" + mod, "-trimpath", "-tags=" + tags, "-o", s.bin, "./cmd/compare"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = benchDir
		cmd.Env = append(os.Environ(), "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building %s (go %s): %w\n%s\nThe harness of this working tree must compile against both revisions; "+
				"see \"A/B against a revision\" in README.md", s.desc, strings.Join(args, " "), err, out)
		}
	}
	return nil
}
