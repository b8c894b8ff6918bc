package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER: orphaned descendants are re-parented to
// the nearest living subreaper ancestor instead of the namespace's init, so nothing an exec
// starts can leave its tree by setsid, a double fork or a cleared environment.
const prSetChildSubreaper = 36

// subreaper says whether this exec became a subreaper (false where the kernel has no such option:
// gVisor's); without, its tree is stopped whole before it is killed (killFrozen).
var subreaper = true

// How long the output of a finished command is still relayed from the pipes before the agent
// answers: enough for what is already buffered, far too short for a background writer to delay.
const drainAfterExit = 25 * time.Millisecond

// reservedThreads is how many OS threads the agent starts before the command: more than it ever
// runs at once with one P (the running one, the relays and the main loop blocked in syscalls,
// sysmon), yet few against the smallest pids limit (16), since every thread is one of its pids.
const reservedThreads = 8

// reserveThreads makes the runtime start n OS threads now and keep them idle for reuse (the
// runtime never ends an idle thread). A command that holds every pid of the sandbox, a fork
// bomb, would otherwise leave the agent unable to create the thread it next needs, which the
// runtime answers with a fatal error (exit 2): the agent would die and leave the command's whole
// tree running past its timeout. Each goroutine wires itself to a thread of its own while all of
// them wait, then unwires and ends, handing its thread back.
func reserveThreads(n int) {
	var wired, release, ended sync.WaitGroup
	wired.Add(n)
	release.Add(1)
	ended.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			runtime.LockOSThread()
			wired.Done()
			release.Wait()
			runtime.UnlockOSThread()
			ended.Done()
		}()
	}
	wired.Wait()
	release.Done()
	ended.Wait()
}

// execOptions is what `stacyvm-agent exec` was asked to do.
type execOptions struct {
	timeout time.Duration
	id      string
	workdir string
	// pty: the agent's stdin, stdout and stderr are a terminal (the engine's exec with a TTY),
	// which the command gets as its own, in the terminal's foreground
	pty  bool
	argv []string
}

// WorkdirMark starts the agent's one line on stderr when an exec's working directory cannot be
// entered: the command never started, so nothing else was written before it, and the worker
// answers the request 400 with the rest of the line.
const WorkdirMark = "stacyvm-agent: workdir: "

// enterWorkdir makes dir the agent's working directory (the command inherits it), or says why it
// cannot in one line after WorkdirMark: missing, not a directory, or not enterable by this user.
func enterWorkdir(dir string, stderr io.Writer) bool {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(stderr, "%s%s does not exist\n", WorkdirMark, dir)
		return false
	case errors.Is(err, os.ErrPermission):
		fmt.Fprintf(stderr, "%s%s cannot be reached by the sandbox user\n", WorkdirMark, dir)
		return false
	case err != nil:
		fmt.Fprintf(stderr, "%s%s cannot be used: %v\n", WorkdirMark, dir, err)
		return false
	case !info.IsDir():
		fmt.Fprintf(stderr, "%s%s is not a directory\n", WorkdirMark, dir)
		return false
	}
	if err := os.Chdir(dir); err != nil {
		fmt.Fprintf(stderr, "%s%s cannot be entered by the sandbox user\n", WorkdirMark, dir)
		return false
	}
	return true
}

// checkWorkdir is `stacyvm-agent workdir <dir>`: 0 when an exec could start there, else
// exitWorkdir with enterWorkdir's line.
func checkWorkdir(dir string, stderr io.Writer) int {
	if !enterWorkdir(dir, stderr) {
		return exitWorkdir
	}
	return 0
}

// parseExecArgs reads `--timeout <seconds> --id <id> -- argv...`; the seconds may have a fraction.
func parseExecArgs(args []string) (execOptions, error) {
	var options execOptions
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--timeout":
			if i+1 >= len(args) {
				return options, errors.New("--timeout needs a value")
			}
			seconds, err := strconv.ParseFloat(args[i+1], 64)
			if err != nil || seconds <= 0 || seconds > 366*24*3600 {
				return options, fmt.Errorf("--timeout must be a positive number of seconds, not %q", args[i+1])
			}
			options.timeout = time.Duration(seconds * float64(time.Second))
			i++
		case "--workdir":
			if i+1 >= len(args) || args[i+1] == "" {
				return options, errors.New("--workdir needs a value")
			}
			options.workdir = args[i+1]
			i++
		case "--pty":
			options.pty = true
		case "--id":
			if i+1 >= len(args) || args[i+1] == "" {
				return options, errors.New("--id needs a value")
			}
			options.id = args[i+1]
			i++
		case "--":
			options.argv = args[i+1:]
			if options.timeout == 0 || options.id == "" || len(options.argv) == 0 {
				return options, errors.New("--timeout, --id and a command are required")
			}
			return options, nil
		default:
			return options, fmt.Errorf("unknown argument %q", args[i])
		}
	}
	return options, errors.New("missing -- before the command")
}

