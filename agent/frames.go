package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"sync"
)

// Frame types of the agent protocol (docs/agent-protocol.md). Every message in both directions is
// one frame: a type byte, the payload's length as a big-endian uint32, then the payload.
const (
	frameHello      byte = 0x01 // agent: {"v": 1, "nonce": ...}
	frameRequest    byte = 0x02 // worker: the operation and the worker's proof
	frameAccepted   byte = 0x03 // agent: {"proof": ..., "pid": ...}
	frameError      byte = 0x04 // agent: {"code": ..., "message": ...}, then the connection closes
	frameStdin      byte = 0x10 // worker: bytes for the process's stdin or its terminal
	frameStdinClose byte = 0x11 // worker: closes stdin (nothing on a terminal)
	frameResize     byte = 0x12 // worker: {"cols": n, "rows": n}, terminal only
	frameStdout     byte = 0x20 // agent: what the process wrote to stdout (on a terminal: all of it)
	frameStderr     byte = 0x21 // agent: what it wrote to stderr
	frameExit       byte = 0x22 // agent: {"exit_code": n}, after all output
)

const (
	frameHeaderSize = 5
	// maxPayload bounds what the agent reads from a peer before it knows who the peer is.
	maxPayload = 1 << 20
	// maxOutputChunk is the largest output frame the agent sends.
	maxOutputChunk = 32 << 10
)

// Error codes of an ERROR frame, all before the operation starts.
const (
	codeBadRequest   = "bad_request"
	codeUnauthorized = "unauthorized"
	codeUnavailable  = "unavailable"
	codeCannotStart  = "cannot_start"
)

// errOversized is a frame whose header announces more than maxPayload: its payload is never read.
var errOversized = errors.New("the frame is larger than 1 MiB")

// readFrame reads one whole frame. A header that announces an oversized payload is an error
// before anything is allocated for it.
func readFrame(from io.Reader) (byte, []byte, error) {
	var header [frameHeaderSize]byte
	if _, err := io.ReadFull(from, header[:]); err != nil {
		return 0, nil, err
	}
	length := binary.BigEndian.Uint32(header[1:])
	if length > maxPayload {
		return header[0], nil, errOversized
	}
	payload := make([]byte, length)
	if _, err := io.ReadFull(from, payload); err != nil {
		return 0, nil, err
	}
	return header[0], payload, nil
}

// putFrameHeader writes the header of a frame whose payload of n bytes follows it in frame.
func putFrameHeader(frame []byte, kind byte, n int) {
	frame[0] = kind
	binary.BigEndian.PutUint32(frame[1:frameHeaderSize], uint32(n))
}

// frameWriter sends whole frames on a connection that several relays share: one write per
// frame, under a lock, so that frames never interleave. A write blocks while the worker does not
// read, which is the protocol's back pressure.
type frameWriter struct {
	mu  sync.Mutex
	out io.Writer
}

// sendFrame sends a frame built by the caller: its header, then its payload, in one slice.
func (w *frameWriter) sendFrame(frame []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err := w.out.Write(frame)
	return err
}

// send sends one frame of this type and payload.
func (w *frameWriter) send(kind byte, payload []byte) error {
	frame := make([]byte, frameHeaderSize+len(payload))
	putFrameHeader(frame, kind, len(payload))
	copy(frame[frameHeaderSize:], payload)
	return w.sendFrame(frame)
}

// sendJSON sends one frame whose payload is value as JSON.
func (w *frameWriter) sendJSON(kind byte, value interface{}) error {
	payload, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return w.send(kind, payload)
}

// sendError sends an ERROR frame; the caller closes the connection after it.
func (w *frameWriter) sendError(code, message string) error {
	return w.sendJSON(frameError, errorMessage{Code: code, Message: message})
}

// The JSON payloads.
type (
	helloMessage struct {
		Version int    `json:"v"`
		Nonce   string `json:"nonce"`
	}
	acceptedMessage struct {
		Proof string `json:"proof"`
		Pid   int    `json:"pid"`
	}
	errorMessage struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	exitMessage struct {
		ExitCode int `json:"exit_code"`
	}
	terminalSize struct {
		Cols int `json:"cols"`
		Rows int `json:"rows"`
	}
	// spawnRequest is the REQUEST of version 1's one operation.
	spawnRequest struct {
		Op      string        `json:"op"`
		Proof   string        `json:"proof"`
		Nonce   string        `json:"nonce"`
		Argv    []string      `json:"argv"`
		Env     []string      `json:"env"`
		Workdir string        `json:"workdir"`
		Tty     *terminalSize `json:"tty"`
		Stdin   bool          `json:"stdin"`
	}
)

// maxTerminalSide bounds a terminal's columns and rows.
const maxTerminalSide = 10000

// valid says whether a terminal may have this size.
func (size terminalSize) valid() bool {
	return size.Cols >= 1 && size.Cols <= maxTerminalSide && size.Rows >= 1 && size.Rows <= maxTerminalSide
}
