package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Exit statuses of `files`, the ones the worker's files API reads (AgentFileOperation.java); 0 is done
// and exitUsage (2) bad arguments.
const (
	exitThroughLink = 40 // the path goes through (or names) a symbolic link
	exitNoSuchFile  = 41
	exitNotRegular  = 42
	exitIsDirectory = 43
	exitNoAccess    = 44 // permission denied, and what the scripts answered for any other failure
	exitNotEmpty    = 45
	exitNotDir      = 46
	exitDiskFull    = 47 // ENOSPC or EDQUOT
	exitBadArchive  = 48
)

// maxListedFiles bounds the entries `files list` answers, as the script did.
const maxListedFiles = 10000

// newDirMode is the mode of a parent directory a write, move or upload creates: mkdir -p's
// under the usual umask, set explicitly so the agent's own umask does not matter.
const newDirMode = 0o755

// fileFailure is why a files operation stopped: its exit status, the path its first stderr
// line names (the worker shows that line in some messages) and, for a second line, the cause.
type fileFailure struct {
	code  int
	path  string
	cause error
}

// failed makes a fileFailure.
func failed(code int, path string, cause error) *fileFailure {
	return &fileFailure{code: code, path: path, cause: cause}
}

// filePath is a path argument: absolute, without "..", split into its components.
type filePath struct {
	text  string   // as the caller wrote it, for messages
	parts []string // its components, without empty ones and "."
}

// parseFilePath checks a path argument. The worker has normalised it already; the agent checks
// again so that it is safe on its own.
func parseFilePath(text string) (filePath, error) {
	if !strings.HasPrefix(text, "/") {
		return filePath{}, fmt.Errorf("%q is not an absolute path", text)
	}
	if strings.IndexByte(text, 0) >= 0 {
		return filePath{}, errors.New("a path may not contain NUL")
	}
	p := filePath{text: text}
	for _, part := range strings.Split(text, "/") {
		switch part {
		case "", ".":
		case "..":
			return filePath{}, fmt.Errorf("%q contains '..'", text)
		default:
			p.parts = append(p.parts, part)
		}
	}
	return p, nil
}

// isRoot tells whether the path is "/".
func (p filePath) isRoot() bool { return len(p.parts) == 0 }

// name is the last component ("" for "/").
func (p filePath) name() string {
	if p.isRoot() {
		return ""
	}
	return p.parts[len(p.parts)-1]
}

// prefix is the path of the first n components, as the scripts printed a link they found.
func (p filePath) prefix(n int) string { return "/" + strings.Join(p.parts[:n], "/") }

// parentText is the path's directory, as the scripts' parent() printed it.
func (p filePath) parentText() string {
	if len(p.parts) <= 1 {
		return "/"
	}
	return p.prefix(len(p.parts) - 1)
}

// child is the path of an entry of this directory, as find prints it.
func (p filePath) child(name string) string {
	return strings.TrimRight(p.text, "/") + "/" + name
}

// parseMode reads an octal mode of one to four digits ("644", "0644", "4755").
func parseMode(text string) (uint32, error) {
	if len(text) == 0 || len(text) > 4 {
		return 0, fmt.Errorf("mode %q is not 1 to 4 octal digits", text)
	}
	value, err := strconv.ParseUint(text, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("mode %q is not 1 to 4 octal digits", text)
	}
	return uint32(value), nil
}

// runFiles is `stacyvm-agent files <operation> <arguments>`: the worker's files API, run inside
// the sandbox as its user, so that it needs nothing of the image (no shell, no coreutils).
// Every path is walked component by component from "/" with descriptors and O_NOFOLLOW, and the
// operation acts relative to its parent's descriptor: a symbolic link on the way, even one
// swapped in meanwhile, is refused (40), never followed. It answers the exit statuses above,
// with the path concerned as the first line on stderr.
func runFiles(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	failure, err := dispatchFiles(args, stdin, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "stacyvm-agent files: %v\n%s\n", err, usage)
		return exitUsage
	}
	if failure == nil {
		return 0
	}
	fmt.Fprintln(stderr, failure.path)
	if failure.cause != nil {
		fmt.Fprintf(stderr, "stacyvm-agent files %s: %v\n", args[0], failure.cause)
	}
	return failure.code
}

