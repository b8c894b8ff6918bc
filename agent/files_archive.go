package main

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"syscall"
	"time"
)

// archiveRead is `files archive-read <dir>`: a tar stream of the directory's contents on stdout,
// as `tar -c -C dir -f - .` makes it: entries named ./..., the directory itself first as "./",
// directories, regular files (a file linked several times stored once, then as hard links),
// symbolic links stored as links, FIFOs and devices as such (sockets left out, as tar does);
// modes, owners' ids and mtimes kept. Every directory is opened O_NOFOLLOW from its parent's
// descriptor, so nothing outside the directory is ever read. What cannot be read is left out
// and answered 44 at the end, with the first such path.
func archiveRead(p filePath, stdout io.Writer) *fileFailure {
	dir, failure := openReadableDir(p)
	if failure != nil {
		return failure
	}
	defer syscall.Close(dir)
	var st syscall.Stat_t
	if err := syscall.Fstat(dir, &st); err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	a := archiver{tw: tar.NewWriter(out), links: map[fileID]string{}, shown: strings.TrimRight(p.text, "/"),
		buf: make([]byte, copyBufferSize)}
	if a.write(archiveHeader("./", tar.TypeDir, &st)) {
		a.walk(dir, "./")
	}
	if a.outErr == nil {
		a.outErr = firstError(a.tw.Close(), out.Flush())
	}
	switch {
	case a.outErr != nil:
		return failed(exitNoAccess, p.text, a.outErr)
	case a.skipped != "":
		return failed(exitNoAccess, a.skipped, a.skipErr)
	}
	return nil
}

// archiver is one archive-read under way.
type archiver struct {
	tw      *tar.Writer
	links   map[fileID]string // a file with several links: the name it was first stored under
	shown   string            // the directory as given, to name what was left out
	skipped string            // the first path left out because it could not be read
	skipErr error
	outErr  error  // the output failed: nothing more is written
	buf     []byte // the copy buffer, one for all files
}

// archiveHeader is the tar header of a file named name with the given type and status.
func archiveHeader(name string, kind byte, st *syscall.Stat_t) *tar.Header {
	return &tar.Header{
		Typeflag: kind,
		Name:     name,
		Mode:     int64(st.Mode & 0o7777),
		Uid:      int(st.Uid),
		Gid:      int(st.Gid),
		// whole seconds, as GNU tar's own format (archive/tar would round, not truncate)
		ModTime: time.Unix(int64(st.Mtim.Sec), 0),
	}
}

// write writes a header; false once the output has failed.
func (a *archiver) write(header *tar.Header) bool {
	if a.outErr == nil {
		a.outErr = a.tw.WriteHeader(header)
	}
	return a.outErr == nil
}

// skip remembers the first entry left out (tar, too, carries on and fails at the end).
func (a *archiver) skip(name string, err error) {
	if a.skipped == "" {
		a.skipped, a.skipErr = a.shown+strings.TrimPrefix(name, "."), err
	}
}

// walk stores every entry of the directory open at dir, whose entries are named prefix<name>.
func (a *archiver) walk(dir int, prefix string) {
	entries, err := sortedNames(dir)
	if err != nil {
		a.skip(prefix, err)
	}
	for _, entry := range entries {
		if a.outErr != nil {
			return
		}
		name := prefix + entry.name
		n, err := lookupAt(dir, entry.name)
		if err == syscall.ENOENT {
			continue // removed since the directory was read
		}
		if err != nil {
			a.skip(name, err)
			continue
		}
		a.store(dir, entry.name, name, n)
		n.close()
	}
}

