// The exec socket (sandbox.execSocket, terminal, execSocketToken) against a running suite, as
// sdk.test.js's tests are (STACYVM_URL, STACYVM_API_KEY).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  Client, Sandbox, BadRequestError, NotFoundError, UnauthorizedError, StacyVMConnectionError, connectExecSocket,
} from "../dist/index.js";

const URL = process.env.STACYVM_URL;
const KEY = process.env.STACYVM_API_KEY;
if (!(URL && KEY)) {
  throw new Error("these tests run against a suite: set STACYVM_URL and STACYVM_API_KEY (an admin key)");
}
const user = () => `sdk-ts-${randomUUID().slice(0, 10)}`;
const WAIT_MS = 30_000; // the most any one step waits

/** Waits until `commandLine` runs in the sandbox (or, with `running` false, no longer does), WAIT_MS at most. */
async function awaitProcess(apiKey, sandbox, commandLine, running = true) {
  const deadline = Date.now() + WAIT_MS;
  let commands = [];
  while (Date.now() < deadline) {
    const response = await fetch(`${URL}/api/v1/sandboxes/${sandbox.id}/processes`,
      { headers: { "X-API-Key": apiKey }, signal: AbortSignal.timeout(WAIT_MS) });
    assert.equal(response.status, 200);
    commands = (await response.json()).processes.map((p) => p.command ?? "");
    if (commands.some((command) => command.includes(commandLine)) === running) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${commandLine} ${running ? "never ran" : "still runs"}; the processes: ${commands}`);
}

describe("an exec socket", () => {
  // a key of its own: a key may hold 16 exec sockets at once, and the admin key is shared
  const admin = new Client({ baseUrl: URL, apiKey: KEY });
  let key;
  let client;
  let sandbox;

  before(async () => {
    key = await admin.admin.createApiKey(user(), "user");
    client = new Client({ baseUrl: URL, apiKey: key.key });
    sandbox = await client.spawn({ ttl: "10m", metadata: { suite: "typescript-sdk-exec-socket" } });
  });

  after(async () => {
    try {
      await sandbox?.destroy();
    } finally {
      if (key) await admin.admin.revokeApiKey(key.id);
    }
  });

  test("a terminal sees its size and its resize, is interrupted by SIGINT and ends with its exit code", async () => {
    const terminal = await sandbox.terminal({ command: "bash", cols: 80, rows: 24 });
    try {
      assert.equal(terminal.terminal, true);
      await terminal.readUntil("$ ", { timeoutMs: WAIT_MS });
      terminal.send("stty size\n");
      await terminal.readUntil("24 80\r\n", { timeoutMs: WAIT_MS });
      terminal.resize(132, 43);
      terminal.send("stty size; tput cols\n");
      await terminal.readUntil("43 132\r\n132\r\n", { timeoutMs: WAIT_MS });
      terminal.send('sleep 300; echo fin""ished\n');
      await awaitProcess(key.key, sandbox, "sleep 300");
      terminal.signal("SIGINT");
      terminal.send("echo status=$?\n");
      const output = await terminal.readUntil("status=130", { timeoutMs: WAIT_MS });
      assert.ok(!output.includes("finished"), output);
      terminal.send("exit 7\n");
      const result = await terminal.wait({ timeoutMs: WAIT_MS });
      assert.equal(result.exit_code, 7);
      assert.equal(result.timed_out, false);
      assert.equal(terminal.result.exit_code, 7);
    } finally {
      terminal.close(); // no-op once it ended; plain JS on Node 20 has no `await using`
    }
  });

  test("a command without a terminal has stdout, stderr, stdin and an exit code", async () => {
    const session = await sandbox.execSocket("read line; echo got $line; echo $GREETING from $(pwd) >&2; exit 3",
      { env: { GREETING: "hello" }, workdir: "/tmp" });
    assert.equal(session.terminal, false);
    session.send("typed\n");
    const chunks = [];
    for await (const chunk of session) chunks.push([chunk.stream, chunk.data]);
    assert.deepEqual(chunks, [["stdout", "got typed\n"], ["stderr", "hello from /tmp\n"]]);
    assert.equal(session.result.exit_code, 3);
    const argv = await sandbox.execSocket(["printf", "%s|", "two words", "$HOME"]);
    const result = await argv.wait({ timeoutMs: WAIT_MS });
    assert.deepEqual([result.exit_code, result.stdout, result.stderr], [0, "two words|$HOME|", ""]);
  });

  test("every byte goes through cat and back on a binary session", async () => {
    const everyByte = new Uint8Array(256 * 64).map((_, i) => i % 256);
    const session = await sandbox.execSocket(["cat"], { binary: true });
    session.send(everyByte.subarray(0, 8000)); // as a binary message
    session.send(everyByte.subarray(8000));
    session.send("é\n"); // text, base64 on the wire
    session.endInput();
    const result = await session.wait({ timeoutMs: WAIT_MS });
    assert.equal(result.exit_code, 0);
    assert.ok(result.stdout instanceof Uint8Array);
    assert.deepEqual(Buffer.from(result.stdout), Buffer.concat([Buffer.from(everyByte), Buffer.from("é\n")]));
  });

  test("a token opens one session without the key, and only once", async () => {
    const token = await sandbox.execSocketToken();
    assert.equal(token.path, `/api/v1/sandboxes/${sandbox.id}/exec/ws?token=${token.token}`);
    assert.ok(token.url.startsWith("ws://") && token.url.endsWith(token.path), token.url);
    const session = await connectExecSocket(token.url, "echo opened by token", { connectTimeoutMs: WAIT_MS });
    assert.equal((await session.wait({ timeoutMs: WAIT_MS })).stdout, "opened by token\n");
    await assert.rejects(connectExecSocket(token.url, "true"), (error) => error instanceof UnauthorizedError && error.status === 401);
  });

  test("with a standard WebSocket class (a browser's), the session opens with a token of its own", async () => {
    // Node 22 has a global WebSocket; ws's class has the same standard API for Node 20
    const StandardWebSocket = globalThis.WebSocket ?? (await import("ws")).WebSocket;
    const session = await sandbox.execSocket("echo $((6 * 7))", { WebSocket: StandardWebSocket });
    assert.equal((await session.wait({ timeoutMs: WAIT_MS })).stdout, "42\n");
    const binary = await sandbox.execSocket(["cat"], { WebSocket: StandardWebSocket, binary: true });
    binary.send(new Uint8Array([0, 255, 10]));
    binary.endInput();
    assert.deepEqual([...(await binary.wait({ timeoutMs: WAIT_MS })).stdout], [0, 255, 10]);
  });

  test("a refused session throws the typed error of its status", async () => {
    const stranger = new Client({ baseUrl: URL, apiKey: "svm_not_a_key" });
    const foreign = new Sandbox(stranger["http"], { ...sandbox.data }); // the SDK's Transport, as get() would hand it
    await assert.rejects(foreign.execSocket("true"), UnauthorizedError);
    const missing = new Sandbox(client["http"], { ...sandbox.data, id: "sb-000000000000" });
    await assert.rejects(missing.terminal(), (error) => error instanceof NotFoundError && error.status === 404
      && error.code === "not_found");
  });

  test("an invalid request throws the typed error of its error frame", async () => {
    const session = await sandbox.execSocket("sh", { timeout: "soon" });
    await assert.rejects(session.wait({ timeoutMs: WAIT_MS }), (error) => error instanceof BadRequestError
      && error.code === "bad_request");
    const terminal = await sandbox.execSocket("sh", { pty: true, cols: 0 });
    await assert.rejects((async () => {
      for await (const _ of terminal) {
        // the error frame comes first
      }
    })(), BadRequestError);
  });

  test("closing a session kills its command, and a closed session says so", async () => {
    const session = await sandbox.execSocket("sleep 301", { pty: true });
    await awaitProcess(key.key, sandbox, "sleep 301");
    session.close();
    await awaitProcess(key.key, sandbox, "sleep 301", false);
    assert.throws(() => session.send("late\n"), StacyVMConnectionError);
  });

  test("an aborted signal closes a session", async () => {
    const abort = new AbortController();
    const session = await sandbox.execSocket("sleep 302", { signal: abort.signal });
    await awaitProcess(key.key, sandbox, "sleep 302");
    abort.abort();
    await assert.rejects(session.wait({ timeoutMs: WAIT_MS }), StacyVMConnectionError);
    await awaitProcess(key.key, sandbox, "sleep 302", false);
  });
});
