package main

// The link: many Unix-socket connections carried over the one virtio-serial port between a
// microVM's host and its guest. On the host, `stacyvm-agent vmlink` connects to the socket QEMU
// serves for the port and listens on a socket of its own for the worker; in the guest, init runs
// runGuestLink on the port's device (/dev/vportNpM) and dials serve's socket for every stream.
//
// Every frame is type u8 | stream u32 | length u32 (big-endian) | payload of at most 32 KiB.
// The host starts each connection with a preamble that is not a frame, linkMagic and 8 random
// bytes (its epoch); the guest scans for it whenever it is not synchronised, drops every stream,
// echoes it and says READY. So a restarted host process, or a guest that saw garbage, starts
// again from a known state, and bytes of an earlier connection are never taken for this one's.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Frame types of the link. None is 'S' (0x53), the preamble's first byte: a preamble met where a
// frame was expected is a protocol error, from which the guest resynchronises on it.
const (
	linkOpen         byte = 0x01 // host: open stream N (the guest dials its agent)
	linkOpenOK       byte = 0x02 // guest: stream N is open, its DATA may flow
	linkOpenFail     byte = 0x03 // guest: stream N could not be opened; payload: a one-line reason
	linkData         byte = 0x04 // either side: bytes of stream N
	linkClose        byte = 0x05 // either side: its end of N is gone; the receiver flushes, then closes
	linkCredit       byte = 0x06 // either side: u32, the sender consumed that many more bytes of N
	linkIdentity     byte = 0x07 // host, stream 0: the sandbox's identity, opaque bytes
	linkIdentityOK   byte = 0x08 // guest, stream 0: the identity was taken
	linkIdentityFail byte = 0x09 // guest, stream 0: it was not; payload: the reason
	linkReady        byte = 0x0a // guest, stream 0: readyAwaiting or readyIdentified
)

// linkRule is who may send a frame type, and whether it names a stream (else it is on stream 0).
type linkRule struct{ fromHost, fromGuest, stream bool }

// linkRules are the frame types' rules; a type not here is a protocol error.
var linkRules = map[byte]linkRule{
	linkOpen: {true, false, true}, linkOpenOK: {false, true, true}, linkOpenFail: {false, true, true},
	linkData: {true, true, true}, linkClose: {true, true, true}, linkCredit: {true, true, true},
	linkIdentity: {true, false, false}, linkIdentityOK: {false, true, false},
	linkIdentityFail: {false, true, false}, linkReady: {false, true, false},
}

const (
	linkHeaderSize = 9
	// linkMaxPayload bounds every frame's payload: larger DATA is split.
	linkMaxPayload = 32 << 10
	// linkWindow is the DATA a side may have unacknowledged per stream and direction: a local
	// connection that does not read holds its stream at this, never the link or another stream.
	linkWindow    = 256 << 10
	linkMagic     = "STACYVM-LINK/1"
	linkEpochSize = 8
)

// READY's payloads: whether the guest still awaits its identity.
const (
	readyAwaiting   = "awaiting-identity"
	readyIdentified = "identified"
)

var (
	// errLinkProtocol is a frame that breaks the rules: the guest resynchronises, the host fails.
	errLinkProtocol = errors.New("protocol error")
	// errLinkEnded is a frame refused because its session (or its stream) is over.
	errLinkEnded = errors.New("the link ended")
	// errHostAbsent is a read of nothing from the guest's port: no host is connected.
	errHostAbsent = errors.New("no host on the port")
)

// linkFrame answers one whole frame, header and payload in one slice (written in one Write).
func linkFrame(kind byte, stream uint32, payload []byte) []byte {
	frame := make([]byte, linkHeaderSize+len(payload))
	frame[0] = kind
	binary.BigEndian.PutUint32(frame[1:5], stream)
	binary.BigEndian.PutUint32(frame[5:9], uint32(len(payload)))
	copy(frame[linkHeaderSize:], payload)
	return frame
}

// linkPreamble answers the magic followed by epoch.
func linkPreamble(epoch []byte) []byte {
	return append([]byte(linkMagic), epoch...)
}

// readLinkFrame reads one frame that the guest (fromGuest) or the host may send. A header that
// breaks the rules is a protocol error and is left unread, so that the guest scans from its first
// byte: a new host's preamble may start there.
func readLinkFrame(in *bufio.Reader, fromGuest bool) (byte, uint32, []byte, error) {
	header, err := in.Peek(linkHeaderSize)
	if err != nil {
		return 0, 0, nil, err
	}
	kind, stream, length := header[0], binary.BigEndian.Uint32(header[1:5]), binary.BigEndian.Uint32(header[5:9])
	rule, known := linkRules[kind]
	switch {
	case !known || (fromGuest && !rule.fromGuest) || (!fromGuest && !rule.fromHost):
		return 0, 0, nil, fmt.Errorf("%w: unexpected frame type 0x%02x", errLinkProtocol, kind)
	case length > linkMaxPayload:
		return 0, 0, nil, fmt.Errorf("%w: a frame of %d bytes (at most %d)", errLinkProtocol, length, linkMaxPayload)
	case rule.stream != (stream != 0):
		return 0, 0, nil, fmt.Errorf("%w: frame type 0x%02x on stream %d", errLinkProtocol, kind, stream)
	case kind == linkCredit && length != 4:
		return 0, 0, nil, fmt.Errorf("%w: a CREDIT of %d bytes", errLinkProtocol, length)
	}
	in.Discard(linkHeaderSize)
	payload := make([]byte, length)
	if _, err := io.ReadFull(in, payload); err != nil {
		return 0, 0, nil, err
	}
	return kind, stream, payload, nil
}

