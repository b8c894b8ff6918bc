package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs this test binary as the agent when a test starts it through a link named
// stacyvm-agent (a real serve, whose helpers and plain execs run the same link, with real
// processes, signals and argv); otherwise it runs the tests.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "stacyvm-agent" {
		os.Exit(runStandIn(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// The stand-in agent's settings, taken from its environment and removed from it, so that neither
// its helpers nor their commands see them.
const (
	standInAgentEnv  = "STACYVM_TEST_AGENT"
	standInPidsEnv   = "STACYVM_TEST_PIDS_MAX"
	standInRefillEnv = "STACYVM_TEST_REFILL_DELAY"
)

func runStandIn(args []string) int {
	if agent := os.Getenv(standInAgentEnv); agent != "" {
		mountedAgent = agent
	}
	if path := os.Getenv(standInPidsEnv); path != "" {
		pidsMaxPath = path
	}
	if delay, err := time.ParseDuration(os.Getenv(standInRefillEnv)); err == nil {
		refillDelay = delay
	}
	for _, name := range []string{standInAgentEnv, standInPidsEnv, standInRefillEnv} {
		os.Unsetenv(name)
	}
	runtime.GOMAXPROCS(1)
	return run(args, os.Stdout, os.Stderr)
}

// warmServe is a stand-in `serve` process the test started, with its link (the "mounted agent")
// and socket.
type warmServe struct {
	pid    int
	agent  string
	socket string
}

// warmOptions are a warm serve's settings: the pids limit it reads, the refill delay, the agent
// its helpers and execs run (the stand-in by default), extra environment.
type warmOptions struct {
	pidsMax string
	refill  time.Duration
	agent   string
	env     []string
}

// startWarmServe starts a stand-in serve in a session of its own (no controlling terminal, as in a
// sandbox), waits for its started line, and ends it and every process it started with the test.
func startWarmServe(t *testing.T, options warmOptions) *warmServe {
	dir := socketDir(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "stacyvm-agent")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	agent := link
	if options.agent != "" {
		agent = filepath.Join(dir, "real", "stacyvm-agent")
		os.MkdirAll(filepath.Dir(agent), 0o755)
		if err := os.Symlink(options.agent, agent); err != nil {
			t.Fatal(err)
		}
	}
	pidsMax := filepath.Join(dir, "pids.max")
	if err := os.WriteFile(pidsMax, []byte(options.pidsMax+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tokenFile, socket := filepath.Join(dir, "agent.token"), filepath.Join(dir, "agent.sock")
	if err := os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	command := exec.Command(link, "serve", "--socket", socket, "--token-file", tokenFile)
	command.Env = append(append(os.Environ(), options.env...), standInAgentEnv+"="+agent,
		standInPidsEnv+"="+pidsMax, standInRefillEnv+"="+options.refill.String())
	command.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	out, err := command.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	t.Cleanup(func() { endServe(command, ended) })
	awaitStartedLine(t, out, func() {
		command.Wait()
		close(ended)
	})
	return &warmServe{pid: command.Process.Pid, agent: agent, socket: socket}
}

// endServe kills a serve and everything it started, and reaps whatever of it became this
// process's (a test that ran an exec in process made it a subreaper).
func endServe(command *exec.Cmd, ended <-chan struct{}) {
	tree := descendants(parents(procRoot), command.Process.Pid)
	command.Process.Kill()
	<-ended
	for _, pid := range tree {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range tree {
		syscall.Wait4(pid, nil, 0, nil)
	}
}

// helpers answers serve's helpers, idle or busy: its children running `exec --await`.
func (serve *warmServe) helpers() []int {
	var found []int
	for _, pid := range pids(procRoot) {
		stat, err := readStat(procRoot, pid)
		argv := cmdline(procRoot, pid)
		if err == nil && stat.ppid == serve.pid && stat.state != "Z" && len(argv) == 3 && argv[1] == "exec" && argv[2] == "--await" {
			found = append(found, pid)
		}
	}
	return found
}

// awaitIdleHelper waits until serve has a helper other than those in used that has done its
// setup (its reserved threads run), and answers its pid.
func (serve *warmServe) awaitIdleHelper(t *testing.T, used ...int) int {
	for stop := time.Now().Add(5 * time.Second); time.Now().Before(stop); time.Sleep(5 * time.Millisecond) {
	next:
		for _, pid := range serve.helpers() {
			for _, old := range used {
				if pid == old {
					continue next
				}
			}
			if tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid)); err == nil && len(tasks) >= reservedThreads {
				return pid
			}
		}
	}
	t.Fatalf("serve %d started no helper (used: %v)", serve.pid, used)
	return 0
}

// execArgv is the worker's argv for an exec: the agent, its flags, then the command.
func (serve *warmServe) execArgv(id string, flags []string, command ...string) []string {
	argv := append([]string{serve.agent, "exec", "--timeout", "10", "--id", id}, flags...)
	return append(append(argv, "--"), command...)
}

// parentCommand is a command whose output is its agent's argv: a helper's or a spawned exec's.
const parentCommand = `tr '\0' ' ' < /proc/$PPID/cmdline`

func TestWarmExecAnswersAsAPlainExecDoesFromAHelperStartedBeforeTheRequest(t *testing.T) {
	script := []string{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}
	// 128: a pool of one helper, so the idle one is the one the exec must take
	for _, pool := range []string{"128", "16"} {
		serve := startWarmServe(t, warmOptions{pidsMax: pool})
		idle := 0
		if pool == "128" {
			idle = serve.awaitIdleHelper(t)
		}
		time.Sleep(20 * time.Millisecond)
		requested := uptimeTicks(t)
		c := dial(t, serve.socket)
		pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("same-"+pool, nil, script...)})
		stdout, stderr, code := c.collect()
		if stdout != "out\n" || stderr != "err\n" || code != 3 {
			t.Fatalf("pids.max %s: stdout %q, stderr %q, exit %d", pool, stdout, stderr, code)
		}
		if pool != "128" {
			continue
		}
		if pid != idle {
			t.Fatalf("the exec ran as %d, not on the idle helper %d", pid, idle)
		}
		if stat, err := readStat(procRoot, pid); err == nil && stat.startTick >= requested {
			t.Fatalf("the helper started at tick %d, not before the request at %d", stat.startTick, requested)
		}
	}
}

// uptimeTicks answers the time since boot in clock ticks, the unit of a process's start time.
func uptimeTicks(t *testing.T) uint64 {
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Fatal(err)
	}
	seconds, err := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(seconds * clockTicks)
}

