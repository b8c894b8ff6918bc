package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Warm helpers: an exec through `stacyvm-agent exec` costs a fresh Go process, whose runtime start
// and setup (subreaper, reserved threads, signals) are most of its cost. Serve keeps a helper
// started ahead, `stacyvm-agent exec --await`, that has done all that and waits on fd 3 for the
// exec the worker asks for next. Nothing changes on the wire: the worker still asks serve to
// spawn `stacyvm-agent exec ...`, and gets the same frames, from a process that was already there.

// execSpec is what serve hands a helper on fd 3, one JSON line: the exec's arguments exactly as
// the worker sent them after "exec", the request's env, and whether the worker sends stdin.
type execSpec struct {
	Args  []string `json:"args"`
	Env   []string `json:"env"`
	Stdin bool     `json:"stdin"`
}

// specFd is the helper's descriptor on which its exec comes.
const specFd = 3

// awaitExec is `stacyvm-agent exec --await`: prepareExec's work first, then one spec from fd 3,
// then exactly what `exec` with the spec's arguments would do, started by serve with the spec's
// env (the workdir's refusal, 127, the timeout, the cancels, the drain, the status). Without a
// spec (fd 3 ends or holds garbage) it exits quietly with exitUsage; a cancel while it waits ends
// it too: serve then discards it.
func awaitExec(stdout, stderr io.Writer) int {
	// the command must not inherit the helper's channel to serve
	syscall.CloseOnExec(specFd)
	// under Go's poller, so that no thread blocks on it
	syscall.SetNonblock(specFd, true)
	channel := os.NewFile(specFd, "spec")
	watch, code := prepareExec(false, stderr)
	if watch == nil {
		return code
	}
	defer watch.stop()
	spec, code := readSpec(channel, watch.cancels)
	if code != 0 {
		return code
	}
	options, err := parseExecArgs(spec.Args)
	if err == nil && options.pty {
		err = errors.New("--pty is not served by a helper")
	}
	if err != nil {
		fmt.Fprintf(stderr, "stacyvm-agent exec: %v\n%s\n", err, usage)
		return exitUsage
	}
	applyEnv(spec.Env)
	if !spec.Stdin {
		useDevNull()
	}
	if options.workdir != "" && !enterWorkdir(options.workdir, stderr) {
		return exitWorkdir
	}
	return runWithPipes(options, watch, stdout, stderr)
}

// readSpec waits for the one spec serve writes, or a cancel. Answers the spec and 0, or the exit
// status: exitUsage without a spec, 128+signal for a cancel.
func readSpec(channel *os.File, cancels <-chan os.Signal) (execSpec, int) {
	type result struct {
		spec execSpec
		err  error
	}
	read := make(chan result, 1)
	go func() {
		var spec execSpec
		err := json.NewDecoder(channel).Decode(&spec)
		read <- result{spec, err}
	}()
	select {
	case got := <-read:
		channel.Close()
		if got.err != nil || len(got.spec.Args) == 0 {
			return execSpec{}, exitUsage
		}
		return got.spec, 0
	case received := <-cancels:
		return execSpec{}, 128 + int(received.(syscall.Signal))
	}
}

// applyEnv makes the helper's environment what serve gives a process it spawns: its own (the
// helper started with serve's) with the request's added, later entries winning (mergeEnv). The
// command inherits it, and its PATH lookup reads it.
func applyEnv(added []string) {
	merged := mergeEnv(os.Environ(), added)
	os.Clearenv()
	for _, entry := range merged {
		if i := strings.IndexByte(entry, '='); i > 0 {
			os.Setenv(entry[:i], entry[i+1:])
		}
	}
}

// useDevNull puts /dev/null on the helper's stdin, which the command inherits: what serve gives a
// process whose worker sends no stdin. The helper's own stdin pipe, open while it waited, may
// have been opened by another process of the sandbox through /proc/<pid>/fd/0; /dev/null cannot
// be written into. If it fails the command reads the pipe, which serve has closed: an EOF too.
func useDevNull() {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return
	}
	defer null.Close()
	syscall.Dup3(int(null.Fd()), 0, 0)
}