// awaitMagic discards bytes until it has read linkMagic. On a mismatch it starts again at that
// byte when it could begin the magic: exact, because the magic's first byte occurs nowhere else
// in it, so no partial match can hide another.
func awaitMagic(in *bufio.Reader) error {
	for matched := 0; matched < len(linkMagic); {
		b, err := in.ReadByte()
		if err != nil {
			return err
		}
		switch {
		case b == linkMagic[matched]:
			matched++
		case b == linkMagic[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	return nil
}

// awaitHostPreamble discards bytes until the magic followed by epoch: the guest's echo of this
// connection's preamble. An echo of another epoch is an earlier connection's, left unread.
func awaitHostPreamble(in *bufio.Reader, epoch []byte) error {
	for {
		if err := awaitMagic(in); err != nil {
			return err
		}
		seen, err := in.Peek(linkEpochSize)
		if err != nil {
			return err
		}
		if bytes.Equal(seen, epoch) {
			in.Discard(linkEpochSize)
			return nil
		}
	}
}

// guestText answers bytes from the guest as the host may print them: at most maxGuestText of
// them, quoted (%q). Root in the guest writes what it likes to the port, and must neither start
// a line of its own in the worker's log nor flood it.
func guestText(payload []byte) string {
	if len(payload) > maxGuestText {
		return fmt.Sprintf("%q (cut at %d bytes)", payload[:maxGuestText], maxGuestText)
	}
	return fmt.Sprintf("%q", payload)
}

// oneLine answers an error's text on one line, for a frame's reason.
func oneLine(err error) []byte {
	return []byte(strings.ReplaceAll(err.Error(), "\n", " "))
}

// nudge wakes a goroutine waiting on ch (capacity 1), without blocking when it is awake already.
func nudge(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// linkWriter puts whole frames on the port, one at a time. A guest's sessions share it.
type linkWriter struct {
	mu  sync.Mutex
	out io.Writer
}

// linkStream is one connection carried by the link, and its local end.
type linkStream struct {
	id   uint32
	conn net.Conn // nil while the guest dials
	// the fields below are the session's, under its mu
	inbox   []byte // received DATA that is not yet written to conn
	pending int    // received DATA not yet credited back: at most linkWindow
	credit  int    // bytes this side may still send
	started bool   // its pumps run (the host's: will, once its OPEN is sent)
	removed bool   // CLOSE was sent or received, or the session ended: nothing more is sent
	// awaiting is the host's stream from its OPEN until the guest's OPEN_OK: no DATA flows yet
	awaiting bool
	timer    *time.Timer // the host's, while awaiting: gives the stream up (see expire)
	// wake and credited (capacity 1) tell deliver and forward that something changed
	wake, credited chan struct{}
}

// linkSession is one synchronised connection of the link: its streams end with it.
type linkSession struct {
	w       *linkWriter
	mu      sync.Mutex
	streams map[uint32]*linkStream // from OPEN until the local connection is closed
	ended   bool
	err     error // why it ended; nil when closed on purpose
	done    chan struct{}
	onEnd   func() // the host closes its serial connection, which unblocks its writers
	// the host's: the last stream it opened (a frame for a later one is a protocol error), and
	// where vmlink prints what happens to a stream (nil: nowhere)
	lastOpened uint32
	logf       func(format string, args ...interface{})
}

// newLinkSession answers a session that writes to w, before its preamble: one per connection.
func newLinkSession(w *linkWriter) *linkSession {
	return &linkSession{w: w, streams: map[uint32]*linkStream{}, done: make(chan struct{})}
}

// failure answers whether the session ended, and why.
func (l *linkSession) failure() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ended, l.err
}

// write writes bytes (whole frames, or a preamble) under the writer's lock, unless the session
// ended or, for st's frames, st did: so nothing of a stream follows its CLOSE, and nothing of an
// ended session follows the next one's preamble. A write error ends the session.
func (l *linkSession) write(data []byte, st *linkStream) error {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	l.mu.Lock()
	refused := l.ended || (st != nil && st.removed)
	l.mu.Unlock()
	if refused {
		return errLinkEnded
	}
	if _, err := l.w.out.Write(data); err != nil {
		err = fmt.Errorf("cannot write to the link: %w", err)
		l.end(err)
		return err
	}
	return nil
}

// send sends one frame that no stream's CLOSE can precede.
func (l *linkSession) send(kind byte, stream uint32, payload []byte) error {
	return l.write(linkFrame(kind, stream, payload), nil)
}

// end ends the session and drops its streams, closing their local connections at once.
func (l *linkSession) end(err error) {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return
	}
	l.ended, l.err = true, err
	close(l.done)
	var conns []net.Conn
	for _, st := range l.streams {
		st.removed = true
		if st.timer != nil {
			st.timer.Stop()
		}
		if st.conn != nil {
			conns = append(conns, st.conn)
		}
	}
	l.mu.Unlock()
	for _, conn := range conns {
		conn.Close()
	}
	if l.onEnd != nil {
		l.onEnd()
	}
}

// add registers a new stream: the guest's (conn nil while it dials), or, awaiting, the host's,
// whose DATA waits for the guest's OPEN_OK. The host's counts as started: its caller runs its
// pumps right after OPEN, and a CLOSE that comes first must leave them what it follows. False if
// the session ended or the number is taken.
func (l *linkSession) add(id uint32, conn net.Conn, awaiting bool) (*linkStream, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended || l.streams[id] != nil {
		return nil, false
	}
	st := &linkStream{id: id, conn: conn, credit: linkWindow, awaiting: awaiting, started: awaiting,
		wake: make(chan struct{}, 1), credited: make(chan struct{}, 1)}
	l.streams[id] = st
	if awaiting && id > l.lastOpened {
		l.lastOpened = id
	}
	return st, true
}

// count answers how many streams the session holds, from OPEN until their release: what the
// host's cap counts.
func (l *linkSession) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.streams)
}

