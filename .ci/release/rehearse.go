package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// rehearsal installs the modules of one release the way a user would.
type rehearsal struct {
	repo    string // the repository root
	version string // the release version
	root    mod
	nested  []mod
	work    string    // a temporary directory for the proxy, the module cache and the clients
	env     []string  // the environment of every go command
	log     io.Writer // progress, one line a step
}

// run serves every module at the release version from a proxy on disk,
// then installs them in fresh client modules with no replace:
//
//  1. for each nested module alone, go get module/...@version and
//     go build module/... (so the root version its go.mod requires must be
//     the release or one the public proxy serves, and must compile with it);
//  2. in one client, go get -t of the root and every nested module at the
//     release version, a build and run of a program that uses the root
//     and imports every nested package, and go test of the nested packages
//     as installed.
func (r *rehearsal) run() error {
	proxy := filepath.Join(r.work, "proxy")
	for _, m := range append([]mod{r.root}, r.nested...) {
		n, err := serve(proxy, r.repo, m, r.version)
		if err != nil {
			return fmt.Errorf("serving %s@%s: %w", m.path, r.version, err)
		}
		r.logf("serve %s@%s (%d files, tag %s%s)", m.path, r.version, n, m.tagPrefix(), r.version)
	}
	upstream, err := r.goOutput(r.repo, os.Environ(), "env", "GOPROXY")
	if err != nil {
		return err
	}
	cache, err := r.goOutput(r.repo, os.Environ(), "env", "GOMODCACHE")
	if err != nil {
		return err
	}
	r.env = rehearsalEnv(os.Environ(), proxy, filepath.Join(strings.TrimSpace(cache), "cache", "download"),
		strings.TrimSpace(upstream), filepath.Join(r.work, "modcache"), r.root.path)

	for _, m := range r.nested {
		if err := r.alone(m); err != nil {
			return err
		}
	}
	return r.together()
}

// rehearsalEnv returns base with the settings of the rehearsal's go
// commands: our modules come from proxy first, other modules from the
// local module cache (cacheDownload, as a file proxy) or upstream; the
// checksum database is off only for paths under rootPath; the module cache
// is a fresh one, so no earlier download of our modules is reused, and is
// writable, so it can be removed. Later entries in an environment win.
func rehearsalEnv(base []string, proxy, cacheDownload, upstream, modcache, rootPath string) []string {
	goproxy := fileURL(proxy) + "," + fileURL(cacheDownload)
	if upstream != "" && upstream != "off" {
		goproxy += "," + upstream
	}
	return append(append([]string(nil), base...),
		"GOPROXY="+goproxy,
		"GONOSUMDB="+rootPath,
		"GOPRIVATE=",
		"GONOPROXY=",
		"GOFLAGS=-modcacherw -trimpath",
		"GOMODCACHE="+modcache,
		"GOWORK=off",
		"GOTOOLCHAIN=local",
	)
}

// alone installs nested module m by itself in a fresh client.
func (r *rehearsal) alone(m mod) error {
	dir, err := r.client("alone-" + strings.ReplaceAll(m.dir, "/", "-"))
	if err != nil {
		return err
	}
	if _, err := r.goIn(dir, "get", m.path+"/...@"+r.version); err != nil {
		return fmt.Errorf("go get %s@%s alone: %w%s", m.path, r.version, err, r.requireHint(m))
	}
	if _, err := r.goIn(dir, "build", m.path+"/..."); err != nil {
		return fmt.Errorf("go build %s/... at %s alone: %w%s", m.path, r.version, err, r.requireHint(m))
	}
	got, err := r.goIn(dir, "list", "-m", "-f", "{{.Version}}", r.root.path)
	if err != nil {
		return err
	}
	r.logf("%s@%s alone: builds with %s@%s", m.path, r.version, r.root.path, strings.TrimSpace(got))
	return nil
}

