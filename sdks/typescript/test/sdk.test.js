// The SDK against a running suite: STACYVM_URL and STACYVM_API_KEY (an admin key) name it.
// `./stacyvm test` runs these against its own instance; by hand: `npm test` in sdks/typescript.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, writeFile, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import {
  Client, NotFoundError, BadRequestError, UnauthorizedError, ForbiddenError, ResourceLimitError,
  StacyVMConnectionError, ProviderError, InternalError, UnavailableError, errorFromResponse,
} from "../dist/index.js";

const URL = process.env.STACYVM_URL;
const KEY = process.env.STACYVM_API_KEY;
if (!(URL && KEY)) {
  throw new Error("these tests run against a suite: set STACYVM_URL and STACYVM_API_KEY (an admin key)");
}
const user = () => `sdk-ts-${randomUUID().slice(0, 10)}`;
const WAIT_MS = 60_000;

/** The types of `sandboxId`'s events (progress left out) up to `lastType`; every event read goes to `seen`. */
async function typesUntil(stream, sandboxId, lastType, seen = []) {
  const types = [];
  for await (const event of stream) {
    seen.push(event);
    if (event.sandbox_id === sandboxId && event.type !== "sandbox.progress") types.push(event.type);
    if (types.at(-1) === lastType || seen.length >= 1000) break; // leaving the loop closes the stream
  }
  return types;
}

describe("a sandbox", () => {
  let client;
  let sandbox;

  before(async () => {
    client = new Client({ baseUrl: URL, apiKey: KEY, userId: user() });
    sandbox = await client.spawn({ ttl: "10m", metadata: { suite: "typescript-sdk" } });
  });

  after(async () => {
    await sandbox?.destroy();
  });

  test("spawn answers a running sandbox that get and list find", async () => {
    assert.equal(sandbox.state, "running");
    assert.deepEqual(sandbox.data.metadata, { suite: "typescript-sdk" });
    assert.equal((await client.get(sandbox.id)).id, sandbox.id);
    assert.ok((await client.list()).some((s) => s.id === sandbox.id));
  });

  test("a string runs in the shell and an array runs as it is", async () => {
    const shell = await sandbox.exec("echo $((6 * 7)) && echo oops >&2; exit 3");
    assert.deepEqual([shell.exit_code, shell.stdout, shell.stderr], [3, "42\n", "oops\n"]);
    const argv = await sandbox.exec(["printf", "%s|", "two words", "$HOME", "a;b"]);
    assert.equal(argv.stdout, "two words|$HOME|a;b|");
  });

  test("exec takes env, workdir and a timeout", async () => {
    const result = await sandbox.exec("echo $GREETING from $(pwd)", { env: { GREETING: "hello" }, workdir: "/tmp" });
    assert.equal(result.stdout, "hello from /tmp\n");
    assert.equal((await sandbox.exec("sleep 30", { timeout: "1s" })).timed_out, true);
  });

  test("execStream hands output over while the command still runs", async () => {
    const marker = `/tmp/go-${randomUUID()}`;
    const stream = await sandbox.execStream(
      `echo waiting; while [ ! -f ${marker} ]; do sleep 0.1; done; echo done >&2; exit 4`, { timeout: "60s" });
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push([chunk.stream, chunk.data]);
      // the command cannot end before this file exists: the chunk came while it ran
      if (chunk.data === "waiting\n") await sandbox.files.write(marker, "");
    }
    assert.deepEqual(chunks, [["stdout", "waiting\n"], ["stderr", "done\n"]]);
    assert.equal(stream.result.exit_code, 4);
  });

  test("files round-trip text and bytes", async () => {
    const base = `/workspace/sdk-${randomUUID().slice(0, 8)}`;
    await sandbox.files.write(`${base}/notes.txt`, "héllo\n");
    const binary = new Uint8Array(1024).map((_, i) => i % 256);
    await sandbox.files.write(`${base}/blob.bin`, binary);
    assert.equal(await sandbox.files.readText(`${base}/notes.txt`), "héllo\n");
    assert.deepEqual(await sandbox.files.read(`${base}/blob.bin`), binary);
    assert.deepEqual((await sandbox.files.list(base)).map((f) => f.name).sort(), ["blob.bin", "notes.txt"]);
    assert.equal((await sandbox.files.stat(`${base}/blob.bin`)).size, 1024);
    await sandbox.files.move(`${base}/notes.txt`, `${base}/deep/moved.txt`);
    await sandbox.files.chmod(`${base}/deep/moved.txt`, "0600");
    assert.equal((await sandbox.files.stat(`${base}/deep/moved.txt`)).mode.slice(-4), "0600");
    assert.deepEqual(await sandbox.files.glob(`${base}/**/*.txt`), [`${base}/deep/moved.txt`]);
    await sandbox.files.delete(base, { recursive: true });
    assert.equal(await sandbox.files.exists(base), false);
  });

  test("a folder goes in and comes back as it was", async () => {
    const remote = `/workspace/tree-${randomUUID().slice(0, 8)}`;
    const source = await mkdtemp(join(tmpdir(), "stacyvm-src-"));
    const target = await mkdtemp(join(tmpdir(), "stacyvm-dst-"));
    try {
      await mkdir(join(source, "src", "pkg"), { recursive: true });
      await writeFile(join(source, "src", "pkg", "main.py"), "print('hi')\n");
      await writeFile(join(source, "README"), "read me\n");
      await sandbox.files.uploadDir(source, remote);
      assert.equal((await sandbox.exec(["python3", `${remote}/src/pkg/main.py`])).stdout, "hi\n");
      const written = await sandbox.files.downloadDir(remote, target);
      assert.equal(written.length, 2);
      assert.equal(await readFile(join(target, "src", "pkg", "main.py"), "utf8"), "print('hi')\n");
    } finally {
      await rm(source, { recursive: true, force: true });
      await rm(target, { recursive: true, force: true });
    }
  });

  test("extend and logs", async () => {
    const before = sandbox.expiresAt;
    await sandbox.extend("20m");
    assert.ok(sandbox.expiresAt > before);
    assert.ok((await sandbox.logs(10)).includes("stacyvm: sandbox started"));
  });
});

