// The SDK against a running suite: STACYVM_URL and STACYVM_API_KEY (an admin key) name it.
// `./stacyvm test` runs these against its own instance; by hand: `npm test` in sdks/typescript.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, writeFile, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import {
  Client, NotFoundError, BadRequestError, UnauthorizedError, ForbiddenError, ResourceLimitError,
  StacyVMConnectionError, ProviderError, InternalError, errorFromResponse,
} from "../dist/index.js";

const URL = process.env.STACYVM_URL;
const KEY = process.env.STACYVM_API_KEY;
if (!(URL && KEY)) {
  throw new Error("these tests run against a suite: set STACYVM_URL and STACYVM_API_KEY (an admin key)");
}
const user = () => `sdk-ts-${randomUUID().slice(0, 10)}`;

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
