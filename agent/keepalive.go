package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// StartedLine is the first line of every sandbox's log: the keep-alive is up.
const StartedLine = "stacyvm: sandbox started"

// waitForStop is `stacyvm-agent wait`, every sandbox's main process (under the engine's init):
// it says the sandbox started and waits until SIGTERM or SIGINT, then exits 0. Being the
// agent, which the worker mounts read-only, it means no program of the image runs before the
// worker's first exec, after the sandbox's egress rules are in force; and an image needs no
// shell to run. SIGHUP is ignored: a hang-up must not end the sandbox.
func waitForStop(stdout io.Writer) int {
	stops := make(chan os.Signal, 1)
	signal.Notify(stops, syscall.SIGTERM, syscall.SIGINT)
	signal.Ignore(syscall.SIGHUP)
	fmt.Fprintln(stdout, StartedLine)
	<-stops
	return 0
}
