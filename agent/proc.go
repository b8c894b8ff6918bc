package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procRoot is where the kernel's process table is read; tests point it elsewhere.
const procRoot = "/proc"

// Bounds of one tree kill: rounds of scanning and killing until no descendant is left, so that a
// fork bomb (bounded by the sandbox's pids limit) ends too; a tree still growing after this many
// rounds is left to the worker's next attempt and the sandbox's removal.
const (
	killRounds   = 500
	killDuration = 5 * time.Second
)

// procStat is what one /proc/<pid>/stat line says.
type procStat struct {
	pid       int
	comm      string
	state     string
	ppid      int
	pgrp      int
	tpgid     int // the foreground process group of its controlling terminal, -1 without one
	startTick uint64
	rssPages  int64
}

// parseStat reads a /proc/<pid>/stat line; the command name is in parentheses and may itself
// hold spaces and parentheses, so the fields are counted from its last ')'.
func parseStat(line string) (procStat, error) {
	open := strings.IndexByte(line, '(')
	closing := strings.LastIndexByte(line, ')')
	if open < 0 || closing < open {
		return procStat{}, errors.New("malformed stat line")
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return procStat{}, err
	}
	fields := strings.Fields(line[closing+1:])
	// after the name: state(0) ppid(1) ... starttime(19) vsize(20) rss(21)
	if len(fields) < 22 {
		return procStat{}, errors.New("short stat line")
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return procStat{}, err
	}
	// pgrp(2) session(3) tty_nr(4) tpgid(5)
	pgrp, _ := strconv.Atoi(fields[2])
	tpgid, _ := strconv.Atoi(fields[5])
	start, _ := strconv.ParseUint(fields[19], 10, 64)
	rss, _ := strconv.ParseInt(fields[21], 10, 64)
	return procStat{pid: pid, comm: line[open+1 : closing], state: fields[0], ppid: ppid, pgrp: pgrp, tpgid: tpgid,
		startTick: start, rssPages: rss}, nil
}

// readStat reads one process's stat; an error means it is gone (or never was).
func readStat(root string, pid int) (procStat, error) {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(string(data))
}

// pids lists the numeric entries of the process table.
func pids(root string) []int {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var found []int
	for _, entry := range entries {
		if pid, err := strconv.Atoi(entry.Name()); err == nil && pid > 0 {
			found = append(found, pid)
		}
	}
	return found
}

// parents maps every visible process to its parent.
func parents(root string) map[int]int {
	table := make(map[int]int)
	for _, pid := range pids(root) {
		if stat, err := readStat(root, pid); err == nil {
			table[pid] = stat.ppid
		}
	}
	return table
}

// descendants answers every process below ancestor in the parent table, however deep.
func descendants(table map[int]int, ancestor int) []int {
	children := make(map[int][]int)
	for pid, ppid := range table {
		children[ppid] = append(children[ppid], pid)
	}
	var found []int
	queue := []int{ancestor}
	seen := map[int]bool{ancestor: true}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		for _, child := range children[next] {
			if !seen[child] {
				seen[child] = true
				found = append(found, child)
				queue = append(queue, child)
			}
		}
	}
	return found
}

// killDescendants SIGKILLs every descendant of ancestor and reaps them, in rounds, until a scan
// finds none left alive (bounded by killRounds and killDuration). As a subreaper the ancestor
// inherits whatever a killed process's children become, so a later round finds them. Answers
// whether none is left.
func killDescendants(root string, ancestor int) bool {
	if !subreaper {
		killFrozen(root, ancestor)
	}
	return killInRounds(root, ancestor)
}