func TestWarmExecAppliesTheRequestsEnvWorkdirPathAndStdin(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128", env: []string{"STACYVM_SERVES=kept", "STACYVM_T=serve's"}})
	tools, workdir := t.TempDir(), t.TempDir()
	tool := "#!/bin/sh\necho \"tool $STACYVM_T $STACYVM_SERVES\"; pwd; readlink /proc/$$/fd/0; " + parentCommand + "\n"
	if err := os.WriteFile(filepath.Join(tools, "tool"), []byte(tool), 0o755); err != nil {
		t.Fatal(err)
	}
	helper := serve.awaitIdleHelper(t)
	c := dial(t, serve.socket)
	pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("env", []string{"--workdir", workdir}, "tool"),
		"env": []string{"PATH=" + tools + ":/usr/bin:/bin", "STACYVM_T=first", "STACYVM_T=second"}})
	stdout, stderr, code := c.collect()
	resolved, _ := filepath.EvalSymlinks(workdir)
	want := "tool second kept\n" + resolved + "\n/dev/null\n" + serve.agent + " exec --await "
	if pid != helper || stdout != want || stderr != "" || code != 0 {
		t.Fatalf("pid %d (helper %d), stdout %q (want %q), stderr %q, exit %d", pid, helper, stdout, want, stderr, code)
	}
	// with stdin, the worker's input reaches the command through the helper
	helper = serve.awaitIdleHelper(t, helper)
	c = dial(t, serve.socket)
	if pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("stdin", nil, "cat"), "stdin": true}); pid != helper {
		t.Fatalf("ran as %d, not on the helper %d", pid, helper)
	}
	c.send(frameStdin, []byte("hello "))
	c.send(frameStdin, []byte("world"))
	c.send(frameStdinClose, nil)
	if stdout, stderr, code := c.collect(); stdout != "hello world" || stderr != "" || code != 0 {
		t.Fatalf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
}