// store writes one entry (and, for a directory, everything in it).
func (a *archiver) store(dir int, entryName, name string, n node) {
	st := &n.st
	switch fileType(st.Mode) {
	case syscall.S_IFDIR:
		if !a.write(archiveHeader(name+"/", tar.TypeDir, st)) {
			return
		}
		child, err := openDirAt(dir, entryName)
		if err != nil {
			a.skip(name, err)
			return
		}
		var opened syscall.Stat_t
		if err := syscall.Fstat(child, &opened); err == nil && idOf(&opened) == idOf(st) {
			a.walk(child, name+"/")
		} else {
			a.skip(name, syscall.ESTALE)
		}
		syscall.Close(child)
	case syscall.S_IFREG:
		a.storeFile(dir, entryName, name, n)
	case syscall.S_IFLNK:
		target, err := readLink(n)
		if err != nil {
			a.skip(name, err)
			return
		}
		header := archiveHeader(name, tar.TypeSymlink, st)
		header.Linkname = target
		a.write(header)
	case syscall.S_IFIFO, syscall.S_IFCHR, syscall.S_IFBLK:
		kind := map[uint32]byte{syscall.S_IFIFO: tar.TypeFifo, syscall.S_IFCHR: tar.TypeChar, syscall.S_IFBLK: tar.TypeBlock}[fileType(st.Mode)]
		header := archiveHeader(name, kind, st)
		if kind != tar.TypeFifo {
			rdev := uint64(st.Rdev)
			header.Devmajor = int64((rdev>>8)&0xfff | (rdev>>32)&^0xfff)
			header.Devminor = int64(rdev&0xff | (rdev>>12)&^0xff)
		}
		a.write(header)
	}
	// a socket is left out, as tar does ("socket ignored")
}

// storeFile writes a regular file: its header and exactly the size it had when opened (a file
// that shrinks meanwhile is padded with zeros, one that grows is cut, as tar does), or a hard
// link entry when the file was already stored under another name.
func (a *archiver) storeFile(dir int, entryName, name string, n node) {
	fd, st, err := openFileAt(dir, entryName)
	if err != nil {
		a.skip(name, err)
		return
	}
	defer syscall.Close(fd)
	if fileType(st.Mode) != syscall.S_IFREG || idOf(&st) != idOf(&n.st) {
		a.skip(name, syscall.ESTALE) // replaced since it was looked up
		return
	}
	if st.Nlink > 1 {
		if first, seen := a.links[idOf(&st)]; seen {
			header := archiveHeader(name, tar.TypeLink, &st)
			header.Linkname = first
			a.write(header)
			return
		}
		a.links[idOf(&st)] = name
	}
	header := archiveHeader(name, tar.TypeReg, &st)
	header.Size = st.Size
	if !a.write(header) {
		return
	}
	copied, readErr, writeErr := copyStream(a.tw, fdReader{fd}, st.Size, a.buf)
	if writeErr != nil {
		a.outErr = writeErr
		return
	}
	if readErr != nil {
		a.skip(name, readErr)
	}
	if copied < st.Size {
		if _, _, err := copyStream(a.tw, zeroReader{}, st.Size-copied, a.buf); err != nil {
			a.outErr = err
		}
	}
}

// zeroReader reads zeros, to pad a file that shrank while it was archived.
type zeroReader struct{}

// Read fills p with zeros.
func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

// archiveRefusal is an archive entry the agent will not unpack (exit 48).
type archiveRefusal struct{ why string }

// Error says why.
func (r *archiveRefusal) Error() string { return "archive refused: " + r.why }

// refuse makes an archiveRefusal.
func refuse(format string, args ...interface{}) error {
	return &archiveRefusal{fmt.Sprintf(format, args...)}
}

// entryParts splits an entry's name (or a hard link's target) into components, "." and empty
// ones dropped ("./" is the target itself); it refuses an absolute name and a ".." component.
func entryParts(name string) ([]string, error) {
	if name == "" {
		return nil, refuse("an entry has no name")
	}
	if strings.HasPrefix(name, "/") {
		return nil, refuse("%q is absolute", name)
	}
	var parts []string
	for _, part := range strings.Split(name, "/") {
		switch part {
		case "", ".":
		case "..":
			return nil, refuse("%q contains '..'", name)
		default:
			parts = append(parts, part)
		}
	}
	return parts, nil
}