// opensSent answers the last stream the host opened: the guest cannot answer for a later one.
func (l *linkSession) opensSent() uint32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastOpened
}

// log prints one line of the host's about its streams, when it has somewhere to print it.
func (l *linkSession) log(format string, args ...interface{}) {
	if l.logf != nil {
		l.logf(format, args...)
	}
}

// await gives the host's stream, whose OPEN was sent, wait for its OPEN_OK: a guest that never
// answers must not hold the worker's connection (or a place under the cap) for ever. Armed once
// OPEN is on the link, so that the CLOSE of expire can only follow it.
func (l *linkSession) await(st *linkStream, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st.awaiting && !st.removed && !l.ended {
		st.timer = time.AfterFunc(wait, func() { l.expire(st, wait) })
	}
}

// expire gives up the host's stream whose OPEN_OK did not come in time: the guest is sent CLOSE
// (so that it drops the stream, should it open it yet), the local connection is closed and the
// stream forgotten. The guest's later frames for it are ignored, as any that cross a CLOSE.
func (l *linkSession) expire(st *linkStream, wait time.Duration) {
	l.mu.Lock()
	expired := st.awaiting && !st.removed && !l.ended
	st.removed = st.removed || expired
	l.mu.Unlock()
	if !expired {
		return
	}
	l.log("stream %d: the guest did not answer its OPEN within %v; its connection is closed", st.id, wait)
	l.send(linkClose, st.id, nil)
	l.release(st)
}

// opened takes the guest's OPEN_OK for the host's stream id: its DATA may flow. Its forward may
// be blocked reading the local connection, holding what it read before: a read deadline in the
// past wakes it to send that (see resume). A second OPEN_OK is a protocol error; one for a stream
// the host gave up (or the guest closed since) is ignored.
func (l *linkSession) opened(id uint32) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[id]
	if st == nil || st.removed || l.ended {
		return nil
	}
	if !st.awaiting {
		return fmt.Errorf("%w: a second OPEN_OK for stream %d", errLinkProtocol, id)
	}
	st.awaiting = false
	if st.timer != nil {
		st.timer.Stop()
	}
	st.conn.SetReadDeadline(time.Unix(1, 0))
	nudge(st.credited)
	return nil
}

// refused takes the guest's OPEN_FAIL for the host's stream id, answering the stream it ends,
// for the caller to release: one that awaited its OPEN_OK (the guest holds nothing of it, so no
// CLOSE). OPEN_FAIL for a stream the guest opened already is a protocol error; one for a stream
// the host gave up is ignored (nil).
func (l *linkSession) refused(id uint32) (*linkStream, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[id]
	if st == nil || st.removed || l.ended {
		return nil, nil
	}
	if !st.awaiting {
		return nil, fmt.Errorf("%w: OPEN_FAIL for stream %d, which is open", errLinkProtocol, id)
	}
	st.removed = true
	return st, nil
}

// resume clears the read deadline with which OPEN_OK woke forward, answering false when the
// stream still awaits its OPEN_OK: then the deadline was not OPEN_OK's, and the read failed.
func (l *linkSession) resume(st *linkStream) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st.awaiting {
		return false
	}
	st.conn.SetReadDeadline(time.Time{})
	return true
}

// attach gives a dialled stream its connection; false (the caller closes conn) if it ended.
func (l *linkSession) attach(st *linkStream, conn net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st.removed || l.ended {
		return false
	}
	st.conn = conn
	return true
}

// start runs a stream's two pumps; false if they run already.
func (l *linkSession) start(st *linkStream) bool {
	l.mu.Lock()
	started := st.started
	st.started = true
	l.mu.Unlock()
	if !started {
		l.pump(st)
	}
	return !started
}

// pump runs a stream's two pumps, once: start's, or the host's right after its OPEN (see add).
func (l *linkSession) pump(st *linkStream) {
	go l.deliver(st)
	go l.forward(st)
}

// finish ends a stream from this side: the peer is sent CLOSE unless the stream ended already.
func (l *linkSession) finish(st *linkStream) {
	l.mu.Lock()
	wasLive := !st.removed && !l.ended
	st.removed = true
	nudge(st.wake)
	nudge(st.credited)
	l.mu.Unlock()
	if wasLive {
		l.send(linkClose, st.id, nil)
	}
}

// release forgets a stream and closes its local connection: the last step of every stream. It
// wakes both pumps, which then see the stream removed and end: a pump waiting for credit or DATA
// that will never come must not outlive its stream.
func (l *linkSession) release(st *linkStream) {
	l.mu.Lock()
	st.removed = true
	if l.streams[st.id] == st {
		delete(l.streams, st.id)
	}
	if st.timer != nil {
		st.timer.Stop()
	}
	nudge(st.wake)
	nudge(st.credited)
	conn := st.conn
	l.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
}

// receive takes the frames both sides handle alike: DATA, CLOSE and CREDIT. A frame for a stream
// that ended is ignored (it crossed its CLOSE); one beyond the window, or one for the host's
// stream that awaits its OPEN_OK (the guest has nothing to say on it yet), is a protocol error.
func (l *linkSession) receive(kind byte, id uint32, payload []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[id]
	if st == nil || st.removed || l.ended {
		return nil
	}
	if st.awaiting {
		return fmt.Errorf("%w: stream %d: frame type 0x%02x before OPEN_OK", errLinkProtocol, id, kind)
	}
	switch kind {
	case linkData:
		if st.pending+len(payload) > linkWindow {
			return fmt.Errorf("%w: stream %d: DATA beyond the window", errLinkProtocol, id)
		}
		st.pending += len(payload)
		st.inbox = append(st.inbox, payload...)
		nudge(st.wake)
	case linkCredit:
		st.credit += int(binary.BigEndian.Uint32(payload))
		if st.credit > linkWindow {
			return fmt.Errorf("%w: stream %d: CREDIT beyond the window", errLinkProtocol, id)
		}
		nudge(st.credited)
	case linkClose:
		st.removed = true
		nudge(st.wake)
		nudge(st.credited)
		if !st.started && st.conn != nil { // no pump will close it
			delete(l.streams, id)
			st.conn.Close()
		}
	default:
		return fmt.Errorf("%w: unexpected frame type 0x%02x", errLinkProtocol, kind)
	}
	return nil
}

