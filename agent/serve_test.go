package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
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

// testToken is the token of the servers the tests run.
const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// workerNonce is the tests' worker's nonce.
const workerNonce = "3f1e9b2c4d5a69788796a5b4c3d2e1f0"

// socketDir answers a fresh directory with a short path: a Unix socket's path is at most 107
// bytes, and t.TempDir() names its directory after the (long) test name.
func socketDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "stacyvm-serve")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startServer serves testToken on a fresh socket in this process until the test ends.
func startServer(t *testing.T) string {
	path := filepath.Join(socketDir(t), "agent.sock")
	listener, err := listenSocket(path)
	if err != nil {
		t.Fatal(err)
	}
	go newServer([]byte(testToken)).serve(listener)
	t.Cleanup(func() { listener.Close() })
	return path
}

// testClient plays the worker on one connection.
type testClient struct {
	t     *testing.T
	conn  *net.UnixConn
	in    *bufio.Reader
	nonce string // the agent's, from HELLO
}

// dial connects and reads HELLO. Every read and write of the connection must end within 5 s.
func dial(t *testing.T, path string) *testClient {
	c := connect(t, path)
	kind, payload := c.next()
	var hello helloMessage
	if kind != frameHello || json.Unmarshal(payload, &hello) != nil || hello.Version != 1 {
		t.Fatalf("expected HELLO, got 0x%02x %s", kind, payload)
	}
	if len(hello.Nonce) != 32 || !isHex(hello.Nonce) {
		t.Fatalf("the nonce is not 16 bytes as hex: %q", hello.Nonce)
	}
	c.nonce = hello.Nonce
	return c
}

// connect connects without reading anything.
func connect(t *testing.T, path string) *testClient {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &testClient{t: t, conn: conn, in: bufio.NewReader(conn)}
}

func (c *testClient) send(kind byte, payload []byte) {
	frame := make([]byte, frameHeaderSize+len(payload))
	putFrameHeader(frame, kind, len(payload))
	copy(frame[frameHeaderSize:], payload)
	if _, err := c.conn.Write(frame); err != nil {
		c.t.Fatal(err)
	}
}

func (c *testClient) sendJSON(kind byte, value interface{}) {
	payload, err := json.Marshal(value)
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(kind, payload)
}

// next reads one frame.
func (c *testClient) next() (byte, []byte) {
	kind, payload, err := readFrame(c.in)
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	return kind, payload
}

