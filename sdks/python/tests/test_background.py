"""Background processes (``Sandbox.start_background``, ``BackgroundProcess``) against a running suite,
as test_sdk.py's tests are (STACYVM_URL, STACYVM_API_KEY)."""

import contextlib
import os
import threading
import time
import unittest
import uuid

import stacyvm
from stacyvm import Client

URL = os.environ.get("STACYVM_URL")
KEY = os.environ.get("STACYVM_API_KEY")
WAIT = 30  # seconds, the most any one step waits


def require_suite():
    if not (URL and KEY):
        raise RuntimeError("these tests run against a suite: set STACYVM_URL and STACYVM_API_KEY (an admin key)")


def user() -> str:
    return "sdk-py-" + uuid.uuid4().hex[:10]


def output_until(process, text):
    """Its output from 0 once it holds ``text``, WAIT seconds at most."""
    deadline = time.monotonic() + WAIT
    while True:
        output = process.output()
        if text in output.stdout or time.monotonic() > deadline:
            return output
        time.sleep(0.2)


def forget(process):
    """Kills it if the test did not get that far."""
    with contextlib.suppress(stacyvm.NotFoundError):
        process.kill()


@contextlib.contextmanager
def bounded(follow):
    """A followed output, closed after WAIT seconds at the latest: keepalives would keep a stuck one open."""
    watchdog = threading.Timer(WAIT, follow.close)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield follow
    finally:
        watchdog.cancel()
        follow.close()


class BackgroundProcessTest(unittest.TestCase):
    """With a key of its own, revoked at the end, and a sandbox of its own, destroyed at the end."""

    @classmethod
    def setUpClass(cls):
        require_suite()
        cls.admin = Client(URL, KEY)
        cls.key = cls.admin.admin.create_api_key(user(), role="user")
        cls.client = Client(URL, cls.key["key"], user())
        try:
            cls.sandbox = cls.client.spawn(ttl="10m", metadata={"suite": "python-sdk-background"})
        except BaseException:
            cls.admin.admin.revoke_api_key(cls.key["id"])
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.sandbox.destroy()
        finally:
            cls.admin.admin.revoke_api_key(cls.key["id"])

    def test_a_started_process_runs_on_is_listed_read_signalled_and_killed(self):
        started = time.monotonic()
        process = self.sandbox.start_background(["sh", "-c", "echo started; sleep 300"])
        self.addCleanup(forget, process)
        self.assertLess(time.monotonic() - started, 20, "it answered without waiting for the command")
        self.assertTrue(process.id.startswith("bg-"), process.id)
        self.assertEqual(("running", None), (process.state, process.exit_code))
        self.assertIn(process.id, [p.id for p in self.sandbox.background_processes() if p.running])

        output = output_until(process, "started")
        self.assertEqual([("stdout", "started\n", 0)], [(c.stream, c.data, c.offset) for c in output.chunks])
        self.assertEqual((8, False), (output.next, output.dropped))
        self.assertEqual([], process.output(since=output.next).chunks, "nothing new after next")
        self.assertTrue(output.process.running)

        with process.follow() as follow:
            self.assertEqual("started\n", next(follow).data)
            # blocked on a quiet process (keepalives only) until another thread closes it
            threading.Timer(0.5, follow.close).start()
            self.assertEqual([], list(follow))
        self.assertEqual((None, 8), (follow.result, follow.next))
        self.assertTrue(process.refresh().running, "closing a follow stops only the reading")

        with self.assertRaises(TimeoutError):
            process.wait(timeout=0.5)
        process.signal("TERM")
        self.assertEqual((143, "exited"), (process.wait(timeout=WAIT).exit_code, process.state))
        self.assertIsNotNone(process.ended_at)
        self.assertEqual(143, self.sandbox.background_process(process.id).exit_code)

        process.kill()
        with self.assertRaises(stacyvm.NotFoundError) as gone:
            process.refresh()
        self.assertEqual(("not_found", 404), (gone.exception.code, gone.exception.status))
        self.assertNotIn(process.id, [p.id for p in self.sandbox.background_processes()])

    def test_following_from_next_sees_only_new_output_as_it_comes_and_the_exit_code(self):
        marker = f"/tmp/go-{uuid.uuid4().hex}"
        process = self.sandbox.start_background(
            f"echo tick 1; while [ ! -f {marker} ]; do sleep 0.1; done; "
            "for i in 2 3; do echo tick $i; sleep 1; done; echo done >&2")
        self.addCleanup(forget, process)
        first = output_until(process, "tick 1")
        self.assertEqual("tick 1\n", first.stdout)

        with bounded(process.follow(since=first.next)) as follow:
            # the rest cannot be written before this file exists: what follows comes live
            self.sandbox.files.write(marker, "")
            chunks = [(chunk.stream, chunk.data) for chunk in follow]
        self.assertEqual([("stdout", "tick 2\n"), ("stdout", "tick 3\n"), ("stderr", "done\n")], chunks)
        self.assertEqual((0, False), (follow.result.exit_code, follow.result.timed_out))
        self.assertEqual(("tick 2\ntick 3\n", "done\n"), (follow.result.stdout, follow.result.stderr))
        self.assertEqual(process.refresh().output_bytes, follow.next)
        self.assertEqual((0, "exited"), (process.exit_code, process.state))

        # a reconnect from any offset goes on exactly there, the exit line included
        with bounded(process.follow(since=first.next + len("tick 2\n"))) as again:
            self.assertEqual(["tick 3\n", "done\n"], [chunk.data for chunk in again])
        self.assertEqual(0, again.result.exit_code)

    def test_env_workdir_and_a_timeout_apply_to_a_background_command(self):
        greeting = self.sandbox.start_background("echo $GREETING from $(pwd)", env={"GREETING": "hello"}, workdir="/tmp")
        self.addCleanup(forget, greeting)
        self.assertEqual(0, greeting.wait(timeout=WAIT).exit_code)
        self.assertEqual("hello from /tmp\n", greeting.output().stdout)
        slow = self.sandbox.start_background("sleep 300", timeout="1s")
        self.addCleanup(forget, slow)
        self.assertTrue(slow.wait(timeout=WAIT).timed_out)

    def test_unknown_processes_and_bad_requests_are_typed_errors(self):
        with self.assertRaises(stacyvm.NotFoundError):
            self.sandbox.background_process("bg-000000000000")
        with self.assertRaises(stacyvm.BadRequestError):
            self.sandbox.start_background("sleep 1", timeout="soon")


if __name__ == "__main__":
    unittest.main()