// together installs the root and every nested module in one client, then
// builds and runs a program that uses them and tests the nested packages.
func (r *rehearsal) together() error {
	dir, err := r.client("together")
	if err != nil {
		return err
	}
	args := []string{"get", "-t", r.root.path + "@" + r.version}
	for _, m := range r.nested {
		args = append(args, m.path+"/...@"+r.version)
	}
	if _, err := r.goIn(dir, args...); err != nil {
		return fmt.Errorf("go get all modules at %s: %w", r.version, err)
	}
	var imports, tests []string
	for _, m := range r.nested {
		out, err := r.goIn(dir, "list", "-f", "{{if ne .Name \"main\"}}{{.ImportPath}}{{end}}", m.path+"/...")
		if err != nil {
			return err
		}
		for _, p := range strings.Fields(out) {
			tests = append(tests, p)
			if !isInternal(p) {
				imports = append(imports, p)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), clientProgram(r.root.path, imports), 0o644); err != nil {
		return err
	}
	out, err := r.goIn(dir, "run", ".")
	if err != nil {
		return fmt.Errorf("go run of the client program: %w", err)
	}
	if out != clientWant {
		return fmt.Errorf("client program printed %q; want %q", out, clientWant)
	}
	r.logf("client program importing %s and %d nested packages: built and ran", r.root.path, len(imports))
	if len(tests) > 0 {
		if _, err := r.goIn(dir, append([]string{"test", "-count=1"}, tests...)...); err != nil {
			return fmt.Errorf("go test of the installed nested packages: %w", err)
		}
		r.logf("go test of %d installed nested packages: ok", len(tests))
	}
	return nil
}

// requireHint explains a failure to install m when its go.mod requires a
// root version other than the one being released.
func (r *rehearsal) requireHint(m mod) string {
	if m.rootReq == r.version {
		return ""
	}
	return fmt.Sprintf("\n%s/go.mod requires %s %s, which this release does not publish; "+
		"unless that version is already on the public proxy, require %s (see RELEASING.md)",
		m.dir, r.root.path, m.rootReq, r.version)
}

// client makes a fresh module with no requirement and no replace.
func (r *rehearsal) client(name string) (string, error) {
	dir := filepath.Join(r.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	gomod := "module example.com/rehearsal\n\ngo " + goLine(r.root.gomod) + "\n"
	return dir, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644)
}

// goIn runs the go command in dir with the rehearsal's environment.
func (r *rehearsal) goIn(dir string, args ...string) (string, error) {
	return r.goOutput(dir, r.env, args...)
}

// goOutput runs the go command in dir with env and returns its standard
// output; on failure the error carries the combined output.
func (r *rehearsal) goOutput(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if err != nil {
		return "", fmt.Errorf("go %s: %v\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	if d := time.Since(start); d > 5*time.Second {
		r.logf("  (go %s took %s)", args[0], d.Round(100*time.Millisecond))
	}
	return stdout.String(), nil
}

func (r *rehearsal) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "rehearsal: "+format+"\n", args...)
}

// fileURL returns the file:// URL of an absolute directory.
func fileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows path such as C:/x
	}
	return "file://" + p
}

// goLine returns the go version a go.mod file declares, or 1.22.
func goLine(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "go" {
			return f[1]
		}
	}
	return "1.22"
}

// isInternal reports whether an import path has an internal element, which
// a client may not import.
func isInternal(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == "internal" {
			return true
		}
	}
	return false
}

// clientWant is what clientProgram prints.
const clientWant = "sum: 5050\n"

// clientProgram returns a main package that adds 1..100 on a pool of the
// root package and imports every package in imports for its side effects,
// so that each is compiled and initialised.
func clientProgram(rootPath string, imports []string) []byte {
	var b bytes.Buffer
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n\t\"sync/atomic\"\n\n")
	fmt.Fprintf(&b, "\tants %q\n", rootPath)
	for _, p := range imports {
		fmt.Fprintf(&b, "\t_ %q\n", p)
	}
	b.WriteString(`)

func main() {
	pool, err := ants.NewPool(4)
	if err != nil {
		panic(err)
	}
	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		if err := pool.Submit(func() { defer wg.Done(); sum.Add(int64(i)) }); err != nil {
			panic(err)
		}
	}
	wg.Wait()
	pool.Release()
	fmt.Println("sum:", sum.Load())
}
`)
	return b.Bytes()
}