// closed says whether the agent closed the connection (nothing more to read).
func (c *testClient) closed() bool {
	_, _, err := readFrame(c.in)
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// proofFor is the worker's proof for an agent's nonce under a token.
func proofFor(token, nonce string) string {
	return hex.EncodeToString(mac([]byte(token), workerProofLabel, nonce))
}

// request sends a REQUEST: a spawn with the right proof unless fields say otherwise.
func (c *testClient) request(fields map[string]interface{}) {
	request := map[string]interface{}{"op": "spawn", "proof": proofFor(testToken, c.nonce), "nonce": workerNonce}
	for name, value := range fields {
		if value == nil {
			delete(request, name)
		} else {
			request[name] = value
		}
	}
	c.sendJSON(frameRequest, request)
}

// spawn requests a spawn and answers the pid ACCEPTED names, after checking the agent's proof.
func (c *testClient) spawn(fields map[string]interface{}) int {
	c.request(fields)
	kind, payload := c.next()
	var accepted acceptedMessage
	if kind != frameAccepted || json.Unmarshal(payload, &accepted) != nil {
		c.t.Fatalf("expected ACCEPTED, got 0x%02x %s", kind, payload)
	}
	want := hex.EncodeToString(mac([]byte(testToken), agentProofLabel, workerNonce))
	if !hmac.Equal([]byte(accepted.Proof), []byte(want)) {
		c.t.Fatalf("the agent's proof %q is not %q", accepted.Proof, want)
	}
	if accepted.Pid <= 0 {
		c.t.Fatalf("no pid: %s", payload)
	}
	return accepted.Pid
}

// expectError reads an ERROR of this code, then the end of the connection; answers its message.
func (c *testClient) expectError(code string) string {
	kind, payload := c.next()
	var message errorMessage
	if kind != frameError || json.Unmarshal(payload, &message) != nil || message.Code != code {
		c.t.Fatalf("expected ERROR %s, got 0x%02x %s", code, kind, payload)
	}
	if !c.closed() {
		c.t.Fatal("the connection stayed open after ERROR")
	}
	return message.Message
}

// readUntil reads output until stdout holds text; answers stdout so far.
func (c *testClient) readUntil(stdout *strings.Builder, text string) {
	for !strings.Contains(stdout.String(), text) {
		kind, payload := c.next()
		if kind != frameStdout {
			c.t.Fatalf("expected STDOUT holding %q, got 0x%02x %q (stdout so far %q)", text, kind, payload, stdout.String())
		}
		stdout.Write(payload)
	}
}

// collect reads output until EXIT, then checks the connection ends.
func (c *testClient) collect() (string, string, int) {
	var stdout, stderr bytes.Buffer
	for {
		kind, payload := c.next()
		switch kind {
		case frameStdout:
			stdout.Write(payload)
		case frameStderr:
			stderr.Write(payload)
		case frameExit:
			var exit struct {
				ExitCode *int `json:"exit_code"`
			}
			if json.Unmarshal(payload, &exit) != nil || exit.ExitCode == nil {
				c.t.Fatalf("malformed EXIT %s", payload)
			}
			if !c.closed() {
				c.t.Fatal("the connection stayed open after EXIT")
			}
			return stdout.String(), stderr.String(), *exit.ExitCode
		default:
			c.t.Fatalf("unexpected frame 0x%02x %s", kind, payload)
		}
	}
}

// gone says whether a process has ended (a zombie counts as ended).
func gone(pid int) bool {
	stat, err := readStat(procRoot, pid)
	return err != nil || stat.state == "Z"
}

// awaitGone waits until pid has ended, at most limit.
func awaitGone(t *testing.T, pid int, limit time.Duration) {
	for stop := time.Now().Add(limit); !gone(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(stop) {
			t.Fatalf("process %d still runs after %v", pid, limit)
		}
	}
}

// killMarked kills every process whose argv is exactly command (a test's leftover) and reaps it
// when it became this process's child.
func killMarked(command string) {
	for _, pid := range pids(procRoot) {
		if strings.Join(cmdline(procRoot, pid), " ") == command {
			syscall.Kill(pid, syscall.SIGKILL)
			syscall.Wait4(pid, nil, 0, nil)
		}
	}
}

// uniqueSleep is a sleep length no other test uses, so that its process can be found.
func uniqueSleep(prefix int) string {
	return strconv.Itoa(prefix) + strconv.Itoa(os.Getpid()%1000+100)
}

func TestServeRunsAProcessAndRelaysItsOutputAndExitCode(t *testing.T) {
	path := startServer(t)
	c := dial(t, path)
	c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}})
	stdout, stderr, code := c.collect()
	if stdout != "out\n" || stderr != "err\n" || code != 3 {
		t.Fatalf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
	// a large output comes in frames of at most 32 KiB, all of it before EXIT
	c = dial(t, path)
	c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "head -c 200000 /dev/zero"}})
	total := 0
	for {
		kind, payload := c.next()
		if kind == frameExit {
			break
		}
		if kind != frameStdout || len(payload) > maxOutputChunk {
			t.Fatalf("frame 0x%02x of %d bytes", kind, len(payload))
		}
		total += len(payload)
	}
	if total != 200000 {
		t.Fatalf("relayed %d bytes", total)
	}
}

