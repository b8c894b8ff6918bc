package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
)

// checkGoroutines fails the test unless, once its other cleanups ran, the goroutines are back to
// their number before it within a bounded wait. Called first, so that its cleanup runs last.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				stacks := make([]byte, 1<<20)
				stacks = stacks[:runtime.Stack(stacks, true)]
				t.Errorf("%d goroutines remain, %d before the test:\n%s", runtime.NumGoroutine(), before, stacks)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// linkAgent stands in for the guest's agent: handle serves every connection to its socket, which
// is closed after it; ended receives one value per connection ended.
type linkAgent struct {
	path  string
	ended chan struct{}
}

func startLinkAgent(t *testing.T, handle func(net.Conn)) *linkAgent {
	agent := &linkAgent{path: filepath.Join(socketDir(t), "agent.sock"), ended: make(chan struct{}, 1000)}
	listener, err := net.Listen("unix", agent.path)
	if err != nil {
		t.Fatal(err)
	}
	var handlers sync.WaitGroup
	handlers.Add(1)
	go func() {
		defer handlers.Done()
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			handlers.Add(1)
			go func() {
				defer handlers.Done()
				defer func() { agent.ended <- struct{}{} }()
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		listener.Close()
		waited := make(chan struct{})
		go func() { handlers.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(3 * time.Second):
			t.Error("the agent's connections were not closed once the link ended")
		}
	})
	return agent
}

func (a *linkAgent) dial() (net.Conn, error) { return net.Dial("unix", a.path) }

// awaitEnded waits for n of the agent's connections to end.
func (a *linkAgent) awaitEnded(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-a.ended:
		case <-time.After(3 * time.Second):
			t.Fatalf("the guest did not close its connection to the agent (%d of %d)", i, n)
		}
	}
}

func echo(conn net.Conn) { io.Copy(conn, conn) }

// testGuest keeps the guest's identity, as init does; refuse, when set, is its answer to one.
type testGuest struct {
	mu     sync.Mutex
	taken  []string
	refuse error
}

func (g *testGuest) take(payload []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refuse != nil {
		return g.refuse
	}
	g.taken = append(g.taken, string(payload))
	return nil
}

func (g *testGuest) identified() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.taken) > 0
}

func (g *testGuest) identities() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.taken...)
}

// runTestGuest runs the guest's link on port until the test ends, when closing the port must end
// it.
func runTestGuest(t *testing.T, port io.ReadWriteCloser, dial func() (net.Conn, error), g *testGuest) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runGuestLink(port, dial, g.take, g.identified, func() { time.Sleep(2 * time.Millisecond) })
	}()
	t.Cleanup(func() {
		port.Close()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Error("the guest's link did not return once its port was closed")
		}
	})
}

// switchPort stands in for the guest's port device: it reads nothing (io.EOF) and fails writes
// while no host is connected; connect connects a new host.
type switchPort struct {
	mu     sync.Mutex
	conn   net.Conn // the guest's end of the host's pipe
	closed bool
}

func (p *switchPort) current() (net.Conn, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn, p.closed
}

func (p *switchPort) Read(b []byte) (int, error) {
	conn, closed := p.current()
	if closed {
		return 0, io.ErrClosedPipe
	}
	if conn == nil {
		return 0, io.EOF
	}
	n, err := conn.Read(b)
	if err != nil {
		p.disconnect(conn)
		if _, closed := p.current(); closed && n == 0 {
			return 0, io.ErrClosedPipe
		}
		return n, io.EOF
	}
	return n, nil
}

func (p *switchPort) Write(b []byte) (int, error) {
	conn, closed := p.current()
	if closed {
		return 0, io.ErrClosedPipe
	}
	if conn == nil {
		return 0, errors.New("no host is connected")
	}
	n, err := conn.Write(b)
	if err != nil {
		return n, fmt.Errorf("the host left: %v", err)
	}
	return n, nil
}

// connect connects a new host, and answers the host's end.
func (p *switchPort) connect() net.Conn {
	host, guest := net.Pipe()
	p.mu.Lock()
	old := p.conn
	p.conn = guest
	p.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return host
}

func (p *switchPort) disconnect(conn net.Conn) {
	p.mu.Lock()
	if p.conn == conn {
		p.conn = nil
	}
	p.mu.Unlock()
	conn.Close()
}

func (p *switchPort) Close() error {
	p.mu.Lock()
	p.closed = true
	conn := p.conn
	p.conn = nil
	p.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
	return nil
}

// testHost is a host link over a new connection of the port, serving a socket of its own.
type testHost struct {
	h        *hostLink
	path     string
	listener net.Listener
	result   error
	finished chan struct{}
}

func startTestHost(t *testing.T, port *switchPort, identity []byte) *testHost {
	t.Helper()
	return serveTestHost(t, port.connect(), identity, nil)
}

// serveTestHost is startTestHost over any serial connection, printing the link's lines to logf.
func serveTestHost(t *testing.T, serial net.Conn, identity []byte, logf func(string, ...interface{})) *testHost {
	t.Helper()
	h, err := startHostLink(serial, identity, false, 3*time.Second, logf)
	if err != nil {
		t.Fatal(err)
	}
	host := &testHost{h: h, path: filepath.Join(socketDir(t), "link.sock"), finished: make(chan struct{})}
	if host.listener, err = net.Listen("unix", host.path); err != nil {
		h.close()
		t.Fatal(err)
	}
	go func() {
		host.result = h.serve(host.listener)
		close(host.finished)
	}()
	t.Cleanup(func() { host.stop(t) })
	return host
}

// stop closes the host's listener and answers what serve returned.
func (host *testHost) stop(t *testing.T) error {
	host.listener.Close()
	select {
	case <-host.finished:
		return host.result
	case <-time.After(3 * time.Second):
		t.Error("the host link did not return once its listener was closed")
		return nil
	}
}

// streams answers how many streams the host link holds.
func (host *testHost) streams() int {
	host.h.l.mu.Lock()
	defer host.h.l.mu.Unlock()
	return len(host.h.l.streams)
}