describe("the mock provider", () => {
  test("a mock sandbox answers exec and files through the same calls", async (t) => {
    const client = new Client({ baseUrl: URL, apiKey: KEY, userId: user() });
    if (!(await client.providers()).some((p) => p.name === "mock" && p.healthy)) {
      t.skip("the suite offers no mock provider (STACYVM_PROVIDERS=docker,mock)");
      return;
    }
    const sandbox = await client.spawn({ provider: "mock", ttl: "5m", env: { GREETING: "hello" } });
    try {
      assert.equal(sandbox.data.provider, "mock");
      const shell = await sandbox.exec("echo $GREETING > /workspace/a.txt && cat /workspace/a.txt; echo oops >&2; exit 3");
      assert.deepEqual([shell.exit_code, shell.stdout, shell.stderr], [3, "hello\n", "oops\n"]);
      await sandbox.files.write("/workspace/notes/b.txt", "héllo\n");
      assert.equal(await sandbox.files.readText("/workspace/notes/b.txt"), "héllo\n");
      assert.deepEqual((await sandbox.files.list("/workspace/notes")).map((f) => f.name), ["b.txt"]);
      assert.equal((await sandbox.exec("python3 -V")).exit_code, 127, "a mock runs no programs");
      assert.ok((await sandbox.exec("sleep 30", { timeout: "1s" })).timed_out);
    } finally {
      await sandbox.destroy();
    }
  });
});

