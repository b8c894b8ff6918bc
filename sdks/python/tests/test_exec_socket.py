"""The exec socket (``Sandbox.exec_socket``, ``terminal``, ``exec_socket_token``) against a running
suite, as test_sdk.py's tests are (STACYVM_URL, STACYVM_API_KEY); and its WebSocket client offline."""

import os
import socket
import struct
import time
import unittest
import uuid

import stacyvm
from stacyvm import Client, _websocket

URL = os.environ.get("STACYVM_URL")
KEY = os.environ.get("STACYVM_API_KEY")
WAIT = 30  # seconds, the most any one step waits


def require_suite():
    if not (URL and KEY):
        raise RuntimeError("these tests run against a suite: set STACYVM_URL and STACYVM_API_KEY (an admin key)")


def user() -> str:
    return "sdk-py-" + uuid.uuid4().hex[:10]


def await_process(sandbox, command_line):
    """Waits until ``command_line`` runs in the sandbox (its process list), WAIT seconds at most."""
    deadline = time.monotonic() + WAIT
    commands = []
    while time.monotonic() < deadline:
        commands = [p.get("command", "") for p in
                    sandbox._http.json("GET", f"/sandboxes/{sandbox.id}/processes").get("processes", [])]
        if any(command_line in command for command in commands):
            return
        time.sleep(0.3)
    raise AssertionError(f"{command_line!r} never ran; the processes: {commands}")


class ExecSocketTest(unittest.TestCase):
    """With a key of its own: a key may hold 16 exec sockets at once, and the shared admin key is the
    system tests' and the other SDK's too."""

    @classmethod
    def setUpClass(cls):
        require_suite()
        cls.admin = Client(URL, KEY)
        cls.key = cls.admin.admin.create_api_key(user(), role="user")
        cls.client = Client(URL, cls.key["key"], user())
        try:
            cls.sandbox = cls.client.spawn(ttl="10m", metadata={"suite": "python-sdk-exec-socket"})
        except BaseException:
            cls.admin.admin.revoke_api_key(cls.key["id"])
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.sandbox.destroy()
        finally:
            cls.admin.admin.revoke_api_key(cls.key["id"])

    def test_a_terminal_sees_its_size_and_its_resize_is_interrupted_by_sigint_and_ends_with_its_exit_code(self):
        with self.sandbox.terminal("bash", cols=80, rows=24) as terminal:
            self.assertTrue(terminal.terminal)
            terminal.read_until("$ ", WAIT)
            terminal.send("stty size\n")
            terminal.read_until("24 80\r\n", WAIT)
            terminal.resize(132, 43)
            terminal.send("stty size; tput cols\n")
            terminal.read_until("43 132\r\n132\r\n", WAIT)
            terminal.send('sleep 300; echo fin""ished\n')
            await_process(self.sandbox, "sleep 300")
            terminal.signal("SIGINT")
            terminal.send("echo status=$?\n")
            output = terminal.read_until("status=130", WAIT)
            self.assertNotIn("finished", output)
            terminal.send("exit 7\n")
            result = terminal.wait(WAIT)
        self.assertEqual(7, result.exit_code)
        self.assertFalse(result.timed_out)
        self.assertEqual(7, terminal.result.exit_code)

    def test_a_command_without_a_terminal_has_stdout_stderr_stdin_and_an_exit_code(self):
        with self.sandbox.exec_socket("read line; echo got $line; echo $GREETING from $(pwd) >&2; exit 3",
                                      env={"GREETING": "hello"}, workdir="/tmp") as session:
            self.assertFalse(session.terminal)
            session.send("typed\n")
            chunks = [(chunk.stream, chunk.data) for chunk in session]
        # each stream in order; between two pipes no order is kept (the command's two writes race)
        self.assertEqual("got typed\n", "".join(data for stream, data in chunks if stream == "stdout"))
        self.assertEqual("hello from /tmp\n", "".join(data for stream, data in chunks if stream == "stderr"))
        self.assertEqual(3, session.result.exit_code)
        with self.sandbox.exec_socket(["printf", "%s|", "two words", "$HOME"]) as session:
            result = session.wait(WAIT)
        self.assertEqual((0, "two words|$HOME|", ""), (result.exit_code, result.stdout, result.stderr))

    def test_every_byte_goes_through_cat_and_back_on_a_binary_session(self):
        every_byte = bytes(range(256)) * 64
        with self.sandbox.exec_socket(["cat"], binary=True) as session:
            session.send(every_byte[:8000])     # as a binary message
            session.send(every_byte[8000:])
            session.send("é\n")                  # text, base64 on the wire
            session.end_input()
            result = session.wait(WAIT)
        self.assertEqual(0, result.exit_code)
        self.assertEqual(every_byte + "é\n".encode("utf-8"), result.stdout)

    def test_a_token_opens_one_session_without_the_key_and_only_once(self):
        token = self.sandbox.exec_socket_token()
        self.assertEqual(f"/api/v1/sandboxes/{self.sandbox.id}/exec/ws?token={token.token}", token.path)
        self.assertTrue(token.url.startswith("ws://") and token.url.endswith(token.path), token.url)
        with stacyvm.connect_exec_socket(token.url, "echo opened by token", connect_timeout=WAIT) as session:
            self.assertEqual("opened by token\n", session.wait(WAIT).stdout)
        with self.assertRaises(stacyvm.UnauthorizedError) as refused:
            stacyvm.connect_exec_socket(token.url, "true", connect_timeout=WAIT)
        self.assertEqual(401, refused.exception.status)

    def test_a_refused_session_raises_the_typed_error_of_its_status(self):
        stranger = stacyvm.Sandbox(Client(URL, "svm_not_a_key")._http, {"id": self.sandbox.id})
        with self.assertRaises(stacyvm.UnauthorizedError):
            stranger.exec_socket("true")
        missing = stacyvm.Sandbox(self.client._http, {"id": "sb-000000000000"})
        with self.assertRaises(stacyvm.NotFoundError) as refused:
            missing.terminal()
        self.assertEqual(("not_found", 404), (refused.exception.code, refused.exception.status))

    def test_an_invalid_request_raises_the_typed_error_of_its_error_frame(self):
        with self.sandbox.exec_socket("sh", timeout="soon") as session:
            with self.assertRaises(stacyvm.BadRequestError) as refused:
                session.wait(WAIT)
        self.assertEqual("bad_request", refused.exception.code)
        with self.sandbox.exec_socket("sh", pty=True, cols=0) as session:
            with self.assertRaises(stacyvm.BadRequestError):
                list(session)

    def test_closing_a_session_kills_its_command(self):
        with self.sandbox.exec_socket("sleep 301", pty=True):
            await_process(self.sandbox, "sleep 301")
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            processes = self.sandbox._http.json("GET", f"/sandboxes/{self.sandbox.id}/processes")["processes"]
            if not any("sleep 301" in p.get("command", "") for p in processes):
                return
            time.sleep(0.3)
        self.fail("sleep 301 still runs after its session closed")