// roundTrip sends size random bytes through the link to an echo and checks what comes back.
func roundTrip(path string, size int, seed int64) error {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	data := make([]byte, size)
	rand.New(rand.NewSource(seed)).Read(data)
	written := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		written <- err
	}()
	back := make([]byte, size)
	if _, err := io.ReadFull(conn, back); err != nil {
		return fmt.Errorf("a stream of %d bytes: %v", size, err)
	}
	if err := <-written; err != nil {
		return fmt.Errorf("a stream of %d bytes: %v", size, err)
	}
	if !bytes.Equal(back, data) {
		return fmt.Errorf("a stream of %d bytes came back different", size)
	}
	return nil
}

// rawHost plays the host by hand, frame by frame.
type rawHost struct {
	t    *testing.T
	conn net.Conn
	in   *bufio.Reader
}

func newRawHost(t *testing.T, port *switchPort) *rawHost {
	conn := port.connect()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &rawHost{t: t, conn: conn, in: bufio.NewReader(conn)}
}

func (r *rawHost) write(data []byte) {
	r.t.Helper()
	if _, err := r.conn.Write(data); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawHost) send(kind byte, stream uint32, payload string) {
	r.t.Helper()
	r.write(linkFrame(kind, stream, []byte(payload)))
}

// sync writes what precedes a preamble, then the preamble, and answers READY's payload.
func (r *rawHost) sync(before, epoch string) string {
	r.t.Helper()
	r.write(append([]byte(before), linkPreamble([]byte(epoch))...))
	if err := awaitHostPreamble(r.in, []byte(epoch)); err != nil {
		r.t.Fatalf("no echo of the preamble: %v", err)
	}
	return r.expect(linkReady, 0)
}

// expect reads the next frame but CREDITs, which must be kind on stream, and answers its payload.
func (r *rawHost) expect(kind byte, stream uint32) string {
	r.t.Helper()
	for {
		got, id, payload, err := readLinkFrame(r.in, true)
		if err != nil {
			r.t.Fatalf("expected frame type 0x%02x: %v", kind, err)
		}
		if got == linkCredit && kind != linkCredit {
			continue
		}
		if got != kind || id != stream {
			r.t.Fatalf("expected frame type 0x%02x on stream %d, got 0x%02x on %d (%q)", kind, stream, got, id, payload)
		}
		return string(payload)
	}
}

// echoes opens stream id and checks that text comes back.
func (r *rawHost) echoes(id uint32, text string) {
	r.t.Helper()
	r.send(linkOpen, id, "")
	r.expect(linkOpenOK, id)
	r.send(linkData, id, text)
	if got := r.expect(linkData, id); got != text {
		r.t.Fatalf("stream %d echoed %q, not %q", id, got, text)
	}
}

func TestLinkCarriesManyInterleavedStreamsByteForByte(t *testing.T) {
	checkGoroutines(t)
	agent := startLinkAgent(t, echo)
	port := &switchPort{}
	runTestGuest(t, port, agent.dial, &testGuest{})
	host := startTestHost(t, port, nil)
	sizes := []int{1, 7, 100, 4096, linkMaxPayload - 1, linkMaxPayload, linkMaxPayload + 1, 100 << 10,
		linkWindow - 1, linkWindow, linkWindow + 1, 700 << 10, 1 << 20, 4 << 20}
	errs := make(chan error, len(sizes))
	for i, size := range sizes {
		go func(size int, seed int64) { errs <- roundTrip(host.path, size, seed) }(size, int64(i))
	}
	for range sizes {
		select {
		case err := <-errs:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the streams did not complete")
		}
	}
	agent.awaitEnded(t, len(sizes))
	for deadline := time.Now().Add(2 * time.Second); host.streams() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the host link still holds %d streams after they all ended", host.streams())
		}
	}
}

func TestLinkCreditHoldsAStalledStreamAtTheWindowWithoutStoppingOthers(t *testing.T) {
	checkGoroutines(t)
	agent := startLinkAgent(t, echo)
	port := &switchPort{}
	runTestGuest(t, port, agent.dial, &testGuest{})
	host := startTestHost(t, port, nil)
	// a client that writes on and never reads: the echo's answers pile up until the link holds
	// its stream, which then holds the client's writes
	stalled, err := net.Dial("unix", host.path)
	if err != nil {
		t.Fatal(err)
	}
	var written int64
	writing := make(chan struct{})
	go func() {
		defer close(writing)
		chunk := make([]byte, 64<<10)
		for {
			n, err := stalled.Write(chunk)
			atomic.AddInt64(&written, int64(n))
			if err != nil {
				return
			}
		}
	}()
	last, since := int64(-1), time.Now()
	for deadline := time.Now().Add(10 * time.Second); time.Since(since) < 400*time.Millisecond; time.Sleep(20 * time.Millisecond) {
		if now := atomic.LoadInt64(&written); now != last {
			last, since = now, time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stalled stream's writer was never held: %d bytes written", last)
		}
	}
	t.Logf("the stalled stream took %d bytes before its writer was held", last)
	if last > 8<<20 {
		t.Errorf("the link took %d bytes of a stream whose reader does not read", last)
	}
	host.h.l.mu.Lock()
	st := host.h.l.streams[1]
	inbox, credit := len(st.inbox), st.credit
	host.h.l.mu.Unlock()
	if inbox > linkWindow || credit < 0 || credit > linkWindow {
		t.Errorf("the host holds %d bytes for the stalled stream, with %d of credit", inbox, credit)
	}
	if err := roundTrip(host.path, 1<<20, 7); err != nil {
		t.Errorf("another stream did not complete beside the stalled one: %v", err)
	}
	stalled.Close()
	<-writing
	agent.awaitEnded(t, 2)
}