// dispatchFiles checks the arguments and runs the operation; the error is a usage error.
func dispatchFiles(args []string, stdin io.Reader, stdout io.Writer) (*fileFailure, error) {
	if len(args) == 0 {
		return nil, errors.New("an operation is required")
	}
	operation, rest := args[0], args[1:]
	want := map[string]int{
		"read-check": 1, "read": 1, "write": 2, "delete": 2, "stat": 1, "list": 1, "move": 2,
		"chmod": 2, "find": 1, "archive-check": 1, "archive-read": 1, "archive-write": 1,
	}
	count, known := want[operation]
	if !known {
		return nil, fmt.Errorf("unknown operation %q", operation)
	}
	if len(rest) != count {
		return nil, fmt.Errorf("%s takes %d arguments", operation, count)
	}
	p, err := parseFilePath(rest[0])
	if err != nil {
		return nil, err
	}
	switch operation {
	case "read-check":
		return filesReadCheck(p), nil
	case "read":
		return filesRead(p, stdout), nil
	case "write":
		mode, err := parseMode(rest[1])
		if err != nil {
			return nil, err
		}
		return filesWrite(p, mode, stdin), nil
	case "delete":
		if rest[1] != "true" && rest[1] != "false" {
			return nil, fmt.Errorf("delete's second argument is true or false, not %q", rest[1])
		}
		return filesDelete(p, rest[1] == "true"), nil
	case "stat":
		return filesStat(p, stdout), nil
	case "list":
		return filesList(p, stdout), nil
	case "move":
		to, err := parseFilePath(rest[1])
		if err != nil {
			return nil, err
		}
		return filesMove(p, to), nil
	case "chmod":
		mode, err := parseMode(rest[1])
		if err != nil {
			return nil, err
		}
		return filesChmod(p, mode), nil
	case "find":
		return filesFind(p, stdout), nil
	case "archive-check":
		dir, failure := openReadableDir(p)
		if failure == nil {
			syscall.Close(dir)
		}
		return failure, nil
	case "archive-read":
		return archiveRead(p, stdout), nil
	default: // archive-write
		return archiveWrite(p, stdin), nil
	}
}

// walkStop says where a walk stopped and why: at the prefix of depth components, err being
// errLink when that prefix is a symbolic link, syscall.ENOTDIR when it is not a directory, or
// what the system answered (ENOENT, EACCES, ENOSPC...).
type walkStop struct {
	depth int
	err   error
}

// errLink is a walk stopped at a symbolic link.
var errLink = errors.New("a symbolic link")

// madeDirs is the highest directory a walk created, so that a failed operation removes what
// it made, as the scripts' mkparents and undo did.
type madeDirs struct {
	parent int // an O_PATH descriptor of the directory it was made in; -1 when none
	name   string
}

// undo removes the directory the walk made, with anything put in it since.
func (m *madeDirs) undo() {
	if m.parent >= 0 {
		removeTree(m.parent, m.name)
		m.forget()
	}
}

// forget keeps what was made: the operation succeeded.
func (m *madeDirs) forget() {
	if m.parent >= 0 {
		syscall.Close(m.parent)
		m.parent = -1
	}
}

// walkDirs opens, as an O_PATH descriptor, the directory made of the first n components of p:
// from "/", each component is looked up in the one before without following it and must be a
// directory. With made, a missing component is created (newDirMode) and remembered there.
func walkDirs(p filePath, n int, made *madeDirs) (int, *walkStop) {
	dir, err := openRoot()
	if err != nil {
		return -1, &walkStop{0, err}
	}
	for i := 0; i < n; i++ {
		next, err := lookupAt(dir, p.parts[i])
		if err == syscall.ENOENT && made != nil {
			next, err = makeDir(dir, p.parts[i], made)
		}
		if err != nil {
			syscall.Close(dir)
			return -1, &walkStop{i + 1, err}
		}
		syscall.Close(dir)
		switch {
		case next.isLink():
			next.close()
			return -1, &walkStop{i + 1, errLink}
		case !next.isDir():
			next.close()
			return -1, &walkStop{i + 1, syscall.ENOTDIR}
		}
		dir = next.fd
	}
	return dir, nil
}