def server_frame(opcode, payload, final=True):
    """A frame as a server sends it: unmasked."""
    header = bytes([(0x80 if final else 0) | opcode])
    if len(payload) < 126:
        header += bytes([len(payload)])
    elif len(payload) < 1 << 16:
        header += bytes([126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([127]) + struct.pack("!Q", len(payload))
    return header + payload


def read_client_frame(sock):
    """(opcode, payload) of one frame from the client, unmasked; asserts the client masked it."""
    def exactly(n):
        data = b""
        while len(data) < n:
            data += sock.recv(n - len(data))
        return data
    first, second = exactly(2)
    assert second & 0x80, "a client frame must be masked"
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exactly(8))[0]
    key = exactly(4)
    payload = bytes(b ^ key[i % 4] for i, b in enumerate(exactly(length)))
    return first & 0x0F, payload


class WebSocketClientOfflineTest(unittest.TestCase):

    def setUp(self):
        self.server, client = socket.socketpair()
        self.server.settimeout(5)
        self.socket = _websocket.WebSocket(client)

    def tearDown(self):
        self.server.close()
        self.socket.abort()

    def test_fragments_are_joined_pings_answered_and_a_close_returned(self):
        text = ("ü" * 40000).encode("utf-8")
        self.server.sendall(server_frame(0x1, text[:7], final=False) + server_frame(0x9, b"are you there")
                            + server_frame(0x0, text[7:70001], final=False) + server_frame(0x0, text[70001:]))
        self.assertEqual("ü" * 40000, self.socket.receive(timeout=5))
        self.assertEqual((0xA, b"are you there"), read_client_frame(self.server))
        self.server.sendall(server_frame(0x2, os.urandom(0)) + server_frame(0x8, struct.pack("!H", 1000) + b"done"))
        self.assertEqual(b"", self.socket.receive(timeout=5))
        with self.assertRaises(_websocket.ConnectionClosed) as closed:
            self.socket.receive(timeout=5)
        self.assertEqual((1000, "done"), (closed.exception.code, closed.exception.reason))
        self.assertEqual((0x8, struct.pack("!H", 1000)), read_client_frame(self.server))

    def test_a_read_that_times_out_mid_frame_loses_nothing(self):
        frame = server_frame(0x2, bytes(range(200)))
        self.server.sendall(frame[:3])
        with self.assertRaises(TimeoutError):
            self.socket.receive(timeout=0.2)
        self.server.sendall(frame[3:])
        self.assertEqual(bytes(range(200)), self.socket.receive(timeout=5))

    def test_what_the_client_sends_is_masked_and_whole(self):
        self.socket.send_text("x" * 70000)
        self.assertEqual((0x1, b"x" * 70000), read_client_frame(self.server))
        self.socket.send_binary(b"\x00\xff")
        self.assertEqual((0x2, b"\x00\xff"), read_client_frame(self.server))

    def test_a_masked_server_frame_is_a_protocol_error(self):
        self.server.sendall(bytes([0x81, 0x80 | 1]) + b"\x00\x00\x00\x00" + b"a")
        with self.assertRaises(_websocket.ProtocolError):
            self.socket.receive(timeout=5)


if __name__ == "__main__":
    unittest.main()