func TestLinkGuestDropsOldStreamsWhenTheHostReconnects(t *testing.T) {
	checkGoroutines(t)
	agent := startLinkAgent(t, echo)
	port := &switchPort{}
	runTestGuest(t, port, agent.dial, &testGuest{})
	first := startTestHost(t, port, nil)
	client, err := net.Dial("unix", first.path)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.SetDeadline(time.Now().Add(5 * time.Second))
	line := make([]byte, 6)
	if _, err := client.Write([]byte("before")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(client, line); err != nil || string(line) != "before" {
		t.Fatalf("no echo before the reconnect: %q, %v", line, err)
	}
	// the host process ends: the guest reads nothing on its port, and drops the stream
	first.h.close()
	if err := first.stop(t); err != nil {
		t.Errorf("a host link closed on purpose returned %v", err)
	}
	agent.awaitEnded(t, 1)
	if n, err := client.Read(line); err != io.EOF {
		t.Errorf("the host's local connection was not closed with its link: %d, %v", n, err)
	}
	second := startTestHost(t, port, nil)
	if err := roundTrip(second.path, 300<<10, 1); err != nil {
		t.Error(err)
	}
}

func TestLinkGuestResynchronisesOnAPreambleAfterGarbageAndFalseStarts(t *testing.T) {
	checkGoroutines(t)
	agent := startLinkAgent(t, echo)
	port := &switchPort{}
	runTestGuest(t, port, agent.dial, &testGuest{})
	raw := newRawHost(t, port)
	if ready := raw.sync("", "epoch-01"); ready != readyAwaiting {
		t.Fatalf("READY said %q", ready)
	}
	raw.echoes(1, "hello")
	// a new host on the same port, after garbage and partial magics, without the guest having
	// seen the port empty: the garbage is a protocol error, the scan finds the preamble
	garbage := "\xee\x00\x01STACYVSTACYVM-LINK/SSTACYVM-LINK"
	if ready := raw.sync(garbage, "epoch-02"); ready != readyAwaiting {
		t.Fatalf("READY said %q after the reconnect", ready)
	}
	agent.awaitEnded(t, 1)
	raw.echoes(1, "again") // stream numbers start again with the new host
	raw.echoes(2, "and more")
}

func TestLinkGuestResynchronisesAfterAProtocolError(t *testing.T) {
	checkGoroutines(t)
	agent := startLinkAgent(t, echo)
	port := &switchPort{}
	runTestGuest(t, port, agent.dial, &testGuest{})
	raw := newRawHost(t, port)
	raw.sync("", "epoch-00")
	oversized := linkFrame(linkData, 1, nil)
	oversized[8] = 0x01 // 64 KiB + 1 announced, and nothing follows
	oversized[6] = 0x01
	bad := map[string][]byte{
		"an unknown type":           linkFrame(0x7f, 1, nil),
		"an oversized length":       oversized,
		"DATA on stream 0":          linkFrame(linkData, 0, []byte("x")),
		"a type only the guest has": linkFrame(linkOpenOK, 1, nil),
		"a CREDIT of 3 bytes":       linkFrame(linkCredit, 1, []byte("abc")),
		"OPEN of an open stream":    linkFrame(linkOpen, 1, nil),
		"DATA beyond the window":    bytes.Repeat(linkFrame(linkData, 1, make([]byte, linkMaxPayload)), linkWindow/linkMaxPayload+3),
	}
	round := 0
	for name, frames := range bad {
		round++
		raw.echoes(1, "stream "+name)
		raw.write(frames)
		agent.awaitEnded(t, 1)
		if ready := raw.sync("", fmt.Sprintf("epoch-%02d", round)); ready != readyAwaiting {
			t.Fatalf("after %s, READY said %q", name, ready)
		}
	}
	raw.echoes(1, "still serving")
}

func TestLinkIdentityIsAcceptedOnceAndRefusedTheSecondTime(t *testing.T) {
	checkGoroutines(t)
	port := &switchPort{}
	guest := &testGuest{}
	runTestGuest(t, port, func() (net.Conn, error) { return nil, errors.New("no agent") }, guest)
	if err := runHostLink(port.connect(), []byte(`{"token":"first"}`), nil, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := guest.identities(); len(got) != 1 || got[0] != `{"token":"first"}` {
		t.Fatalf("the guest took %q", got)
	}
	raw := newRawHost(t, port)
	if ready := raw.sync("", "epoch-01"); ready != readyIdentified {
		t.Fatalf("READY said %q to the next host", ready)
	}
	raw.send(linkIdentity, 0, `{"token":"second"}`)
	if reason := raw.expect(linkIdentityFail, 0); reason != "identity already set" {
		t.Errorf("a second IDENTITY was refused with %q", reason)
	}
	raw.conn.Close()
	// a host given an identity for a guest that has one sends none
	if err := runHostLink(port.connect(), []byte(`{"token":"third"}`), nil, 3*time.Second); err != nil {
		t.Errorf("a host with an identity for an identified guest: %v", err)
	}
	// a template's host needs a guest that awaits its identity
	if err := runHostLink(port.connect(), nil, nil, 3*time.Second); err == nil || !strings.Contains(err.Error(), "identity") {
		t.Errorf("a template's host accepted an identified guest: %v", err)
	}
	if got := guest.identities(); len(got) != 1 {
		t.Errorf("the guest took %q", got)
	}
}

func TestLinkIdentityRefusedByTheGuestIsTheHostsError(t *testing.T) {
	checkGoroutines(t)
	port := &switchPort{}
	guest := &testGuest{refuse: errors.New("bad token\nin two lines")}
	runTestGuest(t, port, func() (net.Conn, error) { return nil, errors.New("no agent") }, guest)
	err := runHostLink(port.connect(), []byte("{}"), nil, 3*time.Second)
	if err == nil || !strings.Contains(err.Error(), "bad token in two lines") {
		t.Errorf("a refused identity gave %v", err)
	}
}

func TestLinkTemplateHostReturnsRightAfterReady(t *testing.T) {
	checkGoroutines(t)
	port := &switchPort{}
	guest := &testGuest{}
	runTestGuest(t, port, func() (net.Conn, error) { return nil, errors.New("no agent") }, guest)
	if err := runHostLink(port.connect(), nil, nil, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if guest.identified() {
		t.Error("a template's host gave the guest an identity")
	}
	// a host whose guest never answers gives up after its timeout
	serial, silent := net.Pipe()
	defer silent.Close()
	go io.Copy(io.Discard, silent)
	start := time.Now()
	err := runHostLink(serial, nil, nil, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not answer within") || time.Since(start) > 2*time.Second {
		t.Errorf("a silent guest gave %v after %v", err, time.Since(start))
	}
}

func TestLinkCloseWritesOutWhatIsBufferedThenCloses(t *testing.T) {
	checkGoroutines(t)
	l := newLinkSession(&linkWriter{out: io.Discard})
	local, remote := net.Pipe()
	defer remote.Close()
	st, _ := l.add(1, local, false)
	l.start(st) // the local end reads nothing yet: deliver is held in its first write
	for _, part := range []string{"abc", "def", strings.Repeat("g", 100<<10)} {
		if err := l.receive(linkData, 1, []byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	l.receive(linkClose, 1, nil)
	remote.SetDeadline(time.Now().Add(3 * time.Second))
	data, err := io.ReadAll(remote)
	if err != nil || string(data) != "abcdef"+strings.Repeat("g", 100<<10) {
		t.Errorf("after CLOSE the local end read %d bytes, then %v", len(data), err)
	}
	l.end(nil)
}

func TestLinkCloseFromTheGuestDeliversEverythingFirst(t *testing.T) {
	checkGoroutines(t)
	payload := make([]byte, 600<<10)
	rand.New(rand.NewSource(3)).Read(payload)
	agent := startLinkAgent(t, func(conn net.Conn) { conn.Write(payload) })
	port := &switchPort{}
	runTestGuest(t, port, agent.dial, &testGuest{})
	host := startTestHost(t, port, nil)
	client, err := net.Dial("unix", host.path)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	time.Sleep(300 * time.Millisecond) // the agent wrote it all and closed; the link holds the rest
	client.SetDeadline(time.Now().Add(5 * time.Second))
	data, err := io.ReadAll(client)
	if err != nil || !bytes.Equal(data, payload) {
		t.Errorf("read %d of %d bytes, then %v", len(data), len(payload), err)
	}
}

func TestLinkCloseFromTheHostDeliversEverythingFirst(t *testing.T) {
	checkGoroutines(t)
	payload := make([]byte, 600<<10)
	rand.New(rand.NewSource(4)).Read(payload)
	received := make(chan []byte, 1)
	agent := startLinkAgent(t, func(conn net.Conn) {
		time.Sleep(300 * time.Millisecond) // the client wrote it all and closed meanwhile
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		data, _ := io.ReadAll(conn)
		received <- data
	})
	port := &switchPort{}
	runTestGuest(t, port, agent.dial, &testGuest{})
	host := startTestHost(t, port, nil)
	client, err := net.Dial("unix", host.path)
	if err != nil {
		t.Fatal(err)
	}
	client.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Write(payload); err != nil {
		t.Fatal(err)
	}
	client.Close()
	select {
	case data := <-received:
		if !bytes.Equal(data, payload) {
			t.Errorf("the agent read %d of %d bytes", len(data), len(payload))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the agent's connection was never closed")
	}
}

func TestLinkOpenThatTheGuestCannotDialClosesTheHostsConnection(t *testing.T) {
	checkGoroutines(t)
	port := &switchPort{}
	runTestGuest(t, port, func() (net.Conn, error) { return nil, errors.New("no agent here") }, &testGuest{})
	host := startTestHost(t, port, nil)
	for i := 0; i < 3; i++ {
		conn, err := net.Dial("unix", host.path)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(3 * time.Second))
		if n, err := conn.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("a stream the guest could not open read %d, %v", n, err)
		}
		conn.Close()
	}
	if ended, err := host.h.l.failure(); ended {
		t.Errorf("OPEN_FAIL ended the link: %v", err)
	}
	if host.streams() != 0 {
		t.Errorf("the host link holds %d streams", host.streams())
	}
}

func TestLinkPreambleScansAreExactAcrossReadsAndFalseStarts(t *testing.T) {
	in := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(
		"xxSSTACYSTACYVM-LINKSTACYVM-LINK/STACYVM-LINK/1epoch-01rest")), 16)
	epoch := make([]byte, linkEpochSize)
	if err := awaitMagic(in); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(in, epoch); err != nil || string(epoch) != "epoch-01" {
		t.Errorf("the guest read the epoch %q, %v", epoch, err)
	}
	// the host skips an earlier connection's echo, even one cut short by the next magic
	stale := "STACYVM-LINK/1epoch-00" + string(linkFrame(linkReady, 0, []byte(readyAwaiting))) +
		"STACYVM-LINK/1epoSTACYVM-LINK/1epoch-01" + string(linkFrame(linkReady, 0, []byte(readyIdentified)))
	in = bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(stale)), 16)
	if err := awaitHostPreamble(in, []byte("epoch-01")); err != nil {
		t.Fatal(err)
	}
	if kind, _, payload, err := readLinkFrame(in, true); err != nil || kind != linkReady || string(payload) != readyIdentified {
		t.Errorf("after the host's epoch came 0x%02x %q, %v", kind, payload, err)
	}
	if err := awaitHostPreamble(in, []byte("epoch-01")); err != io.EOF {
		t.Errorf("a scan without a preamble answered %v", err)
	}
}