func TestWarmExecAnswers125ForAWorkdirAnd127ForACommandItCannotRun(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128"})
	marker := filepath.Join(t.TempDir(), "ran")
	helper := serve.awaitIdleHelper(t)
	c := dial(t, serve.socket)
	pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("wd", []string{"--workdir", "/no/such/dir"}, "/bin/sh", "-c", "touch "+marker)})
	stdout, stderr, code := c.collect()
	if pid != helper || code != exitWorkdir || stdout != "" || stderr != WorkdirMark+"/no/such/dir does not exist\n" {
		t.Fatalf("pid %d (helper %d), exit %d, stdout %q, stderr %q", pid, helper, code, stdout, stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command ran")
	}
	helper = serve.awaitIdleHelper(t, helper)
	c = dial(t, serve.socket)
	pid = c.spawn(map[string]interface{}{"argv": serve.execArgv("nf", nil, "no-such-command"), "env": []string{"PATH=/nonexistent"}})
	if stdout, stderr, code := c.collect(); pid != helper || code != exitCannotRun || stdout != "" || stderr != "no-such-command: command not found\n" {
		t.Fatalf("pid %d (helper %d), exit %d, stdout %q, stderr %q", pid, helper, code, stdout, stderr)
	}
}

func TestAWarmExecsTimeoutLeavesNoEscapedDescendantBehind(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128"})
	marker := uniqueSleep(9)
	defer killMarked("sleep " + marker)
	script := "setsid sh -c 'exec env -i sleep " + marker + "' & (sh -c 'sleep " + marker + ".5 &') ; echo started; sleep 60"
	helper := serve.awaitIdleHelper(t)
	c := dial(t, serve.socket)
	argv := serve.execArgv("late", nil, "/bin/sh", "-c", script)
	argv[3] = "0.5"
	started := time.Now()
	pid := c.spawn(map[string]interface{}{"argv": argv})
	stdout, stderr, code := c.collect()
	if pid != helper || code != exitTimedOut || stdout != "started\n" {
		t.Fatalf("pid %d (helper %d), exit %d, stdout %q, stderr %q", pid, helper, code, stdout, stderr)
	}
	if took := time.Since(started); took > 5*time.Second {
		t.Fatalf("the timeout took %v", took)
	}
	if alive("sleep " + marker) {
		t.Fatal("an escaped descendant outlived the timeout")
	}
}

// kill runs the worker's `kill --id` of an exec through serve; answers the pid ACCEPTED names and
// what the kill wrote and exited with.
func (serve *warmServe) kill(t *testing.T, id string, signal ...string) (int, string, string, int) {
	argv := []string{serve.agent, "kill", "--id", id}
	if len(signal) > 0 {
		argv = append(argv, "--signal", signal[0])
	}
	c := dial(t, serve.socket)
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	pid := c.spawn(map[string]interface{}{"argv": argv})
	stdout, stderr, code := c.collect()
	return pid, stdout, stderr, code
}

func TestAWarmExecIsKilledByItsIdInServeWithItsWholeTree(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128"})
	marker := uniqueSleep(10)
	defer killMarked("sleep " + marker)
	helper := serve.awaitIdleHelper(t)
	c := dial(t, serve.socket)
	if pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("victim", nil, "/bin/sh", "-c",
		"setsid sleep "+marker+" & sleep "+marker+".5 & echo ready; wait")}); pid != helper {
		t.Fatalf("ran as %d, not on the helper %d", pid, helper)
	}
	var stdout strings.Builder
	c.readUntil(&stdout, "ready")
	pid, out, errs, code := serve.kill(t, "victim")
	if pid != serve.pid || out != "{\"signalled\":1}\n" || errs != "" || code != 0 {
		t.Fatalf("ACCEPTED pid %d (serve %d), stdout %q, stderr %q, exit %d", pid, serve.pid, out, errs, code)
	}
	if !gone(helper) {
		t.Fatal("the kill answered before the helper was gone")
	}
	if _, _, code := c.collect(); code != 128+int(syscall.SIGTERM) {
		t.Fatalf("the exec ended with %d", code)
	}
	if alive("sleep " + marker) {
		t.Fatal("the exec's tree outlived the kill")
	}
	// an id no helper runs is the kill subcommand's, as before (which finds nothing here)
	pid, out, _, code = serve.kill(t, "victim")
	if pid == serve.pid || out != "{\"signalled\":0}\n" || code != 0 {
		t.Fatalf("ACCEPTED pid %d (serve %d), stdout %q, exit %d", pid, serve.pid, out, code)
	}
}

