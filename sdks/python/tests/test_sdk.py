"""The SDK against a running suite: STACYVM_URL and STACYVM_API_KEY (an admin key) name it.

``./stacyvm test`` runs these against its own instance; by hand:
``STACYVM_URL=http://127.0.0.1:7423 STACYVM_API_KEY=... python3 -m unittest discover -s sdks/python/tests``.
"""

import os
import tempfile
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


if __name__ == "__main__":
    unittest.main()
