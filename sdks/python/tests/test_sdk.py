"""The SDK against a running suite: STACYVM_URL and STACYVM_API_KEY (an admin key) name it.

``./stacyvm test`` runs these against its own instance; by hand:
``STACYVM_URL=http://127.0.0.1:7423 STACYVM_API_KEY=... python3 -m unittest discover -s sdks/python/tests``.
"""

import contextlib
import http.server
import itertools
import json
import os
import tempfile
import threading
import unittest
import uuid

import stacyvm
from stacyvm import Client

URL = os.environ.get("STACYVM_URL")
KEY = os.environ.get("STACYVM_API_KEY")


def require_suite():
    if not (URL and KEY):
        raise RuntimeError("these tests run against a suite: set STACYVM_URL and STACYVM_API_KEY (an admin key)")


def user() -> str:
    return "sdk-py-" + uuid.uuid4().hex[:10]


WAIT_SECONDS = 60


@contextlib.contextmanager
def following(client, **filters):
    """``client.events(...)``, closed on leaving and after WAIT_SECONDS at the latest, so no read waits longer."""
    stream = client.events(**filters)
    watchdog = threading.Timer(WAIT_SECONDS, stream.close)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield stream
    finally:
        watchdog.cancel()
        stream.close()


def types_until(stream, sandbox_id, last_type, seen):
    """The types of ``sandbox_id``'s events up to ``last_type``, progress left out; every event read goes to ``seen``."""
    types = []
    for event in itertools.islice(stream, 1000):
        seen.append(event)
        if event.sandbox_id != sandbox_id or event.type == "sandbox.progress":
            continue
        types.append(event.type)
        if event.type == last_type:
            return types
    raise AssertionError(f"no {last_type} of {sandbox_id} within {WAIT_SECONDS} s; its events: {types}")


class SandboxTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_suite()
        cls.client = Client(URL, KEY, user())
        cls.sandbox = cls.client.spawn(ttl="10m", metadata={"suite": "python-sdk"})

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.destroy()

    def test_spawn_answers_a_running_sandbox_that_get_and_list_find(self):
        self.assertEqual("running", self.sandbox.state)
        self.assertEqual({"suite": "python-sdk"}, self.sandbox.metadata)
        self.assertEqual(self.sandbox.id, self.client.get(self.sandbox.id).id)
        self.assertIn(self.sandbox.id, [s.id for s in self.client.list()])

    def test_a_string_runs_in_the_shell_and_a_list_runs_as_it_is(self):
        shell = self.sandbox.exec("echo $((6 * 7)) && echo oops >&2; exit 3")
        self.assertEqual((3, "42\n", "oops\n"), (shell.exit_code, shell.stdout, shell.stderr))
        self.assertFalse(shell.ok)
        argv = self.sandbox.exec(["printf", "%s|", "two words", "$HOME", "a;b"])
        self.assertEqual("two words|$HOME|a;b|", argv.stdout)
        self.assertTrue(argv.ok)

    def test_exec_takes_env_workdir_and_a_timeout(self):
        result = self.sandbox.exec("echo $GREETING from $(pwd)", env={"GREETING": "hello"}, workdir="/tmp")
        self.assertEqual("hello from /tmp\n", result.stdout)
        slow = self.sandbox.exec("sleep 30", timeout="1s")
        self.assertTrue(slow.timed_out)
        self.assertFalse(slow.ok)

    def test_exec_stream_hands_output_over_while_the_command_still_runs(self):
        marker = f"/tmp/go-{uuid.uuid4().hex}"
        command = f"echo waiting; while [ ! -f {marker} ]; do sleep 0.1; done; echo done >&2; exit 4"
        chunks = []
        with self.sandbox.exec_stream(command, timeout="60s") as stream:
            for chunk in stream:
                chunks.append(chunk)
                if chunk.data == "waiting\n":
                    # the command cannot end before this file exists: the chunk came while it ran
                    self.sandbox.files.write(marker, "")
        self.assertEqual([("stdout", "waiting\n"), ("stderr", "done\n")], [(c.stream, c.data) for c in chunks])
        self.assertEqual(4, stream.result.exit_code)
        self.assertEqual("waiting\n", stream.result.stdout)

    def test_files_round_trip_text_and_bytes(self):
        base = f"/workspace/sdk-{uuid.uuid4().hex[:8]}"
        self.sandbox.files.write(f"{base}/notes.txt", "héllo\n")
        binary = bytes(range(256)) * 4
        self.sandbox.files.write(f"{base}/blob.bin", binary)
        self.assertEqual("héllo\n", self.sandbox.files.read_text(f"{base}/notes.txt"))
        self.assertEqual(binary, self.sandbox.files.read(f"{base}/blob.bin"))
        self.assertEqual(["blob.bin", "notes.txt"], sorted(f.name for f in self.sandbox.files.list(base)))
        self.assertEqual(1024, self.sandbox.files.stat(f"{base}/blob.bin").size)

        self.sandbox.files.move(f"{base}/notes.txt", f"{base}/deep/moved.txt")
        self.sandbox.files.chmod(f"{base}/deep/moved.txt", "0600")
        self.assertEqual("0600", self.sandbox.files.stat(f"{base}/deep/moved.txt").mode[-4:])
        self.assertEqual([f"{base}/deep/moved.txt"], self.sandbox.files.glob(f"{base}/**/*.txt"))
        self.sandbox.files.delete(base, recursive=True)
        self.assertFalse(self.sandbox.files.exists(base))

    def test_a_folder_goes_in_and_comes_back_as_it_was(self):
        remote = f"/workspace/tree-{uuid.uuid4().hex[:8]}"
        with tempfile.TemporaryDirectory() as source, tempfile.TemporaryDirectory() as target:
            os.makedirs(os.path.join(source, "src", "pkg"))
            with open(os.path.join(source, "src", "pkg", "main.py"), "w") as out:
                out.write("print('hi')\n")
            with open(os.path.join(source, "README"), "w") as out:
                out.write("read me\n")
            self.sandbox.files.upload_dir(source, remote)
            self.assertEqual("hi\n", self.sandbox.exec(["python3", f"{remote}/src/pkg/main.py"]).stdout)
            written = self.sandbox.files.download_dir(remote, target)
            self.assertEqual(2, len(written))
            with open(os.path.join(target, "src", "pkg", "main.py")) as back:
                self.assertEqual("print('hi')\n", back.read())

    def test_extend_logs_and_a_private_preview_url(self):
        before = self.sandbox.expires_at
        self.assertGreater(self.sandbox.extend("20m").expires_at, before)
        self.assertIn("stacyvm: sandbox started", self.sandbox.logs(10))


class MockProviderTest(unittest.TestCase):
    """The mock provider (docs/providers.md) as a client's tests use it: the same calls, no container."""

    @classmethod
    def setUpClass(cls):
        require_suite()
        cls.client = Client(URL, KEY, user())
        if not any(p["name"] == "mock" and p["healthy"] for p in cls.client.providers()):
            raise unittest.SkipTest("the suite offers no mock provider (STACYVM_PROVIDERS=docker,mock)")

    def test_a_mock_sandbox_answers_exec_and_files_through_the_same_calls(self):
        sandbox = self.client.spawn(provider="mock", ttl="5m", env={"GREETING": "hello"})
        try:
            self.assertEqual("mock", sandbox.data["provider"])
            shell = sandbox.exec("echo $GREETING > /workspace/a.txt && cat /workspace/a.txt; echo oops >&2; exit 3")
            self.assertEqual((3, "hello\n", "oops\n"), (shell.exit_code, shell.stdout, shell.stderr))
            sandbox.files.write("/workspace/notes/b.txt", "héllo\n")
            self.assertEqual("héllo\n", sandbox.files.read_text("/workspace/notes/b.txt"))
            self.assertEqual(["b.txt"], [f.name for f in sandbox.files.list("/workspace/notes")])
            self.assertEqual(127, sandbox.exec("python3 -V").exit_code, "a mock runs no programs")
            self.assertTrue(sandbox.exec("sleep 30", timeout="1s").timed_out)
        finally:
            sandbox.destroy()


