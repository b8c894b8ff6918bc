"""A code-runner web service: POST /run with some code, it runs in a fresh sandbox, the output comes back.

    PYTHONPATH=../../sdks/python STACYVM_URL=... STACYVM_API_KEY=... python3 server.py 8080
    curl -s localhost:8080/run -d '{"language": "python", "code": "print(6 * 7)", "timeout": "10s"}'

Each request gets its own sandbox (no network, the default limits), destroyed when the answer is
sent, so one user's code never sees another's. Standard library and the StacyVM SDK only.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stacyvm

MAX_CODE_BYTES = 100_000
# where the code goes in the sandbox, and the command that runs it
RUNNERS = {"python": ("/workspace/main.py", ["python3", "/workspace/main.py"]),
           "bash": ("/workspace/main.sh", ["bash", "/workspace/main.sh"])}


def run(client: stacyvm.Client, request: dict) -> dict:
    language = request.get("language", "python")
    if language not in RUNNERS:
        raise ValueError(f"language must be one of {sorted(RUNNERS)}")
    code = request.get("code")
    if not isinstance(code, str) or not code:
        raise ValueError("code is required")
    with client.spawn(ttl="5m", metadata={"app": "code-runner"}) as sandbox:
        path, command = RUNNERS[language]
        sandbox.files.write(path, code)
        result = sandbox.exec(command, timeout=request.get("timeout", "10s"))
    return {"stdout": result.stdout, "stderr": result.stderr, "exit_code": result.exit_code,
            "timed_out": result.timed_out, "duration": result.duration}


def handler_for(client: stacyvm.Client):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path != "/run":
                return self.answer(404, {"error": "POST /run"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_CODE_BYTES:
                return self.answer(413, {"error": f"at most {MAX_CODE_BYTES} bytes of code"})
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(request, dict):
                    raise ValueError("the body is a JSON object")
                return self.answer(200, run(client, request))
            except ValueError as bad:
                return self.answer(400, {"error": str(bad)})
            except stacyvm.ResourceLimitError as busy:
                return self.answer(429, {"error": busy.message, "retry_after": busy.retry_after})
            except stacyvm.StacyVMError as failed:
                return self.answer(502, {"error": f"{failed.code}: {failed.message}"})

        def answer(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


def serve(port: int, client: stacyvm.Client) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), handler_for(client))


if __name__ == "__main__":
    server = serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8080, stacyvm.Client())
    print(f"code runner on http://127.0.0.1:{server.server_port}/run")
    server.serve_forever()
