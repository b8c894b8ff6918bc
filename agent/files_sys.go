package main

import (
	"errors"
	"io"
	"sort"
	"strconv"
	"syscall"
	"unsafe"
)

// Linux constants that Go 1.19's syscall package keeps unexported (or lacks) on some
// architectures; their values are the same on every architecture StacyVM runs on.
const (
	oPath             = 0x200000 // O_PATH: a descriptor that only pins a file, opening nothing
	atSymlinkNofollow = 0x100
	atRemoveDir       = 0x200
	atEmptyPath       = 0x1000
	utimeOmit         = (1 << 30) - 2 // utimensat: leave this time as it is
	sysFchmodat2      = 452           // fchmodat2 (Linux 6.6), numbered alike on every architecture
	dtDir             = 4             // getdents' d_type of a directory
	dtUnknown         = 0             // getdents' d_type when the filesystem does not say
	accessWrite       = 2             // faccessat's W_OK
	accessSearch      = 1             // faccessat's X_OK
)

// copyBufferSize is the buffer file contents go through: files of 100 MB are normal.
const copyBufferSize = 1 << 20

// node is one file found without following a link: an O_PATH descriptor, which pins that very
// file (later *at calls relative to it cannot be redirected), opens nothing for real (so it
// needs no permission on the file and never blocks on a FIFO), and the file's status.
type node struct {
	fd int
	st syscall.Stat_t
}

// fileType is the S_IFMT part of a mode.
func fileType(mode uint32) uint32 { return mode & syscall.S_IFMT }

// isDir tells whether the node is a directory.
func (n node) isDir() bool { return fileType(n.st.Mode) == syscall.S_IFDIR }

// isLink tells whether the node is a symbolic link (an O_PATH|O_NOFOLLOW open pins the link).
func (n node) isLink() bool { return fileType(n.st.Mode) == syscall.S_IFLNK }

// isRegular tells whether the node is a regular file.
func (n node) isRegular() bool { return fileType(n.st.Mode) == syscall.S_IFREG }

// close releases the node's descriptor.
func (n node) close() {
	if n.fd >= 0 {
		syscall.Close(n.fd)
	}
}

// fileID identifies a file on the machine, to tell whether two names are links to one file.
type fileID struct {
	dev, ino uint64
}

// idOf is a status's file identity.
func idOf(st *syscall.Stat_t) fileID { return fileID{uint64(st.Dev), uint64(st.Ino)} }

// openAt is openat(2), tried again when a signal interrupts it. Every caller but openRoot passes
// a single name (never a path with a slash) and O_NOFOLLOW, or "." of a directory it holds.
func openAt(dirfd int, name string, flags int, mode uint32) (int, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, flags|syscall.O_CLOEXEC, mode)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// openRoot pins "/", where every walk starts: no walk depends on the working directory.
func openRoot() (int, error) {
	return openAt(-100 /* AT_FDCWD, unused for an absolute path */, "/", oPath|syscall.O_DIRECTORY, 0)
}

// lookupAt finds name in the directory dirfd and pins it without following it when it is a
// symbolic link: the answer then is the link itself, which the caller refuses or handles.
func lookupAt(dirfd int, name string) (node, error) {
	fd, err := openAt(dirfd, name, oPath|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return node{fd: -1}, err
	}
	n := node{fd: fd}
	if err := syscall.Fstat(fd, &n.st); err != nil {
		syscall.Close(fd)
		return node{fd: -1}, err
	}
	return n, nil
}

// lstatAt is the status of name in dirfd, of the link itself when it is one (fstatat with
// AT_SYMLINK_NOFOLLOW, whose syscall is named differently on each architecture).
func lstatAt(dirfd int, name string) (syscall.Stat_t, error) {
	n, err := lookupAt(dirfd, name)
	if err != nil {
		return syscall.Stat_t{}, err
	}
	n.close()
	return n.st, nil
}