// mountedAgent is the agent binary that serve recognises as argv[0] of the worker's exec and kill
// requests and starts its helpers from: where the worker mounts it. Tests point it elsewhere.
var mountedAgent = MountedPath

// pidsMaxPath is the sandbox's pids limit, as the container sees its cgroup; tests point it
// elsewhere.
var pidsMaxPath = "/sys/fs/cgroup/pids.max"

// refillDelay is how long the pool waits before it replaces a helper it gave out; tests lengthen
// it to find the pool empty.
var refillDelay time.Duration

// minPidsForHelper is the smallest pids limit under which serve keeps a helper: an idle helper
// holds about ten of the sandbox's pids (its reserved threads), too large a share of a small limit.
const minPidsForHelper = 64

// minPidsForTwoHelpers is the smallest pids limit under which serve keeps one helper, not two.
// With two, an exec's helper is replaced only once that exec has answered (see take), so that
// starting the next helper never competes for the sandbox's CPU with the exec being served.
const minPidsForTwoHelpers = 256

// handWait bounds handing an exec to a helper: one that a process of the sandbox stopped (same
// user) must not hold the request; the exec is then spawned as usual.
const handWait = time.Second

// helperPoolSize answers how many idle helpers serve keeps, from the pids limit in path: two; one
// under minPidsForTwoHelpers; none under minPidsForHelper. An unreadable limit counts as none.
func helperPoolSize(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 2
	}
	limit, err := strconv.Atoi(strings.TrimSpace(string(data)))
	switch {
	case err != nil:
		return 2 // "max", or one that cannot be read as a number
	case limit < minPidsForHelper:
		return 0
	case limit < minPidsForTwoHelpers:
		return 1
	default:
		return 2
	}
}

// helper is a started `exec --await`: a spawned process whose exec has not come yet, and serve's
// end of its fd 3.
type helper struct {
	process *spawned
	spec    *os.File
}

// helperPool holds serve's idle helpers, and the pids of those running an exec by its id: the
// kill subcommand finds an exec's agent by the --id in its argv, which a helper lacks.
type helperPool struct {
	binary   string
	size     int
	children *reaper

	mu       sync.Mutex
	idle     []*helper
	starting int
	running  map[string]int
}

func newHelperPool(binary string, size int, children *reaper) *helperPool {
	return &helperPool{binary: binary, size: size, children: children, running: make(map[string]int)}
}