// deliver writes a stream's received DATA to its local connection, sending CREDIT after each
// write. Once the stream ended by CLOSE it writes out what it holds, then closes the connection;
// when the session ends, at once.
func (l *linkSession) deliver(st *linkStream) {
	defer survive("a link stream's delivery")
	defer l.release(st)
	for {
		l.mu.Lock()
		chunk, removed, ended := st.inbox, st.removed, l.ended
		if len(chunk) > linkMaxPayload {
			chunk = chunk[:linkMaxPayload]
		}
		l.mu.Unlock()
		if ended {
			return
		}
		if len(chunk) == 0 {
			if removed {
				return
			}
			select {
			case <-st.wake:
			case <-l.done:
			}
			continue
		}
		// the session's reader only appends past chunk: the bytes written stay put
		n, err := st.conn.Write(chunk)
		l.mu.Lock()
		st.inbox = st.inbox[n:]
		if len(st.inbox) == 0 {
			st.inbox = nil
		}
		st.pending -= n // before the CREDIT: the peer's next DATA may follow it at once
		l.mu.Unlock()
		if err != nil {
			l.finish(st) // the local end is gone
			return
		}
		var credit [4]byte
		binary.BigEndian.PutUint32(credit[:], uint32(n))
		l.write(linkFrame(linkCredit, st.id, credit[:]), st)
	}
}

// forward reads a stream's local connection and sends it as DATA, never more than the peer's
// credit allows. The connection's end (or error) sends CLOSE. While the host's stream awaits its
// OPEN_OK it reads all the same, within the credit, and holds what it read until OPEN_OK wakes
// it: so a local connection that ends before OPEN_OK is seen at once, and its stream released
// (its CLOSE tells the guest to drop it). Once the stream ended otherwise it reads on and
// discards until deliver closes the connection: a local end that is writing must not block there
// while deliver writes it what the peer sent before its CLOSE.
func (l *linkSession) forward(st *linkStream) {
	defer survive("a link stream's forwarding")
	defer func() {
		// OPEN_OK's deadline, if any, was set before the stream ended, so before this
		st.conn.SetReadDeadline(time.Time{})
		io.Copy(io.Discard, st.conn)
	}()
	buf := make([]byte, linkMaxPayload)
	var held []byte // read before OPEN_OK, not sent yet
	for {
		l.mu.Lock()
		credit, stop, awaiting := st.credit, st.removed || l.ended, st.awaiting
		l.mu.Unlock()
		if stop {
			return
		}
		if !awaiting && len(held) > 0 {
			chunk := held
			if len(chunk) > linkMaxPayload {
				chunk = chunk[:linkMaxPayload]
			}
			if l.write(linkFrame(linkData, st.id, chunk), st) != nil {
				return
			}
			held = held[len(chunk):]
			continue
		}
		if credit == 0 {
			select {
			case <-st.credited:
			case <-l.done:
			}
			continue
		}
		if credit > len(buf) {
			credit = len(buf)
		}
		n, err := st.conn.Read(buf[:credit])
		if n > 0 {
			l.mu.Lock()
			st.credit -= n
			awaiting = st.awaiting
			l.mu.Unlock()
			if awaiting || len(held) > 0 {
				held = append(held, buf[:n]...)
			} else if l.write(linkFrame(linkData, st.id, buf[:n]), st) != nil {
				return
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && l.resume(st) {
				continue // OPEN_OK came: send what is held
			}
			l.finish(st)
			return
		}
	}
}

// portReader answers errHostAbsent for a read of nothing from the guest's port: the device reads
// 0 bytes while no host is connected.
type portReader struct{ port io.Reader }

// Read reads the port, a read of nothing being errHostAbsent.
func (r portReader) Read(p []byte) (int, error) {
	n, err := r.port.Read(p)
	if n > 0 {
		return n, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return 0, errHostAbsent
	}
	return 0, err
}

// portClosed says whether err is the port's own closing: nothing will ever come on it again.
func portClosed(err error) bool {
	return errors.Is(err, os.ErrClosed) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe)
}

// guestLink is the guest's side of the link, for the guest's whole life.
type guestLink struct {
	w          *linkWriter
	dial       func() (net.Conn, error)
	identity   func(payload []byte) error
	identified func() bool
}

// runGuestLink serves the link on the guest's port until the port is closed (init never closes
// it): OPEN dials the agent (dial), IDENTITY is handed to identity once. Unsynchronised (at start,
// after a protocol error, or once the host left) it scans for a host's preamble; idle sleeps
// while no host is connected.
func runGuestLink(port io.ReadWriter, dial func() (net.Conn, error), identity func(payload []byte) error,
	identified func() bool, idle func()) {
	g := &guestLink{w: &linkWriter{out: port}, dial: dial, identity: identity, identified: identified}
	in := bufio.NewReaderSize(portReader{port}, 64<<10)
	for {
		err := awaitMagic(in)
		epoch := make([]byte, linkEpochSize)
		if err == nil {
			_, err = io.ReadFull(in, epoch)
		}
		if err == nil {
			err = g.session(in, epoch)
		}
		if portClosed(err) {
			return
		}
		if !errors.Is(err, errLinkProtocol) {
			idle() // the host left, or the port failed: wait for the next one
		}
	}
}