describe("lifecycle and errors", () => {
  const client = () => new Client({ baseUrl: URL, apiKey: KEY, userId: user() });

  test("destroy removes the sandbox, and again is no error", async () => {
    const c = client();
    const sandbox = await c.spawn({ ttl: "5m" });
    await sandbox.destroy();
    await assert.rejects(c.get(sandbox.id), (e) => e instanceof NotFoundError && e.status === 404);
    await sandbox.destroy();
  });

  test("private preview URLs carry a token", async () => {
    const sandbox = await client().spawn({ ttl: "5m", ports: [3000] });
    try {
      const access = await sandbox.preview(3000);
      assert.equal(access.public_preview, false);
      const url = await sandbox.previewUrl(3000);
      assert.ok(url.startsWith(access.url) && url.includes("preview_token="));
      await assert.rejects(sandbox.preview(3001), NotFoundError);
    } finally {
      await sandbox.destroy();
    }
  });

  test("errors are typed by their code", async () => {
    const c = client();
    await assert.rejects(c.get("sb-000000000000"), NotFoundError);
    await assert.rejects(c.spawn({ ttl: "whenever" }), (e) => e instanceof BadRequestError && e.code === "bad_request");
    await assert.rejects(new Client({ baseUrl: URL, apiKey: "svm_not-a-key" }).list(), UnauthorizedError);
    await assert.rejects(new Client({ baseUrl: "http://127.0.0.1:9", apiKey: KEY }).list(), StacyVMConnectionError);
  });

  test("a full quota is a ResourceLimitError with retryAfter", async () => {
    const c = client();
    const limit = (await c.admission()).max_owner_sandboxes;
    const made = [];
    try {
      for (let i = 0; i < limit; i++) made.push(await c.spawn({ ttl: "5m" }));
      await assert.rejects(c.spawn({ ttl: "5m" }),
        (e) => e instanceof ResourceLimitError && e.status === 429 && e.retryAfter > 0);
    } finally {
      for (const sandbox of made) await sandbox.destroy();
    }
  });

  test("templates spawn with their fields", async () => {
    const c = client();
    const name = `sdk-${randomUUID().slice(0, 8)}`;
    await c.templates.create(name, { memory_mb: 300, ttl: "5m", metadata: { from: "template" } });
    try {
      const sandbox = await c.templates.spawn(name);
      try {
        assert.equal(sandbox.data.memory_mb, 300);
        assert.equal(sandbox.data.metadata.from, "template");
      } finally {
        await sandbox.destroy();
      }
    } finally {
      await c.templates.delete(name);
    }
    await assert.rejects(c.templates.get(name), NotFoundError);
  });

  test("an admin makes and revokes keys and reads the audit log", async () => {
    const c = client();
    const made = await c.admin.createApiKey(`sdk-${randomUUID().slice(0, 6)}`, "viewer");
    const viewer = new Client({ baseUrl: URL, apiKey: made.key });
    assert.ok(Array.isArray(await viewer.list()));
    await assert.rejects(viewer.spawn(), ForbiddenError);
    await c.admin.revokeApiKey(made.id);
    await assert.rejects(viewer.list(), UnauthorizedError);
    assert.ok((await c.admin.audit({ limit: 5 })).length > 0);
  });
});