// killInRounds is killDescendants' loop, for a caller that has already stopped the tree.
func killInRounds(root string, ancestor int) bool {
	stop := time.Now().Add(killDuration)
	for round := 0; round < killRounds && time.Now().Before(stop); round++ {
		alive := 0
		for _, pid := range descendants(parents(root), ancestor) {
			if stat, err := readStat(root, pid); err == nil && stat.state == "Z" {
				continue // already dead, reaped below
			}
			alive++
			syscall.Kill(pid, syscall.SIGKILL)
		}
		reapChildren(-1)
		if alive == 0 {
			return true
		}
		if round > 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	return false
}

// killFrozen is the tree kill of an agent that is no subreaper, where a killed process's children
// go to the sandbox's init, out of every later scan: it SIGSTOPs every descendant of ancestor,
// scanning again until a scan finds none it has not stopped (a stopped process neither forks nor
// leaves the tree unless another process of the sandbox continues it), then SIGKILLs all of them.
// Bounded by killRounds scans and killDuration. A process that left the tree by a double fork
// before this began is out of its reach (docs/providers.md).
func killFrozen(root string, ancestor int) {
	stopped := map[int]bool{}
	stop := time.Now().Add(killDuration)
	for round := 0; round < killRounds && time.Now().Before(stop); round++ {
		fresh := 0
		for _, pid := range descendants(parents(root), ancestor) {
			if !stopped[pid] {
				stopped[pid] = true
				fresh++
				syscall.Kill(pid, syscall.SIGSTOP)
			}
		}
		if fresh == 0 {
			break
		}
	}
	for pid := range stopped {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// cmdline reads a process's argv; empty for a kernel thread or a process that is gone.
func cmdline(root string, pid int) []string {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "cmdline"))
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(string(bytes.TrimRight(data, "\x00")), "\x00")
}

// MountedPath is where the worker mounts the agent, read-only, in every sandbox.
const MountedPath = "/.stacyvm/bin/stacyvm-agent"

// isAgent says whether an argv is one of this agent's own processes (any subcommand).
func isAgent(argv []string) bool {
	return len(argv) >= 2 && filepath.Base(argv[0]) == "stacyvm-agent" &&
		(argv[1] == "exec" || argv[1] == "kill" || argv[1] == "ps" || argv[1] == "signal" || argv[1] == "wait" || argv[1] == "serve")
}

// runsTheAgent says whether a process runs the mounted agent binary: its executable, which the
// kernel sets and no process can rename, is MountedPath. An argv alone can say anything (a
// program may call itself stacyvm-agent), so every decision that spares or signals a process
// as the agent asks this first.
//
// A sandbox started before the host's copy of the agent was replaced (an upgrade) runs the old
// file, which the kernel then names with " (deleted)": still the mounted agent, since nothing in
// the sandbox can create a file in its read-only mount.
func runsTheAgent(root string, pid int) bool {
	exe, err := os.Readlink(filepath.Join(root, strconv.Itoa(pid), "exe"))
	return (err == nil && (exe == MountedPath || exe == MountedPath+" (deleted)")) || isMainAgent(root, pid)
}

// isMainAgent says whether pid is the sandbox's main process, the agent serving (or waiting) under
// the container's init. Serving, it is non-dumpable, so the sandbox's user cannot read its exe link;
// it is known instead as init's first child: nothing in the sandbox started before it, so no
// process can take its place, whatever it calls itself.
func isMainAgent(root string, pid int) bool {
	stat, err := readStat(root, pid)
	if err != nil || stat.ppid != 1 {
		return false
	}
	argv := cmdline(root, pid)
	if len(argv) < 2 || argv[0] != MountedPath || (argv[1] != "serve" && argv[1] != "wait") {
		return false
	}
	for _, other := range pids(root) {
		if other == pid {
			continue
		}
		sibling, err := readStat(root, other)
		if err == nil && sibling.ppid == 1 &&
			(sibling.startTick < stat.startTick || (sibling.startTick == stat.startTick && other < pid)) {
			return false
		}
	}
	return true
}

// isAgentOf says whether an argv is the agent running the exec with this id: its own flags,
// before the "--" that starts the user's command, name the id.
func isAgentOf(argv []string, id string) bool {
	if len(argv) < 2 || filepath.Base(argv[0]) != "stacyvm-agent" || argv[1] != "exec" {
		return false
	}
	for i := 2; i+1 < len(argv) && argv[i] != "--"; i++ {
		if argv[i] == "--id" && argv[i+1] == id {
			return true
		}
	}
	return false
}

// killExec asks the agent running exec id to kill its whole tree (SIGTERM, which it answers by
// killing every descendant and exiting) and waits, boundedly, until it is gone. Exit 0 when it is
// gone or was never there, so a cancel is idempotent.
func killExec(root string, id string, stdout io.Writer) int {
	gone := func(pid int) bool {
		stat, err := readStat(root, pid)
		return err != nil || stat.state == "Z"
	}
	return terminateAgents(agentsOf(root, id, os.Getpid()), syscall.Kill, gone, stdout)
}

// agentsOf answers the agents running exec id, found by their own flags, never self.
func agentsOf(root string, id string, self int) []int {
	var agents []int
	for _, pid := range pids(root) {
		if pid != self && runsTheAgent(root, pid) && isAgentOf(cmdline(root, pid), id) {
			agents = append(agents, pid)
		}
	}
	return agents
}

// terminateAgents is killExec once the exec's agents are known: each gets SIGTERM through send,
// and the answer waits, at most killDuration and a second in all, until gone says each is gone
// (serve, answering for its own warm helpers, sends and waits through its reaper). Prints
// {"signalled":N}, N the agents; exit 0.
func terminateAgents(agents []int, send func(int, syscall.Signal) error, gone func(int) bool, stdout io.Writer) int {
	for _, pid := range agents {
		send(pid, syscall.SIGTERM)
		// an agent its command stopped (same user) takes the SIGTERM once continued
		send(pid, syscall.SIGCONT)
	}
	stop := time.Now().Add(killDuration + time.Second)
	for _, pid := range agents {
		for time.Now().Before(stop) && !gone(pid) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	fmt.Fprintf(stdout, "{\"signalled\":%d}\n", len(agents))
	return 0
}

// signalExec sends a signal to what an exec runs, as a terminal would: on a terminal (--pty) to
// the terminal's foreground process group when a shell's job holds it, else to the command (its
// process group when it has one of its own, as every exec without a terminal does). The agent itself is never signalled, so the exec still ends
// with the command's status. Exit 0 printing {"signalled":N}, N the groups signalled (0 when the
// exec is not there or has no command left); 2 for an unknown signal.
func signalExec(root string, id string, signalText string, stdout, stderr io.Writer) int {
	return signalExecFrom(root, id, signalText, stdout, stderr, os.Getpid())
}

// signalExecFrom is signalExec as the process self, which is never taken for the exec's agent.
func signalExecFrom(root string, id string, signalText string, stdout, stderr io.Writer, self int) int {
	if _, ok := parseSignal(signalText); !ok {
		fmt.Fprintf(stderr, "unknown signal %q\n", signalText)
		return exitUsage
	}
	return signalAgents(root, agentsOf(root, id, self), signalText, stdout, stderr)
}

// signalAgents is signalExec once the exec's agents are known (serve knows its warm helpers'
// without a scan): the signal reaches what each agent runs, never the agent.
func signalAgents(root string, agents []int, signalText string, stdout, stderr io.Writer) int {
	sig, ok := parseSignal(signalText)
	if !ok {
		fmt.Fprintf(stderr, "unknown signal %q\n", signalText)
		return exitUsage
	}
	signalled := 0
	table := parents(root)
	for _, pid := range agents {
		agent, err := readStat(root, pid)
		if err != nil {
			continue
		}
		if agent.tpgid > 0 && agent.tpgid != agent.pgrp {
			if syscall.Kill(-agent.tpgid, sig) == nil {
				signalled++
			}
			continue
		}
		// no terminal, or the command in the agent's own group: the command's group, or the
		// command alone when it shares the agent's group
		for child, parent := range table {
			if parent != pid {
				continue
			}
			stat, err := readStat(root, child)
			if err != nil {
				continue
			}
			target := child
			if stat.pgrp == child {
				target = -child
			}
			if syscall.Kill(target, sig) == nil {
				signalled++
			}
		}
	}
	fmt.Fprintf(stdout, "{\"signalled\":%d}\n", signalled)
	return 0
}

// signalNames are the signals a user may send through the API.
var signalNames = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT, "KILL": syscall.SIGKILL,
	"USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "TERM": syscall.SIGTERM, "CONT": syscall.SIGCONT,
	"STOP": syscall.SIGSTOP,
}

// parseSignal accepts a name (TERM, SIGTERM, any case) or the number of one of signalNames.
func parseSignal(text string) (syscall.Signal, bool) {
	name := strings.TrimPrefix(strings.ToUpper(text), "SIG")
	if signal, ok := signalNames[name]; ok {
		return signal, true
	}
	if number, err := strconv.Atoi(text); err == nil {
		for _, signal := range signalNames {
			if int(signal) == number {
				return signal, true
			}
		}
	}
	return 0, false
}

// signalProcess sends a signal to one process of the sandbox. It refuses pid 1 (the sandbox's
// init: killing it ends the sandbox) and the agent's own processes (exit 4), answers 3 for a
// process that is not there and 5 when the kernel refuses.
func signalProcess(root, pidText, signalText string, stderr io.Writer) int {
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		fmt.Fprintf(stderr, "not a process id: %q\n", pidText)
		return exitUsage
	}
	signal, ok := parseSignal(signalText)
	if !ok {
		fmt.Fprintf(stderr, "unknown signal %q\n", signalText)
		return exitUsage
	}
	if pid == 1 {
		fmt.Fprintln(stderr, "process 1 is the sandbox's init; it is not signalled")
		return exitProtected
	}
	stat, err := readStat(root, pid)
	if err != nil || stat.state == "Z" {
		fmt.Fprintf(stderr, "no process %d\n", pid)
		return exitNotFound
	}
	if pid == os.Getpid() || (runsTheAgent(root, pid) && isAgent(cmdline(root, pid))) {
		fmt.Fprintf(stderr, "process %d is the sandbox agent; it is not signalled\n", pid)
		return exitProtected
	}
	if err := syscall.Kill(pid, signal); err != nil {
		if err == syscall.ESRCH {
			fmt.Fprintf(stderr, "no process %d\n", pid)
			return exitNotFound
		}
		fmt.Fprintf(stderr, "process %d: %v\n", pid, err)
		return exitDenied
	}
	return 0
}