// session serves one host's connection, from the echo of its preamble until the host leaves, a
// write fails or a protocol error; every stream is dropped then. A panic is only this session's.
func (g *guestLink) session(in *bufio.Reader, epoch []byte) (err error) {
	l := newLinkSession(g.w)
	defer l.end(errLinkEnded)
	defer func() {
		if problem := recover(); problem != nil {
			fmt.Fprintf(os.Stderr, "stacyvm-agent link: a session failed: %v\n", problem)
			err = fmt.Errorf("%w: %v", errLinkProtocol, problem)
		}
	}()
	ready := readyAwaiting
	if g.identified() {
		ready = readyIdentified
	}
	if err := l.write(append(linkPreamble(epoch), linkFrame(linkReady, 0, []byte(ready))...), nil); err != nil {
		return fmt.Errorf("%w: %v", errHostAbsent, err)
	}
	for {
		kind, id, payload, err := readLinkFrame(in, false)
		if err != nil {
			return err
		}
		if ended, err := l.failure(); ended {
			return fmt.Errorf("%w: %v", errHostAbsent, err) // a write failed: the host is gone
		}
		switch kind {
		case linkOpen:
			st, ok := l.add(id, nil, false)
			if !ok {
				return fmt.Errorf("%w: OPEN of stream %d, which is open", errLinkProtocol, id)
			}
			go g.open(l, st)
		case linkIdentity:
			g.takeIdentity(l, payload)
		default:
			if err := l.receive(kind, id, payload); err != nil {
				return err
			}
		}
	}
}

// open dials the agent for a stream the host opened, and answers OPEN_OK or OPEN_FAIL.
func (g *guestLink) open(l *linkSession, st *linkStream) {
	defer survive("a link stream's dial")
	conn, err := g.dial()
	if err != nil {
		l.release(st)
		l.send(linkOpenFail, st.id, oneLine(err))
		return
	}
	if !l.attach(st, conn) {
		conn.Close()
		l.release(st)
		return
	}
	if l.send(linkOpenOK, st.id, nil) != nil {
		l.release(st)
		return
	}
	l.start(st)
}

// takeIdentity takes the sandbox's identity, once.
func (g *guestLink) takeIdentity(l *linkSession, payload []byte) {
	if g.identified() {
		l.send(linkIdentityFail, 0, []byte("identity already set"))
	} else if err := g.identity(payload); err != nil {
		l.send(linkIdentityFail, 0, oneLine(err))
	} else {
		l.send(linkIdentityOK, 0, nil)
	}
}

// hostLink is the host's side of one connection to the guest; it owns the serial connection.
// The guest may be hostile: whatever it sends costs the host a bounded number of streams
// (maxStreams), each for a bounded time until it is opened (openWait), and at most a cut, quoted
// line of its text in vmlink's output (guestText).
type hostLink struct {
	serial     net.Conn
	in         *bufio.Reader
	l          *linkSession
	reading    chan struct{} // closed when the reader has ended
	openWait   time.Duration // how long a stream awaits its OPEN_OK: linkOpenWait
	maxStreams int           // the streams held at once: maxLinkStreams
	refusal    string        // the reader's: the last OPEN_FAIL reason printed
}

// startHostLink synchronises with the guest: the preamble, its echo and READY, within
// readyTimeout; then, given an identity and a guest that awaits one, IDENTITY and IDENTITY_OK
// within another readyTimeout. With no identity a template's guest must still await one; a
// restarted vmlink's (not a template) is served either way: an identified guest's agent answers
// its streams, an unidentified one's does not run yet, so that they fail. logf (nil: nowhere) is
// where the link prints what happens to its streams.
func startHostLink(serial net.Conn, identity []byte, template bool, readyTimeout time.Duration,
	logf func(format string, args ...interface{})) (*hostLink, error) {
	h := &hostLink{serial: serial, in: bufio.NewReaderSize(serial, 64<<10),
		l: newLinkSession(&linkWriter{out: serial}), reading: make(chan struct{}),
		openWait: linkOpenWait, maxStreams: maxLinkStreams}
	h.l.onEnd = func() { serial.Close() }
	h.l.logf = logf
	if err := h.handshake(identity, template, readyTimeout); err != nil {
		serial.Close()
		return nil, err
	}
	go h.read()
	return h, nil
}

// handshake is startHostLink's exchange, before any stream.
func (h *hostLink) handshake(identity []byte, template bool, readyTimeout time.Duration) error {
	if len(identity) > linkMaxPayload {
		return fmt.Errorf("the identity is %d bytes, more than a frame's %d", len(identity), linkMaxPayload)
	}
	epoch := make([]byte, linkEpochSize)
	if _, err := rand.Read(epoch); err != nil {
		return fmt.Errorf("no randomness for the epoch: %w", err)
	}
	h.serial.SetDeadline(time.Now().Add(readyTimeout))
	if _, err := h.serial.Write(linkPreamble(epoch)); err != nil {
		return fmt.Errorf("cannot write the preamble: %w", timedOut(err, readyTimeout))
	}
	if err := awaitHostPreamble(h.in, epoch); err != nil {
		return fmt.Errorf("no echo of the preamble from the guest: %w", timedOut(err, readyTimeout))
	}
	kind, _, payload, err := readLinkFrame(h.in, true)
	if err == nil && kind != linkReady {
		err = fmt.Errorf("%w: frame type 0x%02x instead of READY", errLinkProtocol, kind)
	}
	if err != nil {
		return fmt.Errorf("no READY from the guest: %w", timedOut(err, readyTimeout))
	}
	switch string(payload) {
	case readyIdentified:
		if identity == nil && template {
			return errors.New("the guest has an identity already; a template's must await one")
		}
	case readyAwaiting:
		if identity != nil {
			if err := h.identify(identity, readyTimeout); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%w: READY %s", errLinkProtocol, guestText(payload))
	}
	h.serial.SetDeadline(time.Time{})
	return nil
}

// identify sends IDENTITY and waits for its answer.
func (h *hostLink) identify(identity []byte, readyTimeout time.Duration) error {
	h.serial.SetDeadline(time.Now().Add(readyTimeout))
	if err := h.l.send(linkIdentity, 0, identity); err != nil {
		return fmt.Errorf("cannot send the identity: %w", timedOut(err, readyTimeout))
	}
	kind, _, payload, err := readLinkFrame(h.in, true)
	switch {
	case err != nil:
		return fmt.Errorf("no answer to the identity: %w", timedOut(err, readyTimeout))
	case kind == linkIdentityFail:
		return fmt.Errorf("the guest refused the identity: %s", guestText(payload))
	case kind != linkIdentityOK:
		return fmt.Errorf("%w: frame type 0x%02x instead of IDENTITY_OK", errLinkProtocol, kind)
	}
	return nil
}

// timedOut names the handshake's timeout when err is its deadline.
func timedOut(err error, timeout time.Duration) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("the guest did not answer within %v", timeout)
	}
	return err
}