// makeDir creates name in dir as mkdir -p would (mode newDirMode whatever the umask) and looks
// it up again: one swapped for a link meanwhile is then refused by the walk. The first
// directory made is remembered in made.
func makeDir(dir int, name string, made *madeDirs) (node, error) {
	err := mkdirExact(dir, name, newDirMode)
	if err != nil && err != syscall.EEXIST {
		return node{fd: -1}, err
	}
	created := err == nil
	n, err := lookupAt(dir, name)
	if err == nil && created && n.isDir() && made.parent < 0 {
		if parent, err := syscall.Dup(dir); err == nil {
			syscall.CloseOnExec(parent)
			made.parent, made.name = parent, name
		}
	}
	return n, err
}

// splitWalk walks to the directory that holds p's last component and looks that component up:
// the parent's descriptor and the node (fd -1 with the error when it does not exist). For "/"
// the parent is "/" itself and the node is "/".
func splitWalk(p filePath) (int, node, *walkStop, error) {
	parent, stop := walkDirs(p, len(p.parts)-boolInt(!p.isRoot()), nil)
	if stop != nil {
		return -1, node{fd: -1}, stop, nil
	}
	if p.isRoot() {
		n, err := lookupAt(parent, ".")
		return parent, n, nil, err
	}
	n, err := lookupAt(parent, p.name())
	return parent, n, nil, err
}

// boolInt is 1 for true.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stopFailure answers a walk stopped on the way to p the way most operations do: a link is 40
// with the link's path, as nolinks printed it; permission denied is 44; anything else (a
// component missing or not a directory) is missing, answered with the given code.
func stopFailure(p filePath, stop *walkStop, missing int) *fileFailure {
	switch {
	case stop.err == errLink:
		return failed(exitThroughLink, p.prefix(stop.depth), nil)
	case stop.err == syscall.EACCES || stop.err == syscall.EPERM:
		return failed(exitNoAccess, p.text, stop.err)
	default:
		return failed(missing, p.text, stop.err)
	}
}

// findFinal resolves p for an operation on an existing file: its parent's descriptor and its
// node, or the failure (40 for a link anywhere including the last component, missing with the
// given code, 44 when a directory on the way cannot be searched). The caller closes both.
func findFinal(p filePath, missing int) (int, node, *fileFailure) {
	parent, n, stop, err := splitWalk(p)
	if stop != nil {
		return -1, n, stopFailure(p, stop, missing)
	}
	if err != nil {
		syscall.Close(parent)
		return -1, n, stopFailure(p, &walkStop{len(p.parts), err}, missing)
	}
	if n.isLink() {
		syscall.Close(parent)
		n.close()
		return -1, n, failed(exitThroughLink, p.text, nil)
	}
	return parent, n, nil
}

// codeFor is the status of a failed change: 47 for a full disk, else 44, the scripts' answer
// to whatever else went wrong.
func codeFor(err error) int {
	if isDiskFull(err) {
		return exitDiskFull
	}
	return exitNoAccess
}

// filesReadCheck is `files read-check <path>`: may the path be read as a regular file? 41
// missing, 43 a directory, 42 anything else that is not a regular file, 44 not readable.
func filesReadCheck(p filePath) *fileFailure {
	parent, n, failure := findFinal(p, exitNoSuchFile)
	if failure != nil {
		return failure
	}
	defer syscall.Close(parent)
	defer n.close()
	if n.isDir() {
		return failed(exitIsDirectory, p.text, nil)
	}
	if !n.isRegular() {
		return failed(exitNotRegular, p.text, nil)
	}
	fd, _, err := openFileAt(parent, p.name())
	if err != nil {
		return readFailure(p, err)
	}
	syscall.Close(fd)
	return nil
}