func TestServeRelaysStdinUntilTheWorkerClosesIt(t *testing.T) {
	path := startServer(t)
	c := dial(t, path)
	c.spawn(map[string]interface{}{"argv": []string{"cat"}, "stdin": true})
	c.send(frameStdin, []byte("hello "))
	c.send(frameStdin, []byte("world"))
	c.send(frameStdinClose, nil)
	stdout, stderr, code := c.collect()
	if stdout != "hello world" || stderr != "" || code != 0 {
		t.Fatalf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
	// without "stdin" the process reads /dev/null
	c = dial(t, path)
	c.spawn(map[string]interface{}{"argv": []string{"cat"}})
	if stdout, _, code := c.collect(); stdout != "" || code != 0 {
		t.Fatalf("stdout %q, exit %d", stdout, code)
	}
}

func TestServeAppliesTheRequestsEnvAndWorkdir(t *testing.T) {
	path := startServer(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tool"), []byte("#!/bin/sh\necho \"tool $STACYVM_T\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// a name is looked up on the PATH the request's env makes; a later entry wins
	c := dial(t, path)
	c.spawn(map[string]interface{}{"argv": []string{"tool"},
		"env": []string{"PATH=" + dir + ":/usr/bin:/bin", "STACYVM_T=first", "STACYVM_T=second"}})
	if stdout, stderr, code := c.collect(); stdout != "tool second\n" || code != 0 {
		t.Fatalf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
	c = dial(t, path)
	c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "pwd; echo $HOME; echo ${PATH:+has a path}"},
		"env": []string{"HOME=/elsewhere"}, "workdir": dir})
	resolved, _ := filepath.EvalSymlinks(dir)
	if stdout, _, _ := c.collect(); stdout != resolved+"\n/elsewhere\nhas a path\n" {
		t.Fatalf("stdout %q", stdout)
	}
	merged := mergeEnv([]string{"A=1", "B=2"}, []string{"B=3", "C=4", "A=5"})
	if strings.Join(merged, " ") != "A=5 B=3 C=4" {
		t.Fatalf("merged %v", merged)
	}
}

func TestServeRunsAProcessOnATerminalOfTheAskedSizeAndResizesIt(t *testing.T) {
	c := dial(t, startServer(t))
	c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "test -t 0 && test -t 2 && stty size; read line; stty size"},
		"tty": map[string]int{"cols": 80, "rows": 24}, "stdin": true})
	var stdout strings.Builder
	c.readUntil(&stdout, "24 80")
	c.sendJSON(frameResize, terminalSize{Cols: 100, Rows: 30})
	c.send(frameStdin, []byte("\n"))
	rest, stderr, code := c.collect()
	if !strings.Contains(rest, "30 100") || stderr != "" || code != 0 {
		t.Fatalf("after the resize %q, stderr %q, exit %d", rest, stderr, code)
	}
}

