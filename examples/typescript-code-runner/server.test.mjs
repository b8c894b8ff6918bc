// The code runner against the running suite (STACYVM_URL, STACYVM_API_KEY): node --test in this folder.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Client } from "../../sdks/typescript/dist/index.js";
import { serve } from "./server.mjs";

if (!(process.env.STACYVM_URL && process.env.STACYVM_API_KEY)) {
  throw new Error("this test runs against a suite: set STACYVM_URL and STACYVM_API_KEY");
}
const client = new Client({ userId: `code-runner-${randomUUID().slice(0, 8)}` });
let server;
let url;

before(async () => {
  server = await serve(0, client);
  url = `http://127.0.0.1:${server.address().port}/run`;
});

after(() => server?.close());

async function post(body) {
  const response = await fetch(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return [response.status, await response.json()];
}

test("code runs and its output comes back", async () => {
  const [status, body] = await post({ code: "import sys\nprint(6 * 7)\nprint('warn', file=sys.stderr)\nsys.exit(3)" });
  assert.equal(status, 200);
  assert.deepEqual([body.stdout, body.stderr, body.exit_code, body.timed_out], ["42\n", "warn\n", 3, false]);
});

test("a runaway program is stopped at its timeout", async () => {
  const [status, body] = await post({ language: "bash", code: "while :; do :; done", timeout: "2s" });
  assert.equal(status, 200);
  assert.equal(body.timed_out, true);
});

test("every run gets a fresh sandbox that is gone afterwards", async () => {
  await post({ code: "open('/workspace/left-behind', 'w').write('secret')" });
  const [, body] = await post({ code: "import os\nprint(os.path.exists('/workspace/left-behind'))" });
  assert.equal(body.stdout, "False\n");
  assert.deepEqual((await client.list()).filter((s) => s.data.metadata?.app === "code-runner"), []);
});

test("bad requests are refused", async () => {
  assert.equal((await post({ language: "cobol", code: "x" }))[0], 400);
  assert.equal((await post({ code: "" }))[0], 400);
  assert.equal((await post("{not json"))[0], 400);
  assert.equal((await post({ code: "x".repeat(200_000) }))[0], 413);
});