// archiveWrite is `files archive-write <dir>`: the tar stream on stdin unpacked into a fresh
// folder .stacyvm-upload.XXXXXX inside dir (created with its parents when missing; refused
// before anything is read when dir may not be written), with the modes and mtimes its entries
// carry (and, run as root, their numeric owners), then each top entry moved into place: renamed when nothing is there or a file or link
// is (replaced, never written through), merged into a directory already there, as the script's
// `cp -a -l` did. An entry with an absolute name or "..", one that would go through a link
// (an earlier link entry), a device or FIFO, or an archive that cannot be read or was cut short
// is refused (48) and leaves nothing behind, not even the folders made for it; so does a file
// that would replace a directory or the reverse (44), found before anything is moved.
func archiveWrite(p filePath, stdin io.Reader) *fileFailure {
	made := madeDirs{parent: -1}
	defer made.undo()
	target, stop := walkDirs(p, len(p.parts), &made)
	if stop != nil {
		return parentFailure(p, stop, p.text)
	}
	defer syscall.Close(target)
	if err := syscall.Faccessat(target, ".", accessWrite|accessSearch, 0); err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	tempName, err := makeTempDir(target, ".stacyvm-upload.")
	if err != nil {
		return failed(codeFor(err), p.text, err)
	}
	defer removeTree(target, tempName)
	temp, err := openDirAt(target, tempName)
	if err != nil {
		return failed(exitNoAccess, p.text, err)
	}
	defer syscall.Close(temp)
	u := unpacker{chown: syscall.Geteuid() == 0, temp: temp, tempName: tempName, dirs: map[string]dirAttrs{}, merged: map[string]bool{}, cached: -1,
		buf: make([]byte, copyBufferSize)}
	defer u.forgetParent()
	if err := u.unpack(stdin); err != nil {
		if isDiskFull(err) {
			return failed(exitDiskFull, p.text, err)
		}
		return failed(exitBadArchive, p.text, err)
	}
	if err := u.place(temp, target, "", true); err != nil {
		return failed(codeFor(err), p.text, err)
	}
	if err := u.place(temp, target, "", false); err != nil {
		return failed(codeFor(err), p.text, err)
	}
	u.applyDirAttrs(target)
	made.forget()
	return nil
}

// makeTempDir creates a new directory named prefix + six random characters in dir (mode 0700,
// as mktemp -d) and answers its name.
func makeTempDir(dir int, prefix string) (string, error) {
	for attempt := 0; ; attempt++ {
		name := prefix + randomSuffix(6)
		err := mkdirExact(dir, name, 0o700)
		if err != syscall.EEXIST || attempt == 20 {
			return name, err
		}
	}
}

// dirAttrs is what an archive says of a directory, applied once everything is in place (a
// directory without write permission must still receive its entries, and its mtime changes
// with each).
type dirAttrs struct {
	mode  uint32
	mtime syscall.Timespec
	owner entryOwner
	// implied: no entry named it, tar made it for entries below (mode 0755, time left as it is)
	implied bool
}

// unpacker is one archive-write's unpacking into its temporary folder.
type unpacker struct {
	// chown: the agent runs as root (a build's sandbox), which gives entries the numeric owner
	// they carry, as `tar -x -p --numeric-owner` run as root does (a build's COPY --chown)
	chown    bool
	temp     int                 // the temporary folder, open for reading
	tempName string              // its name in the target
	dirs     map[string]dirAttrs // by path below the folder
	merged   map[string]bool     // directories merged into one already in the target
	// the directory the last entry went into, kept open: entries come directory by directory
	cachedPath string
	cached     int
	buf        []byte // the copy buffer, one for all files
}

// entryOwner is an entry's numeric owner and group.
type entryOwner struct{ uid, gid int }

// entryOwnerOf answers an entry's owner.
func entryOwnerOf(header *tar.Header) entryOwner { return entryOwner{uid: header.Uid, gid: header.Gid} }

// own gives name in dir (not following a link) the entry's owner when the unpacker chowns; it
// comes before the mode, since a change of owner clears the setuid and setgid bits.
func (u *unpacker) own(dir int, name string, owner entryOwner) error {
	if !u.chown {
		return nil
	}
	return syscall.Fchownat(dir, name, owner.uid, owner.gid, atSymlinkNofollow)
}

