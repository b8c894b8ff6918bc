package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// openTerminal opens a new pseudo-terminal of this size: the master, which the agent reads and
// writes (registered with Go's poller, so that no OS thread blocks on it), and the slave, which
// the process gets as its terminal. Both are close-on-exec: a process sees only what it is given.
func openTerminal(size terminalSize) (master, slave *os.File, err error) {
	masterFd, err := syscall.Open("/dev/ptmx", syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open a terminal: /dev/ptmx: %v", err)
	}
	fail := func(err error) (*os.File, *os.File, error) {
		syscall.Close(masterFd)
		return nil, nil, err
	}
	unlock := int32(0)
	if err := ioctl(masterFd, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		return fail(fmt.Errorf("cannot unlock the terminal: %v", err))
	}
	var number uint32
	if err := ioctl(masterFd, syscall.TIOCGPTN, unsafe.Pointer(&number)); err != nil {
		return fail(fmt.Errorf("cannot number the terminal: %v", err))
	}
	// sized before the process starts, so that it reads the right size at once
	if err := setWindowSize(masterFd, size); err != nil {
		return fail(fmt.Errorf("cannot size the terminal: %v", err))
	}
	name := "/dev/pts/" + strconv.FormatUint(uint64(number), 10)
	slaveFd, err := syscall.Open(name, syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("cannot open the terminal: %s: %v", name, err))
	}
	// non-blocking before os.NewFile, which then puts it under the poller
	if err := syscall.SetNonblock(masterFd, true); err != nil {
		syscall.Close(slaveFd)
		return fail(fmt.Errorf("cannot set up the terminal: %v", err))
	}
	return os.NewFile(uintptr(masterFd), "/dev/ptmx"), os.NewFile(uintptr(slaveFd), name), nil
}

// resizeTerminal sets the terminal's size through its master; the kernel signals SIGWINCH to the
// terminal's foreground process group. Control (never Fd, which would make the master blocking)
// holds the descriptor while the ioctl runs, so a concurrent close cannot hand it to another file.
func resizeTerminal(master *os.File, size terminalSize) error {
	raw, err := master.SyscallConn()
	if err != nil {
		return err
	}
	var resized error
	if err := raw.Control(func(fd uintptr) { resized = setWindowSize(int(fd), size) }); err != nil {
		return err
	}
	return resized
}

// setWindowSize is TIOCSWINSZ: struct winsize is rows, columns, then two unused pixel sizes.
func setWindowSize(fd int, size terminalSize) error {
	window := struct{ rows, cols, x, y uint16 }{rows: uint16(size.Rows), cols: uint16(size.Cols)}
	return ioctl(fd, syscall.TIOCSWINSZ, unsafe.Pointer(&window))
}

// ioctl runs one ioctl(2) whose argument is a pointer.
func ioctl(fd int, request uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), request, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}