// readFailure is the status of a file that could not be opened for reading: 40 when it became
// a link, 44 when it may not be read, 42 when it is gone or cannot be read as a file.
func readFailure(p filePath, err error) *fileFailure {
	switch err {
	case syscall.ELOOP:
		return failed(exitThroughLink, p.text, nil)
	case syscall.EACCES, syscall.EPERM:
		return failed(exitNoAccess, p.text, err)
	default:
		return failed(exitNotRegular, p.text, err)
	}
}

// filesRead is `files read <path>`: the file's bytes on stdout, streamed. Anything but a
// regular file (a FIFO too: it is opened without blocking and checked before any read) is 42.
func filesRead(p filePath, stdout io.Writer) *fileFailure {
	parent, n, failure := findFinal(p, exitNotRegular)
	if failure != nil {
		return failure
	}
	n.close()
	defer syscall.Close(parent)
	if !n.isRegular() {
		return failed(exitNotRegular, p.text, nil)
	}
	fd, st, err := openFileAt(parent, p.name())
	if err != nil {
		return readFailure(p, err)
	}
	defer syscall.Close(fd)
	if fileType(st.Mode) != syscall.S_IFREG {
		return failed(exitNotRegular, p.text, nil)
	}
	if _, readErr, writeErr := copyStream(stdout, fdReader{fd}, -1, nil); readErr != nil || writeErr != nil {
		return failed(exitNoAccess, p.text, firstError(readErr, writeErr))
	}
	return nil
}

// firstError is the first error that is not nil.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// filesWrite is `files write <path> <mode>`: stdin into a new file beside the path
// (.stacyvm-write.<pid>, created O_EXCL|O_NOFOLLOW), given the mode, then renamed over the path,
// so a link there is replaced, never written through. Missing parents are created (and removed
// again on failure); a failure leaves nothing behind.
func filesWrite(p filePath, mode uint32, stdin io.Reader) *fileFailure {
	if p.isRoot() {
		return failed(exitIsDirectory, "/", nil)
	}
	made := madeDirs{parent: -1}
	defer made.undo()
	parent, stop := walkDirs(p, len(p.parts)-1, &made)
	if stop != nil {
		return parentFailure(p, stop, p.parentText())
	}
	defer syscall.Close(parent)
	name := p.name()
	existing, err := lookupAt(parent, name)
	switch {
	case err == nil:
		existing.close()
		if existing.isDir() {
			return failed(exitIsDirectory, p.text, nil)
		}
		if !existing.isRegular() && !existing.isLink() {
			return failed(exitNotRegular, p.text, nil)
		}
	case err != syscall.ENOENT:
		return failed(codeFor(err), p.text, err)
	}
	temp, fd, err := createTemp(parent, ".stacyvm-write."+strconv.Itoa(os.Getpid()))
	if err != nil {
		return failed(codeFor(err), p.text, err)
	}
	_, readErr, writeErr := copyStream(fdWriter{fd}, stdin, -1, nil)
	if writeErr == nil && readErr == nil {
		syscall.Fchmod(fd, mode) // as the script's chmod, whose failure it ignored
	}
	closeErr := syscall.Close(fd)
	if err := firstError(writeErr, readErr, closeErr); err != nil {
		unlinkAt(parent, temp, 0)
		return failed(codeFor(err), p.text, err)
	}
	if err := syscall.Renameat(parent, temp, parent, name); err != nil {
		unlinkAt(parent, temp, 0)
		if err == syscall.EISDIR {
			return failed(exitIsDirectory, p.text, err)
		}
		return failed(codeFor(err), p.text, err)
	}
	made.forget()
	return nil
}