// read is the host's reader: it never blocks on a local connection. Whatever ends it ends the
// link.
func (h *hostLink) read() {
	defer close(h.reading)
	defer func() {
		if problem := recover(); problem != nil {
			h.l.end(fmt.Errorf("the link's reader failed: %v", problem))
		}
	}()
	h.l.end(h.readFrames())
}

// readFrames handles the guest's frames until a read error or a protocol error. A frame for a
// stream the host gave up (or closed) is ignored; one for a stream it never opened, DATA, CREDIT
// or CLOSE before OPEN_OK, a second OPEN_OK and OPEN_FAIL after OPEN_OK are protocol errors.
func (h *hostLink) readFrames() error {
	for {
		kind, id, payload, err := readLinkFrame(h.in, true)
		if err != nil {
			return fmt.Errorf("cannot read the link: %w", err)
		}
		if id > h.l.opensSent() {
			return fmt.Errorf("%w: frame type 0x%02x for stream %d, which was never opened", errLinkProtocol, kind, id)
		}
		switch kind {
		case linkOpenOK:
			if err := h.l.opened(id); err != nil {
				return err
			}
		case linkOpenFail:
			st, err := h.l.refused(id)
			if err != nil {
				return err
			}
			if st == nil {
				continue
			}
			if reason := guestText(payload); reason != h.refusal { // said before the worker sees it
				h.refusal = reason
				h.l.log("stream %d: the guest could not open it: %s", id, reason)
			}
			h.l.release(st)
		case linkData, linkCredit, linkClose:
			if err := h.l.receive(kind, id, payload); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: frame type 0x%02x after the handshake", errLinkProtocol, kind)
		}
	}
}