describe("stats and events", () => {
  // a key of its own: a key may hold 8 streams, and a closed stream keeps its place on the server a while
  const admin = new Client({ baseUrl: URL, apiKey: KEY });
  let key;
  let client;
  // every stream closes itself after WAIT_MS at the latest, so no read waits longer
  const follow = (options = {}) => client.events({ signal: AbortSignal.timeout(WAIT_MS), ...options });

  before(async () => {
    key = await admin.admin.createApiKey(user(), "user");
    client = new Client({ baseUrl: URL, apiKey: key.key });
  });

  after(async () => {
    if (key) await admin.admin.revokeApiKey(key.id);
  });

  test("stats of a running sandbox show the memory it was given and its processes", async () => {
    const sandbox = await client.spawn({ ttl: "5m", memory_mb: 256 });
    try {
      const stats = await sandbox.stats();
      assert.equal(stats.sandbox_id, sandbox.id);
      assert.equal(stats.mem_limit_bytes, 256 * 1024 * 1024);
      assert.ok(stats.pids >= 1 && stats.pids <= stats.pids_limit, JSON.stringify(stats));
      assert.equal((await client.stats(sandbox.id)).mem_limit_bytes, 256 * 1024 * 1024);
    } finally {
      await sandbox.destroy();
    }
    await assert.rejects(client.stats(sandbox.id), NotFoundError);
  });

  test("events follow a sandbox from created to destroyed in order", async () => {
    const stream = await follow();
    let sandbox;
    try {
      sandbox = await client.spawn({ ttl: "5m" });
      await sandbox.destroy();
      assert.deepEqual(await typesUntil(stream, sandbox.id, "sandbox.destroyed"),
        ["sandbox.created", "sandbox.running", "sandbox.destroying", "sandbox.destroyed"]);
    } finally {
      stream.close();
      await sandbox?.destroy();
    }
  });

  test("a stream resumed from a cursor misses and repeats nothing", async () => {
    let sandbox;
    try {
      const before = [];
      const stream = await follow();
      try {
        sandbox = await client.spawn({ ttl: "5m" });
        await typesUntil(stream, sandbox.id, "sandbox.running", before);
        assert.ok(stream.closed, "leaving the loop closed the stream");
      } finally {
        stream.close();
      }
      const running = before.at(-1);
      assert.equal(running.type, "sandbox.running");
      assert.equal(stream.cursor, running.cursor);
      assert.equal((await stream[Symbol.asyncIterator]().next()).done, true, "a closed stream reads nothing more");

      await sandbox.destroy(); // while no stream follows it
      const after = [];
      const resumed = await follow({ sandboxId: sandbox.id, lastEventId: running.cursor });
      try {
        assert.deepEqual(await typesUntil(resumed, sandbox.id, "sandbox.destroyed", after),
          ["sandbox.destroying", "sandbox.destroyed"]);
      } finally {
        resumed.close();
      }
      assert.deepEqual([...new Set(after.map((event) => event.sandbox_id))], [sandbox.id]);
      const earlier = new Set(before.map((event) => event.id));
      assert.deepEqual(after.filter((event) => earlier.has(event.id)), [], "no event twice");
    } finally {
      await sandbox?.destroy();
    }
  });

  test("bad stream requests throw BadRequestError", async () => {
    await assert.rejects(client.events({ types: ["sandbox.running", "sandbox.exploded"] }),
      (e) => e instanceof BadRequestError && e.status === 400 && e.code === "bad_request");
    await assert.rejects(client.events({ lastEventId: "yesterday" }), BadRequestError);
  });
});

/** A stream's text as the gateway writes it: a retry: line and a comment, then id: and data: per event. */
function sse(events, retry) {
  let text = (retry === undefined ? "" : `retry: ${retry}\n`) + ": stream\n\n";
  for (const [cursor, type] of events) {
    const event = { id: randomUUID(), type, sandbox_id: "sb-1", owner_id: "default:alice",
      timestamp: "2026-12-02T09:00:00Z", data: { to_state: type.split(".")[1] } };
    text += `id: ${cursor}\ndata: ${JSON.stringify(event)}\n\n: heartbeat\n\n`;
  }
  return text;
}

/**
 * A local stand-in for GET /events: connection n gets answer n (the last one again after that), as
 * [status, body]; a body of null is a stream kept open with heartbeats until the client hangs up.
 */