func TestServeRefusesAWrongProofAndRunsNothing(t *testing.T) {
	path := startServer(t)
	marker := filepath.Join(t.TempDir(), "ran")
	argv := []string{"/bin/sh", "-c", "touch " + marker}
	other := strings.Repeat("f", 64)
	for name, proof := range map[string]func(nonce string) interface{}{
		"another token's": func(nonce string) interface{} { return proofFor(other, nonce) },
		"another nonce's": func(string) interface{} { return proofFor(testToken, strings.Repeat("0", 32)) },
		"no proof":        func(string) interface{} { return nil },
		"an empty proof":  func(string) interface{} { return "" },
		"a proof not hex": func(string) interface{} { return "zz" },
	} {
		c := dial(t, path)
		c.request(map[string]interface{}{"argv": argv, "proof": proof(c.nonce)})
		if message := c.expectError(codeUnauthorized); message == "" {
			t.Errorf("%s: no message", name)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a request without the right proof ran")
	}
}

func TestServeAnswersBadRequestToWhatTheProtocolDoesNotAllow(t *testing.T) {
	path := startServer(t)
	marker := filepath.Join(t.TempDir(), "ran")
	argv := []string{"/bin/sh", "-c", "touch " + marker}
	for name, fields := range map[string]map[string]interface{}{
		"another op":       {"op": "exec", "argv": argv},
		"no argv":          {"argv": []string{}},
		"a NUL in argv":    {"argv": []string{"/bin/sh", "-c", "touch " + marker + "\x00x"}},
		"env without =":    {"argv": argv, "env": []string{"FOO"}},
		"env without name": {"argv": argv, "env": []string{"=x"}},
		"no columns":       {"argv": argv, "tty": map[string]int{"cols": 0, "rows": 24}},
		"too many rows":    {"argv": argv, "tty": map[string]int{"cols": 80, "rows": 10001}},
		"no nonce":         {"argv": argv, "nonce": nil},
		"argv not text":    {"argv": []int{1, 2}},
	} {
		c := dial(t, path)
		c.request(fields)
		if message := c.expectError(codeBadRequest); message == "" {
			t.Errorf("%s: no message", name)
		}
	}
	for name, frame := range map[string][]byte{
		"malformed JSON":     append([]byte{frameRequest, 0, 0, 0, 5}, "{nope"...),
		"an unknown type":    {0x7f, 0, 0, 0, 0},
		"STDIN first":        append([]byte{frameStdin, 0, 0, 0, 2}, "hi"...),
		"an oversized frame": {frameRequest, 0, 0x10, 0, 1},
	} {
		c := dial(t, path)
		if _, err := c.conn.Write(frame); err != nil {
			t.Fatal(err)
		}
		if message := c.expectError(codeBadRequest); message == "" {
			t.Errorf("%s: no message", name)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a bad request ran")
	}
}

func TestServeClosesAConnectionWhoseRequestNeverComes(t *testing.T) {
	previous := requestWait
	requestWait = 200 * time.Millisecond
	defer func() { requestWait = previous }()
	c := dial(t, startServer(t))
	started := time.Now()
	if message := c.expectError(codeBadRequest); !strings.Contains(message, "REQUEST") {
		t.Fatalf("message %q", message)
	}
	if took := time.Since(started); took < 150*time.Millisecond || took > 2*time.Second {
		t.Fatalf("closed after %v", took)
	}
}

func TestServeAnswersCannotStartSayingWhy(t *testing.T) {
	path := startServer(t)
	for want, fields := range map[string]map[string]interface{}{
		"no such file or directory": {"argv": []string{"/no/such/program"}},
		"command not found":         {"argv": []string{"no-such-command-here"}},
		"does not exist":            {"argv": []string{"/bin/true"}, "workdir": "/no/such/dir"},
		"is not a directory":        {"argv": []string{"/bin/true"}, "workdir": "/bin/sh"},
	} {
		c := dial(t, path)
		c.request(fields)
		if message := c.expectError(codeCannotStart); !strings.Contains(message, want) {
			t.Errorf("expected %q in %q", want, message)
		}
	}
}

func TestServeRefusesAConnectionBeyondItsLimit(t *testing.T) {
	previous := maxConnections
	maxConnections = 1
	path := startServer(t)
	maxConnections = previous
	first := dial(t, path)
	connect(t, path).expectError(codeUnavailable)
	// once the first connection ends, its slot is free again
	first.conn.Close()
	for stop := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c := connect(t, path)
		if kind, _ := c.next(); kind == frameHello {
			break
		}
		if time.Now().After(stop) {
			t.Fatal("the slot was never freed")
		}
	}
}

func TestServeTerminatesTheProcessWhenTheWorkerLeaves(t *testing.T) {
	sleep := uniqueSleep(5)
	defer killMarked("sleep " + sleep)
	path := startServer(t)
	// the second time the agent is blocked writing input the process never reads: it does not
	// read frames then, yet sees the worker leave
	for _, input := range [][]byte{nil, make([]byte, 256<<10)} {
		c := dial(t, path)
		pid := c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "trap '' HUP; echo ready; sleep " + sleep},
			"stdin": true})
		var stdout strings.Builder
		c.readUntil(&stdout, "ready")
		if input != nil {
			c.send(frameStdin, input)
			time.Sleep(50 * time.Millisecond)
		}
		c.conn.Close()
		awaitGone(t, pid, 3*time.Second)
	}
}

func TestServeKillsAProcessThatIgnoresTermWhenTheWorkerBreaksTheProtocol(t *testing.T) {
	previous := killGrace
	killGrace = time.Second
	defer func() { killGrace = previous }()
	sleep := uniqueSleep(6)
	defer killMarked("sleep " + sleep)
	c := dial(t, startServer(t))
	pid := c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "trap '' TERM HUP; echo ready; sleep " + sleep}})
	var stdout strings.Builder
	c.readUntil(&stdout, "ready")
	// a second REQUEST once the process runs: the agent closes without EXIT
	c.request(nil)
	if !c.closed() {
		t.Fatal("the connection stayed open")
	}
	time.Sleep(200 * time.Millisecond)
	if gone(pid) {
		t.Fatal("the process ignores SIGTERM: only SIGKILL, a grace later, may end it")
	}
	awaitGone(t, pid, 3*time.Second)
}