// parentFailure answers a walk to a parent (creating it) that stopped: 40 with the link, 46
// with the part that is not a directory, 47 for a full disk, else 44 with shown (the
// directory the script's mkparents named).
func parentFailure(p filePath, stop *walkStop, shown string) *fileFailure {
	switch {
	case stop.err == errLink:
		return failed(exitThroughLink, p.prefix(stop.depth), nil)
	case stop.err == syscall.ENOTDIR:
		return failed(exitNotDir, p.prefix(stop.depth), nil)
	default:
		return failed(codeFor(stop.err), shown, stop.err)
	}
}

// createTemp creates a new empty file for writing in dir (mode 0600 until the caller sets it),
// named base, or base-<random> when that name is taken (an earlier crash, or another write of
// the same process): it never opens an existing file or a link. Answers the name and descriptor.
func createTemp(dir int, base string) (string, int, error) {
	name := base
	for attempt := 0; ; attempt++ {
		fd, err := openAt(dir, name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW, 0o600)
		if err != syscall.EEXIST || attempt == 20 {
			return name, fd, err
		}
		name = base + "-" + randomSuffix(8)
	}
}

// randomSuffix is n random letters and digits, as mktemp's XXXXXX.
func randomSuffix(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]byte, n)
	for i := range out {
		index, err := rand.Int(rand.Reader, big.NewInt(int64(len(letters))))
		if err != nil {
			index = big.NewInt(int64(os.Getpid()+i) % int64(len(letters)))
		}
		out[i] = letters[index.Int64()]
	}
	return string(out)
}

// filesDelete is `files delete <path> <recursive>`: a file or link in the path's directory is
// unlinked, a directory removed (with everything in it when recursive: links inside are removed,
// never followed). 42 for "/", 45 for a directory that is not empty, 44 when not everything
// could be removed.
func filesDelete(p filePath, recursive bool) *fileFailure {
	parent, n, failure := findFinal(p, exitNoSuchFile)
	if failure != nil {
		return failure
	}
	n.close()
	defer syscall.Close(parent)
	if p.isRoot() {
		return failed(exitNotRegular, "/", nil)
	}
	name := p.name()
	if !n.isDir() {
		if err := unlinkAt(parent, name, 0); err != nil && err != syscall.ENOENT {
			return failed(exitNoAccess, p.text, err)
		}
		return nil
	}
	if recursive {
		if err := removeTree(parent, name); err != nil {
			return failed(exitNoAccess, p.text, err)
		}
		return nil
	}
	switch err := unlinkAt(parent, name, atRemoveDir); err {
	case nil, syscall.ENOENT:
		return nil
	case syscall.ENOTEMPTY, syscall.EEXIST:
		return failed(exitNotEmpty, p.text, nil)
	case syscall.ENOTDIR:
		// no longer a directory (swapped meanwhile): what is there now is not what was asked for
		return failed(exitNoAccess, p.text, err)
	default:
		return failed(exitNoAccess, p.text, err)
	}
}

// statLine formats a status as GNU `stat -c '%s|%f|%Y|%a'` does: size, raw mode in lowercase
// hex, modification time in seconds, permission bits (with setuid, setgid, sticky) in octal.
func statLine(st *syscall.Stat_t) string {
	return fmt.Sprintf("%d|%x|%d|%o", st.Size, st.Mode, st.Mtim.Sec, st.Mode&0o7777)
}

// filesStat is `files stat <path>`: one statLine and a newline; a link is 40, not described.
func filesStat(p filePath, stdout io.Writer) *fileFailure {
	parent, n, failure := findFinal(p, exitNoSuchFile)
	if failure != nil {
		return failure
	}
	syscall.Close(parent)
	n.close()
	if _, err := io.WriteString(stdout, statLine(&n.st)+"\n"); err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	return nil
}

// globGroup orders names as the script's `for f in * .[!.]* ..?*` listed them: names without a
// leading dot first, then those with one dot, then those with two, each group by bytes.
func globGroup(name string) int {
	switch {
	case !strings.HasPrefix(name, "."):
		return 0
	case !strings.HasPrefix(name, ".."):
		return 1
	default:
		return 2
	}
}