// forgetParent closes the cached directory.
func (u *unpacker) forgetParent() {
	if u.cached >= 0 {
		syscall.Close(u.cached)
		u.cached, u.cachedPath = -1, ""
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

// Read reads and counts.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// unpack reads the whole archive into the temporary folder. An empty input is no archive (GNU
// tar refuses it too), and neither is one that stops at an entry's boundary without the zero
// blocks that end an archive: a stream cut short (the worker's guard stops one it refuses) is
// refused, never unpacked in part.
func (u *unpacker) unpack(stdin io.Reader) error {
	counted := &countingReader{r: stdin}
	// what the tar reader consumes, to tell an end-of-archive block from a stream cut short
	consumed := &countingReader{r: bufio.NewReaderSize(counted, 64<<10)}
	reader := tar.NewReader(consumed)
	for {
		before := consumed.n
		header, err := reader.Next()
		if err == io.EOF {
			if counted.n == 0 {
				return refuse("the input is empty")
			}
			// Next reads the rest of the last entry's padding (less than a block), then the
			// zero blocks: less than a block read means it met the end of the input instead
			if consumed.n-before < 512 {
				return refuse("the archive was cut short (no end-of-archive block)")
			}
			// what follows the end marker (a writer's zero padding) is left unread
			return nil
		}
		if err != nil {
			return refuse("the archive cannot be read: %v", err)
		}
		if err := u.entry(header, reader); err != nil {
			return err
		}
		// data an entry did not use (a link's, say) is read here, not by the next Next
		if _, readErr, _ := copyStream(io.Discard, reader, -1, u.buf); readErr != nil {
			return refuse("the archive cannot be read: %v", readErr)
		}
	}
}

// entry unpacks one entry, refusing what could leave the folder or write through a link.
func (u *unpacker) entry(header *tar.Header, data io.Reader) error {
	switch header.Typeflag {
	case tar.TypeXGlobalHeader, 'V': // pax global header, GNU volume label: nothing to unpack
		return nil
	}
	parts, err := entryParts(header.Name)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		if header.Typeflag == tar.TypeDir {
			return nil // "./", the target itself, whose mode and owner stay as they are
		}
		return refuse("%q names the target itself", header.Name)
	}
	if parts[0] == u.tempName {
		return refuse("%q is the upload's own folder", header.Name)
	}
	dir, err := u.parentOf(parts[:len(parts)-1])
	if err != nil {
		return err
	}
	name := parts[len(parts)-1]
	mtime := syscall.Timespec{Sec: header.ModTime.Unix(), Nsec: int64(header.ModTime.Nanosecond())}
	switch header.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeCont, tar.TypeGNUSparse:
		return u.file(dir, name, uint32(header.Mode)&0o7777, entryOwnerOf(header), mtime, data)
	case tar.TypeDir:
		if err := u.dir(dir, name); err != nil {
			return err
		}
		u.dirs[strings.Join(parts, "/")] = dirAttrs{mode: uint32(header.Mode) & 0o7777, mtime: mtime, owner: entryOwnerOf(header)}
		return nil
	case tar.TypeSymlink:
		if header.Linkname == "" {
			return refuse("link %q has no target", header.Name)
		}
		err := symlinkAt(header.Linkname, dir, name)
		if err == syscall.EEXIST {
			if err = u.clear(dir, name); err == nil {
				err = symlinkAt(header.Linkname, dir, name)
			}
		}
		if err == nil {
			err = u.own(dir, name, entryOwnerOf(header))
		}
		if err == nil {
			setModTime(dir, name, mtime)
		}
		return err
	case tar.TypeLink:
		return u.hardLink(dir, name, header.Linkname)
	default:
		return refuse("%q is of a type that is not allowed (%q)", header.Name, header.Typeflag)
	}
}