func TestServeAnswersASignalledProcessWith128PlusTheSignal(t *testing.T) {
	c := dial(t, startServer(t))
	c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "kill -KILL $$"}})
	if _, _, code := c.collect(); code != 128+int(syscall.SIGKILL) {
		t.Fatalf("exit %d", code)
	}
}

func TestServeAnswersExitAtOnceThoughABackgroundProcessHoldsTheOutput(t *testing.T) {
	sleep := uniqueSleep(7)
	defer killMarked("sleep " + sleep)
	c := dial(t, startServer(t))
	started := time.Now()
	c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "sleep " + sleep + " & echo done"}})
	stdout, _, code := c.collect()
	if stdout != "done\n" || code != 0 {
		t.Fatalf("stdout %q, exit %d", stdout, code)
	}
	if took := time.Since(started); took > time.Second {
		t.Fatalf("EXIT took %v", took)
	}
}

// slowWorker takes each frame 100 ms after it was sent.
type slowWorker struct{ frames bytes.Buffer }

func (w *slowWorker) Write(frame []byte) (int, error) {
	time.Sleep(100 * time.Millisecond)
	return w.frames.Write(frame)
}

func TestARelayPassesOnAllTheProcessWroteThoughTheWorkerReadsSlowly(t *testing.T) {
	read, write, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	// what the process wrote before it exited; a background process still holds the pipe
	defer write.Close()
	if _, err := write.Write(make([]byte, 60000)); err != nil {
		t.Fatal(err)
	}
	worker := &slowWorker{}
	exited, drained := make(chan struct{}), make(chan struct{}, 1)
	close(exited)
	started := time.Now()
	go relayOutput(output{read, frameStdout}, &frameWriter{out: worker}, exited, drained)
	select {
	case <-drained:
	case <-time.After(3 * time.Second):
		t.Fatal("the relay never ended")
	}
	relayed := 0
	for frames := bytes.NewReader(worker.frames.Bytes()); frames.Len() > 0; {
		_, payload, err := readFrame(frames)
		if err != nil {
			t.Fatal(err)
		}
		relayed += len(payload)
	}
	if relayed != 60000 {
		t.Fatalf("relayed %d of 60000 bytes", relayed)
	}
	if took := time.Since(started); took > time.Second {
		t.Fatalf("the relay ended after %v", took)
	}
}

func TestServeBlocksNoThreadPerRunningProcess(t *testing.T) {
	previous := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(previous)
	path := startServer(t)
	reserveThreads(reservedThreads)
	before := threads(t)
	var clients []*testClient
	for i := 0; i < 16; i++ {
		c := dial(t, path)
		c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "read line"}, "stdin": true})
		clients = append(clients, c)
	}
	during := threads(t)
	for _, c := range clients {
		c.send(frameStdinClose, nil)
		c.collect()
	}
	if during > before+3 {
		t.Fatalf("%d threads before, %d with 16 processes running", before, during)
	}
}

