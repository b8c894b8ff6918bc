package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

func TestParseExecArgsReadsTimeoutIdAndCommand(t *testing.T) {
	options, err := parseExecArgs([]string{"--timeout", "1.5", "--id", "abc", "--", "sh", "-c", "echo --id x"})
	if err != nil {
		t.Fatal(err)
	}
	if options.timeout != 1500*time.Millisecond || options.id != "abc" || len(options.argv) != 3 {
		t.Fatalf("unexpected options %+v", options)
	}
	for _, bad := range [][]string{{"--timeout", "0", "--id", "a", "--", "x"}, {"--id", "a", "--", "x"},
		{"--timeout", "1", "--id", "a"}, {"--timeout", "1", "--id", "a", "--"}, {"--bogus"}} {
		if _, err := parseExecArgs(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}

func TestParseStatCountsFieldsFromTheLastParenthesis(t *testing.T) {
	line := "42 (a) (b c)) S 7 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12345 1000 33 18446744073709551615"
	stat, err := parseStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if stat.pid != 42 || stat.comm != "a) (b c)" || stat.state != "S" || stat.ppid != 7 || stat.startTick != 12345 || stat.rssPages != 33 {
		t.Fatalf("unexpected %+v", stat)
	}
}

func TestDescendantsFollowEveryGeneration(t *testing.T) {
	table := map[int]int{10: 1, 11: 10, 12: 11, 13: 12, 20: 1, 21: 20}
	found := descendants(table, 10)
	if len(found) != 3 {
		t.Fatalf("expected 11, 12, 13, got %v", found)
	}
}

func TestTheAgentOfAnExecIsFoundByItsOwnFlagsOnly(t *testing.T) {
	agent := []string{"/.stacyvm/bin/stacyvm-agent", "exec", "--timeout", "5", "--id", "e1", "--", "sh"}
	if !isAgentOf(agent, "e1") || isAgentOf(agent, "e2") {
		t.Fatal("the exec's agent is found by its id")
	}
	// an id that only the user's command names does not count
	faked := []string{"/.stacyvm/bin/stacyvm-agent", "exec", "--timeout", "5", "--id", "e1", "--", "x", "--id", "e3"}
	if isAgentOf(faked, "e3") {
		t.Fatal("a user's argv after -- was taken for the agent's flags")
	}
	if isAgentOf([]string{"sh", "-c", "stacyvm-agent exec --id e1"}, "e1") {
		t.Fatal("a shell naming the agent is not the agent")
	}
}

func TestSignalsAreParsedByNameOrNumber(t *testing.T) {
	for text, want := range map[string]syscall.Signal{"TERM": syscall.SIGTERM, "sigkill": syscall.SIGKILL, "9": syscall.SIGKILL} {
		if got, ok := parseSignal(text); !ok || got != want {
			t.Errorf("%s: got %v", text, got)
		}
	}
	if _, ok := parseSignal("SEGV"); ok {
		t.Error("SEGV is not offered")
	}
}

func TestSignalRefusesPidOneAndAnUnknownPid(t *testing.T) {
	var stderr bytes.Buffer
	if code := signalProcess(procRoot, "1", "KILL", &stderr); code != exitProtected {
		t.Fatalf("pid 1: %d", code)
	}
	if code := signalProcess(procRoot, "999999999", "KILL", &stderr); code != exitNotFound {
		t.Fatalf("unknown pid: %d", code)
	}
}

// alive says whether any process whose argv holds marker is still running (zombies count as gone).
func alive(marker string) bool {
	for _, pid := range pids(procRoot) {
		if strings.Contains(strings.Join(cmdline(procRoot, pid), " "), marker) {
			if stat, err := readStat(procRoot, pid); err == nil && stat.state != "Z" {
				return true
			}
		}
	}
	return false
}

func TestATimedOutExecLeavesNoEscapedDescendantBehind(t *testing.T) {
	marker := "3" + strconv.Itoa(os.Getpid()%1000+100) // a sleep length no other test uses
	script := "setsid sh -c 'exec env -i sleep " + marker + "' & (sh -c 'sleep " + marker + ".5 &') ; echo started; sleep 60"
	var stdout, stderr bytes.Buffer
	started := time.Now()
	code := runExec(execOptions{timeout: 500 * time.Millisecond, id: "t", argv: []string{"/bin/sh", "-c", script}}, &stdout, &stderr)
	if code != exitTimedOut {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if time.Since(started) > 5*time.Second {
		t.Fatalf("the timeout took %v", time.Since(started))
	}
	if stdout.String() != "started\n" {
		t.Fatalf("output %q", stdout.String())
	}
	if alive("sleep " + marker) {
		t.Fatal("an escaped descendant outlived the timeout")
	}
}

// prGetChildSubreaper is prctl's PR_GET_CHILD_SUBREAPER.
const prGetChildSubreaper = 37

func TestWithoutASubreaperATimeoutStopsTheWholeTreeBeforeKillingItSoNoOrphanEscapes(t *testing.T) {
	// gVisor's kernel has no PR_SET_CHILD_SUBREAPER: the test process gives the role up to stand for it
	var was int32
	syscall.RawSyscall(syscall.SYS_PRCTL, prGetChildSubreaper, uintptr(unsafe.Pointer(&was)), 0)
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0)
	subreaper = false
	defer func() {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, uintptr(was), 0)
		subreaper = true
	}()
	marker := "5" + strconv.Itoa(os.Getpid()%1000+100)
	// the group kill alone would orphan the setsid child, which then leaves the tree for good
	command := exec.Command("/bin/sh", "-c", "setsid sh -c 'sleep "+marker+"1; true' & sleep "+marker+"2")
	command.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	for wait := 0; wait < 200 && !(alive("sleep "+marker+"1") && alive("sleep "+marker+"2")); wait++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !alive("sleep " + marker + "1") {
		t.Fatal("the setsid child never started")
	}
	killTree(command.Process.Pid)
	command.Wait()
	for wait := 0; wait < 100 && alive("sleep "+marker+"1"); wait++ {
		time.Sleep(10 * time.Millisecond) // killed: its new parent reaps it
	}
	if alive("sleep "+marker+"1") || alive("sleep "+marker+"2") {
		t.Fatal("a process of the tree outlived the kill")
	}
}

func TestAFinishedExecAnswersAtOnceAndLeavesItsBackgroundRunning(t *testing.T) {
	marker := "4" + strconv.Itoa(os.Getpid()%1000+100)
	var stdout, stderr bytes.Buffer
	started := time.Now()
	code := runExec(execOptions{timeout: 10 * time.Second, id: "b", argv: []string{"/bin/sh", "-c", "sleep " + marker + " & echo bg; exit 3"}}, &stdout, &stderr)
	took := time.Since(started)
	if code != 3 || stdout.String() != "bg\n" {
		t.Fatalf("exit %d, output %q", code, stdout.String())
	}
	if took > 2*time.Second {
		t.Fatalf("the background process held the answer for %v", took)
	}
	if !alive("sleep " + marker) {
		t.Fatal("the background process was killed")
	}
	// the test's own leftover: ended here so the test run leaves nothing behind
	for _, pid := range pids(procRoot) {
		if strings.Join(cmdline(procRoot, pid), " ") == "sleep "+marker {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	reapChildren(-1)
}

func TestACommandThatIsNotThereAnswers127(t *testing.T) {
	var stdout, stderr bytes.Buffer
	t.Setenv("PATH", "/nonexistent")
	if code := runExec(execOptions{timeout: time.Second, id: "n", argv: []string{"no-such-command"}}, &stdout, &stderr); code != exitCannotRun {
		t.Fatalf("exit %d", code)
	}
	// an absolute command runs whatever PATH says
	if code := runExec(execOptions{timeout: time.Second, id: "p", argv: []string{"/bin/sh", "-c", "echo ok"}}, &stdout, &stderr); code != 0 || stdout.String() != "ok\n" {
		t.Fatalf("exit %d, output %q", code, stdout.String())
	}
}

func TestAWorkdirThatCannotBeEnteredAnswers125WithOneMarkedLineAndRunsNothing(t *testing.T) {
	file := t.TempDir() + "/file"
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	marker := t.TempDir() + "/ran"
	for dir, reason := range map[string]string{"/no/such/dir": "does not exist", file: "is not a directory"} {
		var stdout, stderr bytes.Buffer
		code := runExec(execOptions{timeout: time.Second, id: "w", workdir: dir,
			argv: []string{"/bin/sh", "-c", "touch " + marker}}, &stdout, &stderr)
		if code != exitWorkdir || stdout.Len() != 0 || stderr.String() != WorkdirMark+dir+" "+reason+"\n" {
			t.Fatalf("%s: code %d, stdout %q, stderr %q", dir, code, stdout.String(), stderr.String())
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s: the command ran", dir)
		}
	}
	var stderr bytes.Buffer
	if wd, err := os.Getwd(); err == nil {
		defer os.Chdir(wd)
	}
	if code := checkWorkdir(t.TempDir(), &stderr); code != 0 {
		t.Fatalf("an existing directory: %d %q", code, stderr.String())
	}
}

// threads counts this process's OS threads.
func threads(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// blockInWrites parks `count` goroutines in blocking write(2) calls on full pipes for `hold`,
// the way the relays block on a slow reader, and answers the most threads seen meanwhile.
func blockInWrites(t *testing.T, count int, hold time.Duration) int {
	var fds [][2]int
	for i := 0; i < count; i++ {
		var pair [2]int
		if err := syscall.Pipe(pair[:]); err != nil {
			t.Fatal(err)
		}
		fds = append(fds, pair)
	}
	done := make(chan struct{}, count)
	for _, pair := range fds {
		go func(writeFd int) {
			chunk := make([]byte, 1<<20) // larger than a pipe's buffer: the write blocks
			syscall.Write(writeFd, chunk)
			done <- struct{}{}
		}(pair[1])
	}
	most := 0
	for stop := time.Now().Add(hold); time.Now().Before(stop); time.Sleep(5 * time.Millisecond) {
		if n := threads(t); n > most {
			most = n
		}
	}
	for _, pair := range fds {
		syscall.Close(pair[0]) // the blocked writes fail with EPIPE and return
	}
	for range fds {
		<-done
	}
	for _, pair := range fds {
		syscall.Close(pair[1])
	}
	return most
}

func TestReservedThreadsServeEveryBlockingCallSoNoneIsCreatedWhilePidsMayBeExhausted(t *testing.T) {
	previous := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(previous)
	reserveThreads(reservedThreads)
	reserved := threads(t)
	if reserved < reservedThreads {
		t.Fatalf("expected at least %d threads after reserving, found %d", reservedThreads, reserved)
	}
	// the relays and the main loop: three goroutines blocked in syscalls at once
	if most := blockInWrites(t, 3, 200*time.Millisecond); most > reserved {
		t.Fatalf("the runtime created threads after the reservation: %d, then %d", reserved, most)
	}
}

// TestHelperAgent runs the agent itself when a test starts this test binary with
// STACYVM_AGENT_ARGS set (a real process, so that real signals reach it); otherwise it does nothing.
func TestHelperAgent(t *testing.T) {
	args := os.Getenv("STACYVM_AGENT_ARGS")
	if args == "" {
		return
	}
	os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
}

func TestTheKeepAliveSaysItStartedIgnoresAHangUpAndEndsCleanlyOnTerm(t *testing.T) {
	agent := exec.Command(os.Args[0], "-test.run=^TestHelperAgent$")
	agent.Env = append(os.Environ(), "STACYVM_AGENT_ARGS=wait")
	out, err := agent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	defer agent.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != StartedLine+"\n" {
		t.Fatalf("expected the started line, got %q (%v)", line, err)
	}
	ended := make(chan error, 1)
	go func() { ended <- agent.Wait() }()
	agent.Process.Signal(syscall.SIGHUP)
	select {
	case err := <-ended:
		t.Fatalf("a hang-up ended the keep-alive: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	agent.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("expected exit 0 on SIGTERM, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the keep-alive did not end on SIGTERM")
	}
}

func TestOnlyAProcessRunningTheMountedBinaryCountsAsTheAgentWhateverItsArgvSays(t *testing.T) {
	root := t.TempDir()
	for pid, exe := range map[string]string{"10": "/usr/bin/python3", "11": MountedPath,
		"13": MountedPath + " (deleted)", "14": "/tmp/stacyvm-agent (deleted)"} {
		if err := os.MkdirAll(root+"/"+pid, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(exe, root+"/"+pid+"/exe"); err != nil {
			t.Fatal(err)
		}
	}
	if runsTheAgent(root, 10) {
		t.Fatal("a program calling itself stacyvm-agent is not the agent")
	}
	if !runsTheAgent(root, 11) {
		t.Fatal("the mounted binary is the agent")
	}
	if runsTheAgent(root, 12) {
		t.Fatal("a process that is gone is not the agent")
	}
	if !runsTheAgent(root, 13) {
		t.Fatal("the mounted binary, replaced on the host since the sandbox started, is still the agent")
	}
	if runsTheAgent(root, 14) {
		t.Fatal("another deleted file is not the agent")
	}
}

func TestASignalForAnExecReachesItsCommandsGroupAndNeverTheAgent(t *testing.T) {
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		t.Skip("needs /proc")
	}
	// the agent's own process stands in for the exec's agent: a fake proc root links to the real
	// entries, so the command it starts is found as a child of "the agent"
	command := exec.Command("sleep", "30")
	command.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	defer command.Process.Kill()
	root := t.TempDir()
	self := os.Getpid()
	for _, pid := range []int{self, command.Process.Pid} {
		dir := filepath.Join(root, strconv.Itoa(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"stat", "cmdline"} {
			if err := os.Symlink(filepath.Join("/proc", strconv.Itoa(pid), name), filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// only the stand-in agent runs "the mounted binary", with the exec's id in its flags, and it
	// has no terminal (tpgid -1), whatever terminal the test itself runs on
	for _, name := range []string{"cmdline", "stat"} {
		if err := os.Remove(filepath.Join(root, strconv.Itoa(self), name)); err != nil {
			t.Fatal(err)
		}
	}
	stat := fmt.Sprintf("%d (stacyvm-agent) S 1 %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 10", self, self, self)
	if err := os.WriteFile(filepath.Join(root, strconv.Itoa(self), "stat"), []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	argv := strings.Join([]string{MountedPath, "exec", "--timeout", "5", "--id", "exec-7", "--", "sleep", "30"}, "\x00")
	if err := os.WriteFile(filepath.Join(root, strconv.Itoa(self), "cmdline"), []byte(argv), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(MountedPath, filepath.Join(root, strconv.Itoa(self), "exe")); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	// signalExec skips its own pid (the real agent never signals itself): run it as if from elsewhere
	if code := signalExecFrom(root, "exec-7", "INT", &out, &errs, -1); code != 0 || !strings.Contains(out.String(), `"signalled":1`) {
		t.Fatalf("exit %d, out %q, err %q", code, out.String(), errs.String())
	}
	done := make(chan error, 1)
	go func() { done <- command.Wait() }()
	select {
	case err := <-done:
		if status, ok := err.(*exec.ExitError); !ok || status.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
			t.Fatalf("the command should end by SIGINT, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the command did not get the signal")
	}
	var none bytes.Buffer
	if code := signalExecFrom(root, "exec-8", "INT", &none, &errs, -1); code != 0 || !strings.Contains(none.String(), `"signalled":0`) {
		t.Fatalf("another exec's id signals nothing: exit %d, %q", code, none.String())
	}
	if code := signalExecFrom(root, "exec-7", "NOPE", &none, &errs, -1); code != exitUsage {
		t.Fatalf("an unknown signal is a usage error, got %d", code)
	}
}

// fakeProcess writes what isMainAgent reads of a process: its stat line and its cmdline.
func fakeProcess(t *testing.T, root string, pid, ppid int, startTick int, argv ...string) {
	dir := fmt.Sprintf("%s/%d", root, pid)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stat := fmt.Sprintf("%d (x) S %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 1000 10", pid, ppid, pid, pid, startTick)
	if err := os.WriteFile(dir+"/stat", []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/cmdline", []byte(strings.Join(argv, "\x00")+"\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTheServingAgentIsKnownAsInitsFirstChildThoughItsExeCannotBeRead(t *testing.T) {
	root := t.TempDir()
	fakeProcess(t, root, 1, 0, 100, "/sbin/docker-init", "--", MountedPath, "serve")
	fakeProcess(t, root, 7, 1, 101, MountedPath, "serve", "--socket", "/.stacyvm/run/agent.sock")
	// a user's orphan, re-parented to init, that calls itself the agent: it started later
	fakeProcess(t, root, 40, 1, 500, MountedPath, "serve")
	// a user's process elsewhere in the tree with the same name
	fakeProcess(t, root, 41, 40, 501, MountedPath, "wait")
	if !runsTheAgent(root, 7) {
		t.Fatal("init's first child, the serving agent, is the agent")
	}
	for _, pid := range []int{40, 41} {
		if runsTheAgent(root, pid) {
			t.Fatalf("process %d only calls itself the agent", pid)
		}
	}
	var stderr bytes.Buffer
	if code := signalProcess(root, "7", "KILL", &stderr); code != exitProtected {
		t.Fatalf("signalling the serving agent answered %d, not %d: %s", code, exitProtected, stderr.String())
	}
}