// openReadableDir resolves a directory to read (list, archive-check, archive-read): its
// descriptor opened for reading through "." of the pinned directory, which needs the right to
// search it as well as to read it (the scripts' cd, and [ -r ] && [ -x ]). 41 missing, 46 not a
// directory, 44 not readable or not searchable.
func openReadableDir(p filePath) (int, *fileFailure) {
	parent, n, failure := findFinal(p, exitNoSuchFile)
	if failure != nil {
		return -1, failure
	}
	syscall.Close(parent)
	defer n.close()
	if !n.isDir() {
		return -1, failed(exitNotDir, p.text, nil)
	}
	fd, err := openAt(n.fd, ".", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return -1, failed(exitNoAccess, p.text, err)
	}
	return fd, nil
}

// filesList is `files list <dir>`: for each entry (dot files included, links described, not
// followed) "size|hexmode|mtime|perm|name\n\0", as the script's `stat -c '%s|%f|%Y|%a|%n'`
// followed by printf '\0' printed it, in the script's glob order, at most maxListedFiles.
func filesList(p filePath, stdout io.Writer) *fileFailure {
	dir, failure := openReadableDir(p)
	if failure != nil {
		return failure
	}
	defer syscall.Close(dir)
	entries, err := readEntries(dir)
	if err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i].name, entries[j].name
		if ga, gb := globGroup(a), globGroup(b); ga != gb {
			return ga < gb
		}
		return a < b
	})
	if len(entries) > maxListedFiles {
		entries = entries[:maxListedFiles]
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	for _, entry := range entries {
		st, err := lstatAt(dir, entry.name)
		if err != nil {
			continue // removed since it was read, as stat failing in the script
		}
		out.WriteString(statLine(&st) + "|" + entry.name + "\n\x00")
	}
	if err := out.Flush(); err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	return nil
}

// filesMove is `files move <old> <new>`, as the script's `mv -f old new`: new's missing parents
// are created; onto an existing directory a directory moves into it (new/<name of old>), a file
// is refused (43); a file or link at new is replaced. Across filesystems (EXDEV) it copies then
// removes old, as mv does. Neither path may go through a link (nor name one).
func filesMove(from, to filePath) *fileFailure {
	fromParent, fromNode, failure := findFinal(from, exitNoSuchFile)
	if failure != nil {
		return failure
	}
	defer syscall.Close(fromParent)
	defer fromNode.close()
	if from.isRoot() {
		return failed(exitNotRegular, "/", nil)
	}
	made := madeDirs{parent: -1}
	defer made.undo()
	toParent, stop := walkDirs(to, len(to.parts)-boolInt(!to.isRoot()), &made)
	if stop != nil {
		return parentFailure(to, stop, to.parentText())
	}
	defer syscall.Close(toParent)
	var target node
	var err error
	if to.isRoot() {
		target, err = lookupAt(toParent, ".")
	} else {
		target, err = lookupAt(toParent, to.name())
	}
	if err != nil && err != syscall.ENOENT {
		return failed(codeFor(err), to.text, err)
	}
	destDir, destName := toParent, to.name()
	if err == nil {
		defer target.close()
		switch {
		case target.isLink():
			return failed(exitThroughLink, to.text, nil)
		case target.isDir() && !fromNode.isDir():
			return failed(exitIsDirectory, to.text, nil)
		case target.isDir():
			// mv moves a directory into an existing one
			destDir, destName = target.fd, from.name()
		case idOf(&target.st) == idOf(&fromNode.st):
			return failed(exitNoAccess, to.text, errors.New("they are the same file"))
		}
	}
	err = syscall.Renameat(fromParent, from.name(), destDir, destName)
	if err == syscall.EXDEV {
		err = moveAcross(fromParent, from.name(), destDir, destName)
	}
	if err != nil {
		return failed(codeFor(err), to.text, err)
	}
	made.forget()
	return nil
}