// parentOf opens (O_PATH) the directory parts inside the folder, creating missing ones as tar
// does (mode 0755 then); a link or a file on the way is refused: no entry goes through a link.
func (u *unpacker) parentOf(parts []string) (int, error) {
	path := strings.Join(parts, "/")
	if u.cached >= 0 && u.cachedPath == path {
		return u.cached, nil
	}
	dir, err := syscall.Dup(u.temp)
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(dir)
	for i, part := range parts {
		next, err := lookupAt(dir, part)
		if err == syscall.ENOENT {
			if err = mkdirExact(dir, part, 0o700); err == nil {
				below := strings.Join(parts[:i+1], "/")
				if _, named := u.dirs[below]; !named {
					u.dirs[below] = dirAttrs{mode: newDirMode, implied: true}
				}
				next, err = lookupAt(dir, part)
			}
		}
		syscall.Close(dir)
		if err != nil {
			return -1, err
		}
		if !next.isDir() {
			next.close()
			return -1, refuse("%q would go through a link or a file", strings.Join(parts[:i+1], "/"))
		}
		dir = next.fd
	}
	u.forgetParent()
	u.cached, u.cachedPath = dir, path
	return dir, nil
}

// clear makes room for an entry whose name an earlier entry took: a file or link there is
// removed (never written through), a directory is not replaced.
func (u *unpacker) clear(dir int, name string) error {
	st, err := lstatAt(dir, name)
	if err != nil {
		return err
	}
	if fileType(st.Mode) == syscall.S_IFDIR {
		return refuse("%q would replace a directory", name)
	}
	return unlinkAt(dir, name, 0)
}

// file unpacks a regular file: a new file (O_EXCL, O_NOFOLLOW), its bytes, then its mode and
// mtime on the descriptor.
func (u *unpacker) file(dir int, name string, mode uint32, owner entryOwner, mtime syscall.Timespec, data io.Reader) error {
	flags := syscall.O_WRONLY | syscall.O_CREAT | syscall.O_EXCL | syscall.O_NOFOLLOW
	fd, err := openAt(dir, name, flags, 0o600)
	if err == syscall.EEXIST {
		if err = u.clear(dir, name); err == nil {
			fd, err = openAt(dir, name, flags, 0o600)
		}
	}
	if err != nil {
		return err
	}
	_, readErr, writeErr := copyStream(fdWriter{fd}, data, -1, u.buf)
	if readErr == nil && writeErr == nil && u.chown {
		writeErr = syscall.Fchown(fd, owner.uid, owner.gid)
	}
	if readErr == nil && writeErr == nil {
		writeErr = syscall.Fchmod(fd, mode)
		setModTime(fd, "", mtime)
	}
	closeErr := syscall.Close(fd)
	if readErr != nil {
		return refuse("the archive cannot be read: %v", readErr)
	}
	return firstError(writeErr, closeErr)
}

// dir unpacks a directory (its mode and mtime come at the end); one already there is kept.
func (u *unpacker) dir(dir int, name string) error {
	err := mkdirExact(dir, name, 0o700)
	if err == syscall.EEXIST {
		st, statErr := lstatAt(dir, name)
		if statErr != nil || fileType(st.Mode) == syscall.S_IFDIR {
			return statErr
		}
		if err = unlinkAt(dir, name, 0); err == nil {
			err = mkdirExact(dir, name, 0o700)
		}
	}
	return err
}

// hardLink unpacks a hard link: to an entry already unpacked in the folder (never to anything
// outside it, nor through a link), replacing what the name held.
func (u *unpacker) hardLink(dir int, name, target string) error {
	parts, err := entryParts(target)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return refuse("hard link %q has no target", name)
	}
	from, err := existingDirBelow(u.temp, parts[:len(parts)-1])
	if err != nil {
		return refuse("hard link target %q is not a file in the archive", target)
	}
	defer syscall.Close(from)
	st, err := lstatAt(from, parts[len(parts)-1])
	if err != nil {
		return refuse("hard link target %q is not in the archive", target)
	}
	if fileType(st.Mode) == syscall.S_IFDIR {
		return refuse("hard link target %q is a directory", target)
	}
	err = linkAt(from, parts[len(parts)-1], dir, name)
	if err == syscall.EEXIST {
		if err = u.clear(dir, name); err == nil {
			err = linkAt(from, parts[len(parts)-1], dir, name)
		}
	}
	return err
}

