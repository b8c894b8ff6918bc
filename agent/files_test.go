package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// filesResult is what one `files` run answered.
type filesResult struct {
	code           int
	stdout, stderr string
}

// filesCase is one run of `files` and what it must answer: the exit status and the first line
// of stderr ("" when not checked).
type filesCase struct {
	args  []string
	code  int
	first string
}

// firstLine is the first line of stderr, the one the worker shows.
func (r filesResult) firstLine() string {
	line, _, _ := strings.Cut(r.stderr, "\n")
	return line
}

// filesRun runs `files <args>` in-process, as serve could, with stdin.
func filesRun(stdin []byte, args ...string) filesResult {
	var stdout, stderr bytes.Buffer
	code := runFiles(args, bytes.NewReader(stdin), &stdout, &stderr)
	return filesResult{code, stdout.String(), stderr.String()}
}

// expectFiles fails the test unless the run answered code with first as stderr's first line
// (first "" is not checked).
func expectFiles(t *testing.T, r filesResult, code int, first string, what string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: exit %d, want %d (stderr %q)", what, r.code, code, r.stderr)
	}
	if first != "" && r.firstLine() != first {
		t.Fatalf("%s: first stderr line %q, want %q", what, r.firstLine(), first)
	}
}

// filesDir is a fresh directory for a test whose path has no link on it (the agent refuses
// one), removable at the end whatever modes the test left inside.
func filesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err == nil && info.IsDir() {
				os.Chmod(path, 0o755)
			}
			return nil
		})
	})
	return dir
}

// writeFile writes a file with a mode, failing the test when it cannot.
func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// readFile reads a file, "" when it cannot.
func readFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(data)
}

// namesIn lists a directory's names, sorted.
func namesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, entry := range entries {
		names = append(names, entry.Name())
	}
	return names
}

// mkfifo makes a FIFO.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

// mountTmpfs mounts a small tmpfs on dir (another filesystem, or a full disk) when the test may
// (root, with the right to mount), and unmounts it at the end.
func mountTmpfs(t *testing.T, dir, size string) bool {
	t.Helper()
	if os.Getuid() != 0 {
		return false
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		t.Logf("no tmpfs: %v", err)
		return false
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return true
}

// failingReader gives some bytes, then an error: a stdin that breaks mid-way.
type failingReader struct{ left int }

// Read reads zeros until left runs out, then fails.
func (r *failingReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, errors.New("the connection broke")
	}
	if len(p) > r.left {
		p = p[:r.left]
	}
	r.left -= len(p)
	return len(p), nil
}

