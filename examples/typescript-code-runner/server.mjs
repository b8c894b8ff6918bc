// A code-runner web service: POST /run with some code, it runs in a fresh sandbox, the output comes back.
//
//   STACYVM_URL=... STACYVM_API_KEY=... node server.mjs 8080
//   curl -s localhost:8080/run -d '{"language": "python", "code": "print(6 * 7)", "timeout": "10s"}'
//
// Each request gets its own sandbox (no network, the default limits), destroyed when the answer is
// sent, so one user's code never sees another's. Node's standard library and the StacyVM SDK only.
import { createServer } from "node:http";
import { Client, ResourceLimitError, StacyVMError } from "../../sdks/typescript/dist/index.js";

const MAX_CODE_BYTES = 100_000;
// where the code goes in the sandbox, and the command that runs it
const RUNNERS = {
  python: ["/workspace/main.py", ["python3", "/workspace/main.py"]],
  bash: ["/workspace/main.sh", ["bash", "/workspace/main.sh"]],
};

class BadRequest extends Error {}

export async function run(client, request) {
  const runner = RUNNERS[request.language ?? "python"];
  if (!runner) throw new BadRequest(`language must be one of ${Object.keys(RUNNERS).join(", ")}`);
  if (typeof request.code !== "string" || !request.code) throw new BadRequest("code is required");
  const sandbox = await client.spawn({ ttl: "5m", metadata: { app: "code-runner" } });
  try {
    await sandbox.files.write(runner[0], request.code);
    const result = await sandbox.exec(runner[1], { timeout: request.timeout ?? "10s" });
    return { stdout: result.stdout, stderr: result.stderr, exit_code: result.exit_code,
      timed_out: result.timed_out, duration: result.duration };
  } finally {
    await sandbox.destroy();
  }
}

export function serve(port, client) {
  const server = createServer(async (req, res) => {
    const answer = (status, body) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/run") return answer(404, { error: "POST /run" });
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_CODE_BYTES) return answer(413, { error: `at most ${MAX_CODE_BYTES} bytes of code` });
      chunks.push(chunk);
    }
    try {
      const request = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      if (!request || typeof request !== "object") throw new BadRequest("the body is a JSON object");
      answer(200, await run(client, request));
    } catch (error) {
      if (error instanceof BadRequest || error instanceof SyntaxError) return answer(400, { error: error.message });
      if (error instanceof ResourceLimitError) return answer(429, { error: error.message, retry_after: error.retryAfter });
      if (error instanceof StacyVMError) return answer(502, { error: `${error.code}: ${error.message}` });
      throw error;
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serve(Number(process.argv[2] ?? 8080), new Client());
  console.log(`code runner on http://127.0.0.1:${server.address().port}/run`);
}