// vmlinkRun is one `vmlink` in this process, with QEMU's and the guest's stand-ins: the serial
// socket appears 200 ms after it started, as QEMU's may.
type vmlinkRun struct {
	listen         string
	guest          *testGuest
	stops          chan os.Signal
	exited         chan int
	stdout, stderr bytes.Buffer
	port           chan net.Conn // the guest's end of the serial socket, once connected
}

func startVMLink(t *testing.T, listen, identity string) *vmlinkRun {
	return startVMLinkWith(t, listen, identity, &testGuest{}, nil)
}

// startVMLinkWith is startVMLink for guest, with the options configure changes (when not nil).
func startVMLinkWith(t *testing.T, listen, identity string, guest *testGuest, configure func(*vmlinkOptions)) *vmlinkRun {
	dir := socketDir(t)
	serial := filepath.Join(dir, "serial.sock")
	if listen != "-" {
		listen = filepath.Join(dir, listen)
	}
	agent := startLinkAgent(t, echo)
	r := &vmlinkRun{listen: listen, guest: guest, stops: make(chan os.Signal, 1), exited: make(chan int, 1),
		port: make(chan net.Conn, 1)}
	go func() {
		time.Sleep(200 * time.Millisecond)
		listener, err := net.Listen("unix", serial)
		if err != nil {
			t.Error(err)
			return
		}
		defer listener.Close()
		listener.(*net.UnixListener).SetDeadline(time.Now().Add(3 * time.Second))
		conn, err := listener.Accept()
		if err != nil {
			t.Error(err)
			return
		}
		r.port <- conn
	}()
	options := vmlinkOptions{serial: serial, listen: listen, identityStdin: identity != "", readyTimeout: 3 * time.Second}
	if configure != nil {
		configure(&options)
	}
	go func() { r.exited <- serveVMLink(options, strings.NewReader(identity), &r.stdout, &r.stderr, r.stops) }()
	select {
	case port := <-r.port:
		r.port <- port
		runTestGuest(t, port, agent.dial, r.guest)
	case <-time.After(5 * time.Second):
		t.Fatal("vmlink did not connect to the serial socket")
	}
	return r
}