func TestASignalByIdReachesAWarmExecsCommand(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128"})
	helper := serve.awaitIdleHelper(t)
	c := dial(t, serve.socket)
	if pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("sig", nil, "/bin/sh", "-c",
		"trap 'echo term; exit 7' TERM; echo ready; while :; do sleep 0.05; done")}); pid != helper {
		t.Fatalf("ran as %d, not on the helper %d", pid, helper)
	}
	var stdout strings.Builder
	c.readUntil(&stdout, "ready")
	if pid, out, errs, code := serve.kill(t, "sig", "NOPE"); pid != serve.pid || out != "" || errs != "unknown signal \"NOPE\"\n" || code != exitUsage {
		t.Fatalf("ACCEPTED pid %d, stdout %q, stderr %q, exit %d", pid, out, errs, code)
	}
	if pid, out, errs, code := serve.kill(t, "sig", "TERM"); pid != serve.pid || out != "{\"signalled\":1}\n" || errs != "" || code != 0 {
		t.Fatalf("ACCEPTED pid %d, stdout %q, stderr %q, exit %d", pid, out, errs, code)
	}
	rest, _, code := c.collect()
	if rest != "term\n" || code != 7 {
		t.Fatalf("the command said %q and exited %d: the signal should reach it, not its agent", rest, code)
	}
	awaitGone(t, helper, 2*time.Second)
}

func TestTheWarmPoolRefillsAndABusyHelpersPoolServesBySpawning(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128", refill: 700 * time.Millisecond})
	first := serve.awaitIdleHelper(t)
	busy := dial(t, serve.socket)
	if pid := busy.spawn(map[string]interface{}{"argv": serve.execArgv("busy", nil, "/bin/sh", "-c", "read line; echo $line"), "stdin": true}); pid != first {
		t.Fatalf("ran as %d, not on the helper %d", pid, first)
	}
	// the only helper is busy and the pool refills later: a plain agent runs the second exec
	c := dial(t, serve.socket)
	pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("second", nil, "/bin/sh", "-c", parentCommand)})
	stdout, _, code := c.collect()
	if pid == first || !strings.Contains(stdout, " --id second ") || code != 0 {
		t.Fatalf("pid %d (busy helper %d), stdout %q, exit %d", pid, first, stdout, code)
	}
	busy.send(frameStdin, []byte("done\n"))
	if stdout, _, code := busy.collect(); stdout != "done\n" || code != 0 {
		t.Fatalf("stdout %q, exit %d", stdout, code)
	}
	// then a new helper is there for the next exec
	next := serve.awaitIdleHelper(t, first)
	c = dial(t, serve.socket)
	if pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("third", nil, "/bin/true")}); pid != next {
		t.Fatalf("ran as %d, not on the new helper %d", pid, next)
	}
	if _, _, code := c.collect(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestWithTwoHelpersAnExecsHelperIsReplacedOnlyOnceItsExecAnswered(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "max"})
	first := serve.awaitIdleHelper(t)
	second := serve.awaitIdleHelper(t, first)
	busy := dial(t, serve.socket)
	pid := busy.spawn(map[string]interface{}{"argv": serve.execArgv("busy", nil, "/bin/sh", "-c", "read line; echo $line"), "stdin": true})
	if pid != first && pid != second {
		t.Fatalf("ran as %d, not on a helper (%d, %d)", pid, first, second)
	}
	// while it runs, the other helper waits for the next exec and no replacement starts yet: its
	// start would compete with the running exec for the sandbox's CPU
	time.Sleep(300 * time.Millisecond)
	if found := serve.helpers(); len(found) != 2 {
		t.Fatalf("helpers %v while an exec runs on one of two, want that one and the idle one", found)
	}
	busy.send(frameStdin, []byte("done\n"))
	if stdout, _, code := busy.collect(); stdout != "done\n" || code != 0 {
		t.Fatalf("stdout %q, exit %d", stdout, code)
	}
	// once it has answered, its replacement comes
	serve.awaitIdleHelper(t, first, second)
}