// openDirAt opens the directory name in dirfd for reading its entries, refusing a link
// (O_NOFOLLOW) and anything but a directory; O_NONBLOCK so that a FIFO swapped in never blocks.
func openDirAt(dirfd int, name string) (int, error) {
	return openAt(dirfd, name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// openFileAt opens name in dirfd for reading without following a link and without blocking on
// a FIFO or taking a terminal; the caller checks with fstat what it opened.
func openFileAt(dirfd int, name string) (int, syscall.Stat_t, error) {
	var st syscall.Stat_t
	fd, err := openAt(dirfd, name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return -1, st, err
	}
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return -1, st, err
	}
	return fd, st, nil
}

// errnoOf turns a raw syscall's errno into an error (nil for 0).
func errnoOf(errno syscall.Errno) error {
	if errno != 0 {
		return errno
	}
	return nil
}

// unlinkAt is unlinkat(2) with its flags (AT_REMOVEDIR), which Go 1.19's syscall does not take.
func unlinkAt(dirfd int, name string, flags int) error {
	p, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall(syscall.SYS_UNLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags))
	return errnoOf(errno)
}

// linkAt is linkat(2) without AT_SYMLINK_FOLLOW: a link names the link itself, never its target.
func linkAt(oldDir int, oldName string, newDir int, newName string) error {
	oldP, err := syscall.BytePtrFromString(oldName)
	if err != nil {
		return err
	}
	newP, err := syscall.BytePtrFromString(newName)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(oldDir), uintptr(unsafe.Pointer(oldP)),
		uintptr(newDir), uintptr(unsafe.Pointer(newP)), 0, 0)
	return errnoOf(errno)
}

// symlinkAt is symlinkat(2): a link named name in dirfd that points at target.
func symlinkAt(target string, dirfd int, name string) error {
	targetP, err := syscall.BytePtrFromString(target)
	if err != nil {
		return err
	}
	nameP, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall(syscall.SYS_SYMLINKAT, uintptr(unsafe.Pointer(targetP)), uintptr(dirfd), uintptr(unsafe.Pointer(nameP)))
	return errnoOf(errno)
}

// readLink reads the target of the link a node pins (readlinkat with an empty name on its
// O_PATH descriptor), so the link read is the one that was looked up.
func readLink(n node) (string, error) {
	empty := []byte{0}
	for size := 256; size <= 1<<16; size *= 4 {
		buf := make([]byte, size)
		got, _, errno := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(n.fd), uintptr(unsafe.Pointer(&empty[0])),
			uintptr(unsafe.Pointer(&buf[0])), uintptr(size), 0, 0)
		if errno != 0 {
			return "", errno
		}
		if int(got) < size {
			return string(buf[:got]), nil
		}
	}
	return "", syscall.ENAMETOOLONG
}

// setModTime sets the modification time of name in dirfd (of the link itself when it is one),
// leaving the access time; with name "" it sets that of the open file dirfd.
func setModTime(dirfd int, name string, mtime syscall.Timespec) error {
	times := [2]syscall.Timespec{{Nsec: utimeOmit}, mtime}
	var nameP *byte
	flags := 0
	if name != "" {
		p, err := syscall.BytePtrFromString(name)
		if err != nil {
			return err
		}
		nameP, flags = p, atSymlinkNofollow
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(dirfd), uintptr(unsafe.Pointer(nameP)),
		uintptr(unsafe.Pointer(&times[0])), uintptr(flags), 0, 0)
	return errnoOf(errno)
}

// mkdirExact creates the directory name in dirfd with exactly mode, whatever the umask.
func mkdirExact(dirfd int, name string, mode uint32) error {
	if err := syscall.Mkdirat(dirfd, name, mode); err != nil {
		return err
	}
	return settleMode(dirfd, name, mode)
}