func TestParseServeArgsNeedsTheSocketAndOneTokenSource(t *testing.T) {
	options, err := parseServeArgs([]string{"--token-file", "/t", "--socket", "/s"})
	if err != nil || options.socket != "/s" || options.tokenFile != "/t" || options.tokenFd != -1 {
		t.Fatalf("%+v %v", options, err)
	}
	options, err = parseServeArgs([]string{"--socket", "/s", "--token-fd", "3"})
	if err != nil || options.tokenFd != 3 || options.tokenFile != "" {
		t.Fatalf("%+v %v", options, err)
	}
	for _, bad := range [][]string{{}, {"--socket", "/s"}, {"--socket"}, {"--socket", "", "--token-file", "/t"},
		{"--socket", "/s", "--token-file", "/t", "--bogus", "x"}, {"--socket", "/s", "--token-fd", "0"},
		{"--socket", "/s", "--token-fd", "x"}, {"--socket", "/s", "--token-fd", "3", "--token-file", "/t"}} {
		if _, err := parseServeArgs(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}

func TestReadTokenTakesSixtyFourHexDigitsFromADescriptorAndClosesIt(t *testing.T) {
	for _, c := range []struct {
		sent string
		ok   bool
	}{{testToken + "\n", true}, {testToken, true}, {"abc\n", false}, {testToken + "0\n", false}, {"", false}} {
		reader, writer, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		writer.WriteString(c.sent)
		writer.Close()
		token, err := readToken(reader)
		if c.ok != (err == nil) || (c.ok && string(token) != testToken) {
			t.Errorf("sent %q: token %q, %v", c.sent, token, err)
		}
		if _, err := reader.Stat(); err == nil {
			t.Errorf("sent %q: the descriptor is still open", c.sent)
		}
	}
}

func TestTakeTokenDeletesTheFileAndRefusesAnythingButSixtyFourHexDigits(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "agent.token")
	if err := os.WriteFile(file, []byte(testToken+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	token, err := takeToken(file)
	if err != nil || string(token) != testToken {
		t.Fatalf("token %q, %v", token, err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the token file is still there")
	}
	for _, bad := range []string{"abc\n", testToken + "0\n", strings.Repeat("g", 64) + "\n", ""} {
		os.WriteFile(file, []byte(bad), 0o644)
		if _, err := takeToken(file); err == nil {
			t.Errorf("accepted %q", bad)
		}
		if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%q: a malformed token file was left behind", bad)
		}
	}
	// a FIFO in its place must not hang the agent, a link is not followed
	if err := syscall.Mkfifo(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := takeToken(file); err == nil {
		t.Fatal("accepted a FIFO")
	}
	os.Remove(file)
	real := filepath.Join(dir, "real")
	os.WriteFile(real, []byte(testToken+"\n"), 0o644)
	os.Symlink(real, file)
	if _, err := takeToken(file); err == nil {
		t.Fatal("followed a link")
	}
}

// TestHelperServe runs `stacyvm-agent serve` when a test starts this test binary with
// STACYVM_SERVE_SOCKET set (a real process: the sandbox's main process, with real signals);
// otherwise it does nothing. With STACYVM_SERVE_PROBE set it also writes, once the token file is
// gone, whether the process is dumpable and a child subreaper (prctl only answers for itself).
func TestHelperServe(t *testing.T) {
	socket := os.Getenv("STACYVM_SERVE_SOCKET")
	if socket == "" {
		return
	}
	if probe := os.Getenv("STACYVM_SERVE_PROBE"); probe != "" {
		go func() {
			for stop := time.Now().Add(5 * time.Second); time.Now().Before(stop); time.Sleep(5 * time.Millisecond) {
				if _, err := os.Stat(os.Getenv("STACYVM_SERVE_TOKEN")); errors.Is(err, os.ErrNotExist) {
					break
				}
			}
			dumpable, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, 3 /* PR_GET_DUMPABLE */, 0, 0)
			var subreaper int32
			syscall.RawSyscall(syscall.SYS_PRCTL, 37 /* PR_GET_CHILD_SUBREAPER */, uintptr(unsafe.Pointer(&subreaper)), 0)
			os.WriteFile(probe+".tmp", []byte(fmt.Sprintf("dumpable=%d subreaper=%d", dumpable, subreaper)), 0o644)
			os.Rename(probe+".tmp", probe)
		}()
	}
	os.Exit(run([]string{"serve", "--socket", socket, "--token-file", os.Getenv("STACYVM_SERVE_TOKEN")}, os.Stdout, os.Stderr))
}

// serveProcess is a `stacyvm-agent serve` the test started.
type serveProcess struct {
	command *exec.Cmd
	stderr  bytes.Buffer
	ended   chan error
}

// startServe starts the agent's serve as a process and waits for its started line.
func startServe(t *testing.T, socket, tokenFile, probe string) *serveProcess {
	agent := &serveProcess{command: exec.Command(os.Args[0], "-test.run=^TestHelperServe$"), ended: make(chan error, 1)}
	agent.command.Env = append(os.Environ(), "STACYVM_SERVE_SOCKET="+socket, "STACYVM_SERVE_TOKEN="+tokenFile,
		"STACYVM_SERVE_PROBE="+probe)
	agent.command.Stderr = &agent.stderr
	out, err := agent.command.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.command.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		agent.command.Process.Kill()
		<-agent.ended
	})
	awaitStartedLine(t, out, func() { agent.ended <- agent.command.Wait() })
	return agent
}

// awaitStartedLine waits, at most 5 s, for a serving agent's started line on out; the rest of out
// is read and dropped until it ends, then ended runs (the test's wait for the process).
func awaitStartedLine(t *testing.T, out io.Reader, ended func()) {
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, out)
		ended()
	}()
	select {
	case line := <-lines:
		if line != StartedLine+"\n" {
			t.Fatalf("expected the started line, got %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no started line")
	}
}

