package main

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// prSetDumpable is prctl's PR_SET_DUMPABLE. Cleared, the sandbox's processes, though they run as
// the agent's user, can neither read its memory or environment through /proc nor trace it: the
// token stays the agent's. A process the agent starts is dumpable again once it has exec'd.
const prSetDumpable = 4

// The token file holds 64 hex digits and a newline; the hex text is the HMAC key.
const tokenLength = 64

// Labels of the two proofs, so that neither side's answer can be replayed as the other's.
const (
	workerProofLabel = "stacyvm-worker\n"
	agentProofLabel  = "stacyvm-agent\n"
)

// requestWait is how long a connection may stay silent after HELLO; tests shorten it.
var requestWait = 10 * time.Second

// maxConnections bounds the connections served at once, each with its process; tests lower it.
var maxConnections = 256

// serveOptions is what `stacyvm-agent serve` was asked to do.
type serveOptions struct {
	socket    string
	tokenFile string
	// tokenFd, when not -1, is the descriptor the token comes on instead of a file (a microVM's
	// init hands it over a pipe: it never touches a disk)
	tokenFd int
}

// parseServeArgs reads `--socket <path>` and one of `--token-file <path>` or `--token-fd <n>`, in
// any order.
func parseServeArgs(args []string) (serveOptions, error) {
	options := serveOptions{tokenFd: -1}
	for i := 0; i < len(args); i++ {
		if i+1 >= len(args) || args[i+1] == "" {
			return options, fmt.Errorf("%s needs a value", args[i])
		}
		switch args[i] {
		case "--socket":
			options.socket = args[i+1]
		case "--token-file":
			options.tokenFile = args[i+1]
		case "--token-fd":
			fd, err := strconv.Atoi(args[i+1])
			if err != nil || fd < 3 {
				return options, fmt.Errorf("--token-fd needs a descriptor number from 3 up, not %q", args[i+1])
			}
			options.tokenFd = fd
		default:
			return options, fmt.Errorf("unknown argument %q", args[i])
		}
		i++
	}
	if options.socket == "" || (options.tokenFile == "") == (options.tokenFd == -1) {
		return options, errors.New("--socket and one of --token-file or --token-fd are required")
	}
	return options, nil
}

// runServe is `stacyvm-agent serve`, every sandbox's main process (under the engine's init): the
// keep-alive of `wait` that also serves the worker's operations on a Unix socket. Whatever goes
// wrong, it never exits before SIGTERM or SIGINT (its end is the sandbox's): without a token or a
// socket it says why in one line on stderr and only keeps the sandbox alive, and the worker uses
// the engine's exec instead.
func runServe(options serveOptions, stdout, stderr io.Writer) int {
	stops := make(chan os.Signal, 1)
	signal.Notify(stops, syscall.SIGTERM, syscall.SIGINT)
	signal.Ignore(syscall.SIGHUP)
	listener, token, err := prepareServe(options)
	if err != nil {
		fmt.Fprintf(stderr, "stacyvm-agent serve: %v; not serving (the worker falls back to the engine's exec)\n", err)
	} else {
		// every thread is one of the sandbox's pids: see reserveThreads
		reserveThreads(reservedThreads)
		go newServer(token).serve(listener)
	}
	fmt.Fprintln(stdout, StartedLine)
	<-stops
	return 0
}

// prepareServe makes the agent non-dumpable, takes the token and listens, in that order: the
// token is never in a dumpable process, and nothing is served without it.
func prepareServe(options serveOptions) (*net.UnixListener, []byte, error) {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0); errno != 0 {
		return nil, nil, fmt.Errorf("cannot make the agent non-dumpable: %v", errno)
	}
	var token []byte
	var err error
	if options.tokenFd != -1 {
		token, err = readToken(os.NewFile(uintptr(options.tokenFd), "token"))
	} else {
		token, err = takeToken(options.tokenFile)
	}
	if err != nil {
		return nil, nil, err
	}
	listener, err := listenSocket(options.socket)
	if err != nil {
		return nil, nil, err
	}
	return listener, token, nil
}