func TestASmallPidsLimitKeepsNoHelperAndExecsAreSpawned(t *testing.T) {
	for text, want := range map[string]int{"max\n": 2, "256": 2, "4096\n": 2, "255": 1, "64": 1, "63": 0, "16\n": 0, "junk": 2} {
		path := filepath.Join(t.TempDir(), "pids.max")
		os.WriteFile(path, []byte(text), 0o644)
		if got := helperPoolSize(path); got != want {
			t.Errorf("pids.max %q: %d helpers, want %d", text, got, want)
		}
	}
	if got := helperPoolSize("/no/such/pids.max"); got != 2 {
		t.Errorf("an unreadable limit: %d helpers", got)
	}
	serve := startWarmServe(t, warmOptions{pidsMax: "32"})
	c := dial(t, serve.socket)
	c.spawn(map[string]interface{}{"argv": serve.execArgv("cold", nil, "/bin/sh", "-c", parentCommand)})
	if stdout, _, code := c.collect(); !strings.Contains(stdout, " --id cold ") || code != 0 {
		t.Fatalf("stdout %q, exit %d", stdout, code)
	}
	time.Sleep(100 * time.Millisecond)
	if helpers := serve.helpers(); len(helpers) != 0 {
		t.Fatalf("serve started helpers %v under a pids limit of 32", helpers)
	}
}