class LifecycleAndErrorsTest(unittest.TestCase):

    def setUp(self):
        require_suite()
        self.client = Client(URL, KEY, user())

    def test_the_context_manager_destroys_the_sandbox(self):
        with self.client.spawn(ttl="5m") as sandbox:
            self.assertEqual("ok\n", sandbox.exec("echo ok").stdout)
        with self.assertRaises(stacyvm.NotFoundError) as raised:
            self.client.get(sandbox.id)
        self.assertEqual(404, raised.exception.status)
        sandbox.destroy()  # again: no error

    def test_private_preview_urls_carry_a_token(self):
        with self.client.spawn(ttl="5m", ports=[3000]) as sandbox:
            access = sandbox.preview(3000)
            self.assertFalse(access.public_preview)
            self.assertTrue(sandbox.preview_url(3000).startswith(access.url))
            self.assertIn("preview_token=", sandbox.preview_url(3000))
            with self.assertRaises(stacyvm.NotFoundError):
                sandbox.preview(3001)

    def test_errors_are_typed_by_their_code(self):
        with self.assertRaises(stacyvm.NotFoundError):
            self.client.get("sb-000000000000")
        with self.assertRaises(stacyvm.BadRequestError) as bad:
            self.client.spawn(ttl="whenever")
        self.assertEqual("bad_request", bad.exception.code)
        with self.assertRaises(stacyvm.UnauthorizedError):
            Client(URL, "svm_not-a-key").list()
        with self.assertRaises(stacyvm.StacyVMConnectionError):
            Client("http://127.0.0.1:9", KEY).list()

    def test_a_full_quota_is_a_resource_limit_error_with_retry_after(self):
        limit = self.client.admission()["max_owner_sandboxes"]
        made = []
        try:
            for _ in range(limit):
                made.append(self.client.spawn(ttl="5m"))
            with self.assertRaises(stacyvm.ResourceLimitError) as refused:
                self.client.spawn(ttl="5m")
            self.assertEqual(429, refused.exception.status)
            self.assertIsNotNone(refused.exception.retry_after)
        finally:
            for sandbox in made:
                sandbox.destroy()

    def test_templates_spawn_with_their_fields(self):
        name = "sdk-" + uuid.uuid4().hex[:8]
        self.client.templates.create(name, memory_mb=300, ttl="5m", metadata={"from": "template"})
        try:
            self.assertIn(name, [t["name"] for t in self.client.templates.list()])
            with self.client.templates.spawn(name) as sandbox:
                self.assertEqual(300, sandbox.data["memory_mb"])
                self.assertEqual("template", sandbox.metadata["from"])
        finally:
            self.client.templates.delete(name)
        with self.assertRaises(stacyvm.NotFoundError):
            self.client.templates.get(name)

    def test_an_admin_makes_and_revokes_keys_and_reads_the_audit_log(self):
        made = self.client.admin.create_api_key("sdk-" + uuid.uuid4().hex[:6], role="viewer")
        viewer = Client(URL, made["key"])
        self.assertIsInstance(viewer.list(), list)
        with self.assertRaises(stacyvm.ForbiddenError):
            viewer.spawn()
        self.client.admin.revoke_api_key(made["id"])
        with self.assertRaises(stacyvm.UnauthorizedError):
            viewer.list()
        self.assertTrue(self.client.admin.audit(limit=5))


