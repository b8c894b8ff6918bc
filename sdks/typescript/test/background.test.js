// Background processes (sandbox.startBackground, BackgroundProcess) against a running suite, as
// sdk.test.js's tests are (STACYVM_URL, STACYVM_API_KEY).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BadRequestError, Client, NotFoundError } from "../dist/index.js";

const URL = process.env.STACYVM_URL;
const KEY = process.env.STACYVM_API_KEY;
if (!(URL && KEY)) {
  throw new Error("these tests run against a suite: set STACYVM_URL and STACYVM_API_KEY (an admin key)");
}
const user = () => `sdk-ts-${randomUUID().slice(0, 10)}`;
const WAIT_MS = 30_000; // the most any one step waits

/** Its output from 0 once it holds `text`, WAIT_MS at most. */
async function outputUntil(process, text) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const output = await process.output();
    if (output.stdout.includes(text) || Date.now() > deadline) return output;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The chunks of a followed output, which is closed after WAIT_MS at the latest: keepalives would keep a stuck one open. */
async function chunksOf(follow) {
  const watchdog = setTimeout(() => follow.close(), WAIT_MS);
  const chunks = [];
  try {
    for await (const chunk of follow) chunks.push([chunk.stream, chunk.data]);
  } finally {
    clearTimeout(watchdog);
  }
  return chunks;
}

/** Kills it if the test did not get that far. */
async function forget(process) {
  await process?.kill().catch((error) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
}

describe("background processes", () => {
  // a key of its own, revoked at the end, and a sandbox of its own, destroyed at the end
  const admin = new Client({ baseUrl: URL, apiKey: KEY });
  let key;
  let sandbox;

  before(async () => {
    key = await admin.admin.createApiKey(user(), "user");
    const client = new Client({ baseUrl: URL, apiKey: key.key, userId: user() });
    sandbox = await client.spawn({ ttl: "10m", metadata: { suite: "typescript-sdk-background" } });
  });

  after(async () => {
    try {
      await sandbox?.destroy();
    } finally {
      if (key) await admin.admin.revokeApiKey(key.id);
    }
  });

  test("a started process runs on, is listed, read, signalled and killed", async () => {
    const started = Date.now();
    const process = await sandbox.startBackground(["sh", "-c", "echo started; sleep 300"]);
    try {
      assert.ok(Date.now() - started < 20_000, "it answered without waiting for the command");
      assert.match(process.id, /^bg-/);
      assert.deepEqual([process.state, process.exitCode], ["running", undefined]);
      assert.ok((await sandbox.backgroundProcesses()).some((p) => p.id === process.id && p.running));

      const output = await outputUntil(process, "started");
      assert.deepEqual(output.chunks, [{ stream: "stdout", data: "started\n", offset: 0 }]);
      assert.deepEqual([output.next, output.dropped, output.process.running], [8, false, true]);
      assert.deepEqual((await process.output(output.next)).chunks, [], "nothing new after next");

      const follow = await process.follow();
      for await (const chunk of follow) {
        assert.equal(chunk.data, "started\n");
        break; // leaving the loop stops the reading
      }
      assert.deepEqual([follow.result, follow.next], [undefined, 8]);
      const quiet = await process.follow({ since: 8 });
      setTimeout(() => quiet.close(), 500); // blocked on a quiet process (keepalives only) until closed
      assert.deepEqual(await chunksOf(quiet), []);
      assert.equal((await process.refresh()).running, true, "closing a follow stops only the reading");

      await assert.rejects(process.wait({ timeoutMs: 500 }), (error) => error.name === "TimeoutError");
      await process.signal("SIGTERM");
      await process.wait({ timeoutMs: WAIT_MS });
      assert.deepEqual([process.exitCode, process.state], [143, "exited"]);
      assert.ok(process.endedAt);
      assert.equal((await sandbox.backgroundProcess(process.id)).exitCode, 143);

      await process.kill();
      await assert.rejects(process.refresh(), (error) => error instanceof NotFoundError && error.status === 404);
      assert.ok(!(await sandbox.backgroundProcesses()).some((p) => p.id === process.id));
    } finally {
      await forget(process);
    }
  });

  test("following from next sees only new output as it comes, and the exit code", async () => {
    const marker = `/tmp/go-${randomUUID()}`;
    const process = await sandbox.startBackground(`echo tick 1; while [ ! -f ${marker} ]; do sleep 0.1; done; `
      + "for i in 2 3; do echo tick $i; sleep 1; done; echo done >&2");
    try {
      const first = await outputUntil(process, "tick 1");
      assert.equal(first.stdout, "tick 1\n");

      const follow = await process.follow({ since: first.next });
      // the rest cannot be written before this file exists: what follows comes live
      await sandbox.files.write(marker, "");
      assert.deepEqual(await chunksOf(follow), [["stdout", "tick 2\n"], ["stdout", "tick 3\n"], ["stderr", "done\n"]]);
      assert.deepEqual([follow.result?.exit_code, follow.result?.timed_out], [0, false]);
      assert.deepEqual([follow.result.stdout, follow.result.stderr], ["tick 2\ntick 3\n", "done\n"]);
      assert.equal(follow.next, (await process.refresh()).outputBytes);
      assert.deepEqual([process.exitCode, process.state], [0, "exited"]);

      // a reconnect from any offset goes on exactly there, the exit line included
      const again = await process.follow({ since: first.next + "tick 2\n".length });
      assert.deepEqual(await chunksOf(again), [["stdout", "tick 3\n"], ["stderr", "done\n"]]);
      assert.equal(again.result?.exit_code, 0);
    } finally {
      await forget(process);
    }
  });

  test("env, workdir and a timeout apply to a background command", async () => {
    const greeting = await sandbox.startBackground("echo $GREETING from $(pwd)", { env: { GREETING: "hello" }, workdir: "/tmp" });
    const slow = await sandbox.startBackground("sleep 300", { timeout: "1s" });
    try {
      assert.equal((await greeting.wait({ timeoutMs: WAIT_MS })).exitCode, 0);
      assert.equal((await greeting.output()).stdout, "hello from /tmp\n");
      assert.equal((await slow.wait({ timeoutMs: WAIT_MS })).timedOut, true);
    } finally {
      await forget(greeting);
      await forget(slow);
    }
  });

  test("unknown processes and bad requests are typed errors", async () => {
    await assert.rejects(sandbox.backgroundProcess("bg-000000000000"), NotFoundError);
    await assert.rejects(sandbox.startBackground("sleep 1", { timeout: "soon" }), BadRequestError);
  });
});