// serve opens a stream for every connection the listener accepts, numbered from 1, until the link
// fails (its error; the listener is closed then) or the listener is closed (nil). The link ends
// either way. A connection accepted while maxStreams streams are held is closed at once, with no
// OPEN and no number: as serve's connections, the guest's streams are bounded.
func (h *hostLink) serve(listener net.Listener) error {
	defer h.close()
	go func() {
		<-h.l.done
		listener.Close()
	}()
	var next uint32
	refusing := false // said once each time the cap is reached
	for {
		conn, err := listener.Accept()
		if ended, failure := h.l.failure(); ended {
			if conn != nil {
				conn.Close()
			}
			return failure
		}
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil { // out of descriptors, say: the next accept may succeed
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if h.l.count() >= h.maxStreams {
			if !refusing {
				h.l.log("%d streams are open, the most there may be: connections are closed until one ends", h.maxStreams)
			}
			refusing = true
			conn.Close()
			continue
		}
		refusing = false
		if next == math.MaxUint32 {
			conn.Close()
			err := errors.New("no stream numbers left")
			h.l.end(err)
			return err
		}
		next++
		st, ok := h.l.add(next, conn, true)
		if !ok {
			conn.Close()
			continue
		}
		if h.l.send(linkOpen, next, nil) != nil { // it ended the link, which the next Accept sees
			h.l.release(st)
			continue
		}
		h.l.await(st, h.openWait)
		h.l.pump(st) // forward reads ahead (see there), deliver has nothing before OPEN_OK
	}
}

// close ends the link on purpose and waits for its reader.
func (h *hostLink) close() {
	h.l.end(nil)
	<-h.reading
}

// runHostLink is the host's link: the handshake (see startHostLink), then, with a listener, every
// connection it accepts as a stream until the link fails (error) or the listener is closed (nil).
// With no listener (a template's) it returns nil after the handshake. It closes serial.
func runHostLink(serial net.Conn, identity []byte, listener net.Listener, readyTimeout time.Duration) error {
	h, err := startHostLink(serial, identity, listener == nil, readyTimeout, nil)
	if err != nil {
		return err
	}
	if listener == nil {
		h.close()
		return nil
	}
	return h.serve(listener)
}

// vmlinkReadyLine is what `vmlink` says on stdout once it listens.
const vmlinkReadyLine = "stacyvm-agent vmlink: ready"

// The limits of `vmlink`: how long it retries the serial and console sockets (QEMU may not have
// created them yet), how long a stream awaits the guest's OPEN_OK and how many streams it holds
// at once (as maxConnections bounds serve's); tests change them.
var (
	serialWait     = 10 * time.Second
	linkOpenWait   = 15 * time.Second
	maxLinkStreams = 256
)

// The identity line's size, READY's default timeout, the console log's bound (default and least)
// and how much of a guest's text vmlink prints.
const (
	maxIdentityLine     = 64 << 10
	defaultReadyTimeout = 30 * time.Second
	defaultConsoleMax   = 1 << 20
	minConsoleMax       = 4096
	maxGuestText        = 200
)

// vmlinkOptions is what `stacyvm-agent vmlink` was asked to do.
type vmlinkOptions struct {
	serial, listen string // listen "-": a template's, return after READY
	identityStdin  bool
	readyTimeout   time.Duration
	// the guest's console: QEMU's socket for it and the log it is copied to, "" for none; the
	// log's bound, set (defaultConsoleMax unless given) only with a console
	console, consoleLog string
	consoleMax          int64
}

// parseVMLinkArgs reads `--serial <path> --listen <path|-> [--identity-stdin] [--ready-timeout
// <seconds>] [--console <path> --console-log <file> [--console-max-bytes <n>]]`, in any order.
// --console is refused for a template (--listen -): its vmlink exits right after READY, so that
// nothing would keep the console, and saying so beats losing it quietly.
func parseVMLinkArgs(args []string) (vmlinkOptions, error) {
	options := vmlinkOptions{readyTimeout: defaultReadyTimeout}
	for i := 0; i < len(args); i++ {
		if args[i] == "--identity-stdin" {
			options.identityStdin = true
			continue
		}
		if i+1 >= len(args) || args[i+1] == "" {
			return options, fmt.Errorf("%s needs a value", args[i])
		}
		switch value := args[i+1]; args[i] {
		case "--serial":
			options.serial = value
		case "--listen":
			options.listen = value
		case "--ready-timeout":
			seconds, err := strconv.ParseFloat(value, 64)
			if err != nil || !(seconds > 0 && seconds <= 86400) {
				return options, fmt.Errorf("--ready-timeout needs seconds from 0 to 86400, not %q", value)
			}
			options.readyTimeout = time.Duration(seconds * float64(time.Second))
		case "--console":
			options.console = value
		case "--console-log":
			options.consoleLog = value
		case "--console-max-bytes":
			max, err := strconv.ParseInt(value, 10, 64)
			if err != nil || max < minConsoleMax {
				return options, fmt.Errorf("--console-max-bytes needs a number of bytes, at least %d, not %q", minConsoleMax, value)
			}
			options.consoleMax = max
		default:
			return options, fmt.Errorf("unknown argument %q", args[i])
		}
		i++
	}
	switch {
	case options.serial == "" || options.listen == "":
		return options, errors.New("--serial and --listen are required")
	case (options.console == "") != (options.consoleLog == ""):
		return options, errors.New("--console and --console-log go together")
	case options.console == "" && options.consoleMax != 0:
		return options, errors.New("--console-max-bytes needs --console")
	case options.console != "" && options.listen == "-":
		return options, errors.New("--console is not for a template (--listen -), whose vmlink exits after READY")
	case options.console != "" && options.consoleMax == 0:
		options.consoleMax = defaultConsoleMax
	}
	return options, nil
}

// readIdentityLine reads the identity: one line of stdin, at most maxIdentityLine bytes, without
// its newline. It must fit in one frame.
func readIdentityLine(stdin io.Reader) ([]byte, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, maxIdentityLine+1)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("cannot read the identity: %w", err)
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	switch {
	case len(line) == 0:
		return nil, errors.New("the identity on stdin is empty")
	case len(line) > linkMaxPayload:
		return nil, fmt.Errorf("the identity on stdin is longer than %d bytes", linkMaxPayload)
	}
	return line, nil
}

// runVMLink is `stacyvm-agent vmlink`, the host's end of a microVM's link; see serveVMLink.
func runVMLink(options vmlinkOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	stops := make(chan os.Signal, 1)
	signal.Notify(stops, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(stops)
	return serveVMLink(options, stdin, stdout, stderr, stops)
}

// serveVMLink reads the identity, connects to the serial socket, runs the handshake and only then
// listens for the worker (not at all for a template). With a console it copies it beside, for
// its whole life (copyConsole). It exits 0 on a stop, closing whatever is open, 1 when the link
// fails and 2 for a bad identity; errors, and what the link says of its streams, are one line
// each on stderr. Without an identity (and not a template) it is a restarted vmlink of a running
// sandbox: the guest identified already just has its streams served.
func serveVMLink(options vmlinkOptions, stdin io.Reader, stdout, stderr io.Writer, stops <-chan os.Signal) int {
	stderr = &lockedWriter{w: stderr} // the link's reader and the console's copy say things too
	say := func(format string, args ...interface{}) {
		fmt.Fprintf(stderr, "stacyvm-agent vmlink: "+format+"\n", args...)
	}
	fail := func(code int, err error) int {
		say("%v", err)
		return code
	}
	var identity []byte
	if options.identityStdin {
		var err error
		if identity, err = readIdentityLine(stdin); err != nil {
			return fail(exitUsage, err)
		}
	}
	if options.console != "" && options.listen != "-" {
		defer startConsoleCopy(options.console, options.consoleLog, options.consoleMax, say)()
	}
	stop := &stopper{}
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-stops:
			stop.stop()
		case <-finished:
		}
	}()
	serial, err := dialQEMU(options.serial, "the serial port's socket", stop)
	if err != nil || !stop.add(serial) {
		if stop.stopped() {
			return 0
		}
		return fail(1, err)
	}
	h, err := startHostLink(serial, identity, options.listen == "-", options.readyTimeout, say)
	if err != nil {
		if stop.stopped() {
			return 0
		}
		return fail(1, err)
	}
	if options.listen == "-" {
		h.close()
		return 0
	}
	listener, err := listenLinkSocket(options.listen)
	if err != nil {
		h.close()
		return fail(1, err)
	}
	defer os.Remove(options.listen)
	if stop.add(listener) {
		fmt.Fprintln(stdout, vmlinkReadyLine)
	}
	err = h.serve(listener)
	listener.Close()
	if stop.stopped() {
		return 0
	}
	if err == nil {
		err = errors.New("the listener closed")
	}
	return fail(1, err)
}