// fill starts helpers until size of them are idle or starting. A helper that cannot start ends
// the round: the next exec given out tries again, so a missing binary costs one try per exec.
func (p *helperPool) fill() {
	for {
		p.mu.Lock()
		if len(p.idle)+p.starting >= p.size {
			p.mu.Unlock()
			return
		}
		p.starting++
		p.mu.Unlock()
		started, err := startHelper(p.binary, p.children)
		p.mu.Lock()
		p.starting--
		if err == nil {
			p.idle = append(p.idle, started)
		}
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// startHelper starts `exec --await` as spawn's pipe mode starts a process (its own process group,
// output through pipes, stdin a pipe, serve's environment and working directory), with fd 3 its
// spec channel, watched by the reaper.
func startHelper(binary string, children *reaper) (*helper, error) {
	ours, theirs, err := specChannel()
	if err != nil {
		return nil, err
	}
	request := &spawnRequest{Argv: []string{binary, "exec", "--await"}, Stdin: true}
	process, err := startWithPipes(binary, request, os.Environ(), theirs)
	if err != nil {
		ours.Close()
		return nil, err
	}
	process.exitCode = children.watch(process.pid)
	return &helper{process: process, spec: ours}, nil
}

// specChannel answers serve's end and the helper's end of a helper's fd 3: a Unix socket pair,
// not a pipe. A process of the sandbox (the same user) can open a pipe of the helper's through
// /proc/<pid>/fd and write an exec of its own into it, but never a socket (ENXIO): only serve
// hands a helper its exec.
func specChannel() (ours, theirs *os.File, err error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	// serve's end under Go's poller, so that the hand-over can time out
	syscall.SetNonblock(fds[0], true)
	return os.NewFile(uintptr(fds[0]), "helper-spec"), os.NewFile(uintptr(fds[1]), "helper-spec"), nil
}

// take answers an idle helper fit for an exec, or nil when none is, without waiting; a helper
// that is not fit is discarded. A pool left with no helper idle or starting refills at once, in
// the background, and answers deferred false; otherwise deferred is true and the caller refills
// it once the exec has answered (a helper's start costs more CPU than a short exec itself, and
// the sandbox's CPU limit is shared by both).
func (p *helperPool) take() (taken *helper, deferred bool) {
	if p.size == 0 {
		return nil, false
	}
	p.mu.Lock()
	for taken == nil && len(p.idle) > 0 {
		next := p.idle[0]
		p.idle = p.idle[1:]
		if next.fit() {
			taken = next
		} else {
			next.discard(p.children)
		}
	}
	left := len(p.idle) + p.starting
	p.mu.Unlock()
	if taken == nil || left == 0 {
		p.refill()
		return taken, false
	}
	return taken, true
}

// refill fills the pool in the background, after refillDelay.
func (p *helperPool) refill() {
	go func() {
		defer survive("the helper pool's refill")
		time.Sleep(refillDelay)
		p.fill()
	}()
}

// fit says whether an idle helper can take an exec: it still runs and is not stopped (a process
// of the sandbox, the same user, may have killed or stopped it), and its pipes are empty (nothing
// but the helper and serve may write into them, and neither has yet).
func (h *helper) fit() bool {
	select {
	case <-h.process.exitCode:
		return false
	default:
	}
	if stat, err := readStat(procRoot, h.process.pid); err != nil || stat.state == "Z" || stat.state == "T" || stat.state == "t" {
		return false
	}
	if buffered(h.process.stdin) != 0 {
		return false
	}
	for _, stream := range h.process.outputs {
		if buffered(stream.from) != 0 {
			return false
		}
	}
	return true
}

// buffered answers how many bytes wait in a pipe (FIONREAD, which either end answers for the
// whole pipe), or -1 when it cannot tell.
func buffered(pipe *os.File) int {
	raw, err := pipe.SyscallConn()
	if err != nil {
		return -1
	}
	count := int32(-1)
	raw.Control(func(fd uintptr) {
		var n int32
		if ioctl(int(fd), syscall.TIOCINQ, unsafe.Pointer(&n)) == nil {
			count = n
		}
	})
	return int(count)
}

// discard ends a helper that will never get an exec, and drops serve's ends of its files; the
// reaper collects it.
func (h *helper) discard(children *reaper) {
	children.signal(h.process.pid, syscall.SIGKILL)
	h.spec.Close()
	h.process.stdin.Close()
	for _, stream := range h.process.outputs {
		stream.from.Close()
	}
}

// hand writes the exec's spec to the helper and closes the channel; an error means the helper
// did not take it (it is gone, or stopped for longer than handWait).
func (h *helper) hand(spec execSpec) error {
	defer h.spec.Close()
	line, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	h.spec.SetWriteDeadline(time.Now().Add(handWait))
	_, err = h.spec.Write(append(line, '\n'))
	return err
}

// serveExec runs a worker's exec (request, id its --id) on an idle helper and answers the helper
// as a spawned process, its stdin closed at once unless the worker sends it; nil when no helper is
// idle or the hand-over failed, and the exec is then spawned as usual. The exec's id names the
// helper's pid until its exit code is in.
func (p *helperPool) serveExec(request *spawnRequest, id string) *spawned {
	taken, deferred := p.take()
	if taken == nil {
		return nil
	}
	process := taken.process
	// before the hand-over: a kill sent as soon as the exec is accepted finds it
	p.setRunner(id, process.pid)
	if err := taken.hand(execSpec{Args: request.Argv[2:], Env: request.Env, Stdin: request.Stdin}); err != nil {
		p.dropRunner(id, process.pid)
		taken.discard(p.children)
		if deferred {
			p.refill()
		}
		return nil
	}
	if deferred {
		process.answered = p.refill
	}
	// a helper stopped since it was found fit (the same user can) runs its exec all the same
	p.children.signalOne(process.pid, syscall.SIGCONT)
	if !request.Stdin {
		process.stdin.Close()
		process.stdin = nil
	}
	exitCode := make(chan int, 1)
	helperExit := process.exitCode
	go func() {
		defer survive("a helper's exit")
		code := <-helperExit
		p.dropRunner(id, process.pid)
		exitCode <- code
	}()
	process.exitCode = exitCode
	return process
}

// setRunner records that the helper pid runs exec id.
func (p *helperPool) setRunner(id string, pid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[id] = pid
}

// dropRunner forgets that the helper pid runs exec id (not another helper given the same id).
func (p *helperPool) dropRunner(id string, pid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running[id] == pid {
		delete(p.running, id)
	}
}

// runner answers the pid of the helper running exec id, if one does.
func (p *helperPool) runner(id string) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pid, ok := p.running[id]
	return pid, ok
}

// warmExec answers the options of a request a helper can serve: the worker's exec in pipe mode
// through the mounted agent, in serve's own working directory (a helper has started there).
func warmExec(request *spawnRequest) (execOptions, bool) {
	argv := request.Argv
	if request.Tty != nil || request.Workdir != "" || len(argv) < 2 || argv[0] != mountedAgent || argv[1] != "exec" {
		return execOptions{}, false
	}
	options, err := parseExecArgs(argv[2:])
	return options, err == nil && !options.pty
}

// execKill is a worker's `kill --id <id> [--signal <signal>]` of the mounted agent.
type execKill struct {
	id         string
	withSignal bool
	signal     string
}

// killOf answers the kill a request asks for, if its argv is exactly one (as the kill subcommand
// reads it) and it needs no terminal or workdir.
func killOf(request *spawnRequest) (execKill, bool) {
	argv := request.Argv
	if request.Tty != nil || request.Workdir != "" || len(argv) < 4 || argv[0] != mountedAgent ||
		argv[1] != "kill" || argv[2] != "--id" || argv[3] == "" {
		return execKill{}, false
	}
	switch {
	case len(argv) == 4:
		return execKill{id: argv[3]}, true
	case len(argv) == 6 && argv[4] == "--signal":
		return execKill{id: argv[3], withSignal: true, signal: argv[5]}, true
	}
	return execKill{}, false
}

// answerKill answers, in serve, a worker's kill of an exec that a helper runs, which the kill
// subcommand could not find: ACCEPTED with serve's pid, then the subcommand's output and exit
// status, through the same functions, applied to the helper. Answers false, having sent nothing,
// for any other request.
func (s *server) answerKill(request *spawnRequest, out *frameWriter) bool {
	kill, ok := killOf(request)
	if !ok {
		return false
	}
	pid, ok := s.helpers.runner(kill.id)
	if !ok {
		return false
	}
	out.sendJSON(frameAccepted, acceptedMessage{Proof: s.proof(agentProofLabel, request.Nonce), Pid: os.Getpid()})
	var stdout, stderr bytes.Buffer
	var code int
	if kill.withSignal {
		code = signalAgents(procRoot, []int{pid}, kill.signal, &stdout, &stderr)
	} else {
		code = terminateAgents([]int{pid}, s.children.signalOne, s.children.reaped, &stdout)
	}
	if stdout.Len() > 0 {
		out.send(frameStdout, stdout.Bytes())
	}
	if stderr.Len() > 0 {
		out.send(frameStderr, stderr.Bytes())
	}
	out.sendJSON(frameExit, exitMessage{ExitCode: code})
	return true
}