// awaitExit answers vmlink's exit status.
func (r *vmlinkRun) awaitExit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.exited:
		return code
	case <-time.After(5 * time.Second):
		t.Fatal("vmlink did not exit")
		return -1
	}
}

// awaitSocket waits for vmlink to listen.
func (r *vmlinkRun) awaitSocket(t *testing.T) os.FileInfo {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if info, err := os.Stat(r.listen); err == nil {
			return info
		}
	}
	t.Fatalf("vmlink never listened: %s", r.stderr.String())
	return nil
}

func TestLinkCommandServesTheWorkerAfterTheIdentityAndStopsOnASignal(t *testing.T) {
	checkGoroutines(t)
	r := startVMLink(t, "link.sock", `{"token":"abc"}`+"\n")
	if info := r.awaitSocket(t); info.Mode()&os.ModeSocket == 0 || info.Mode().Perm() != 0o600 {
		t.Errorf("vmlink listens on a %v", info.Mode())
	}
	if got := r.guest.identities(); len(got) != 1 || got[0] != `{"token":"abc"}` {
		t.Errorf("the guest took %q", got)
	}
	if err := roundTrip(r.listen, 200<<10, 5); err != nil {
		t.Error(err)
	}
	r.stops <- syscall.SIGTERM
	if code := r.awaitExit(t); code != 0 {
		t.Errorf("vmlink exited %d on SIGTERM: %s", code, r.stderr.String())
	}
	if _, err := os.Lstat(r.listen); !os.IsNotExist(err) {
		t.Errorf("vmlink left its socket: %v", err)
	}
	if r.stdout.String() != vmlinkReadyLine+"\n" || r.stderr.Len() != 0 {
		t.Errorf("vmlink wrote %q and %q", r.stdout.String(), r.stderr.String())
	}
}

func TestLinkCommandExitsOneWhenTheLinkFails(t *testing.T) {
	checkGoroutines(t)
	r := startVMLink(t, "link.sock", "")
	r.awaitSocket(t)
	(<-r.port).Close() // QEMU's end goes away
	if code := r.awaitExit(t); code != 1 || strings.Count(r.stderr.String(), "\n") != 1 {
		t.Errorf("vmlink exited %d when the link failed, saying %q", code, r.stderr.String())
	}
	if _, err := os.Lstat(r.listen); !os.IsNotExist(err) {
		t.Errorf("vmlink left its socket: %v", err)
	}
}

func TestLinkCommandForATemplateExitsRightAfterReady(t *testing.T) {
	checkGoroutines(t)
	r := startVMLink(t, "-", "")
	if code := r.awaitExit(t); code != 0 || r.stdout.Len() != 0 {
		t.Errorf("vmlink for a template exited %d, saying %q and %q", code, r.stdout.String(), r.stderr.String())
	}
	if r.guest.identified() {
		t.Error("the template's guest has an identity")
	}
}

func TestLinkCommandRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"vmlink"},
		{"vmlink", "--serial", "s"},
		{"vmlink", "--listen", "l"},
		{"vmlink", "--serial", "s", "--listen", "l", "--ready-timeout", "0"},
		{"vmlink", "--serial", "s", "--listen", "l", "--ready-timeout", "soon"},
		{"vmlink", "--serial", "s", "--listen", "l", "--verbose"},
		{"vmlink", "--serial", "--listen", "l"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "vmlink --serial") {
			t.Errorf("%q exited %d, saying %q", args, code, stderr.String())
		}
	}
	options, err := parseVMLinkArgs([]string{"--ready-timeout", "1.5", "--identity-stdin", "--listen", "-", "--serial", "s"})
	if err != nil || options != (vmlinkOptions{serial: "s", listen: "-", identityStdin: true, readyTimeout: 1500 * time.Millisecond}) {
		t.Errorf("parsed %+v, %v", options, err)
	}
	for _, identity := range []string{"", "\n", strings.Repeat("x", linkMaxPayload+1) + "\n", strings.Repeat("x", maxIdentityLine+10)} {
		var stdout, stderr bytes.Buffer
		options := vmlinkOptions{serial: "/nonexistent", listen: "-", identityStdin: true, readyTimeout: time.Second}
		if code := serveVMLink(options, strings.NewReader(identity), &stdout, &stderr, nil); code != exitUsage {
			t.Errorf("an identity of %d bytes exited %d, saying %q", len(identity), code, stderr.String())
		}
	}
}