// runExec runs the command as a child of this (subreaper) process with its output relayed
// through pipes. When the command exits by itself, the agent answers at once with its status and
// leaves whatever it started in the background running. On timeout, SIGTERM or SIGINT it kills
// every descendant and answers 124 (timeout) or 128+signal.
func runExec(options execOptions, stdout, stderr io.Writer) int {
	if options.workdir != "" && !enterWorkdir(options.workdir, stderr) {
		return exitWorkdir
	}
	watch, code := prepareExec(options.pty, stderr)
	if watch == nil {
		return code
	}
	defer watch.stop()
	if options.pty {
		return runOnTerminal(options, stderr, watch.children)
	}
	return runWithPipes(options, watch, stdout, stderr)
}

// execSignals are the signals an exec's main loop waits for: its children's exits and, with
// pipes, the cancels (a terminal's exec registers its own, since ^C there is the command's).
type execSignals struct {
	children chan os.Signal
	cancels  chan os.Signal // nil on a terminal
}

// prepareExec is everything an exec does before it knows its command: it becomes a subreaper,
// reserves its threads and registers its signals, before any child starts, so that no exit or
// cancel is missed. A warm helper (exec --await) does it while it waits for its exec. Answers
// nil and the exit status when the agent cannot be a subreaper, unless the kernel does not know
// the option at all (EINVAL): gVisor's (Debian's 2022 runsc) does not, and there the exec runs
// without, its timeout still ending the process group and every process still below it; one that
// left by a double fork (re-parented to the sandbox's init) is out of its reach (docs/providers.md).
func prepareExec(pty bool, stderr io.Writer) (*execSignals, int) {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	if errno != 0 && errno != syscall.EINVAL {
		fmt.Fprintf(stderr, "stacyvm-agent: cannot become a subreaper: %v\n", errno)
		return nil, exitCannotRun
	}
	subreaper = errno == 0
	reserveThreads(reservedThreads)
	watch := &execSignals{children: make(chan os.Signal, 16)}
	signal.Notify(watch.children, syscall.SIGCHLD)
	if !pty {
		watch.cancels = make(chan os.Signal, 2)
		signal.Notify(watch.cancels, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	}
	return watch, 0
}

// stop unregisters the exec's signals.
func (watch *execSignals) stop() {
	signal.Stop(watch.children)
	if watch.cancels != nil {
		signal.Stop(watch.cancels)
	}
}

// runWithPipes is runExec's pipe mode once prepareExec has run (and the workdir is entered):
// the command in its own process group, its output relayed, its exit, timeout or cancel awaited.
func runWithPipes(options execOptions, watch *execSignals, stdout, stderr io.Writer) int {
	outRead, outWrite, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "stacyvm-agent: %v\n", err)
		return exitCannotRun
	}
	errRead, errWrite, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "stacyvm-agent: %v\n", err)
		return exitCannotRun
	}
	path, err := lookPath(options.argv[0])
	if err != nil {
		outRead.Close()
		outWrite.Close()
		errRead.Close()
		errWrite.Close()
		fmt.Fprintf(stderr, "%s: %v\n", options.argv[0], err)
		return exitCannotRun
	}
	process, err := os.StartProcess(path, options.argv, &os.ProcAttr{
		Files: []*os.File{os.Stdin, outWrite, errWrite},
		// its own process group: a terminal's or a caller's group signal reaches only the agent
		Sys: &syscall.SysProcAttr{Setpgid: true},
	})
	outWrite.Close()
	errWrite.Close()
	if err != nil {
		outRead.Close()
		errRead.Close()
		fmt.Fprintf(stderr, "%s: %v\n", options.argv[0], err)
		return exitCannotRun
	}
	relayed := make(chan struct{}, 2)
	go relay(outRead, stdout, relayed)
	go relay(errRead, stderr, relayed)

	deadline := time.NewTimer(options.timeout)
	defer deadline.Stop()
	// SIGCHLD can coalesce; a slow tick reaps anything a lost signal left behind
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	status := -1
	for status < 0 {
		select {
		case <-watch.children:
			status = reapChildren(process.Pid)
		case <-tick.C:
			status = reapChildren(process.Pid)
		case <-deadline.C:
			killTree(process.Pid)
			finishRelay(outRead, errRead, relayed)
			return exitTimedOut
		case received := <-watch.cancels:
			killTree(process.Pid)
			finishRelay(outRead, errRead, relayed)
			return 128 + int(received.(syscall.Signal))
		}
	}
	finishRelay(outRead, errRead, relayed)
	return status
}

