// Command stacyvm-agent runs inside every StacyVM sandbox, bind-mounted read-only at
// /.stacyvm/bin/stacyvm-agent. The worker runs every exec through it, so that whatever the
// service adds around a command depends neither on the image's tools nor on the user's PATH or
// environment. See README.md for the subcommands and their exit statuses.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

// Exit statuses of the agent's own failures; a command's status is passed through unchanged.
const (
	exitUsage     = 2   // bad arguments
	exitNotFound  = 3   // signal: no such process
	exitProtected = 4   // signal: pid 1 or one of the agent's own processes
	exitDenied    = 5   // signal: the kernel refused (another user's process)
	exitTimedOut  = 124 // exec: the command outlived its timeout and was killed, with all it started
	exitWorkdir   = 125 // exec, workdir: the working directory is missing, not a directory or not enterable
	exitCannotRun = 127 // exec: the command could not be started (not found, not executable)
)

func main() {
	// one P whatever the host's CPU count (Go 1.19 does not read the sandbox's CPU limit): the
	// agent does little, and each thread it runs is one of the sandbox's pids (see reserveThreads)
	runtime.GOMAXPROCS(1)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "exec":
		if len(args) == 2 && args[1] == "--await" {
			return awaitExec(stdout, stderr)
		}
		options, err := parseExecArgs(args[1:])
		if err != nil {
			fmt.Fprintf(stderr, "stacyvm-agent exec: %v\n%s\n", err, usage)
			return exitUsage
		}
		return runExec(options, stdout, stderr)
	case "kill":
		if len(args) == 5 && args[1] == "--id" && args[2] != "" && args[3] == "--signal" {
			return signalExec(procRoot, args[2], args[4], stdout, stderr)
		}
		if len(args) != 3 || args[1] != "--id" || args[2] == "" {
			fmt.Fprintln(stderr, usage)
			return exitUsage
		}
		return killExec(procRoot, args[2], stdout)
	case "workdir":
		if len(args) != 2 || args[1] == "" {
			fmt.Fprintln(stderr, usage)
			return exitUsage
		}
		return checkWorkdir(args[1], stderr)
	case "wait":
		if len(args) != 1 {
			fmt.Fprintln(stderr, usage)
			return exitUsage
		}
		return waitForStop(stdout)
	case "serve":
		options, err := parseServeArgs(args[1:])
		if err != nil {
			fmt.Fprintf(stderr, "stacyvm-agent serve: %v\n%s\n", err, usage)
			return exitUsage
		}
		return runServe(options, stdout, stderr)
	case "init":
		if len(args) != 1 {
			fmt.Fprintln(stderr, usage)
			return exitUsage
		}
		return runInit(stderr)
	case "vmlink":
		options, err := parseVMLinkArgs(args[1:])
		if err != nil {
			fmt.Fprintf(stderr, "stacyvm-agent vmlink: %v\n%s\n", err, usage)
			return exitUsage
		}
		return runVMLink(options, os.Stdin, stdout, stderr)
	case "ps":
		return listProcesses(procRoot, stdout, stderr)
	case "files":
		return runFiles(args[1:], os.Stdin, stdout, stderr)
	case "signal":
		if len(args) != 3 {
			fmt.Fprintln(stderr, usage)
			return exitUsage
		}
		return signalProcess(procRoot, args[1], args[2], stderr)
	default:
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
}

const usage = `usage:
  stacyvm-agent exec --timeout <seconds> --id <exec id> [--workdir <dir>] [--pty] -- <argv...>
  stacyvm-agent exec --await   (serve's warm helper: the exec's arguments come on fd 3)
  stacyvm-agent workdir <dir>
  stacyvm-agent kill --id <exec id> [--signal <signal>]
  stacyvm-agent wait
  stacyvm-agent serve --socket <path> (--token-file <path> | --token-fd <n>)
  stacyvm-agent init   (a microVM guest's PID 1: docs/providers.md "microvm")
  stacyvm-agent vmlink --serial <path> --listen <path|-> [--identity-stdin] [--ready-timeout <seconds>] [--console <path> --console-log <file> [--console-max-bytes <n>]]
  stacyvm-agent ps
  stacyvm-agent signal <pid> <signal>
  stacyvm-agent files <read-check|read|stat|list|find|archive-check|archive-read|archive-write> <path>
  stacyvm-agent files <write|chmod> <path> <mode>
  stacyvm-agent files delete <path> <true|false>
  stacyvm-agent files move <old path> <new path>`
