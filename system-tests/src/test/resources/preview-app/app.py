"""A small web app for the preview tests, standard library only: a page whose script opens a
WebSocket back to the app and shows the echo, plus a WebSocket echo, Server-Sent Events, a chunked
answer and an upload digest. Listens on 0.0.0.0:PORT (default 3000)."""
import base64
import hashlib
import http.server
import json
import os
import struct
import sys
import time

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Sandbox app</title></head>
<body><h1 id="title">Hello from the sandbox</h1><p id="echo">waiting for the echo</p>
<script>
const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
socket.onopen = () => socket.send("ping " + navigator.userAgent.length);
socket.onmessage = (event) => { document.getElementById("echo").textContent = "echo: " + event.data; };
socket.onerror = () => { document.getElementById("echo").textContent = "websocket failed"; };
</script></body></html>
"""
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class App(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY, Nagle and delayed ACKs add 40 ms
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        if path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            if "refuse" in params:
                return self.send_body(int(params["refuse"]), "no upgrade here\n", "text/plain")
            return self.websocket(params.get("pick"), params.get("deflate") == "1")
        if path == "/big-header":
            # an answer whose header block is as large as asked: the router relays it or says why not
            self.send_response(200)
            self.send_header("X-Big", "b" * int(params["size"]))
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"big")
            return None
        if path == "/sizes":
            # what reached the app: its request target and header block, in bytes
            header_bytes = sum(len(k) + 2 + len(v) + 2 for k, v in self.headers.items())
            return self.send_body(200, json.dumps({"target": len(self.path), "header_bytes": header_bytes}),
                                  "application/json")
        if self.path == "/":
            return self.send_body(200, PAGE, "text/html; charset=utf-8")
        if self.path == "/headers":
            return self.send_body(200, json.dumps(dict(self.headers)), "application/json")
        if self.path == "/events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for n in range(3):
                self.wfile.write(f"data: event {n}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.5)
            self.close_connection = True
            return None
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for n in range(5):
                chunk = f"chunk {n}\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return None
        return self.send_body(404, "no such page\n", "text/plain")

    def do_POST(self):
        digest = hashlib.sha256()
        size = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                length = int(self.rfile.readline().strip().split(b";")[0], 16)
                if length == 0:
                    self.rfile.readline()
                    break
                data = self.rfile.read(length)
                self.rfile.readline()
                digest.update(data)
                size += len(data)
        else:
            remaining = int(self.headers.get("Content-Length", "0"))
            while remaining:
                data = self.rfile.read(min(remaining, 65536))
                digest.update(data)
                size += len(data)
                remaining -= len(data)
        return self.send_body(200, json.dumps({"method": self.command, "path": self.path, "size": size,
                                               "sha256": digest.hexdigest()}), "application/json")

    do_PUT = do_POST
    do_PATCH = do_POST
    do_DELETE = do_POST

    def websocket(self, pick=None, deflate=False):
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        offered = [p.strip() for p in self.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        # RFC 6455 4.2.2: the server picks one of the offered subprotocols, or none
        if pick in offered:
            self.send_header("Sec-WebSocket-Protocol", pick)
        # RFC 7692: permessage-deflate when offered and this app is asked to take it, without context
        # takeover, so that echoing a compressed message's bytes as they came is a valid answer
        extensions = self.headers.get("Sec-WebSocket-Extensions", "")
        if deflate and "permessage-deflate" in extensions:
            self.send_header("Sec-WebSocket-Extensions",
                             "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        self.end_headers()
        while True:
            header = self.rfile.read(2)
            if len(header) < 2:
                break
            opcode = header[0] & 0x0F
            length = header[1] & 0x7F
            if length == 126:
                length = struct.unpack(">H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if header[1] & 0x80 else b"\0\0\0\0"
            data = self.rfile.read(length)
            keys = (mask * (length // 4 + 1))[:length]
            payload = (int.from_bytes(data, "big") ^ int.from_bytes(keys, "big")).to_bytes(length, "big")
            if opcode == 8:
                self.frame(8, payload[:2])
                break
            if opcode == 9:
                self.frame(10, payload)
            elif opcode in (0, 1, 2):
                # each frame echoed as it came, fragments and all (FIN and RSV1, "compressed", kept)
                self.frame(opcode, payload, fin=bool(header[0] & 0x80), rsv1=bool(header[0] & 0x40))
        self.close_connection = True

    def frame(self, opcode, payload, fin=True, rsv1=False):
        header = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode])
        if len(payload) < 126:
            header += bytes([len(payload)])
        elif len(payload) < 65536:
            header += bytes([126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([127]) + struct.pack(">Q", len(payload))
        self.wfile.write(header + payload)
        self.wfile.flush()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "3000"))
    http.server.ThreadingHTTPServer(("0.0.0.0", port), App).serve_forever()