// settleMode gives the file just made as name in dirfd exactly mode, when the umask took bits
// off (the agent never relies on, nor changes, the process's umask).
func settleMode(dirfd int, name string, mode uint32) error {
	n, err := lookupAt(dirfd, name)
	if err != nil {
		return err
	}
	defer n.close()
	if n.st.Mode&0o7777 == mode {
		return nil
	}
	return chmodNode(dirfd, name, n, mode)
}

// chmodNode sets the permission bits of the file a node pins, whether or not its owner may read
// or search it, without ever acting on what a link points at. First fchmodat2 on the descriptor
// itself (Linux 6.6; an older kernel or a seccomp profile that predates it refuses it), else
// fchmod on a descriptor opened for real on the same file (name in dirfd, checked to be it),
// else chmod through /proc/self/fd, which names exactly that file.
func chmodNode(dirfd int, name string, n node, mode uint32) error {
	if n.isLink() {
		return syscall.ELOOP
	}
	if chmodPinned(n, mode) == nil {
		return nil
	}
	err := chmodOpened(dirfd, name, n, mode)
	if err == nil || err == syscall.EPERM || err == syscall.EROFS {
		return err // done, or refused for what the file is: not the user's, read-only
	}
	return chmodThroughProc(n, mode)
}

// chmodPinned is fchmodat2(fd, "", mode, AT_EMPTY_PATH) on the node's own descriptor.
func chmodPinned(n node, mode uint32) error {
	empty := []byte{0}
	_, _, errno := syscall.Syscall6(sysFchmodat2, uintptr(n.fd), uintptr(unsafe.Pointer(&empty[0])), uintptr(mode), atEmptyPath, 0, 0)
	return errnoOf(errno)
}

// chmodOpened opens name in dirfd for reading (never a device, whose open may act), checks it
// is still the node's file and fchmods it.
func chmodOpened(dirfd int, name string, n node, mode uint32) error {
	if t := fileType(n.st.Mode); t != syscall.S_IFREG && t != syscall.S_IFDIR && t != syscall.S_IFIFO {
		return syscall.EBADF
	}
	fd, st, err := openFileAt(dirfd, name)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if idOf(&st) != idOf(&n.st) {
		return syscall.ESTALE // replaced since it was looked up
	}
	return syscall.Fchmod(fd, mode)
}

// chmodThroughProc chmods /proc/self/fd/<the node's descriptor>, a link to that very file.
func chmodThroughProc(n node, mode uint32) error {
	return syscall.Chmod("/proc/self/fd/"+strconv.Itoa(n.fd), mode)
}

// dirEntry is one name getdents answered, with its type when the filesystem gives it.
type dirEntry struct {
	name string
	kind uint8
}

// readEntries reads every entry of the directory open at fd but "." and "..", by getdents on
// that descriptor (os.ReadDir would stat the entries again by path), from its start whatever
// was read before.
func readEntries(fd int) ([]dirEntry, error) {
	var entries []dirEntry
	if _, err := syscall.Seek(fd, 0, io.SeekStart); err != nil {
		return nil, err
	}
	buf := make([]byte, 8<<10)
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return entries, err
		}
		if n <= 0 {
			return entries, nil
		}
		// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name
		for offset := 0; offset+19 <= n; {
			reclen := int(*(*uint16)(unsafe.Pointer(&buf[offset+16])))
			if reclen < 19 || offset+reclen > n {
				return entries, syscall.EIO
			}
			raw := buf[offset+19 : offset+reclen]
			end := 0
			for end < len(raw) && raw[end] != 0 {
				end++
			}
			if name := string(raw[:end]); name != "." && name != ".." {
				entries = append(entries, dirEntry{name: name, kind: buf[offset+18]})
			}
			offset += reclen
		}
	}
}

// sortedNames reads a directory's entries sorted by name (bytes), for stable answers.
func sortedNames(fd int) ([]dirEntry, error) {
	entries, err := readEntries(fd)
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return entries, err
}