// place moves every entry of src (a folder of the upload, open for reading) into dst: renamed
// when dst has nothing by that name, or a file or link (replaced atomically); merged entry by
// entry when both are directories; a directory against a non-directory (a link included) is a
// conflict. A dry run moves nothing: it finds conflicts, and directories that may not be
// written, before anything has moved. rel is src's path below the folder.
func (u *unpacker) place(src, dst int, rel string, dry bool) error {
	entries, err := sortedNames(src)
	if err != nil {
		return err
	}
	for _, entry := range entries {
		name := entry.name
		childRel := strings.TrimPrefix(rel+"/"+name, "/")
		s, err := lookupAt(src, name)
		if err != nil {
			return err
		}
		d, err := lookupAt(dst, name)
		if err == syscall.ENOENT {
			s.close()
			if !dry {
				if err := syscall.Renameat(src, name, dst, name); err != nil {
					return err
				}
			}
			continue
		}
		if err != nil {
			s.close()
			return err
		}
		err = u.placeOver(src, name, s, dst, d, childRel, dry)
		s.close()
		d.close()
		if err != nil {
			return err
		}
	}
	return nil
}

// placeOver places the entry s (name in src) where d already is (name in dst).
func (u *unpacker) placeOver(src int, name string, s node, dst int, d node, rel string, dry bool) error {
	switch {
	case s.isDir() && d.isDir():
		if dry {
			if err := syscall.Faccessat(d.fd, ".", accessWrite|accessSearch, 0); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
		} else {
			u.merged[rel] = true
		}
		child, err := openDirAt(src, name)
		if err != nil {
			return err
		}
		defer syscall.Close(child)
		return u.place(child, d.fd, rel, dry)
	case s.isDir():
		return fmt.Errorf("cannot overwrite non-directory %s with a directory: %w", rel, syscall.ENOTDIR)
	case d.isDir():
		return fmt.Errorf("cannot overwrite directory %s with a non-directory: %w", rel, syscall.EISDIR)
	case dry:
		return nil
	default:
		return syscall.Renameat(src, name, dst, name)
	}
}

// applyDirAttrs gives the directories the archive named their modes and mtimes, once in place,
// deepest first (a directory's own change does not touch its parent's mtime, and a parent made
// unsearchable comes last). A directory tar only implied keeps the mode of the one it merged
// into. Best effort, as cp -a's: a directory of another owner keeps its mode.
func (u *unpacker) applyDirAttrs(target int) {
	paths := make([]string, 0, len(u.dirs))
	for path := range u.dirs {
		paths = append(paths, path)
	}
	sort.Slice(paths, func(i, j int) bool {
		di, dj := strings.Count(paths[i], "/"), strings.Count(paths[j], "/")
		if di != dj {
			return di > dj
		}
		return paths[i] < paths[j]
	})
	for _, path := range paths {
		attrs := u.dirs[path]
		if attrs.implied && u.merged[path] {
			continue
		}
		parts := strings.Split(path, "/")
		dir, err := existingDirBelow(target, parts[:len(parts)-1])
		if err != nil {
			continue
		}
		name := parts[len(parts)-1]
		if n, err := lookupAt(dir, name); err == nil {
			if n.isDir() {
				if !attrs.implied {
					u.own(dir, name, attrs.owner)
				}
				chmodNode(dir, name, n, attrs.mode)
				if !attrs.implied {
					setModTime(dir, name, attrs.mtime)
				}
			}
			n.close()
		}
		syscall.Close(dir)
	}
}

// existingDirBelow opens (O_PATH) the directory parts below dir without following links.
func existingDirBelow(dir int, parts []string) (int, error) {
	current, err := syscall.Dup(dir)
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(current)
	for _, part := range parts {
		next, err := lookupAt(current, part)
		syscall.Close(current)
		if err != nil {
			return -1, err
		}
		if !next.isDir() {
			next.close()
			return -1, errors.New("not a directory")
		}
		current = next.fd
	}
	return current, nil
}