// rawGuest plays the guest by hand behind a host link, frame by frame: a hostile one, say.
type rawGuest struct {
	t     *testing.T
	conn  net.Conn
	in    *bufio.Reader
	ready chan struct{} // closed once READY was written: the test may read then
}

// newRawGuest answers a guest that echoes the host's preamble and says READY ready, then does
// only what the test says; and the host's end of its port.
func newRawGuest(t *testing.T, ready string) (*rawGuest, net.Conn) {
	hostEnd, guestEnd := net.Pipe()
	guestEnd.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { guestEnd.Close() })
	g := &rawGuest{t: t, conn: guestEnd, in: bufio.NewReader(guestEnd), ready: make(chan struct{})}
	go func() {
		defer close(g.ready)
		epoch := make([]byte, linkEpochSize)
		if awaitMagic(g.in) != nil {
			return
		}
		if _, err := io.ReadFull(g.in, epoch); err != nil {
			return
		}
		guestEnd.Write(append(linkPreamble(epoch), linkFrame(linkReady, 0, []byte(ready))...))
	}()
	return g, hostEnd
}

// send writes one frame to the host.
func (g *rawGuest) send(kind byte, stream uint32, payload string) {
	g.t.Helper()
	if _, err := g.conn.Write(linkFrame(kind, stream, []byte(payload))); err != nil {
		g.t.Fatal(err)
	}
}

// expect reads the host's next frame but CREDITs, which must be kind on stream, and answers its
// payload.
func (g *rawGuest) expect(kind byte, stream uint32) string {
	g.t.Helper()
	for {
		got, id, payload, err := readLinkFrame(g.in, false)
		if err != nil {
			g.t.Fatalf("expected frame type 0x%02x: %v", kind, err)
		}
		if got == linkCredit && kind != linkCredit {
			continue
		}
		if got != kind || id != stream {
			g.t.Fatalf("expected frame type 0x%02x on stream %d, got 0x%02x on %d (%q)", kind, stream, got, id, payload)
		}
		return string(payload)
	}
}

// dialLink connects to a host link's socket as the worker does, until the test ends.
func dialLink(t *testing.T, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

// awaitClosed checks that the host closed conn (within its deadline).
func awaitClosed(t *testing.T, conn net.Conn, what string) {
	t.Helper()
	if n, err := conn.Read(make([]byte, 64)); err != io.EOF {
		t.Errorf("%s: the connection read %d bytes, %v", what, n, err)
	}
}

// awaitStreams waits for the host link to hold n streams.
func (host *testHost) awaitStreams(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); host.streams() != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the host link holds %d streams, not %d", host.streams(), n)
		}
	}
}

// lineLog keeps what a host link prints, line by line.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