class StatsAndEventsTest(unittest.TestCase):
    """With a key of its own: a key may hold 8 streams, and a stream that was closed keeps its place
    on the server a while, so streams on the shared admin key would run out."""

    @classmethod
    def setUpClass(cls):
        require_suite()
        cls.admin = Client(URL, KEY)
        cls.key = cls.admin.admin.create_api_key(user(), role="user")
        cls.client = Client(URL, cls.key["key"])

    @classmethod
    def tearDownClass(cls):
        cls.admin.admin.revoke_api_key(cls.key["id"])

    def test_stats_of_a_running_sandbox_show_the_memory_it_was_given_and_its_processes(self):
        with self.client.spawn(ttl="5m", memory_mb=256) as sandbox:
            stats = sandbox.stats()
            self.assertEqual(sandbox.id, stats.sandbox_id)
            self.assertEqual(256 * 1024 * 1024, stats.mem_limit_bytes)
            self.assertGreaterEqual(stats.pids, 1)
            self.assertLessEqual(stats.pids, stats.pids_limit)
            self.assertEqual(256 * 1024 * 1024, self.client.stats(sandbox.id).mem_limit_bytes)
        with self.assertRaises(stacyvm.NotFoundError):
            self.client.stats(sandbox.id)

    def test_events_follow_a_sandbox_from_created_to_destroyed_in_order(self):
        with following(self.client) as stream:
            sandbox = self.client.spawn(ttl="5m")
            try:
                types = types_until(stream, sandbox.id, "sandbox.running", [])
            finally:
                sandbox.destroy()
            types += types_until(stream, sandbox.id, "sandbox.destroyed", [])
        self.assertEqual(["sandbox.created", "sandbox.running", "sandbox.destroying", "sandbox.destroyed"], types)

    def test_a_stream_resumed_from_a_cursor_misses_and_repeats_nothing(self):
        sandbox = None
        try:
            before = []
            with following(self.client) as stream:
                sandbox = self.client.spawn(ttl="5m")
                types_until(stream, sandbox.id, "sandbox.running", before)
            running = before[-1]
            self.assertEqual(running.cursor, stream.cursor)
            self.assertTrue(stream.closed)
            self.assertEqual([], list(stream), "a closed stream reads nothing more")

            sandbox.destroy()  # while no stream follows it
            after = []
            with following(self.client, sandbox_id=sandbox.id, last_event_id=running.cursor) as resumed:
                types = types_until(resumed, sandbox.id, "sandbox.destroyed", after)
            self.assertEqual(["sandbox.destroying", "sandbox.destroyed"], types)
            self.assertEqual({sandbox.id}, {event.sandbox_id for event in after})
            self.assertFalse({event.id for event in before} & {event.id for event in after})
        finally:
            if sandbox is not None:
                sandbox.destroy()

    def test_bad_stream_requests_raise_bad_request_errors(self):
        with self.assertRaises(stacyvm.BadRequestError) as bad:
            self.client.events(types=["sandbox.running", "sandbox.exploded"])
        self.assertEqual((400, "bad_request"), (bad.exception.status, bad.exception.code))
        with self.assertRaises(stacyvm.BadRequestError):
            self.client.events(last_event_id="yesterday")


def sse(*events, retry=None):
    """A stream's bytes as the gateway writes them: a retry: line and a comment, then id: and data: per event."""
    text = (f"retry: {retry}\n" if retry is not None else "") + ": stream\n\n"
    for cursor, event_type in events:
        event = {"id": str(uuid.uuid4()), "type": event_type, "sandbox_id": "sb-1", "owner_id": "default:alice",
                 "timestamp": "2026-12-02T09:00:00Z", "data": {"to_state": event_type.split(".")[1]}}
        text += f"id: {cursor}\ndata: {json.dumps(event)}\n\n: heartbeat\n\n"
    return text.encode()