// stopper closes what vmlink has open when it is told to stop, newest first.
type stopper struct {
	mu      sync.Mutex
	done    bool
	closers []io.Closer
}

// add keeps c to close on a stop; false (c closed) when stopped already.
func (s *stopper) add(c io.Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		c.Close()
		return false
	}
	s.closers = append(s.closers, c)
	return true
}

// stop closes what was added, and whatever is added from now on.
func (s *stopper) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i].Close()
	}
}

// stopped says whether stop was called: a failure since is the stop's doing, not an error.
func (s *stopper) stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

// dialQEMU connects to a socket QEMU serves (what names it in the error), retrying every 20 ms
// for up to serialWait, or until stopped: QEMU may not have created it yet.
func dialQEMU(path, what string, stop *stopper) (net.Conn, error) {
	deadline := time.Now().Add(serialWait)
	for {
		conn, err := net.DialTimeout("unix", path, time.Second)
		if err == nil {
			return conn, nil
		}
		if time.Now().After(deadline) || stop.stopped() {
			return nil, fmt.Errorf("cannot connect to %s: %w", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedWriter serialises whole writes to w: vmlink's lines come from more than one goroutine.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to w, alone.
func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// startConsoleCopy runs copyConsole beside the link, and answers the function that ends it and
// waits for it: vmlink leaves nothing running behind it.
func startConsoleCopy(socket, logPath string, max int64, say func(format string, args ...interface{})) (stop func()) {
	stopping := &stopper{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer survive("the console's copy")
		copyConsole(socket, &consoleLog{path: logPath, max: max, say: say}, stopping, say)
	}()
	return func() {
		stopping.stop()
		<-done
	}
}

// copyConsole connects to QEMU's socket for the guest's console (QEMU writes the console there,
// not to a file, so that a guest printing for ever cannot fill the host's disk) and writes what
// it reads to log as it comes, bytes as they are, until the socket closes or vmlink stops. It
// shares nothing with the link: a console that floods, stalls or closes costs the link nothing,
// and the copy's failures are only said.
func copyConsole(socket string, log *consoleLog, stop *stopper, say func(format string, args ...interface{})) {
	conn, err := dialQEMU(socket, "the console's socket", stop)
	if err != nil {
		if !stop.stopped() {
			say("the guest's console is not kept: %v", err)
		}
		return
	}
	if !stop.add(conn) {
		return
	}
	defer conn.Close()
	defer log.close()
	log.open()
	buf := make([]byte, 32<<10)
	for {
		n, err := conn.Read(buf)
		log.write(buf[:n])
		if err != nil {
			return
		}
	}
}

// consoleLog is the console's log file, kept within max bytes: when a write would take it beyond,
// the file becomes path.1 (replacing the previous one) and a new one is started, so that at most
// 2×max bytes are on disk whatever the guest prints. Its failures are said once (a failing disk
// must not flood the log that says so); the bytes it could not write are dropped, and the next
// write opens the file again.
type consoleLog struct {
	path   string
	max    int64
	say    func(format string, args ...interface{})
	file   *os.File // nil while closed
	size   int64    // file's, as found at open and written since
	failed bool     // a failure was said
}

// write appends data, starting a new file whenever the current one is full.
func (c *consoleLog) write(data []byte) {
	for len(data) > 0 {
		if c.file == nil && !c.open() {
			return
		}
		if c.size >= c.max {
			if !c.rotate() {
				return
			}
			continue
		}
		part := data
		if room := c.max - c.size; int64(len(part)) > room {
			part = part[:room]
		}
		n, err := c.file.Write(part)
		c.size += int64(n)
		if err != nil {
			c.fail("cannot write the console's log: %v", err)
			c.close()
			return
		}
		data = data[n:]
	}
}

// open opens the log to append to it (an earlier vmlink's is continued), creating it 0600.
func (c *consoleLog) open() bool {
	file, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err == nil {
		var info os.FileInfo
		if info, err = file.Stat(); err == nil {
			c.file, c.size = file, info.Size()
			return true
		}
		file.Close()
	}
	c.fail("cannot open the console's log: %v", err)
	return false
}

// rotate makes the full log path.1, replacing the previous one, and opens a new one. Should the
// rename fail, the full log is removed instead: the bound holds whatever the disk does.
func (c *consoleLog) rotate() bool {
	c.close()
	if err := os.Rename(c.path, c.path+".1"); err != nil {
		c.fail("cannot rotate the console's log: %v", err)
		if err := os.Remove(c.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false
		}
	}
	return c.open()
}

// close closes the log's file, if open.
func (c *consoleLog) close() {
	if c.file != nil {
		c.file.Close()
		c.file = nil
	}
}

// fail says the log's first failure, and no other.
func (c *consoleLog) fail(format string, args ...interface{}) {
	if !c.failed {
		c.failed = true
		c.say(format, args...)
	}
}

// listenLinkSocket listens on path for the worker, replacing a stale socket there; the socket is
// created 0600 (by the umask, so never open to others even for a moment): the worker connects as
// this process's user.
func listenLinkSocket(path string) (*net.UnixListener, error) {
	if info, err := os.Lstat(path); err == nil && info.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	previous := syscall.Umask(0o177)
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	syscall.Umask(previous)
	if err != nil {
		return nil, fmt.Errorf("cannot listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		listener.Close()
		return nil, fmt.Errorf("cannot restrict the socket: %w", err)
	}
	return listener, nil
}
