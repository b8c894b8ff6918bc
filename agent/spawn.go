package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// drainAfterExitBytes bounds what a relay still passes on once the process has exited: at least
// all a pipe can hold (1 MiB at most for an unprivileged user), so nothing the process wrote
// before it exited is lost, yet a background writer cannot hold EXIT back forever.
const drainAfterExitBytes = 1 << 20

// killGrace is how long a process whose worker left may take to end on SIGTERM before SIGKILL;
// tests shorten it.
var killGrace = 5 * time.Second

// spawned is a started process and the agent's ends of its stdin and output.
type spawned struct {
	pid int
	// stdin is where STDIN frames go (a pipe or the terminal's master), nil when not asked for
	stdin *os.File
	// terminal is the pseudo-terminal's master, nil with pipes
	terminal *os.File
	outputs  []output
	exitCode <-chan int
	// answered, when set, runs once EXIT has gone to the worker (a warm helper's replacement)
	answered func()
}

// output is one stream the agent relays: a pipe, or the terminal's master as STDOUT.
type output struct {
	from *os.File
	kind byte
}

// startProcess starts what a request asks for, as `docker exec` would: the agent's environment
// with the request's added (later entries winning), in the workdir, with pipes or on a new
// terminal. The error says why it could not start.
func startProcess(request *spawnRequest, children *reaper) (*spawned, error) {
	env := mergeEnv(os.Environ(), request.Env)
	if request.Workdir != "" {
		// checked here: a chdir failing in the child reads as the command's own error
		if problem := workdirProblem(request.Workdir); problem != "" {
			return nil, errors.New(problem)
		}
	}
	path, err := lookPathIn(request.Argv[0], envValue(env, "PATH"), request.Workdir)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", request.Argv[0], err)
	}
	var process *spawned
	if request.Tty != nil {
		process, err = startOnTerminal(path, request, env)
	} else {
		process, err = startWithPipes(path, request, env)
	}
	if err != nil {
		var failed *os.PathError
		if errors.As(err, &failed) && failed.Op == "fork/exec" {
			return nil, fmt.Errorf("%s: %v", request.Argv[0], failed.Err)
		}
		return nil, err
	}
	process.exitCode = children.watch(process.pid)
	return process, nil
}

// startWithPipes runs the process in its own process group (a signal to the group it leads, or
// that its own children share, never reaches the agent), its stdout and stderr through pipes, its
// stdin /dev/null or a pipe. Extra files (a warm helper's spec channel) follow as fds 3 and up;
// they are the child's ends, closed here once it has them.
func startWithPipes(path string, request *spawnRequest, env []string, extra ...*os.File) (*spawned, error) {
	var childEnds, agentEnds []*os.File
	closeAll := func(files []*os.File) {
		for _, file := range files {
			file.Close()
		}
	}
	defer closeAll(extra)
	var stdin *os.File
	if request.Stdin {
		read, write, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		childEnds, agentEnds, stdin = append(childEnds, read), append(agentEnds, write), write
	} else {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return nil, err
		}
		childEnds = append(childEnds, null)
	}
	for i := 0; i < 2; i++ {
		read, write, err := os.Pipe()
		if err != nil {
			closeAll(childEnds)
			closeAll(agentEnds)
			return nil, err
		}
		childEnds, agentEnds = append(childEnds, write), append(agentEnds, read)
	}
	process, err := os.StartProcess(path, request.Argv, &os.ProcAttr{
		Dir: request.Workdir, Env: env, Files: append(childEnds, extra...),
		Sys: &syscall.SysProcAttr{Setpgid: true},
	})
	// the agent keeps only its own ends: a pipe ends when the process and all it started close theirs
	closeAll(childEnds)
	if err != nil {
		closeAll(agentEnds)
		return nil, err
	}
	outputs := agentEnds[len(agentEnds)-2:]
	return &spawned{pid: process.Pid, stdin: stdin,
		outputs: []output{{outputs[0], frameStdout}, {outputs[1], frameStderr}}}, nil
}