// runOnTerminal runs the command with the agent's own terminal (the engine's exec with a TTY) as
// its stdin, stdout and stderr, in the agent's process group, the terminal's foreground group:
// the output reaches the terminal unchanged (binary, no relay), and the terminal's ^C, ^Z and
// window-size changes reach the command, or the job a shell put in the foreground. The agent
// catches the terminal's job-control signals so that they never end or stop it (caught, not
// ignored: an ignored disposition would pass on to the command). Timeout, SIGTERM and a hangup
// (the terminal's connection closed) kill everything the command started, as in runExec.
func runOnTerminal(options execOptions, stderr io.Writer, children <-chan os.Signal) int {
	interactive := make(chan os.Signal, 8)
	signal.Notify(interactive, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU)
	defer signal.Stop(interactive)
	cancels := make(chan os.Signal, 2)
	signal.Notify(cancels, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(cancels)
	path, err := lookPath(options.argv[0])
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\r\n", options.argv[0], err)
		return exitCannotRun
	}
	awaitWindowSize(os.Stdin, windowSizeWait)
	process, err := os.StartProcess(path, options.argv, &os.ProcAttr{
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\r\n", options.argv[0], err)
		return exitCannotRun
	}
	deadline := time.NewTimer(options.timeout)
	defer deadline.Stop()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-children:
		case <-interactive:
			// meant for the command; the agent carries on
		case <-tick.C:
		case <-deadline.C:
			killDescendants(procRoot, os.Getpid())
			return exitTimedOut
		case received := <-cancels:
			killDescendants(procRoot, os.Getpid())
			return 128 + int(received.(syscall.Signal))
		}
		if status := reapChildren(process.Pid); status >= 0 {
			return status
		}
	}
}

// windowSizeWait bounds how long a terminal's command waits for the worker to size the terminal:
// the engine starts the exec at 0x0 and the worker resizes it right after, so a command that reads
// its size at once (stty size) would otherwise see 0 0.
const windowSizeWait = 2 * time.Second

// awaitWindowSize waits, at most limit, until the terminal has a size.
func awaitWindowSize(terminal *os.File, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		var size struct{ rows, cols, x, y uint16 }
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, terminal.Fd(), syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&size)))
		if errno != 0 || (size.rows > 0 && size.cols > 0) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killTree kills the command's process group at once (one atomic kill(2) ends a fork bomb that
// never left the group), then every remaining descendant found by scanning /proc.
func killTree(commandPid int) {
	if !subreaper {
		killFrozen(procRoot, os.Getpid())
	}
	syscall.Kill(-commandPid, syscall.SIGKILL)
	killInRounds(procRoot, os.Getpid())
}

// reapChildren reaps every child that has exited and answers the command's exit status once it
// has exited (128+signal when a signal ended it), or -1 while it runs.
func reapChildren(commandPid int) int {
	result := -1
	for {
		var waitStatus syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &waitStatus, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return result
		}
		if pid == commandPid {
			switch {
			case waitStatus.Exited():
				result = waitStatus.ExitStatus()
			case waitStatus.Signaled():
				result = 128 + int(waitStatus.Signal())
			}
		}
	}
}

// relay copies one pipe to the agent's own stream until the pipe ends or its deadline passes.
func relay(from *os.File, to io.Writer, done chan<- struct{}) {
	io.Copy(to, from)
	done <- struct{}{}
}

// finishRelay lets both relays pass on what is already in the pipes, then stops them: a
// background process that still holds a pipe must not hold the answer.
func finishRelay(outRead, errRead *os.File, relayed <-chan struct{}) {
	cutoff := time.Now().Add(drainAfterExit)
	outRead.SetReadDeadline(cutoff)
	errRead.SetReadDeadline(cutoff)
	for i := 0; i < 2; i++ {
		<-relayed
	}
	outRead.Close()
	errRead.Close()
}

// lookPath finds a command without a slash on the PATH of the agent's own environment, which is
// the exec's environment; a command with a slash is used as it is.
func lookPath(name string) (string, error) {
	return lookPathIn(name, os.Getenv("PATH"), "")
}