// moveAcross moves between filesystems as mv does, but with nothing half-done left at the
// destination: a copy under a temporary name beside it (links copied as links, never followed),
// renamed into place, then the original removed.
func moveAcross(fromDir int, fromName string, toDir int, toName string) error {
	temp := ".stacyvm-move." + strconv.Itoa(os.Getpid()) + "-" + randomSuffix(6)
	copier := treeCopy{links: map[fileID][]string{}, root: toDir, buf: make([]byte, copyBufferSize)}
	if err := copier.copy(fromDir, fromName, toDir, temp, nil); err != nil {
		removeTree(toDir, temp)
		return err
	}
	if err := syscall.Renameat(toDir, temp, toDir, toName); err != nil {
		removeTree(toDir, temp)
		return err
	}
	return removeTree(fromDir, fromName)
}

// treeCopy copies a tree the way cp -a does for mv across filesystems: directories, regular
// files, links as links, FIFOs and sockets made anew; modes, mtimes and (where the user may)
// owners kept; files linked more than once inside the tree linked again in the copy.
type treeCopy struct {
	links map[fileID][]string // a file with several links: where its first copy is, below root
	root  int                 // the directory the copy is made in
	buf   []byte              // the copy buffer, one for all files
}

// copy copies name in srcDir to name in dstDir; rel is where that is below the copy's top.
func (c *treeCopy) copy(srcDir int, srcName string, dstDir int, dstName string, rel []string) error {
	n, err := lookupAt(srcDir, srcName)
	if err != nil {
		return err
	}
	defer n.close()
	switch fileType(n.st.Mode) {
	case syscall.S_IFDIR:
		return c.copyDir(srcDir, srcName, n, dstDir, dstName, rel)
	case syscall.S_IFREG:
		if n.st.Nlink > 1 {
			if first, seen := c.links[idOf(&n.st)]; seen {
				return c.linkAgain(first, dstDir, dstName)
			}
			c.links[idOf(&n.st)] = append(append([]string{}, rel...), dstName)
		}
		return copyFile(srcDir, srcName, n, dstDir, dstName, c.buf)
	case syscall.S_IFLNK:
		target, err := readLink(n)
		if err != nil {
			return err
		}
		if err := symlinkAt(target, dstDir, dstName); err != nil {
			return err
		}
		syscall.Fchownat(dstDir, dstName, int(n.st.Uid), int(n.st.Gid), atSymlinkNofollow)
		setModTime(dstDir, dstName, n.st.Mtim)
		return nil
	default:
		if err := syscall.Mknodat(dstDir, dstName, n.st.Mode, int(n.st.Rdev)); err != nil {
			return err
		}
		syscall.Fchownat(dstDir, dstName, int(n.st.Uid), int(n.st.Gid), atSymlinkNofollow)
		setModTime(dstDir, dstName, n.st.Mtim)
		return settleMode(dstDir, dstName, n.st.Mode&0o7777)
	}
}

// copyDir copies a directory and everything in it, then gives the copy the original's mode
// and mtime (after its entries, which change both).
func (c *treeCopy) copyDir(srcDir int, srcName string, n node, dstDir int, dstName string, rel []string) error {
	src, err := openDirAt(srcDir, srcName)
	if err != nil {
		return err
	}
	defer syscall.Close(src)
	var st syscall.Stat_t
	if err := syscall.Fstat(src, &st); err != nil {
		return err
	}
	if idOf(&st) != idOf(&n.st) {
		return syscall.ESTALE
	}
	if err := mkdirExact(dstDir, dstName, 0o700); err != nil {
		return err
	}
	dst, err := openDirAt(dstDir, dstName)
	if err != nil {
		return err
	}
	defer syscall.Close(dst)
	entries, err := sortedNames(src)
	if err != nil {
		return err
	}
	below := append(append([]string{}, rel...), dstName)
	for _, entry := range entries {
		if err := c.copy(src, entry.name, dst, entry.name, below); err != nil {
			return err
		}
	}
	syscall.Fchown(dst, int(st.Uid), int(st.Gid))
	if err := syscall.Fchmod(dst, st.Mode&0o7777); err != nil {
		return err
	}
	return setModTime(dst, "", st.Mtim)
}