class FakeEventServer:
    """A local stand-in for GET /events: connection n gets answer n (the last one again after that), as
    ``(status, body)``; a body of None is a stream kept open with heartbeats until the client hangs up."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self.hung_up = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                fake.requests.append((self.path, self.headers))
                status, body = fake.answers[min(len(fake.requests), len(fake.answers)) - 1]
                self.send_response(status)
                self.send_header("Content-Type", "text/event-stream" if status == 200 else "application/json")
                self.end_headers()
                if body is not None:
                    self.wfile.write(body)
                    return
                try:
                    for _ in range(200):  # 10 s at most
                        self.wfile.write(b": heartbeat\n\n")
                        self.wfile.flush()
                        threading.Event().wait(0.05)
                except OSError:
                    fake.hung_up.set()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class OfflineTest(unittest.TestCase):
    """What needs no server."""

    def test_go_durations(self):
        from stacyvm.sandbox import go_duration_seconds
        self.assertEqual(5400, go_duration_seconds("1h30m"))
        self.assertAlmostEqual(0.25, go_duration_seconds("250ms"))
        with self.assertRaises(ValueError):
            go_duration_seconds("soon")

    def test_errors_map_by_code_then_by_status(self):
        from stacyvm.errors import from_response
        self.assertIsInstance(from_response(429, b'{"code":"resource_limit","message":"full"}', "10"),
                              stacyvm.ResourceLimitError)
        self.assertEqual(10, from_response(429, b'{"code":"resource_limit"}', "10").retry_after)
        self.assertIsInstance(from_response(404, b"not json"), stacyvm.NotFoundError)
        self.assertIsInstance(from_response(502, b""), stacyvm.ProviderError)
        bug = from_response(500, b'{"code":"internal_error","message":"internal error (incident 1a2b3c4d)"}')
        self.assertIsInstance(bug, stacyvm.InternalError, "a bug of ours is its own error, not the engine failing")
        self.assertNotIsInstance(bug, stacyvm.ProviderError)
        full = from_response(429, b'{"code":"capacity_exhausted","message":"no room now"}', "5")
        self.assertIsInstance(full, stacyvm.ResourceLimitError, "a code without its own class is typed by its status")
        self.assertEqual(("capacity_exhausted", 5), (full.code, full.retry_after))

    def test_an_event_stream_resumes_from_its_last_cursor_when_the_server_ends_it(self):
        with FakeEventServer((200, sse(("0:1", "sandbox.created"), retry=1)),
                             (200, sse(("0:2", "sandbox.running")).replace(b"\n", b"\r\n")), (200, None)) as fake:
            stream = Client(fake.url, "svm_fake").events(sandbox_id=["sb-1", "sb-2"], types="sandbox.running",
                                                          last_event_id="0:0")
            with stream:
                events = list(itertools.islice(stream, 2))
        self.assertEqual([("sandbox.created", "0:1"), ("sandbox.running", "0:2")], [(e.type, e.cursor) for e in events])
        self.assertEqual({"to_state": "running"}, events[1].data)
        self.assertEqual(["0:0", "0:1"], [headers.get("Last-Event-ID") for _, headers in fake.requests])
        self.assertEqual("/api/v1/events?sandbox_id=sb-1%2Csb-2&type=sandbox.running", fake.requests[0][0])

    def test_closing_an_event_stream_closes_its_connection_even_from_another_thread(self):
        with FakeEventServer((200, None)) as fake:
            stream = Client(fake.url, "svm_fake").events()
            closer = threading.Timer(0.2, stream.close)
            closer.start()
            self.assertEqual([], list(itertools.islice(stream, 10)), "iteration ends when the stream is closed")
            self.assertTrue(fake.hung_up.wait(10), "the server saw the connection close")
            closer.join()

    def test_an_event_stream_gives_up_after_its_retries_with_the_typed_error(self):
        refused = (503, b'{"code":"unavailable","message":"the event log (Kafka) does not answer"}')
        with FakeEventServer((200, sse(retry=1)), refused) as fake:
            stream = Client(fake.url, "svm_fake").events(max_retries=2)
            with self.assertRaises(stacyvm.UnavailableError):
                next(stream)
            self.assertEqual(3, len(fake.requests), "the stream that ended at once, then two retries")


if __name__ == "__main__":
    unittest.main()