// startOnTerminal runs the process as the leader of a new session whose controlling terminal is a
// new pseudo-terminal, its stdin, stdout and stderr; everything it writes comes out of the master
// as STDOUT. Without "stdin" the terminal is still its stdin, but nothing is typed into it.
func startOnTerminal(path string, request *spawnRequest, env []string) (*spawned, error) {
	master, slave, err := openTerminal(*request.Tty)
	if err != nil {
		return nil, err
	}
	process, err := os.StartProcess(path, request.Argv, &os.ProcAttr{
		Dir: request.Workdir, Env: env, Files: []*os.File{slave, slave, slave},
		// Ctty is the terminal's descriptor in the child: its stdin
		Sys: &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
	})
	// the master reads EIO once every process holding the slave has closed it: the agent must not
	slave.Close()
	if err != nil {
		master.Close()
		return nil, err
	}
	started := &spawned{pid: process.Pid, terminal: master, outputs: []output{{master, frameStdout}}}
	if request.Stdin {
		started.stdin = master
	}
	return started, nil
}

// relay runs the connection once the process has started: its output goes out as frames while
// the worker's frames come in, until the process has exited and its output is drained; then EXIT,
// and the connection closes. When the worker leaves first, or breaks the protocol, the process is
// terminated. Answers only once the process is gone, so that it holds its connection's slot.
func (s *server) relay(conn *net.UnixConn, in *bufio.Reader, out *frameWriter, process *spawned) {
	exited := make(chan struct{})
	drained := make(chan struct{}, len(process.outputs))
	for _, stream := range process.outputs {
		stream := stream
		go func() {
			defer survive("an output relay")
			relayOutput(stream, out, exited, drained)
		}()
	}
	finished := make(chan struct{})
	go func() {
		defer survive("an exit relay")
		code := <-process.exitCode
		close(exited)
		for _, stream := range process.outputs {
			// wakes a waiting read: from here each relay drains on its bounded budget
			stream.from.SetReadDeadline(time.Now())
		}
		for range process.outputs {
			<-drained
		}
		for _, stream := range process.outputs {
			stream.from.Close()
		}
		out.sendJSON(frameExit, exitMessage{ExitCode: code})
		conn.Close()
		if process.answered != nil {
			process.answered()
		}
		if process.stdin != nil {
			// ends a write of input the process never read
			process.stdin.Close()
		}
		close(finished)
	}()
	readInput(conn, in, process)
	select {
	case <-finished:
	default:
		// the worker left before EXIT, or sent what the protocol does not allow (once the
		// process is reaped, terminate signals nothing)
		conn.Close()
		s.children.terminate(process.pid, s.killGrace)
	}
	<-finished
}

// readInput passes the worker's frames to the process until the connection ends or a frame is
// one the protocol does not allow here. A write of input blocks while the process does not read
// it, and so do the frames behind it (back pressure); input the process can no longer take (it
// closed its stdin or exited) is dropped.
func readInput(conn *net.UnixConn, in *bufio.Reader, process *spawned) {
	stdinClosed := false
	for {
		kind, payload, err := readFrame(in)
		if err != nil {
			return
		}
		switch {
		case kind == frameStdin && process.stdin != nil && !stdinClosed:
			if !writeInput(conn, process.stdin, payload) {
				return
			}
		case kind == frameStdinClose:
			// on a terminal nothing: ^D is input like any other
			if process.terminal == nil && process.stdin != nil {
				process.stdin.Close()
				stdinClosed = true
			}
		case kind == frameResize && process.terminal != nil:
			var size terminalSize
			if json.Unmarshal(payload, &size) != nil || !size.valid() {
				return
			}
			resizeTerminal(process.terminal, size)
		default:
			return
		}
	}
}

// inputCheck is how often a write of input that the process does not read looks whether the
// worker is still there.
const inputCheck = 100 * time.Millisecond