// linkAgain links dstName in dstDir to the copy made earlier of the same file (first, a path
// below the copy's root, walked without following links).
func (c *treeCopy) linkAgain(first []string, dstDir int, dstName string) error {
	dir, err := existingDirBelow(c.root, first[:len(first)-1])
	if err != nil {
		return err
	}
	defer syscall.Close(dir)
	return linkAt(dir, first[len(first)-1], dstDir, dstName)
}

// copyFile copies a regular file's bytes, mode, owner (where allowed) and mtime to a new file.
func copyFile(srcDir int, srcName string, n node, dstDir int, dstName string, buf []byte) error {
	src, st, err := openFileAt(srcDir, srcName)
	if err != nil {
		return err
	}
	defer syscall.Close(src)
	if idOf(&st) != idOf(&n.st) {
		return syscall.ESTALE
	}
	dst, err := openAt(dstDir, dstName, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	_, readErr, writeErr := copyStream(fdWriter{dst}, fdReader{src}, -1, buf)
	if readErr == nil && writeErr == nil {
		syscall.Fchown(dst, int(st.Uid), int(st.Gid)) // before the mode: a chown clears setuid
		writeErr = syscall.Fchmod(dst, st.Mode&0o7777)
		setModTime(dst, "", st.Mtim)
	}
	closeErr := syscall.Close(dst)
	return firstError(writeErr, readErr, closeErr)
}

// filesChmod is `files chmod <path> <mode>`, as GNU chmod with an octal mode of at most four
// digits: exactly that mode, but a directory keeps its setuid and setgid bits. The file is
// pinned first, so the mode never lands behind a link.
func filesChmod(p filePath, mode uint32) *fileFailure {
	parent, n, failure := findFinal(p, exitNoSuchFile)
	if failure != nil {
		return failure
	}
	defer syscall.Close(parent)
	defer n.close()
	if n.isDir() {
		mode |= n.st.Mode & (syscall.S_ISUID | syscall.S_ISGID)
	}
	name := p.name()
	if p.isRoot() {
		name = "."
	}
	if err := chmodNode(parent, name, n, mode); err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	return nil
}

// filesFind is `files find <dir>`: every path below dir, each followed by NUL, as
// `find dir -xdev -mindepth 1 -print0` printed them: links are listed, not followed, and a
// directory on another filesystem is listed but not entered. A missing dir (or not a directory)
// answers nothing with 0; a link on the way is 40; what cannot be read is skipped silently.
func filesFind(p filePath, stdout io.Writer) *fileFailure {
	parent, n, stop, err := splitWalk(p)
	if stop != nil {
		if stop.err == errLink {
			return failed(exitThroughLink, p.prefix(stop.depth), nil)
		}
		return nil
	}
	syscall.Close(parent)
	if err != nil {
		return nil
	}
	defer n.close()
	if n.isLink() {
		return failed(exitThroughLink, p.text, nil)
	}
	if !n.isDir() {
		return nil
	}
	dir, err := openAt(n.fd, ".", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	findBelow(dir, uint64(n.st.Dev), strings.TrimRight(p.text, "/"), out)
	syscall.Close(dir)
	if err := out.Flush(); err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	return nil
}

// findBelow prints every entry below the directory open at dir (shown as prefix), entering
// subdirectories on the device dev only; each is opened O_NOFOLLOW from its parent's descriptor.
func findBelow(dir int, dev uint64, prefix string, out *bufio.Writer) {
	entries, _ := sortedNames(dir)
	for _, entry := range entries {
		path := prefix + "/" + entry.name
		out.WriteString(path)
		out.WriteByte(0)
		if entry.kind != dtDir && entry.kind != dtUnknown {
			continue
		}
		child, err := openDirAt(dir, entry.name)
		if err != nil {
			continue // not a directory (or no longer), or not readable: find skips it quietly
		}
		var st syscall.Stat_t
		if syscall.Fstat(child, &st) == nil && uint64(st.Dev) == dev {
			findBelow(child, dev, path, out)
		}
		syscall.Close(child)
	}
}
