"""The code runner against the running suite (STACYVM_URL, STACYVM_API_KEY); run with
``PYTHONPATH=../../sdks/python python3 -m unittest test_server`` in this folder."""

import json
import os
import threading
import unittest
import urllib.error
import urllib.request
import uuid

import stacyvm
from server import serve


class CodeRunnerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not (os.environ.get("STACYVM_URL") and os.environ.get("STACYVM_API_KEY")):
            raise RuntimeError("this test runs against a suite: set STACYVM_URL and STACYVM_API_KEY")
        cls.client = stacyvm.Client(user_id="code-runner-" + uuid.uuid4().hex[:8])
        cls.server = serve(0, cls.client)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.server.server_port}/run"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def post(self, body):
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as answer:
            return answer.code, json.loads(answer.read())

    def test_code_runs_and_its_output_comes_back(self):
        status, body = self.post({"code": "import sys\nprint(6 * 7)\nprint('warn', file=sys.stderr)\nsys.exit(3)"})
        self.assertEqual(200, status)
        self.assertEqual(("42\n", "warn\n", 3, False), (body["stdout"], body["stderr"], body["exit_code"], body["timed_out"]))

    def test_a_runaway_program_is_stopped_at_its_timeout(self):
        status, body = self.post({"language": "bash", "code": "while :; do :; done", "timeout": "2s"})
        self.assertEqual(200, status)
        self.assertTrue(body["timed_out"])

    def test_every_run_gets_a_fresh_sandbox_that_is_gone_afterwards(self):
        self.post({"code": "open('/workspace/left-behind', 'w').write('secret')"})
        status, body = self.post({"code": "import os\nprint(os.path.exists('/workspace/left-behind'))"})
        self.assertEqual("False\n", body["stdout"])
        self.assertEqual([], [s for s in self.client.list() if s.metadata.get("app") == "code-runner"])

    def test_bad_requests_are_refused(self):
        self.assertEqual(400, self.post({"language": "cobol", "code": "x"})[0])
        self.assertEqual(400, self.post({"code": ""})[0])
        self.assertEqual(413, self.post({"code": "x" * 200_000})[0])


if __name__ == "__main__":
    unittest.main()