// removeTree deletes name in dirfd and, when it is a directory, everything in it, as rm -rf
// does: a link is removed, never followed, and a directory is opened O_NOFOLLOW relative to its
// parent's descriptor, so one swapped for a link on the way is only unlinked. It carries on
// past what it cannot remove and answers the first error; a name already gone is no error.
func removeTree(dirfd int, name string) error {
	return removeEntry(dirfd, name, dtUnknown)
}

// removeEntry is removeTree with getdents' type of the entry: one said to be a directory is
// not unlinked first (a type that is wrong by now only costs the unlink later).
func removeEntry(dirfd int, name string, kind uint8) error {
	if kind != dtDir {
		err := unlinkAt(dirfd, name, 0)
		if err == nil || err == syscall.ENOENT {
			return nil
		}
		if err != syscall.EISDIR && err != syscall.EPERM {
			return err
		}
	}
	var first error
	// entries another process adds meanwhile make rmdir fail: a few rounds, then give up
	for round := 0; round < 3; round++ {
		fd, err := openDirAt(dirfd, name)
		if err == syscall.ENOTDIR || err == syscall.ELOOP {
			// swapped for a file or a link since: remove that name, nothing behind it
			return ignoreMissing(unlinkAt(dirfd, name, 0))
		}
		if err != nil {
			return ignoreMissing(err)
		}
		entries, err := readEntries(fd)
		if err != nil && first == nil {
			first = err
		}
		for _, entry := range entries {
			if err := removeEntry(fd, entry.name, entry.kind); err != nil && first == nil {
				first = err
			}
		}
		syscall.Close(fd)
		err = unlinkAt(dirfd, name, atRemoveDir)
		if err == nil || err == syscall.ENOENT {
			return first
		}
		if (err != syscall.ENOTEMPTY && err != syscall.EEXIST) || first != nil {
			if first == nil {
				first = err
			}
			return first
		}
	}
	return syscall.ENOTEMPTY
}

// ignoreMissing treats "no such file" as done: what was to be removed is gone.
func ignoreMissing(err error) error {
	if err == syscall.ENOENT {
		return nil
	}
	return err
}

// fdReader reads an open descriptor (a file opened here, never wrapped in an os.File whose
// finalizer would close it behind the caller's back).
type fdReader struct{ fd int }

// Read reads from the descriptor, retried when a signal interrupts it.
func (r fdReader) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(r.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && len(p) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

// fdWriter writes to an open descriptor, all of each buffer (ENOSPC and EDQUOT come back as
// they are, for exit 47).
type fdWriter struct{ fd int }

// Write writes all of p, retried when a signal interrupts it.
func (w fdWriter) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := syscall.Write(w.fd, p[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		if n == 0 {
			return written, io.ErrShortWrite
		}
		written += n
	}
	return written, nil
}

// copyStream copies src to dst through buf (a new buffer of copyBufferSize when nil: walks that
// copy many files pass one of their own), at most limit bytes (all of src when limit < 0), and
// says which side failed: a read error is the source's, a write error the destination's (a full
// disk, a closed output).
func copyStream(dst io.Writer, src io.Reader, limit int64, buf []byte) (copied int64, readErr, writeErr error) {
	if buf == nil {
		buf = make([]byte, copyBufferSize)
	}
	for limit < 0 || copied < limit {
		chunk := buf
		if limit >= 0 && limit-copied < int64(len(chunk)) {
			chunk = chunk[:limit-copied]
		}
		n, err := src.Read(chunk)
		if n > 0 {
			if _, werr := dst.Write(chunk[:n]); werr != nil {
				return copied, nil, werr
			}
			copied += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return copied, nil, nil
		}
		if err != nil {
			return copied, err, nil
		}
	}
	return copied, nil, nil
}

// isDiskFull tells whether an error means the sandbox's disk (or the user's quota) is full.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