// takeToken reads the token file and deletes it, so that no process of the sandbox can read it
// later. A token that cannot be deleted is not used: whoever can read it could answer the worker
// in the agent's place. The file is opened without following a link and without blocking (a FIFO
// put in its place must not hang the sandbox's main process), and must be a regular file.
func takeToken(path string) ([]byte, error) {
	file, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("no token: %v", err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("no token: %v", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("no token: %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(file, tokenLength+2))
	if err != nil {
		return nil, fmt.Errorf("no token: %v", err)
	}
	if err := os.Remove(path); err != nil {
		return nil, fmt.Errorf("the token cannot be deleted: %v", err)
	}
	return parseToken(data, path)
}

// readToken reads the token from a descriptor (a pipe from a microVM's init) until its end, and
// closes it: no process serve starts inherits it.
func readToken(file *os.File) ([]byte, error) {
	if file == nil {
		return nil, errors.New("no token: no such descriptor")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, tokenLength+2))
	if err != nil {
		return nil, fmt.Errorf("no token: %v", err)
	}
	return parseToken(data, "the token descriptor")
}

// parseToken checks that data is 64 hex digits and a newline, and answers the digits.
func parseToken(data []byte, source string) ([]byte, error) {
	token := strings.TrimSuffix(string(data), "\n")
	if len(token) != tokenLength || !isHex(token) {
		return nil, fmt.Errorf("no token: %s does not hold 64 hex digits and a newline", source)
	}
	return []byte(token), nil
}

// isHex says whether text is only hex digits.
func isHex(text string) bool {
	for _, c := range text {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// listenSocket listens on the Unix socket path, replacing a socket a previous agent left there
// (a restarted sandbox), and opens it to every user: the worker connects as another user.
func listenSocket(path string) (*net.UnixListener, error) {
	if info, err := os.Lstat(path); err == nil && info.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	// created 0666 by the umask: gVisor (runsc) refuses both a chmod and a stat of the host socket
	// it creates on the bind mount (EPERM), so the mode cannot come from a chmod there. Serve has
	// started nothing yet that could inherit the umask, and puts it back at once.
	previous := syscall.Umask(0o111)
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if errors.Is(err, syscall.EADDRINUSE) {
		// a previous agent's socket that the Lstat above could not see (gVisor refuses the stat)
		os.Remove(path)
		listener, err = net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	}
	syscall.Umask(previous)
	if err != nil {
		return nil, fmt.Errorf("cannot listen: %v", err)
	}
	if err := os.Chmod(path, 0o666); err != nil && !errors.Is(err, syscall.EPERM) {
		listener.Close()
		return nil, fmt.Errorf("cannot open the socket to the worker: %v", err)
	}
	return listener, nil
}

// survive ends a goroutine's panic with one line on stderr instead of the process: the agent is
// the sandbox's main process, and a bug met in one operation must not end the sandbox. Deferred
// first thing in every goroutine serve starts.
func survive(what string) {
	if problem := recover(); problem != nil {
		fmt.Fprintf(os.Stderr, "stacyvm-agent serve: %s failed: %v\n", what, problem)
	}
}

// server serves the worker's connections, each one operation.
type server struct {
	token    []byte
	children *reaper
	// helpers are the warm `exec --await` processes the worker's execs run on; never in slots
	helpers *helperPool
	// slots holds one entry per connection being served, from accept until its process is gone
	slots       chan struct{}
	requestWait time.Duration
	killGrace   time.Duration
}

func newServer(token []byte) *server {
	children := theReaper()
	return &server{token: token, children: children, slots: make(chan struct{}, maxConnections),
		helpers:     newHelperPool(mountedAgent, helperPoolSize(pidsMaxPath), children),
		requestWait: requestWait, killGrace: killGrace}
}

// serve accepts connections until the listener is closed. A connection beyond the limit gets
// ERROR unavailable at once, before HELLO: it is refused, not served.
func (s *server) serve(listener *net.UnixListener) {
	go func() {
		defer survive("the helper pool's fill")
		s.helpers.fill()
	}()
	for {
		conn, err := listener.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// out of descriptors, say: the next accept may succeed once a connection has ended
			time.Sleep(50 * time.Millisecond)
			continue
		}
		select {
		case s.slots <- struct{}{}:
			go func() {
				defer func() { <-s.slots }()
				defer conn.Close()
				defer survive("a connection")
				s.handle(conn)
			}()
		default:
			conn.SetWriteDeadline(time.Now().Add(time.Second))
			(&frameWriter{out: conn}).sendError(codeUnavailable, fmt.Sprintf("the agent serves %d connections already", cap(s.slots)))
			conn.Close()
		}
	}
}

// handle serves one connection: the handshake, then the operation, until its process is gone.
func (s *server) handle(conn *net.UnixConn) {
	defer conn.Close()
	in := bufio.NewReader(conn)
	out := &frameWriter{out: conn}
	request, ok := s.admit(conn, in, out)
	if !ok {
		return
	}
	if s.answerKill(request, out) {
		return
	}
	process, err := s.start(request)
	if err != nil {
		out.sendError(codeCannotStart, err.Error())
		return
	}
	out.sendJSON(frameAccepted, acceptedMessage{Proof: s.proof(agentProofLabel, request.Nonce), Pid: process.pid})
	s.relay(conn, in, out, process)
}

// start starts what a request asks for: the worker's exec on an idle warm helper when one is
// there, else a new process.
func (s *server) start(request *spawnRequest) (*spawned, error) {
	if options, ok := warmExec(request); ok {
		if process := s.helpers.serveExec(request, options.id); process != nil {
			return process, nil
		}
	}
	return startProcess(request, s.children)
}

// admit says HELLO and reads the REQUEST: answered ERROR (and false) unless it arrives in time,
// is well formed, proves the worker holds the token and asks for something valid. The proof is
// checked before anything else of the request, so that a peer without the token learns nothing.
func (s *server) admit(conn *net.UnixConn, in *bufio.Reader, out *frameWriter) (*spawnRequest, bool) {
	nonce, err := newNonce()
	if err != nil {
		out.sendError(codeUnavailable, "no randomness for a nonce: "+err.Error())
		return nil, false
	}
	if err := out.sendJSON(frameHello, helloMessage{Version: 1, Nonce: nonce}); err != nil {
		return nil, false
	}
	conn.SetReadDeadline(time.Now().Add(s.requestWait))
	kind, payload, err := readFrame(in)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		out.sendError(codeBadRequest, fmt.Sprintf("no REQUEST within %v of HELLO", s.requestWait))
		return nil, false
	case errors.Is(err, errOversized):
		out.sendError(codeBadRequest, err.Error())
		return nil, false
	case err != nil:
		return nil, false // the peer left
	case kind != frameRequest:
		out.sendError(codeBadRequest, fmt.Sprintf("expected a REQUEST frame, got type 0x%02x", kind))
		return nil, false
	}
	conn.SetReadDeadline(time.Time{})
	var request spawnRequest
	if err := json.Unmarshal(payload, &request); err != nil {
		out.sendError(codeBadRequest, "malformed REQUEST: "+err.Error())
		return nil, false
	}
	if !s.proves(request.Proof, nonce) {
		out.sendError(codeUnauthorized, "the proof does not match the agent's token")
		return nil, false
	}
	if problem := request.problem(); problem != "" {
		out.sendError(codeBadRequest, problem)
		return nil, false
	}
	return &request, true
}

// problem says what is wrong with a request, or "" when nothing is.
func (request *spawnRequest) problem() string {
	switch {
	case request.Op != "spawn":
		return fmt.Sprintf("unknown op %q", request.Op)
	case request.Nonce == "":
		return "nonce is missing"
	case len(request.Argv) == 0:
		return "argv is empty"
	case strings.IndexByte(request.Workdir, 0) >= 0:
		return "workdir holds a NUL byte"
	case request.Tty != nil && !request.Tty.valid():
		return fmt.Sprintf("tty must be 1 to %d columns and rows", maxTerminalSide)
	}
	for _, arg := range request.Argv {
		if strings.IndexByte(arg, 0) >= 0 {
			return "argv holds a NUL byte"
		}
	}
	for _, entry := range request.Env {
		if strings.IndexByte(entry, '=') <= 0 || strings.IndexByte(entry, 0) >= 0 {
			return fmt.Sprintf("env entry %q is not NAME=value", entry)
		}
	}
	return ""
}

// newNonce answers 16 fresh random bytes as hex.
func newNonce() (string, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(nonce[:]), nil
}

// proof is hex(HMAC-SHA256(token, label + nonce)), the token's hex text being the key.
func (s *server) proof(label, nonce string) string {
	return hex.EncodeToString(mac(s.token, label, nonce))
}

func mac(token []byte, label, nonce string) []byte {
	hash := hmac.New(sha256.New, token)
	hash.Write([]byte(label))
	hash.Write([]byte(nonce))
	return hash.Sum(nil)
}

// proves says whether the worker's proof answers the agent's nonce, compared in constant time.
func (s *server) proves(proof, nonce string) bool {
	given, err := hex.DecodeString(proof)
	return err == nil && hmac.Equal(given, mac(s.token, workerProofLabel, nonce))
}