async function fakeEventServer(answers) {
  const requests = [];
  let hungUp;
  const hangUp = new Promise((resolve) => { hungUp = resolve; });
  const server = createServer((request, response) => {
    requests.push({ url: request.url, lastEventId: request.headers["last-event-id"] });
    const [status, body] = answers[Math.min(requests.length, answers.length) - 1];
    response.writeHead(status, { "Content-Type": status === 200 ? "text/event-stream" : "application/json" });
    if (body !== null) return response.end(body);
    const heartbeat = setInterval(() => response.write(": heartbeat\n\n"), 50);
    response.on("close", () => {
      clearInterval(heartbeat);
      hungUp();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`, requests, hangUp,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

describe("an event stream, against a stand-in server", () => {
  test("resumes from its last cursor when the server ends it", async () => {
    const fake = await fakeEventServer([[200, sse([["0:1", "sandbox.created"]], 1)],
      [200, sse([["0:2", "sandbox.running"]]).replaceAll("\n", "\r\n")], [200, null]]);
    try {
      const stream = await new Client({ baseUrl: fake.url, apiKey: "svm_fake" }).events({
        sandboxId: ["sb-1", "sb-2"], types: "sandbox.running", lastEventId: "0:0", signal: AbortSignal.timeout(WAIT_MS),
      });
      const events = [];
      for await (const event of stream) {
        events.push(event);
        if (events.length === 2) break;
      }
      assert.deepEqual(events.map((e) => [e.type, e.cursor]), [["sandbox.created", "0:1"], ["sandbox.running", "0:2"]]);
      assert.deepEqual(events[1].data, { to_state: "running" });
      assert.deepEqual(fake.requests.map((r) => r.lastEventId), ["0:0", "0:1"]);
      assert.equal(fake.requests[0].url, "/api/v1/events?sandbox_id=sb-1%2Csb-2&type=sandbox.running");
    } finally {
      await fake.close();
    }
  });

  test("closing it closes its connection, even while a read waits", async () => {
    const fake = await fakeEventServer([[200, null]]);
    try {
      const stream = await new Client({ baseUrl: fake.url, apiKey: "svm_fake" }).events();
      setTimeout(() => stream.close(), 200);
      let count = 0;
      for await (const _ of stream) if (++count > 10) break;
      assert.equal(count, 0, "the loop ends when the stream is closed");
      let timer;
      const hungUp = await Promise.race([fake.hangUp.then(() => true),
        new Promise((resolve) => { timer = setTimeout(resolve, 10_000, false); })]);
      clearTimeout(timer);
      assert.ok(hungUp, "the server saw the connection close");
    } finally {
      await fake.close();
    }
  });

  test("gives up after its retries with the typed error", async () => {
    const refused = [503, JSON.stringify({ code: "unavailable", message: "the event log (Kafka) does not answer" })];
    const fake = await fakeEventServer([[200, sse([], 1)], refused]);
    try {
      const stream = await new Client({ baseUrl: fake.url, apiKey: "svm_fake" }).events({ maxRetries: 2 });
      await assert.rejects(stream[Symbol.asyncIterator]().next(), UnavailableError);
      assert.equal(fake.requests.length, 3, "the stream that ended at once, then two retries");
      assert.ok(stream.closed);
    } finally {
      await fake.close();
    }
  });
});

test("errors map by code, then by status", () => {
  const limited = errorFromResponse(429, '{"code":"resource_limit","message":"full"}', "10");
  assert.ok(limited instanceof ResourceLimitError);
  assert.equal(limited.retryAfter, 10);
  assert.ok(errorFromResponse(404, "not json") instanceof NotFoundError);
  assert.ok(errorFromResponse(502, "") instanceof ProviderError);
  const bug = errorFromResponse(500, '{"code":"internal_error","message":"internal error (incident 1a2b3c4d)"}');
  assert.ok(bug instanceof InternalError && !(bug instanceof ProviderError), "a bug of ours is not the engine failing");
  assert.equal(bug.code, "internal_error");
  const full = errorFromResponse(429, '{"code":"capacity_exhausted","message":"no room now"}', "5");
  assert.ok(full instanceof ResourceLimitError, "a code without its own class is typed by its status");
  assert.equal(full.code, "capacity_exhausted");
  assert.equal(full.retryAfter, 5);
});