// logf keeps one line: the host link's logf.
func (l *lineLog) logf(format string, args ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// all answers the lines kept so far.
func (l *lineLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// setForTest sets *v to value until the test ends.
func setForTest[T any](t *testing.T, v *T, value T) {
	previous := *v
	*v = value
	t.Cleanup(func() { *v = previous })
}

func TestLinkHostGivesUpAStreamTheGuestNeverAnswers(t *testing.T) {
	checkGoroutines(t)
	setForTest(t, &linkOpenWait, 300*time.Millisecond)
	guest, serial := newRawGuest(t, readyIdentified)
	log := &lineLog{}
	host := serveTestHost(t, serial, nil, log.logf)
	client := dialLink(t, host.path)
	guest.expect(linkOpen, 1)
	start := time.Now()
	guest.expect(linkClose, 1) // so that a guest that opens it yet drops it
	awaitClosed(t, client, "a stream the guest never answered")
	if waited := time.Since(start); waited < 200*time.Millisecond || waited > 3*time.Second {
		t.Errorf("the host gave the stream up after %v", waited)
	}
	host.awaitStreams(t, 0)
	// the guest's late frames for it are ignored, and the link serves on
	guest.send(linkOpenOK, 1, "")
	guest.send(linkData, 1, "late")
	guest.send(linkClose, 1, "")
	client = dialLink(t, host.path)
	guest.expect(linkOpen, 2)
	guest.send(linkOpenOK, 2, "")
	client.Write([]byte("ping"))
	if got := guest.expect(linkData, 2); got != "ping" {
		t.Errorf("the guest got %q", got)
	}
	guest.send(linkData, 2, "pong")
	if answer := make([]byte, 4); func() error { _, err := io.ReadFull(client, answer); return err }() != nil || string(answer) != "pong" {
		t.Errorf("the client got %q", answer)
	}
	if ended, err := host.h.l.failure(); ended {
		t.Errorf("the late answer ended the link: %v", err)
	}
	if lines := log.all(); len(lines) != 1 || !strings.Contains(lines[0], "stream 1: the guest did not answer its OPEN within 300ms; its connection is closed") {
		t.Errorf("the host link said %q", lines)
	}
}

func TestLinkHostReleasesAStreamWhoseConnectionEndsBeforeOpenOK(t *testing.T) {
	checkGoroutines(t)
	guest, serial := newRawGuest(t, readyIdentified)
	host := serveTestHost(t, serial, nil, nil)
	client := dialLink(t, host.path)
	guest.expect(linkOpen, 1)
	start := time.Now()
	client.Close()
	guest.expect(linkClose, 1) // at once, not after linkOpenWait
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("the host saw the connection end after %v", waited)
	}
	host.awaitStreams(t, 0)
	// one that wrote first is given up all the same, its bytes unsent: the stream never opened
	client = dialLink(t, host.path)
	guest.expect(linkOpen, 2)
	client.Write([]byte("hello"))
	client.Close()
	guest.expect(linkClose, 2)
	host.awaitStreams(t, 0)
	// what a connection that stays writes before OPEN_OK is sent once it comes, then the rest
	client = dialLink(t, host.path)
	guest.expect(linkOpen, 3)
	client.Write([]byte("early"))
	time.Sleep(100 * time.Millisecond) // the host holds it, reading on
	guest.send(linkOpenOK, 3, "")
	if got := guest.expect(linkData, 3); got != "early" {
		t.Errorf("the guest got %q first", got)
	}
	client.Write([]byte("later"))
	if got := guest.expect(linkData, 3); got != "later" {
		t.Errorf("the guest got %q then", got)
	}
	guest.send(linkData, 3, "answer")
	answer := make([]byte, 6)
	if _, err := io.ReadFull(client, answer); err != nil || string(answer) != "answer" {
		t.Errorf("the client got %q, %v", answer, err)
	}
	host.awaitStreams(t, 1)
}

func TestLinkHostTakesFramesOutOfTurnAsProtocolErrors(t *testing.T) {
	credit := string([]byte{0, 0, 0, 4})
	for name, frames := range map[string][][3]string{
		"DATA before OPEN_OK":     {{"\x04", "1", "data"}},
		"CREDIT before OPEN_OK":   {{"\x06", "1", credit}},
		"CLOSE before OPEN_OK":    {{"\x05", "1", ""}},
		"OPEN_FAIL after OPEN_OK": {{"\x02", "1", ""}, {"\x03", "1", "changed its mind"}},
		"a second OPEN_OK":        {{"\x02", "1", ""}, {"\x02", "1", ""}},
		"a stream never opened":   {{"\x02", "2", ""}},
	} {
		t.Run(name, func(t *testing.T) {
			checkGoroutines(t)
			guest, serial := newRawGuest(t, readyIdentified)
			host := serveTestHost(t, serial, nil, nil)
			client := dialLink(t, host.path)
			guest.expect(linkOpen, 1)
			for _, frame := range frames {
				guest.send(frame[0][0], uint32(frame[1][0]-'0'), frame[2])
			}
			select {
			case <-host.finished:
				if !errors.Is(host.result, errLinkProtocol) {
					t.Errorf("the host link ended with %v", host.result)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("the host link took it")
			}
			awaitClosed(t, client, "the link ended")
		})
	}
}

func TestLinkReleaseEndsBothPumpsOfAStream(t *testing.T) {
	checkGoroutines(t)
	l := newLinkSession(&linkWriter{out: io.Discard})
	defer l.end(nil)
	local, remote := net.Pipe()
	defer remote.Close()
	before := runtime.NumGoroutine()
	st, _ := l.add(1, local, false)
	l.start(st)
	// the peer gives no credit: forward waits for some, having sent a window; deliver waits for DATA
	written := make(chan error, 1)
	go func() {
		_, err := remote.Write(make([]byte, linkWindow+linkMaxPayload))
		written <- err
	}()
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		l.mu.Lock()
		credit := st.credit
		l.mu.Unlock()
		if credit == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("forward never used up its credit: %d left", credit)
		}
	}
	l.release(st)
	if err := <-written; err == nil {
		t.Error("the local connection was not closed")
	}
	for deadline := time.Now().Add(3 * time.Second); runtime.NumGoroutine() > before; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a released stream's pumps still run: %d goroutines, %d before", runtime.NumGoroutine(), before)
		}
	}
}

func TestLinkHostCapsItsStreams(t *testing.T) {
	checkGoroutines(t)
	setForTest(t, &maxLinkStreams, 3)
	guest, serial := newRawGuest(t, readyIdentified)
	log := &lineLog{}
	host := serveTestHost(t, serial, nil, log.logf)
	var clients []net.Conn
	for id := uint32(1); id <= 3; id++ {
		clients = append(clients, dialLink(t, host.path))
		guest.expect(linkOpen, id)
		guest.send(linkOpenOK, id, "")
	}
	for i := 0; i < 2; i++ {
		awaitClosed(t, dialLink(t, host.path), "a connection beyond the cap")
	}
	clients[0].Close()
	guest.expect(linkClose, 1) // and no OPEN for the connections refused
	host.awaitStreams(t, 2)
	dialLink(t, host.path)
	guest.expect(linkOpen, 4) // nor a number
	if lines := log.all(); len(lines) != 1 || !strings.Contains(lines[0], "3 streams are open") {
		t.Errorf("the host link said %q", lines)
	}
}

func TestLinkHostQuotesAndCutsWhatTheGuestSays(t *testing.T) {
	checkGoroutines(t)
	forged := "no\nstacyvm-agent vmlink: all is well\r" + strings.Repeat("x", 1000)
	checkText := func(what, text string) {
		t.Helper()
		if strings.ContainsAny(text, "\n\r") || len(text) > 2*maxGuestText || !strings.Contains(text, `"no\nstacyvm-agent vmlink: all is well\r`) ||
			!strings.Contains(text, "(cut at 200 bytes)") {
			t.Errorf("%s printed %q", what, text)
		}
	}
	// IDENTITY_FAIL's reason
	guest, serial := newRawGuest(t, readyAwaiting)
	go func() {
		<-guest.ready
		if kind, _, _, err := readLinkFrame(guest.in, false); err == nil && kind == linkIdentity {
			guest.conn.Write(linkFrame(linkIdentityFail, 0, []byte(forged)))
		}
	}()
	if err := runHostLink(serial, []byte("{}"), nil, 3*time.Second); err == nil {
		t.Error("a refused identity was taken")
	} else {
		checkText("IDENTITY_FAIL", err.Error())
	}
	// READY's
	_, serial = newRawGuest(t, forged)
	if err := runHostLink(serial, nil, nil, 3*time.Second); err == nil {
		t.Error("a bad READY was taken")
	} else {
		checkText("READY", err.Error())
	}
	// OPEN_FAIL's, once however often the guest says it
	guest, serial = newRawGuest(t, readyIdentified)
	log := &lineLog{}
	host := serveTestHost(t, serial, nil, log.logf)
	for id, reason := range []string{forged, forged, "other"} {
		client := dialLink(t, host.path)
		guest.expect(linkOpen, uint32(id+1))
		guest.send(linkOpenFail, uint32(id+1), reason)
		awaitClosed(t, client, "a stream the guest could not open")
	}
	lines := log.all()
	if len(lines) != 2 || lines[1] != `stream 3: the guest could not open it: "other"` {
		t.Fatalf("the host link said %q", lines)
	}
	checkText("OPEN_FAIL", lines[0])
}