func TestAnIdleHelperIsTheAgentToPsAndSignal(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128"})
	helper := serve.awaitIdleHelper(t)
	// a proc root whose helper runs the mounted binary, as it does in a sandbox: its real stat,
	// cmdline and status, its exe the mounted path
	root := t.TempDir()
	dir := filepath.Join(root, strconv.Itoa(helper))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"stat", "cmdline", "status"} {
		if err := os.Symlink(filepath.Join("/proc", strconv.Itoa(helper), name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(MountedPath, filepath.Join(dir, "exe")); err != nil {
		t.Fatal(err)
	}
	list := collectProcesses(root, -1, time.Unix(0, 0), map[int]string{})
	if len(list.Processes) != 1 || !list.Processes[0].Agent || !strings.HasSuffix(list.Processes[0].Command, "stacyvm-agent exec --await") {
		t.Fatalf("ps lists %+v", list.Processes)
	}
	var stderr bytes.Buffer
	if code := signalProcess(root, strconv.Itoa(helper), "KILL", &stderr); code != exitProtected {
		t.Fatalf("signal answered %d: %s", code, stderr.String())
	}
	if gone(helper) {
		t.Fatal("the helper was signalled")
	}
}

func TestNoOtherProcessCanHandAnIdleHelperAnExecOrItsOwnInputOrOutput(t *testing.T) {
	serve := startWarmServe(t, warmOptions{pidsMax: "128"})
	var used []int
	// its pipes a process of the sandbox can open through /proc, or it can stop or end the helper:
	// a helper so tampered with is discarded, and the exec spawned
	for _, tamper := range []struct {
		name string
		do   func(pid int)
	}{
		{"output", func(pid int) { writeInto(t, pid, 1, "forged\n") }},
		{"input", func(pid int) { writeInto(t, pid, 0, "typed\n") }},
		{"stop", func(pid int) { syscall.Kill(pid, syscall.SIGSTOP); awaitState(t, pid, "T") }},
		{"end", func(pid int) { syscall.Kill(pid, syscall.SIGTERM); awaitGone(t, pid, 2*time.Second) }},
	} {
		helper := serve.awaitIdleHelper(t, used...)
		used = append(used, helper)
		// the spec channel is a socket, which /proc/<pid>/fd does not open
		if channel, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/%d", helper, specFd), os.O_WRONLY, 0); err == nil {
			channel.Close()
			t.Fatal("another process opened the helper's spec channel")
		}
		tamper.do(helper)
		c := dial(t, serve.socket)
		pid := c.spawn(map[string]interface{}{"argv": serve.execArgv("clean", nil, "/bin/sh", "-c", "cat; "+parentCommand), "stdin": true})
		c.send(frameStdinClose, nil)
		stdout, _, code := c.collect()
		if pid == helper || strings.Contains(stdout, "forged") || strings.Contains(stdout, "typed") || !strings.Contains(stdout, " --id clean ") || code != 0 {
			t.Fatalf("%s: pid %d (helper %d), stdout %q, exit %d", tamper.name, pid, helper, stdout, code)
		}
		awaitGone(t, helper, 2*time.Second)
	}
}

// awaitState waits until pid is in this state (its stat's letter), at most 2 s.
func awaitState(t *testing.T, pid int, state string) {
	for stop := time.Now().Add(2 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if stat, err := readStat(procRoot, pid); err == nil && stat.state == state {
			return
		}
		if time.Now().After(stop) {
			t.Fatalf("process %d never reached state %s", pid, state)
		}
	}
}

// writeInto writes text into another process's descriptor fd, through /proc.
func writeInto(t *testing.T, pid, fd int, text string) {
	file, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/%d", pid, fd), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, err := file.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
}

func TestAHelperWithoutAUsableSpecExitsQuietly(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(socketDir(t), "stacyvm-agent")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	for name, spec := range map[string]string{"nothing": "", "garbage": "{nope\n", "no args": "{\"env\":[]}\n",
		"a terminal": `{"args":["--timeout","1","--id","x","--pty","--","/bin/true"]}` + "\n"} {
		ours, theirs, err := specChannel()
		if err != nil {
			t.Fatal(err)
		}
		command := exec.Command(link, "exec", "--await")
		command.ExtraFiles = []*os.File{theirs}
		var stdout, stderr bytes.Buffer
		command.Stdout, command.Stderr = &stdout, &stderr
		if err := command.Start(); err != nil {
			t.Fatal(err)
		}
		theirs.Close()
		ours.Write([]byte(spec))
		ours.Close()
		done := make(chan error, 1)
		go func() { done <- command.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			command.Process.Kill()
			<-done
			t.Fatalf("%s: the helper still waits", name)
		}
		if code := command.ProcessState.ExitCode(); code != exitUsage || stdout.Len() != 0 || (name != "a terminal" && stderr.Len() != 0) {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q", name, code, stdout.String(), stderr.String())
		}
	}
}

// TestWarmExecLatency measures, when STACYVM_WARM_MEASURE is set, the p50 of 30 sequential
// spawns of the worker's exec argv for /bin/true through serve, with a helper pool and without one
// (taken in turns, so that both see the same load on the machine), and of /bin/true spawned without
// the agent, the floor under both. STACYVM_WARM_AGENT is the agent
// binary the execs run (the stand-in by default), STACYVM_WARM_GAP a pause before each spawn.
func TestWarmExecLatency(t *testing.T) {
	if os.Getenv("STACYVM_WARM_MEASURE") == "" {
		t.Skip("set STACYVM_WARM_MEASURE to measure")
	}
	gap, _ := time.ParseDuration(os.Getenv("STACYVM_WARM_GAP"))
	warm := startWarmServe(t, warmOptions{pidsMax: "max", agent: os.Getenv("STACYVM_WARM_AGENT")})
	cold := startWarmServe(t, warmOptions{pidsMax: "16", agent: os.Getenv("STACYVM_WARM_AGENT")})
	warm.awaitIdleHelper(t)
	took := map[string][]time.Duration{}
	for i := 0; i < 33; i++ {
		for _, kind := range []string{"exec, a helper pool", "exec, no helper", "/bin/true alone"} {
			serve, argv := warm, warm.execArgv(fmt.Sprintf("m%d", i), nil, "/bin/true")
			if kind != "exec, a helper pool" {
				serve, argv = cold, cold.execArgv(fmt.Sprintf("m%d", i), nil, "/bin/true")
			}
			if kind == "/bin/true alone" {
				argv = []string{"/bin/true"}
			}
			time.Sleep(gap)
			started := time.Now()
			c := dial(t, serve.socket)
			c.spawn(map[string]interface{}{"argv": argv})
			if _, _, code := c.collect(); code != 0 {
				t.Fatalf("exit %d", code)
			}
			if i >= 3 { // the first few warm the caches
				took[kind] = append(took[kind], time.Since(started))
			}
		}
	}
	for _, kind := range []string{"exec, a helper pool", "exec, no helper", "/bin/true alone"} {
		times := took[kind]
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		t.Logf("%s: p50 %v, min %v, max %v over %d spawns, gap %v", kind, times[len(times)/2],
			times[0], times[len(times)-1], len(times), gap)
	}
}