// writeInput writes input to the process, however long the process takes to read it, unless the
// worker leaves meanwhile: frames are not read while the write waits, so the worker's leaving is
// looked for on the socket itself. Answers false when the worker has left.
func writeInput(conn *net.UnixConn, to *os.File, input []byte) bool {
	for len(input) > 0 {
		to.SetWriteDeadline(time.Now().Add(inputCheck))
		n, err := to.Write(input)
		input = input[n:]
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			break // written, or the process can take no more: the rest is dropped
		}
		if hungUp(conn) {
			return false
		}
	}
	to.SetWriteDeadline(time.Time{})
	return true
}

// hungUp says whether the peer of a Unix socket has closed it (or shut down its writing), even
// with frames still unread: poll(2) reports it whatever is buffered.
func hungUp(conn *net.UnixConn) bool {
	raw, err := conn.SyscallConn()
	if err != nil {
		return true
	}
	const pollHup, pollRdHup = 0x10, 0x2000
	hung := false
	raw.Control(func(fd uintptr) {
		poll := struct {
			fd              int32
			events, revents int16
		}{fd: int32(fd), events: pollRdHup}
		var now syscall.Timespec // zero: answer at once
		n, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&poll)), 1, uintptr(unsafe.Pointer(&now)), 0, 0, 0)
		hung = errno == 0 && n == 1 && poll.revents&(pollHup|pollRdHup) != 0
	})
	return hung
}

// relayOutput sends what the process writes to one stream as frames of at most 32 KiB until the
// stream ends (EOF; EIO from a terminal's master once no process holds the terminal). Once the
// process has exited, the relay waits for more at most drainAfterExit in all, and passes on at
// most drainAfterExitBytes more: a background process that still holds the stream must not hold
// EXIT. Time spent sending does not count, so a worker that reads slowly loses nothing the
// process wrote before it exited. When the worker has gone, the relay still reads, so that the
// process never blocks on a full pipe.
func relayOutput(stream output, out *frameWriter, exited <-chan struct{}, drained chan<- struct{}) {
	defer func() { drained <- struct{}{} }()
	frame := make([]byte, frameHeaderSize+maxOutputChunk)
	idle := drainAfterExit
	extra := drainAfterExitBytes
	sending := true
	for {
		var waitFrom time.Time
		select {
		case <-exited:
			if idle <= 0 || extra <= 0 {
				return
			}
			waitFrom = time.Now()
			stream.from.SetReadDeadline(waitFrom.Add(idle))
		default:
		}
		n, err := stream.from.Read(frame[frameHeaderSize:])
		if !waitFrom.IsZero() {
			idle -= time.Since(waitFrom)
			extra -= n
		}
		if n > 0 && sending {
			putFrameHeader(frame, stream.kind, n)
			sending = out.sendFrame(frame[:frameHeaderSize+n]) == nil
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
	}
}

// reaper collects the exit statuses of the agent's processes without a thread blocked in a wait
// per process (every thread is one of the sandbox's pids): on SIGCHLD, and on a slow tick in case
// a signal was lost, it polls each process still running. It waits for its own processes only,
// never for any child (the agent is no subreaper: orphans go to the sandbox's init).
type reaper struct {
	mu      sync.Mutex
	running map[int]chan<- int
}

var (
	reaperOnce sync.Once
	oneReaper  *reaper
)

// theReaper answers the agent's one reaper, started on first use.
func theReaper() *reaper {
	reaperOnce.Do(func() {
		oneReaper = &reaper{running: make(map[int]chan<- int)}
		children := make(chan os.Signal, 1)
		signal.Notify(children, syscall.SIGCHLD)
		go oneReaper.loop(children)
	})
	return oneReaper
}

func (r *reaper) loop(children <-chan os.Signal) {
	tick := time.NewTicker(time.Second)
	for {
		select {
		case <-children:
		case <-tick.C:
		}
		r.reap()
	}
}

// watch answers the channel on which the process's exit code will come. It polls once at once:
// the process may have exited before it was watched.
func (r *reaper) watch(pid int) <-chan int {
	exitCode := make(chan int, 1)
	r.mu.Lock()
	r.running[pid] = exitCode
	r.mu.Unlock()
	r.reap()
	return exitCode
}

// reap collects every watched process that has exited: its exit status, or 128+signal.
func (r *reaper) reap() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for pid, exitCode := range r.running {
		var status syscall.WaitStatus
		got, err := syscall.Wait4(pid, &status, syscall.WNOHANG, nil)
		switch {
		case got == pid && status.Signaled():
			exitCode <- 128 + int(status.Signal())
		case got == pid:
			exitCode <- status.ExitStatus()
		case err == syscall.ECHILD:
			exitCode <- 255 // reaped by someone else: its status is lost
		default:
			continue
		}
		delete(r.running, pid)
	}
}