func TestLinkCommandRestartedForAnIdentifiedGuestJustServes(t *testing.T) {
	checkGoroutines(t)
	guest := &testGuest{taken: []string{`{"token":"abc"}`}}
	r := startVMLinkWith(t, "link.sock", "", guest, nil)
	r.awaitSocket(t)
	if err := roundTrip(r.listen, 100<<10, 9); err != nil {
		t.Error(err)
	}
	if got := guest.identities(); len(got) != 1 {
		t.Errorf("the guest took %q", got)
	}
	r.stops <- syscall.SIGTERM
	if code := r.awaitExit(t); code != 0 || r.stdout.String() != vmlinkReadyLine+"\n" || r.stderr.Len() != 0 {
		t.Errorf("vmlink exited %d, saying %q and %q", code, r.stdout.String(), r.stderr.String())
	}
}

func TestLinkCommandKeepsTheConsoleWithinItsBound(t *testing.T) {
	checkGoroutines(t)
	const max = minConsoleMax
	dir := socketDir(t)
	console, logPath := filepath.Join(dir, "console.sock"), filepath.Join(dir, "console.log")
	if err := os.WriteFile(logPath, []byte("an earlier vmlink's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logPath+".1", []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3*max+1000)
	rand.New(rand.NewSource(6)).Read(data)
	all := append([]byte("an earlier vmlink's\n"), data...)
	// QEMU's console socket, which writes more than three logs' worth in pieces, then closes
	listener, err := net.Listen("unix", console)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	t.Cleanup(func() {
		listener.Close()
		<-served
	})
	go func() {
		defer close(served)
		defer listener.Close()
		conn, err := listener.Accept()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		for rest, size := data, 1; len(rest) > 0; size = size*7%3001 + 1 {
			if size > len(rest) {
				size = len(rest)
			}
			if _, err := conn.Write(rest[:size]); err != nil {
				t.Error(err)
				return
			}
			rest = rest[size:]
		}
	}()
	r := startVMLinkWith(t, "link.sock", `{"token":"abc"}`+"\n", &testGuest{}, func(options *vmlinkOptions) {
		options.console, options.consoleLog, options.consoleMax = console, logPath, max
	})
	r.awaitSocket(t)
	current := len(all) % max
	wantCurrent, wantOld := all[len(all)-current:], all[len(all)-current-max:len(all)-current]
	var got, old []byte
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, _ = os.ReadFile(logPath)
		old, _ = os.ReadFile(logPath + ".1")
		if bytes.Equal(got, wantCurrent) && bytes.Equal(old, wantOld) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console's log holds %d bytes and its .1 %d, not the last %d and the %d before", len(got), len(old), current, max)
		}
	}
	if info, err := os.Stat(logPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the new log is %v, %v", info.Mode(), err)
	}
	// the console closed: the link serves on
	if err := roundTrip(r.listen, 100<<10, 10); err != nil {
		t.Error(err)
	}
	r.stops <- syscall.SIGTERM
	if code := r.awaitExit(t); code != 0 || r.stderr.Len() != 0 {
		t.Errorf("vmlink exited %d, saying %q", code, r.stderr.String())
	}
}

func TestLinkCommandServesWhileItsConsoleIsAbsent(t *testing.T) {
	checkGoroutines(t)
	dir := socketDir(t)
	logPath := filepath.Join(dir, "console.log")
	r := startVMLinkWith(t, "link.sock", "", &testGuest{}, func(options *vmlinkOptions) {
		options.console, options.consoleLog, options.consoleMax = filepath.Join(dir, "console.sock"), logPath, minConsoleMax
	})
	r.awaitSocket(t)
	if err := roundTrip(r.listen, 100<<10, 11); err != nil {
		t.Error(err)
	}
	start := time.Now()
	r.stops <- syscall.SIGTERM // while the console's socket is still retried
	if code := r.awaitExit(t); code != 0 || r.stderr.Len() != 0 || time.Since(start) > 2*time.Second {
		t.Errorf("vmlink exited %d after %v, saying %q", code, time.Since(start), r.stderr.String())
	}
	if _, err := os.Lstat(logPath); !os.IsNotExist(err) {
		t.Errorf("a console never connected has a log: %v", err)
	}
}

func TestLinkCommandParsesTheConsoleOptions(t *testing.T) {
	base := []string{"vmlink", "--serial", "s", "--listen", "l"}
	for _, more := range [][]string{
		{"--console", "c"},
		{"--console-log", "f"},
		{"--console", "c", "--console-log", "f", "--console-max-bytes", "4095"},
		{"--console", "c", "--console-log", "f", "--console-max-bytes", "lots"},
		{"--console-max-bytes", "8192"},
		{"--listen", "-", "--console", "c", "--console-log", "f"},
	} {
		args := append(append([]string(nil), base...), more...)
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--console") {
			t.Errorf("%q exited %d, saying %q", args, code, stderr.String())
		}
	}
	options, err := parseVMLinkArgs([]string{"--console-log", "f", "--serial", "s", "--console", "c", "--listen", "l"})
	if err != nil || options.console != "c" || options.consoleLog != "f" || options.consoleMax != defaultConsoleMax {
		t.Errorf("parsed %+v, %v", options, err)
	}
	options, err = parseVMLinkArgs(append(base[1:], "--console", "c", "--console-log", "f", "--console-max-bytes", "4096"))
	if err != nil || options.consoleMax != 4096 {
		t.Errorf("parsed %+v, %v", options, err)
	}
}