// stop checks that a hang-up leaves the agent running and that SIGTERM ends it with 0.
func (agent *serveProcess) stop(t *testing.T) {
	agent.command.Process.Signal(syscall.SIGHUP)
	select {
	case err := <-agent.ended:
		agent.ended <- err
		t.Fatalf("a hang-up ended the agent: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	agent.command.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-agent.ended:
		agent.ended <- err
		if err != nil {
			t.Fatalf("expected exit 0 on SIGTERM, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the agent did not end on SIGTERM")
	}
}

func TestServeAsTheSandboxsMainProcessTakesTheTokenAndServes(t *testing.T) {
	dir := socketDir(t)
	socket, tokenFile, probe := filepath.Join(dir, "agent.sock"), filepath.Join(dir, "agent.token"), filepath.Join(dir, "probe")
	if err := os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// a previous agent's socket is replaced
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()
	agent := startServe(t, socket, tokenFile, probe)
	if _, err := os.Stat(tokenFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the token file is still there")
	}
	info, err := os.Lstat(socket)
	if err != nil || info.Mode()&os.ModeSocket == 0 || info.Mode().Perm() != 0o666 {
		t.Fatalf("socket %v %v", info.Mode(), err)
	}
	var probed []byte
	for stop := time.Now().Add(3 * time.Second); time.Now().Before(stop); time.Sleep(10 * time.Millisecond) {
		if probed, err = os.ReadFile(probe); err == nil {
			break
		}
	}
	if string(probed) != "dumpable=0 subreaper=0" {
		t.Fatalf("the agent says %q", probed)
	}
	// a whole spawn; what its process leaves behind is an orphan of the sandbox's init, not the agent's
	sleep := uniqueSleep(8)
	defer killMarked("sleep " + sleep)
	c := dial(t, socket)
	c.spawn(map[string]interface{}{"argv": []string{"/bin/sh", "-c", "sleep " + sleep + " & echo $!"}})
	stdout, _, code := c.collect()
	orphan, err := strconv.Atoi(strings.TrimSpace(stdout))
	if err != nil || code != 0 {
		t.Fatalf("stdout %q, exit %d", stdout, code)
	}
	if stat, err := readStat(procRoot, orphan); err != nil || stat.ppid == agent.command.Process.Pid {
		t.Fatalf("the orphan %d: %+v %v", orphan, stat, err)
	}
	agent.stop(t)
	if agent.stderr.Len() != 0 {
		t.Fatalf("stderr %q", agent.stderr.String())
	}
}

func TestServeWithoutAUsableTokenOnlyKeepsTheSandboxAlive(t *testing.T) {
	for name, content := range map[string]string{"no token file": "", "a malformed token": "abc\n"} {
		dir := socketDir(t)
		socket, tokenFile := filepath.Join(dir, "agent.sock"), filepath.Join(dir, "agent.token")
		if content != "" {
			if err := os.WriteFile(tokenFile, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		agent := startServe(t, socket, tokenFile, "")
		if _, err := os.Lstat(socket); err == nil {
			t.Fatalf("%s: it listens", name)
		}
		agent.stop(t)
		lines := strings.Split(strings.TrimSuffix(agent.stderr.String(), "\n"), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "not serving") {
			t.Fatalf("%s: stderr %q", name, agent.stderr.String())
		}
		if _, err := os.Stat(tokenFile); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s: the token file is there", name)
		}
	}
}