// signal sends sig to pid's process group (it leads one: Setpgid, or Setsid on a terminal), so a
// helper's children end with it, only while pid is a watched, unreaped process: once reaped, its
// pid, and so its group's id, may be another process's.
func (r *reaper) signal(pid int, sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.running[pid]; ok {
		syscall.Kill(-pid, sig)
	}
}

// signalOne sends sig to pid alone (a warm helper the worker kills by its exec's id), only while
// pid is a watched, unreaped process, for the same reason as signal.
func (r *reaper) signalOne(pid int, sig syscall.Signal) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.running[pid]; !ok {
		return syscall.ESRCH
	}
	return syscall.Kill(pid, sig)
}

// reaped says whether pid is not, or no longer, a watched process: it has exited and been reaped.
func (r *reaper) reaped(pid int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.running[pid]
	return !ok
}

// terminate sends SIGTERM (an agent exec answers it by killing all it started), then SIGKILL
// after grace if the process still runs.
func (r *reaper) terminate(pid int, grace time.Duration) {
	r.signal(pid, syscall.SIGTERM)
	time.AfterFunc(grace, func() { r.signal(pid, syscall.SIGKILL) })
}

// mergeEnv adds entries to an environment, each replacing one of the same name in place: later
// ones win, as with `docker exec --env`.
func mergeEnv(base, added []string) []string {
	merged := make([]string, 0, len(base)+len(added))
	index := make(map[string]int)
	for _, entry := range append(append([]string{}, base...), added...) {
		name := entry
		if i := strings.IndexByte(entry, '='); i >= 0 {
			name = entry[:i]
		}
		if at, seen := index[name]; seen {
			merged[at] = entry
			continue
		}
		index[name] = len(merged)
		merged = append(merged, entry)
	}
	return merged
}

// envValue answers the value of name in env ("" when absent).
func envValue(env []string, name string) string {
	for _, entry := range env {
		if strings.HasPrefix(entry, name+"=") {
			return entry[len(name)+1:]
		}
	}
	return ""
}

// workdirProblem says, in the words of an exec's workdir line, why a process could not start in
// dir, or "" when it could.
func workdirProblem(dir string) string {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "workdir: " + dir + " does not exist"
	case errors.Is(err, os.ErrPermission):
		return "workdir: " + dir + " cannot be reached by the sandbox user"
	case err != nil:
		return fmt.Sprintf("workdir: %s cannot be used: %v", dir, err)
	case !info.IsDir():
		return "workdir: " + dir + " is not a directory"
	case syscall.Access(dir, 1 /* X_OK */) != nil:
		return "workdir: " + dir + " cannot be entered by the sandbox user"
	}
	return ""
}

// lookPathIn finds a command without a slash on a PATH; a command with a slash is used as it is.
// A relative directory on the PATH is relative to base (the process's workdir) when one is given.
func lookPathIn(name, path, base string) (string, error) {
	if strings.IndexByte(name, '/') >= 0 {
		return name, nil
	}
	if name == "" {
		return "", errors.New("command not found")
	}
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		candidate := dir + "/" + name
		checked := candidate
		if base != "" && !filepath.IsAbs(candidate) {
			checked = filepath.Join(base, candidate)
		}
		if info, err := os.Stat(checked); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", errors.New("command not found")
}