func TestFilesWriteThenReadRoundTrip(t *testing.T) {
	dir := filesDir(t)
	content := make([]byte, 3<<20+17) // larger than the copy buffer
	rand.Read(content)
	path := dir + "/new/sub/data.bin"
	expectFiles(t, filesRun(content, "write", path, "0640"), 0, "", "write")
	expectFiles(t, filesRun(nil, "read-check", path), 0, "", "read-check")
	read := filesRun(nil, "read", path)
	expectFiles(t, read, 0, "", "read")
	if read.stdout != string(content) {
		t.Fatalf("read %d bytes back, want the %d written", len(read.stdout), len(content))
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640", info.Mode())
	}
	for _, parent := range []string{dir + "/new", dir + "/new/sub"} {
		if info, err := os.Stat(parent); err != nil || info.Mode().Perm() != 0o755 {
			t.Fatalf("parent %s: %v %v, want a 0755 directory", parent, info, err)
		}
	}
	// over an existing file: replaced, with the new mode; and an empty file
	expectFiles(t, filesRun([]byte("short"), "write", path, "0600"), 0, "", "overwrite")
	if got := readFile(path); got != "short" {
		t.Fatalf("after overwrite %q", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode after overwrite %v", info.Mode())
	}
	expectFiles(t, filesRun(nil, "write", dir+"/empty", "644"), 0, "", "empty write")
	if info, err := os.Stat(dir + "/empty"); err != nil || info.Size() != 0 || info.Mode().Perm() != 0o644 {
		t.Fatalf("empty file: %v %v", info, err)
	}
	if names := namesIn(t, dir+"/new/sub"); len(names) != 1 {
		t.Fatalf("something beside the file: %v", names)
	}
}

func TestFilesWriteReplacesALinkAtTheTargetInsteadOfWritingThroughIt(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/outside/secret", "keep", 0o644)
	os.Mkdir(dir+"/work", 0o755)
	if err := os.Symlink(dir+"/outside/secret", dir+"/work/target"); err != nil {
		t.Fatal(err)
	}
	expectFiles(t, filesRun([]byte("new"), "write", dir+"/work/target", "0644"), 0, "", "write over a link")
	info, err := os.Lstat(dir + "/work/target")
	if err != nil || !info.Mode().IsRegular() || readFile(dir+"/work/target") != "new" {
		t.Fatalf("the link was not replaced by the file: %v %v", info, err)
	}
	if got := readFile(dir + "/outside/secret"); got != "keep" {
		t.Fatalf("written through the link: %q", got)
	}
	if names := namesIn(t, dir+"/work"); len(names) != 1 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestFilesWriteLeavesNothingBehindWhenItFails(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/keep", "old", 0o644)
	var stdout, stderr bytes.Buffer
	// stdin breaks mid-way: neither the parents made for it nor the temporary file stay
	code := runFiles([]string{"write", dir + "/made/deeper/file", "0644"}, &failingReader{left: 5 << 20}, &stdout, &stderr)
	if code != exitNoAccess {
		t.Fatalf("exit %d (%s), want 44", code, stderr.String())
	}
	if names := namesIn(t, dir); len(names) != 1 || names[0] != "keep" {
		t.Fatalf("left behind: %v", names)
	}
	// an existing file stays as it was
	code = runFiles([]string{"write", dir + "/keep", "0644"}, &failingReader{left: 100}, &stdout, &stderr)
	if code != exitNoAccess || readFile(dir+"/keep") != "old" {
		t.Fatalf("exit %d, file %q", code, readFile(dir+"/keep"))
	}
	if names := namesIn(t, dir); len(names) != 1 {
		t.Fatalf("left behind: %v", names)
	}
	// a full disk is 47, with nothing left on it
	small := dir + "/small"
	if !mountTmpfs(t, small, "64k") {
		t.Log("skipping the full disk case: cannot mount a tmpfs here")
		return
	}
	big := make([]byte, 256<<10)
	result := filesRun(big, "write", small+"/a/b/big", "0644")
	expectFiles(t, result, exitDiskFull, small+"/a/b/big", "write on a full disk")
	if names := namesIn(t, small); len(names) != 0 {
		t.Fatalf("left on the full disk: %v", names)
	}
	archive := tarOf(t, []tarEntry{{name: "./big", body: string(big)}})
	expectFiles(t, filesRun(archive, "archive-write", small+"/up"), exitDiskFull, small+"/up", "upload on a full disk")
	if names := namesIn(t, small); len(names) != 0 {
		t.Fatalf("left on the full disk: %v", names)
	}
}

func TestFilesExitCodes(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/file", "x", 0o644)
	writeFile(t, dir+"/full/inside", "x", 0o644)
	os.Mkdir(dir+"/empty", 0o755)
	mkfifo(t, dir+"/fifo")
	cases := []filesCase{
		{[]string{"read-check", dir + "/missing"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"read-check", dir + "/file/below"}, exitNoSuchFile, dir + "/file/below"},
		{[]string{"read-check", dir + "/empty"}, exitIsDirectory, dir + "/empty"},
		{[]string{"read-check", "/"}, exitIsDirectory, "/"},
		{[]string{"read-check", dir + "/fifo"}, exitNotRegular, dir + "/fifo"},
		{[]string{"read", dir + "/fifo"}, exitNotRegular, dir + "/fifo"},
		{[]string{"read", dir + "/missing"}, exitNotRegular, dir + "/missing"},
		{[]string{"read", dir + "/empty"}, exitNotRegular, dir + "/empty"},
		{[]string{"stat", dir + "/missing"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"delete", dir + "/missing", "false"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"delete", dir + "/full", "false"}, exitNotEmpty, dir + "/full"},
		{[]string{"delete", "/", "true"}, exitNotRegular, "/"},
		{[]string{"list", dir + "/file"}, exitNotDir, dir + "/file"},
		{[]string{"list", dir + "/missing"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"write", "/", "0644"}, exitIsDirectory, "/"},
		{[]string{"write", dir + "/empty", "0644"}, exitIsDirectory, dir + "/empty"},
		{[]string{"write", dir + "/fifo", "0644"}, exitNotRegular, dir + "/fifo"},
		{[]string{"write", dir + "/file/below", "0644"}, exitNotDir, dir + "/file"},
		{[]string{"move", dir + "/missing", dir + "/x"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"move", dir + "/file", dir + "/empty"}, exitIsDirectory, dir + "/empty"},
		{[]string{"move", "/", dir + "/x"}, exitNotRegular, "/"},
		{[]string{"move", dir + "/file", dir + "/file/x"}, exitNotDir, dir + "/file"},
		{[]string{"chmod", dir + "/missing", "0644"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"archive-check", dir + "/file"}, exitNotDir, dir + "/file"},
		{[]string{"archive-check", dir + "/missing"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"archive-read", dir + "/missing"}, exitNoSuchFile, dir + "/missing"},
		{[]string{"archive-write", dir + "/file"}, exitNotDir, dir + "/file"},
		{[]string{"find", dir + "/missing"}, 0, ""},
		{[]string{"find", dir + "/file"}, 0, ""},
		{[]string{}, exitUsage, ""},
		{[]string{"frobnicate", dir}, exitUsage, ""},
		{[]string{"read", dir + "/file", "extra"}, exitUsage, ""},
		{[]string{"read", "relative/path"}, exitUsage, ""},
		{[]string{"read", dir + "/../etc/passwd"}, exitUsage, ""},
		{[]string{"write", dir + "/x", "0999"}, exitUsage, ""},
		{[]string{"write", dir + "/x", "12345"}, exitUsage, ""},
		{[]string{"chmod", dir + "/file", "rwx"}, exitUsage, ""},
		{[]string{"delete", dir + "/file", "yes"}, exitUsage, ""},
		{[]string{"move", dir + "/file", "x"}, exitUsage, ""},
	}
	for _, c := range cases {
		done := make(chan filesResult, 1)
		go func(args []string) { done <- filesRun(nil, args...) }(c.args)
		select {
		case result := <-done:
			expectFiles(t, result, c.code, c.first, strings.Join(c.args, " "))
			if c.code == 0 && result.stdout != "" {
				t.Fatalf("%v: answered %q", c.args, result.stdout)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v blocked", c.args)
		}
	}
	// nothing of these was changed
	if readFile(dir+"/file") != "x" || readFile(dir+"/full/inside") != "x" {
		t.Fatal("a refused operation changed a file")
	}
	if names := namesIn(t, dir); strings.Join(names, " ") != "empty fifo file full" {
		t.Fatalf("a refused operation left %v", names)
	}
}

// otherUserAgent runs `files` as a user that is not the owner of the test's files: as nobody
// (65534) through a copy of this test binary, which TestMain runs as the agent, when the test
// runs as root (root may read anything), else in-process as the current user.
func otherUserAgent(t *testing.T) func(stdin []byte, args ...string) filesResult {
	if os.Getuid() != 0 {
		return filesRun
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	binDir := filesDir(t)
	os.Chmod(filepath.Dir(binDir), 0o755)
	os.Chmod(binDir, 0o755)
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	agent := binDir + "/stacyvm-agent"
	if err := os.WriteFile(agent, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return func(stdin []byte, args ...string) filesResult {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		command := exec.CommandContext(ctx, agent, append([]string{"files"}, args...)...)
		command.Env = []string{"PATH=/usr/bin:/bin"}
		command.Stdin = bytes.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		command.Stdout, command.Stderr = &stdout, &stderr
		command.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		err := command.Run()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("cannot run the agent as nobody: %v", err)
		}
		return filesResult{code, stdout.String(), stderr.String()}
	}
}

func TestFilesPermissionDenied(t *testing.T) {
	run := otherUserAgent(t)
	dir := filesDir(t)
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	writeFile(t, dir+"/secret", "s", 0o000)
	writeFile(t, dir+"/readonly/file", "r", 0o644)
	os.Chmod(dir+"/readonly", 0o555)
	os.Mkdir(dir+"/closed", 0o000)
	os.Mkdir(dir+"/unreadable", 0o311) // may be searched, not read
	os.Mkdir(dir+"/unsearchable", 0o644)
	cases := []filesCase{
		{[]string{"read-check", dir + "/secret"}, exitNoAccess, dir + "/secret"},
		{[]string{"read", dir + "/secret"}, exitNoAccess, dir + "/secret"},
		{[]string{"write", dir + "/readonly/new", "0644"}, exitNoAccess, dir + "/readonly/new"},
		{[]string{"write", dir + "/readonly/file", "0644"}, exitNoAccess, dir + "/readonly/file"},
		{[]string{"write", dir + "/readonly/made/new", "0644"}, exitNoAccess, dir + "/readonly/made"},
		{[]string{"delete", dir + "/readonly/file", "false"}, exitNoAccess, dir + "/readonly/file"},
		{[]string{"delete", dir + "/readonly", "true"}, exitNoAccess, dir + "/readonly"},
		{[]string{"stat", dir + "/closed/x"}, exitNoAccess, dir + "/closed/x"},
		{[]string{"list", dir + "/unreadable"}, exitNoAccess, dir + "/unreadable"},
		{[]string{"list", dir + "/unsearchable"}, exitNoAccess, dir + "/unsearchable"},
		{[]string{"archive-check", dir + "/unreadable"}, exitNoAccess, dir + "/unreadable"},
		{[]string{"archive-check", dir + "/unsearchable"}, exitNoAccess, dir + "/unsearchable"},
		{[]string{"archive-write", dir + "/readonly"}, exitNoAccess, dir + "/readonly"},
		{[]string{"move", dir + "/readonly/file", dir + "/moved"}, exitNoAccess, dir + "/moved"},
		{[]string{"find", dir + "/closed"}, 0, ""},
	}
	if os.Getuid() == 0 {
		cases = append(cases, filesCase{[]string{"chmod", dir + "/secret", "0777"}, exitNoAccess, dir + "/secret"})
	}
	for _, c := range cases {
		expectFiles(t, run([]byte("data"), c.args...), c.code, c.first, strings.Join(c.args, " "))
	}
	if names := namesIn(t, dir+"/readonly"); len(names) != 1 || readFile(dir+"/readonly/file") != "r" {
		t.Fatalf("a refused operation changed the read-only folder: %v", names)
	}
	if info, _ := os.Stat(dir + "/secret"); info.Mode().Perm() != 0 {
		t.Fatalf("secret's mode changed: %v", info.Mode())
	}
	if _, err := os.Stat(dir + "/moved"); err == nil {
		t.Fatal("moved out of a read-only folder")
	}
}

func TestFilesRefuseEveryPathThroughALink(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/real/f", "inside", 0o644)
	writeFile(t, dir+"/real/sub/g", "g", 0o644)
	if err := os.Symlink(dir+"/real", dir+"/link"); err != nil {
		t.Fatal(err)
	}
	link := dir + "/link"
	archive := tarOf(t, []tarEntry{{name: "./up", body: "u"}})
	through := [][]string{
		{"read-check", link + "/f"}, {"read", link + "/f"}, {"write", link + "/new", "0644"},
		{"write", link + "/sub/new", "0644"}, {"delete", link + "/f", "false"}, {"delete", link + "/sub", "true"},
		{"stat", link + "/f"}, {"list", link + "/sub"}, {"move", link + "/f", dir + "/moved"},
		{"move", dir + "/real/f", link + "/sub/moved"}, {"chmod", link + "/f", "0600"}, {"find", link + "/sub"},
		{"archive-check", link + "/sub"}, {"archive-read", link + "/sub"}, {"archive-write", link + "/sub"},
		{"archive-write", link + "/sub/new"},
	}
	for _, args := range through {
		expectFiles(t, filesRun(archive, args...), exitThroughLink, link, strings.Join(args, " "))
	}
	// the link as the last component: refused too, but by write, which replaces it
	named := [][]string{
		{"read-check", link}, {"read", link}, {"delete", link, "false"}, {"stat", link}, {"list", link},
		{"move", link, dir + "/moved"}, {"move", dir + "/real/f", link}, {"chmod", link, "0700"},
		{"find", link}, {"archive-check", link}, {"archive-read", link}, {"archive-write", link},
	}
	for _, args := range named {
		expectFiles(t, filesRun(archive, args...), exitThroughLink, link, strings.Join(args, " "))
	}
	if readFile(dir+"/real/f") != "inside" || readFile(dir+"/real/sub/g") != "g" {
		t.Fatal("a file behind the link changed")
	}
	if info, _ := os.Stat(dir + "/real/f"); info.Mode().Perm() != 0o644 {
		t.Fatalf("chmod went through the link: %v", info.Mode())
	}
	if names := namesIn(t, dir+"/real"); strings.Join(names, " ") != "f sub" {
		t.Fatalf("something was written behind the link: %v", names)
	}
	if names := namesIn(t, dir+"/real/sub"); strings.Join(names, " ") != "g" {
		t.Fatalf("something was written behind the link: %v", names)
	}
	if names := namesIn(t, dir); strings.Join(names, " ") != "link real" {
		t.Fatalf("something was left: %v", names)
	}
}

// listScript is the old list script's loop, to compare the agent's answer with, byte for byte.
const listScript = `export LC_ALL=C
cd -- "$1" || exit 44
n=0
for f in * .[!.]* ..?*; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  n=$((n + 1)); [ "$n" -le 10000 ] || break
  stat -c '%s|%f|%Y|%a|%n' -- "$f" 2>/dev/null && printf '\0'
done`

func TestFilesStatAndListPrintWhatGNUStatPrints(t *testing.T) {
	if _, err := exec.LookPath("stat"); err != nil {
		t.Skip("no stat here to compare with")
	}
	dir := filesDir(t)
	writeFile(t, dir+"/plain", "some bytes", 0o644)
	writeFile(t, dir+"/setuid", "#!", 0o4755)
	writeFile(t, dir+"/.hidden", "h", 0o600)
	writeFile(t, dir+"/..dots", "d", 0o640)
	writeFile(t, dir+"/with|bar and space", "b", 0o644)
	writeFile(t, dir+"/ünïcode", "u", 0o444)
	writeFile(t, dir+"/Zupper", "", 0o644)
	os.Mkdir(dir+"/sticky", 0o755)
	os.Chmod(dir+"/sticky", 0o1777)
	os.Mkdir(dir+"/setgid", 0o755)
	os.Chmod(dir+"/setgid", 0o2750)
	os.Symlink("plain", dir+"/link")
	mkfifo(t, dir+"/fifo")
	old := time.Date(1999, 12, 31, 23, 59, 58, 700000000, time.UTC)
	os.Chtimes(dir+"/plain", old, old)
	for _, name := range []string{"plain", "setuid", ".hidden", "..dots", "with|bar and space", "ünïcode", "sticky", "setgid", "fifo", "Zupper"} {
		want, err := exec.Command("stat", "-c", "%s|%f|%Y|%a", "--", dir+"/"+name).Output()
		if err != nil {
			t.Fatal(err)
		}
		got := filesRun(nil, "stat", dir+"/"+name)
		expectFiles(t, got, 0, "", "stat "+name)
		if got.stdout != string(want) {
			t.Fatalf("stat %s: %q, GNU stat %q", name, got.stdout, want)
		}
	}
	want, err := exec.Command("stat", "-c", "%s|%f|%Y|%a", "--", "/").Output()
	if got := filesRun(nil, "stat", "/"); err != nil || got.stdout != string(want) {
		t.Fatalf("stat /: %q, GNU stat %q", got.stdout, want)
	}
	want, err = exec.Command("sh", "-c", listScript, "sh", dir).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := filesRun(nil, "list", dir)
	expectFiles(t, got, 0, "", "list")
	if got.stdout != string(want) {
		t.Fatalf("list:\n%q\nthe script:\n%q", got.stdout, want)
	}
	if !strings.Contains(got.stdout, "|.hidden\n\x00") || !strings.Contains(got.stdout, "|link\n\x00") {
		t.Fatalf("dot files or links missing: %q", got.stdout)
	}
	empty := filesRun(nil, "list", dir+"/sticky")
	expectFiles(t, empty, 0, "", "list empty")
	if empty.stdout != "" {
		t.Fatalf("an empty folder listed %q", empty.stdout)
	}
}

func TestFilesListStopsAtTenThousandEntries(t *testing.T) {
	dir := filesDir(t)
	for i := 0; i < maxListedFiles+25; i++ {
		f, err := os.Create(fmt.Sprintf("%s/f%05d", dir, i))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	os.WriteFile(dir+"/.dot", nil, 0o644)
	got := filesRun(nil, "list", dir)
	expectFiles(t, got, 0, "", "list")
	records := strings.Split(strings.TrimSuffix(got.stdout, "\x00"), "\x00")
	if len(records) != maxListedFiles {
		t.Fatalf("%d records, want %d", len(records), maxListedFiles)
	}
	if !strings.HasSuffix(records[0], "|f00000\n") || !strings.HasSuffix(records[maxListedFiles-1], "|f09999\n") {
		t.Fatalf("not the first ten thousand in the script's order: %q ... %q", records[0], records[maxListedFiles-1])
	}
}

func TestFilesFindListsEveryPathWithoutFollowingLinks(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/outside/hidden-away", "x", 0o644)
	writeFile(t, dir+"/tree/a/b/c.txt", "c", 0o644)
	writeFile(t, dir+"/tree/.dot", "d", 0o644)
	os.Mkdir(dir+"/tree/empty", 0o755)
	os.Symlink(dir+"/outside", dir+"/tree/a/link")
	mkfifo(t, dir+"/tree/fifo")
	mounted := mountTmpfs(t, dir+"/tree/mnt", "1m")
	if mounted {
		writeFile(t, dir+"/tree/mnt/other-fs", "o", 0o644)
	}
	got := filesRun(nil, "find", dir+"/tree")
	expectFiles(t, got, 0, "", "find")
	paths := strings.Split(strings.TrimSuffix(got.stdout, "\x00"), "\x00")
	sort.Strings(paths)
	want := []string{"/.dot", "/a", "/a/b", "/a/b/c.txt", "/a/link", "/empty", "/fifo"}
	if mounted {
		want = append(want, "/mnt")
	}
	for i := range want {
		want[i] = dir + "/tree" + want[i]
	}
	sort.Strings(want)
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("find answered\n%s\nwant\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	if gnu, err := exec.Command("find", dir+"/tree", "-xdev", "-mindepth", "1", "-print0").Output(); err == nil {
		gnuPaths := strings.Split(strings.TrimSuffix(string(gnu), "\x00"), "\x00")
		sort.Strings(gnuPaths)
		if strings.Join(gnuPaths, "\n") != strings.Join(paths, "\n") {
			t.Fatalf("GNU find answered\n%s", strings.Join(gnuPaths, "\n"))
		}
	}
}

func TestFilesDeleteRemovesWithoutFollowingLinks(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/outside/keep", "k", 0o644)
	writeFile(t, dir+"/file", "f", 0o644)
	os.Mkdir(dir+"/empty", 0o755)
	writeFile(t, dir+"/tree/a/b/c", "c", 0o644)
	writeFile(t, dir+"/tree/.dot", "d", 0o000)
	os.Symlink(dir+"/outside", dir+"/tree/a/link-to-dir")
	os.Symlink(dir+"/outside/keep", dir+"/tree/link-to-file")
	expectFiles(t, filesRun(nil, "delete", dir+"/file", "false"), 0, "", "delete a file")
	expectFiles(t, filesRun(nil, "delete", dir+"/empty", "false"), 0, "", "delete an empty folder")
	expectFiles(t, filesRun(nil, "delete", dir+"/tree", "false"), exitNotEmpty, dir+"/tree", "delete a full folder")
	expectFiles(t, filesRun(nil, "delete", dir+"/tree", "true"), 0, "", "delete recursively")
	if names := namesIn(t, dir); strings.Join(names, " ") != "outside" {
		t.Fatalf("left: %v", names)
	}
	if readFile(dir+"/outside/keep") != "k" {
		t.Fatal("deleted through a link")
	}
}

func TestFilesMove(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/a", "a", 0o644)
	writeFile(t, dir+"/b", "b", 0o600)
	writeFile(t, dir+"/folder/inside", "i", 0o644)
	os.Mkdir(dir+"/existing", 0o755)
	expectFiles(t, filesRun(nil, "move", dir+"/a", dir+"/new/parents/a2"), 0, "", "move into new parents")
	if readFile(dir+"/new/parents/a2") != "a" {
		t.Fatal("not moved")
	}
	expectFiles(t, filesRun(nil, "move", dir+"/new/parents/a2", dir+"/b"), 0, "", "move over a file")
	if readFile(dir+"/b") != "a" {
		t.Fatal("not replaced")
	}
	// as mv: a folder moved onto an existing folder goes into it
	expectFiles(t, filesRun(nil, "move", dir+"/folder", dir+"/existing"), 0, "", "move a folder into a folder")
	if readFile(dir+"/existing/folder/inside") != "i" {
		t.Fatalf("not moved into the folder: %v", namesIn(t, dir+"/existing"))
	}
	expectFiles(t, filesRun(nil, "move", dir+"/existing", dir+"/b"), exitNoAccess, dir+"/b", "move a folder onto a file")
	expectFiles(t, filesRun(nil, "move", dir+"/existing", dir+"/existing/folder"), exitNoAccess, dir+"/existing/folder", "move a folder into itself")
	expectFiles(t, filesRun(nil, "move", dir+"/b", dir+"/b"), exitNoAccess, dir+"/b", "move onto itself")
	if readFile(dir+"/b") != "a" {
		t.Fatal("a refused move changed the file")
	}
	// a failed move removes the parents it made
	expectFiles(t, filesRun(nil, "move", dir+"/existing", dir+"/made/b/x"), 0, "", "move a folder to new parents")
	expectFiles(t, filesRun(nil, "move", dir+"/made/b/x", dir+"/made/b/x/new/parents/y"), exitNoAccess,
		dir+"/made/b/x/new/parents/y", "move a folder into itself, under new parents")
	if names := namesIn(t, dir+"/made/b/x"); strings.Join(names, " ") != "folder" {
		t.Fatalf("a failed move left the parents it made: %v", names)
	}
}

func TestFilesMoveAcrossFilesystemsCopiesThenRemoves(t *testing.T) {
	dir := filesDir(t)
	if !mountTmpfs(t, dir+"/other", "8m") {
		t.Skip("cannot mount a tmpfs here")
	}
	writeFile(t, dir+"/tree/file", "content", 0o640)
	writeFile(t, dir+"/tree/sub/exec", "#!/bin/sh", 0o755)
	os.Symlink("../file", dir+"/tree/sub/link")
	os.Link(dir+"/tree/file", dir+"/tree/sub/hard")
	os.Chmod(dir+"/tree/sub", 0o750)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	os.Chtimes(dir+"/tree/file", old, old)
	before := treeOf(t, dir+"/tree")
	expectFiles(t, filesRun(nil, "move", dir+"/tree", dir+"/other/moved"), 0, "", "move across filesystems")
	if _, err := os.Lstat(dir + "/tree"); err == nil {
		t.Fatal("the original stayed")
	}
	if after := treeOf(t, dir+"/other/moved"); after != before {
		t.Fatalf("moved tree differs:\n%s\nwas\n%s", after, before)
	}
	if names := namesIn(t, dir+"/other"); strings.Join(names, " ") != "moved" {
		t.Fatalf("left in the destination: %v", names)
	}
	// a single file, over an existing one
	writeFile(t, dir+"/one", "1", 0o600)
	writeFile(t, dir+"/other/one", "old", 0o644)
	expectFiles(t, filesRun(nil, "move", dir+"/one", dir+"/other/one"), 0, "", "move a file across filesystems")
	if readFile(dir+"/other/one") != "1" {
		t.Fatal("not replaced")
	}
}

func TestFilesChmodAsGNUChmod(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/file", "f", 0o4755)
	os.Mkdir(dir+"/setgid", 0o755)
	os.Chmod(dir+"/setgid", 0o2775)
	os.Mkdir(dir+"/gnu-setgid", 0o755)
	os.Chmod(dir+"/gnu-setgid", 0o2775)
	os.Mkdir(dir+"/locked", 0o755)
	os.Chmod(dir+"/locked", 0o000)
	writeFile(t, dir+"/unreadable", "u", 0o000)
	expectFiles(t, filesRun(nil, "chmod", dir+"/file", "0640"), 0, "", "chmod file")
	expectFiles(t, filesRun(nil, "chmod", dir+"/setgid", "0755"), 0, "", "chmod dir")
	expectFiles(t, filesRun(nil, "chmod", dir+"/locked", "0750"), 0, "", "chmod a locked dir")
	expectFiles(t, filesRun(nil, "chmod", dir+"/unreadable", "0604"), 0, "", "chmod an unreadable file")
	modes := map[string]os.FileMode{"file": 0o640, "locked": os.ModeDir | 0o750, "unreadable": 0o604}
	if out, err := exec.Command("chmod", "0755", dir+"/gnu-setgid").CombinedOutput(); err == nil {
		info, _ := os.Stat(dir + "/gnu-setgid")
		modes["setgid"] = info.Mode()
	} else {
		t.Logf("no GNU chmod to compare with: %s", out)
		modes["setgid"] = os.ModeDir | os.ModeSetgid | 0o755
	}
	for name, want := range modes {
		if info, _ := os.Stat(dir + "/" + name); info.Mode() != want {
			t.Fatalf("%s: mode %v, want %v", name, info.Mode(), want)
		}
	}
	// each way of changing a mode, whichever the kernel lets the agent use
	for _, way := range []struct {
		name  string
		chmod func(dirfd int, name string, n node, mode uint32) error
	}{
		{"fchmodat2", func(_ int, _ string, n node, mode uint32) error { return chmodPinned(n, mode) }},
		{"open+fchmod", chmodOpened},
		{"/proc/self/fd", func(_ int, _ string, n node, mode uint32) error { return chmodThroughProc(n, mode) }},
	} {
		writeFile(t, dir+"/each", "e", 0o600)
		p, _ := parseFilePath(dir + "/each")
		parent, n, failure := findFinal(p, exitNoSuchFile)
		if failure != nil {
			t.Fatal(failure)
		}
		err := way.chmod(parent, "each", n, 0o711)
		n.close()
		syscall.Close(parent)
		if err == syscall.ENOSYS {
			t.Logf("%s: not on this kernel", way.name)
			continue
		}
		if info, _ := os.Stat(dir + "/each"); err != nil || info.Mode().Perm() != 0o711 {
			t.Fatalf("%s: %v, mode %v", way.name, err, info.Mode())
		}
	}
}

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name, body, link string
	kind             byte
	mode             int64
}

// tarOf writes a tar archive of the entries (regular files unless said otherwise).
func tarOf(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		kind := e.kind
		if kind == 0 {
			kind = tar.TypeReg
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		header := &tar.Header{Name: e.name, Typeflag: kind, Mode: mode, Linkname: e.link, ModTime: time.Unix(1e9, 0)}
		if kind == tar.TypeReg {
			header.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(header); err != nil {
			t.Fatal(err)
		}
		if kind == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// treeOf describes every file below dir, one line each: its path, type, permission bits,
// mtime (but for links), content or link target, and the first path of the same file when it
// is linked more than once; the top directory itself is left out.
func treeOf(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	seen := map[uint64]string{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel := strings.TrimPrefix(path, dir)
		st := info.Sys().(*syscall.Stat_t)
		line := fmt.Sprintf("%s %v", rel, info.Mode())
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			line += " -> " + target
		case info.Mode().IsRegular():
			line += fmt.Sprintf(" %d %q", info.ModTime().Unix(), readFile(path))
			if st.Nlink > 1 {
				if first, ok := seen[st.Ino]; ok {
					line += " same as " + first
				}
				seen[st.Ino] = rel
			}
		default:
			line += fmt.Sprintf(" %d", info.ModTime().Unix())
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// sampleTree makes a tree with what an archive must keep: modes (a read-only folder with
// files inside included), mtimes, empty folders, dot files, links, hard links, long names.
func sampleTree(t *testing.T, dir string) {
	t.Helper()
	long := strings.Repeat("long-name-", 12)
	writeFile(t, dir+"/plain.txt", "plain", 0o644)
	writeFile(t, dir+"/script.sh", "#!/bin/sh\necho hi\n", 0o755)
	writeFile(t, dir+"/.hidden", "h", 0o600)
	writeFile(t, dir+"/sub/deeper/"+long+"/file", "deep", 0o444)
	writeFile(t, dir+"/readonly/inside", "r", 0o640)
	os.MkdirAll(dir+"/empty", 0o755)
	os.Symlink("plain.txt", dir+"/link")
	os.Symlink("../sub", dir+"/sub/deeper/up")
	os.Link(dir+"/plain.txt", dir+"/sub/hard")
	os.Chmod(dir+"/sub", 0o750)
	os.Chmod(dir+"/empty", 0o700)
	old := time.Date(2010, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, path := range []string{"/plain.txt", "/sub/deeper/" + long + "/file", "/sub/deeper/" + long, "/sub/deeper", "/empty", "/readonly/inside", "/readonly", "/sub"} {
		os.Chtimes(dir+path, old, old)
		old = old.Add(time.Hour)
	}
	os.Chmod(dir+"/readonly", 0o555)
}

func TestFilesArchiveRoundTrip(t *testing.T) {
	dir := filesDir(t)
	sampleTree(t, dir+"/src")
	archive := filesRun(nil, "archive-read", dir+"/src")
	expectFiles(t, archive, 0, "", "archive-read")
	reader := tar.NewReader(strings.NewReader(archive.stdout))
	var names []string
	for {
		header, err := reader.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, header.Name)
		if header.Name == "./link" && (header.Typeflag != tar.TypeSymlink || header.Linkname != "plain.txt") {
			t.Fatalf("the link is not stored as a link: %+v", header)
		}
		if header.Name == "./sub/hard" && (header.Typeflag != tar.TypeLink || header.Linkname != "./plain.txt") {
			t.Fatalf("the hard link is not stored as one: %+v", header)
		}
	}
	if len(names) == 0 || names[0] != "./" {
		t.Fatalf("entries %v, want ./ first", names)
	}
	for _, name := range names {
		if !strings.HasPrefix(name, "./") {
			t.Fatalf("entry %q not named ./...", name)
		}
	}
	expectFiles(t, filesRun(nil, "archive-check", dir+"/src"), 0, "", "archive-check")
	// unpacked elsewhere (under parents it makes): the same tree
	expectFiles(t, filesRun([]byte(archive.stdout), "archive-write", dir+"/copy/nested"), 0, "", "archive-write")
	want := treeOf(t, dir+"/src")
	if got := treeOf(t, dir+"/copy/nested"); got != want {
		t.Fatalf("unpacked tree differs:\n%s\nwant\n%s", got, want)
	}
	if names := namesIn(t, dir+"/copy/nested"); strings.Contains(strings.Join(names, " "), ".stacyvm-upload") {
		t.Fatalf("the upload folder stayed: %v", names)
	}
	if _, err := exec.LookPath("tar"); err != nil {
		return
	}
	// GNU tar reads the agent's archive, and the agent GNU tar's
	os.Mkdir(dir+"/gnu", 0o755)
	untar := exec.Command("tar", "-x", "-p", "-C", dir+"/gnu", "-f", "-")
	untar.Stdin = strings.NewReader(archive.stdout)
	if out, err := untar.CombinedOutput(); err != nil {
		t.Fatalf("GNU tar cannot unpack the agent's archive: %v %s", err, out)
	}
	if got := treeOf(t, dir+"/gnu"); got != want {
		t.Fatalf("GNU tar unpacked\n%s\nwant\n%s", got, want)
	}
	gnu, err := exec.Command("tar", "-c", "-C", dir+"/src", "-f", "-", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	expectFiles(t, filesRun(gnu, "archive-write", dir+"/from-gnu"), 0, "", "archive-write of GNU tar's archive")
	if got := treeOf(t, dir+"/from-gnu"); got != want {
		t.Fatalf("GNU tar's archive unpacked\n%s\nwant\n%s", got, want)
	}
}

func TestFilesArchiveWriteMergesIntoWhatIsThere(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/target/keep/old.txt", "old", 0o644)
	writeFile(t, dir+"/target/replace.txt", "before", 0o644)
	os.Mkdir(dir+"/target/folder", 0o755)
	os.Chmod(dir+"/target", 0o750)
	archive := tarOf(t, []tarEntry{
		{name: "./", kind: tar.TypeDir, mode: 0o700},
		{name: "./keep/", kind: tar.TypeDir, mode: 0o755},
		{name: "./keep/new.txt", body: "new"},
		{name: "./replace.txt", body: "after"},
		{name: "./implied/dir/file", body: "i"},
	})
	expectFiles(t, filesRun(archive, "archive-write", dir+"/target"), 0, "", "merge")
	if readFile(dir+"/target/keep/old.txt") != "old" || readFile(dir+"/target/keep/new.txt") != "new" ||
		readFile(dir+"/target/replace.txt") != "after" || readFile(dir+"/target/implied/dir/file") != "i" {
		t.Fatalf("not merged: %s", treeOf(t, dir+"/target"))
	}
	if info, _ := os.Stat(dir + "/target"); info.Mode().Perm() != 0o750 {
		t.Fatalf("the target's own mode changed: %v", info.Mode())
	}
	if info, _ := os.Stat(dir + "/target/implied/dir"); info.Mode().Perm() != 0o755 {
		t.Fatalf("an implied folder has mode %v", info.Mode())
	}
	// a file against a folder: refused before anything moves
	before := treeOf(t, dir+"/target")
	conflict := tarOf(t, []tarEntry{{name: "./a-new-file", body: "n"}, {name: "./folder", body: "not a folder"}})
	expectFiles(t, filesRun(conflict, "archive-write", dir+"/target"), exitNoAccess, dir+"/target", "conflict")
	if after := treeOf(t, dir+"/target"); after != before {
		t.Fatalf("a refused archive changed the target:\n%s", after)
	}
}

func TestFilesArchiveWriteRefusesDangerousArchives(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/outside/secret", "keep", 0o644)
	writeFile(t, dir+"/existing/mine", "m", 0o644)
	garbage := make([]byte, 4096)
	rand.Read(garbage)
	fine := tarEntry{name: "./fine", body: "would be fine"}
	archives := map[string][]byte{
		"dot-dot":            tarOf(t, []tarEntry{fine, {name: "../x", body: "x"}}),
		"dot-dot inside":     tarOf(t, []tarEntry{fine, {name: "./a/../../x", body: "x"}}),
		"absolute":           tarOf(t, []tarEntry{fine, {name: dir + "/outside/abs", body: "x"}}),
		"under a link entry": tarOf(t, []tarEntry{fine, {name: "./l", kind: tar.TypeSymlink, link: dir + "/outside"}, {name: "./l/secret", body: "overwritten"}}),
		"under a relative link": tarOf(t, []tarEntry{fine, {name: "./d/", kind: tar.TypeDir},
			{name: "./d/l", kind: tar.TypeSymlink, link: "../../outside"}, {name: "./d/l/new", body: "x"}}),
		"hard link out":       tarOf(t, []tarEntry{fine, {name: "./h", kind: tar.TypeLink, link: "../outside/secret"}}),
		"hard link absolute":  tarOf(t, []tarEntry{fine, {name: "./h", kind: tar.TypeLink, link: dir + "/outside/secret"}}),
		"hard link missing":   tarOf(t, []tarEntry{fine, {name: "./h", kind: tar.TypeLink, link: "nothing"}}),
		"device":              tarOf(t, []tarEntry{fine, {name: "./dev", kind: tar.TypeChar}}),
		"fifo":                tarOf(t, []tarEntry{fine, {name: "./fifo", kind: tar.TypeFifo}}),
		"garbage":             garbage,
		"empty":               {},
		"truncated":           tarOf(t, []tarEntry{fine, {name: "./big", body: strings.Repeat("b", 5000)}})[:2048],
		"cut between entries": tarOf(t, []tarEntry{fine, {name: "./second", body: "s"}})[:1024],
	}
	for what, archive := range archives {
		expectFiles(t, filesRun(archive, "archive-write", dir+"/new/target"), exitBadArchive, dir+"/new/target", what)
		if _, err := os.Lstat(dir + "/new"); err == nil {
			t.Fatalf("%s: the folders made for it stayed", what)
		}
		expectFiles(t, filesRun(archive, "archive-write", dir+"/existing"), exitBadArchive, dir+"/existing", what)
		if names := namesIn(t, dir+"/existing"); strings.Join(names, " ") != "mine" {
			t.Fatalf("%s: left %v", what, names)
		}
		if names := namesIn(t, dir+"/outside"); strings.Join(names, " ") != "secret" || readFile(dir+"/outside/secret") != "keep" {
			t.Fatalf("%s: wrote outside: %v", what, names)
		}
	}
	// a file entry after a link entry of the same name replaces the link, never writes through it
	relink := tarOf(t, []tarEntry{{name: "./s", kind: tar.TypeSymlink, link: dir + "/outside/secret"}, {name: "./s", body: "replaced"}})
	expectFiles(t, filesRun(relink, "archive-write", dir+"/existing"), 0, "", "file after link")
	if info, err := os.Lstat(dir + "/existing/s"); err != nil || !info.Mode().IsRegular() || readFile(dir+"/existing/s") != "replaced" {
		t.Fatalf("the link was not replaced: %v %v", info, err)
	}
	if readFile(dir+"/outside/secret") != "keep" {
		t.Fatal("written through a link entry")
	}
	// a link entry is unpacked as a link (never followed by the agent) and a hard link inside works
	links := tarOf(t, []tarEntry{{name: "./f", body: "f"}, {name: "./abs", kind: tar.TypeSymlink, link: "/etc/passwd"},
		{name: "./h", kind: tar.TypeLink, link: "./f"}})
	expectFiles(t, filesRun(links, "archive-write", dir+"/links"), 0, "", "links")
	if target, err := os.Readlink(dir + "/links/abs"); err != nil || target != "/etc/passwd" {
		t.Fatalf("link %q %v", target, err)
	}
	a, _ := os.Stat(dir + "/links/f")
	b, _ := os.Stat(dir + "/links/h")
	if !os.SameFile(a, b) {
		t.Fatal("the hard link is not a link to f")
	}
}

// renameExchange swaps two names atomically (renameat2 RENAME_EXCHANGE), so that the swapped
// name always exists; false where the kernel or filesystem cannot.
func renameExchange(a, b string) bool {
	number := map[string]uintptr{"amd64": 316, "arm64": 276}[runtime.GOARCH]
	if number == 0 {
		return false
	}
	atFDCWD, exchangeFlag := -100, 2 // AT_FDCWD, RENAME_EXCHANGE
	pa, _ := syscall.BytePtrFromString(a)
	pb, _ := syscall.BytePtrFromString(b)
	_, _, errno := syscall.Syscall6(number, uintptr(atFDCWD), uintptr(unsafe.Pointer(pa)), uintptr(atFDCWD), uintptr(unsafe.Pointer(pb)), uintptr(exchangeFlag), 0)
	return errno == 0
}

// TestFilesNeverFollowASymlinkSwappedIn runs reads, writes, deletes, lists, chmods, finds and
// archives in a loop on paths through tree/d, while a goroutine keeps swapping tree/d between a
// real folder and a link to a folder outside the tree: no operation may ever read the outside
// secret, write, change or delete anything outside.
func TestFilesNeverFollowASymlinkSwappedIn(t *testing.T) {
	base := filesDir(t)
	outside, tree := base+"/outside", base+"/tree"
	writeFile(t, outside+"/f", "SECRET", 0o644)
	writeFile(t, outside+"/victim", "outside victim", 0o644)
	writeFile(t, outside+"/sub/x", "outside sub", 0o644)
	writeFile(t, outside+"/outside-only", "o", 0o644)
	before := treeOf(t, outside)
	writeFile(t, tree+"/d/f", "inside", 0o644)
	writeFile(t, tree+"/d/victim", "v", 0o644)
	writeFile(t, tree+"/d/sub/x", "x", 0o644)
	if err := os.Symlink(outside, tree+"/other"); err != nil {
		t.Fatal(err)
	}
	exchange := renameExchange(tree+"/d", tree+"/other") && renameExchange(tree+"/d", tree+"/other")
	stop := make(chan struct{})
	swapped := make(chan int, 1)
	swaps, stopped := 0, false
	stopSwapping := func() {
		if !stopped {
			stopped = true
			close(stop)
			swaps = <-swapped
		}
	}
	defer stopSwapping() // also when the test fails: before its folder is removed
	go func() {
		swaps := 0
		defer func() { swapped <- swaps }()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-stop:
				return
			default:
			}
			if exchange {
				renameExchange(tree+"/d", tree+"/other")
			} else if os.Rename(tree+"/d", tree+"/real") == nil {
				os.Rename(tree+"/other", tree+"/d")
				os.Rename(tree+"/d", tree+"/other")
				os.Rename(tree+"/real", tree+"/d")
			}
			swaps++
		}
	}()
	d := tree + "/d"
	codes := map[string]map[int]int{}
	count := func(op string, r filesResult) {
		if codes[op] == nil {
			codes[op] = map[int]int{}
		}
		codes[op][r.code]++
	}
	deadline := time.Now().Add(5 * time.Second)
	iterations := 0
	for ; iterations < 2000 && time.Now().Before(deadline); iterations++ {
		r := filesRun(nil, "read", d+"/f")
		count("read", r)
		if strings.Contains(r.stdout, "SECRET") {
			t.Fatal("read the outside secret")
		}
		r = filesRun(nil, "list", d)
		count("list", r)
		if strings.Contains(r.stdout, "outside-only") {
			t.Fatal("listed the outside folder")
		}
		count("write", filesRun([]byte("w"), "write", d+"/written", "0644"))
		count("write", filesRun([]byte("w"), "write", d+"/sub/x", "0600"))
		count("delete", filesRun(nil, "delete", d+"/victim", "false"))
		count("write", filesRun([]byte("v"), "write", d+"/victim", "0644"))
		count("delete", filesRun(nil, "delete", d+"/sub", "true"))
		count("chmod", filesRun(nil, "chmod", d+"/f", "0600"))
		count("move", filesRun(nil, "move", d+"/victim", d+"/moved"))
		count("stat", filesRun(nil, "stat", d+"/f"))
		if iterations%10 == 0 {
			r = filesRun(nil, "archive-read", tree)
			count("archive-read", r)
			if strings.Contains(r.stdout, "SECRET") || strings.Contains(r.stdout, "outside-only") {
				t.Fatal("archived the outside folder")
			}
			r = filesRun(nil, "find", tree)
			count("find", r)
			if strings.Contains(r.stdout, "outside-only") {
				t.Fatal("found in the outside folder")
			}
			count("archive-write", filesRun(tarOf(t, []tarEntry{{name: "./up", body: "u"}}), "archive-write", d+"/sub"))
		}
	}
	stopSwapping()
	if after := treeOf(t, outside); after != before {
		t.Fatalf("the outside folder changed:\n%s\nwas\n%s", after, before)
	}
	t.Logf("%d iterations, %d swaps (exchange: %v); exit codes by operation: %v", iterations, swaps, exchange, codes)
	if codes["read"][0] == 0 || codes["read"][exitThroughLink] == 0 {
		t.Logf("the race did not hit both states: %v", codes["read"])
	}
}

// openDescriptors counts the test process's open descriptors.
func openDescriptors(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(entries)
}

func TestFilesCloseEveryDescriptorAndIgnoreTheUmask(t *testing.T) {
	dir := filesDir(t)
	sampleTree(t, dir+"/src")
	writeFile(t, dir+"/file", "f", 0o644)
	os.Symlink(dir+"/src", dir+"/link")
	archive := filesRun(nil, "archive-read", dir+"/src").stdout
	bad := tarOf(t, []tarEntry{{name: "./ok", body: "o"}, {name: "../x", body: "x"}})
	// a umask that takes the owner's own bits: the agent sets every mode itself
	old := syscall.Umask(0o277)
	defer syscall.Umask(old)
	runAll := func(round int) {
		r := fmt.Sprintf("%s/round%d", dir, round)
		steps := []struct {
			stdin []byte
			args  []string
			code  int
		}{
			{[]byte("data"), []string{"write", r + "/a/b/file", "0640"}, 0},
			{nil, []string{"read-check", r + "/a/b/file"}, 0},
			{nil, []string{"read", r + "/a/b/file"}, 0},
			{nil, []string{"stat", r + "/a/b/file"}, 0},
			{nil, []string{"list", r + "/a/b"}, 0},
			{nil, []string{"find", r}, 0},
			{nil, []string{"chmod", r + "/a/b/file", "0600"}, 0},
			{nil, []string{"move", r + "/a/b/file", r + "/c/d/moved"}, 0},
			{[]byte(archive), []string{"archive-write", r + "/up/load"}, 0},
			{nil, []string{"archive-check", r + "/up/load"}, 0},
			{nil, []string{"archive-read", r + "/up/load"}, 0},
			{bad, []string{"archive-write", r + "/bad/load"}, exitBadArchive},
			{nil, []string{"read", dir + "/link/plain.txt"}, exitThroughLink},
			{nil, []string{"list", dir + "/file"}, exitNotDir},
			{nil, []string{"delete", r + "/a", "false"}, exitNotEmpty},
			{nil, []string{"delete", r, "true"}, 0},
		}
		for _, step := range steps {
			expectFiles(t, filesRun(step.stdin, step.args...), step.code, "", strings.Join(step.args, " "))
			if step.args[0] == "archive-write" && step.code == 0 {
				if got := treeOf(t, step.args[1]); got != treeOf(t, dir+"/src") {
					t.Fatalf("under umask 0277 the upload differs:\n%s", got)
				}
			}
			if step.args[0] == "write" {
				if info, err := os.Stat(r + "/a"); err != nil || info.Mode().Perm() != 0o755 {
					t.Fatalf("a parent made under umask 0277: %v %v", info, err)
				}
			}
		}
	}
	runAll(0) // the runtime's own descriptors (epoll...) are opened on first use
	before := openDescriptors(t)
	for round := 1; round <= 3; round++ {
		runAll(round)
	}
	if after := openDescriptors(t); after != before {
		t.Fatalf("%d descriptors open after, %d before", after, before)
	}
}

// ownedArchive is a tar of a folder, a file inside it (setgid, which a change of owner would
// clear if it came after the mode) and a link, each carrying uid 4321 and gid 8765.
func ownedArchive(t *testing.T) []byte {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, header := range []*tar.Header{
		{Name: "owned/", Typeflag: tar.TypeDir, Mode: 0o750, Uid: 4321, Gid: 8765, ModTime: time.Unix(1_700_000_000, 0)},
		{Name: "owned/file", Typeflag: tar.TypeReg, Mode: 0o2755, Size: 2, Uid: 4321, Gid: 8765, ModTime: time.Unix(1_700_000_000, 0)},
		{Name: "owned/link", Typeflag: tar.TypeSymlink, Linkname: "file", Uid: 4321, Gid: 8765, ModTime: time.Unix(1_700_000_000, 0)},
	} {
		if err := w.WriteHeader(header); err != nil {
			t.Fatal(err)
		}
		if header.Size > 0 {
			w.Write([]byte("x\n"))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFilesArchiveWriteAsRootGivesEntriesTheirOwnersAsABuildsCopyChownNeeds(t *testing.T) {
	dir := filesDir(t)
	// only root, a build's sandbox, may give files away; anyone else keeps its own (below)
	var asRoot []string
	if os.Getuid() == 0 {
		expectFiles(t, filesRun(ownedArchive(t), "archive-write", dir+"/root"), 0, "", "archive-write as root")
		asRoot = []string{"owned", "owned/file", "owned/link"}
	}
	for _, name := range asRoot {
		var st syscall.Stat_t
		if err := syscall.Lstat(dir+"/root/"+name, &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid != 4321 || st.Gid != 8765 {
			t.Fatalf("%s is owned by %d:%d, want the entry's 4321:8765", name, st.Uid, st.Gid)
		}
		if name == "owned/file" && st.Mode&0o7777 != 0o2755 {
			t.Fatalf("%s has mode %o, want the entry's 2755 (kept after the change of owner)", name, st.Mode&0o7777)
		}
	}
	// anyone else keeps its own files: the owners an archive names are not taken
	run := otherUserAgent(t)
	os.Chmod(dir, 0o777)
	expectFiles(t, run(ownedArchive(t), "archive-write", dir+"/other"), 0, "", "archive-write as another user")
	var st syscall.Stat_t
	if err := syscall.Lstat(dir+"/other/owned/file", &st); err != nil {
		t.Fatal(err)
	}
	want := uint32(os.Getuid())
	if want == 0 {
		want = 65534 // otherUserAgent runs as nobody
	}
	if st.Uid != want {
		t.Fatalf("unpacked by uid %d, the file is owned by %d", want, st.Uid)
	}
}
