/** One sandbox: run commands in it, move files in and out, preview it, destroy it. */

import { Transport } from "./http.js";
import { BackgroundProcess } from "./background.js";
import { Files } from "./files.js";
import { ProviderError } from "./errors.js";
import { ExecSession, socketRequest, standardWebSocket, websocketUrl } from "./execSocket.js";
import type { ExecSocketOptions, ExecSocketToken } from "./execSocket.js";
import type {
  BackgroundProcessData, ExecChunk, ExecOptions, ExecResult, PreviewAccess, SandboxData, SandboxStats,
} from "./types.js";

/** A string runs through `/bin/sh -c`; an array runs as it is, each item one argument. */
export type Command = string | string[];

/** What a terminal runs unless told: the same in every StacyVM SDK. */
export const LOGIN_SHELL: string[] = ["/bin/sh", "-c", "if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi"];

export function execBody(command: Command, options: ExecOptions, stream: boolean, background = false): Record<string, unknown> {
  let body: Record<string, unknown>;
  if (typeof command === "string") {
    body = { command, mode: "shell" };
  } else {
    if (command.length === 0) throw new TypeError("command is empty");
    body = { command: command[0], args: command.slice(1), mode: "argv" };
  }
  if (options.env) body.env = options.env;
  if (options.workdir) body.workdir = options.workdir;
  if (options.timeout) body.timeout = options.timeout;
  if (stream) body.stream = true;
  if (background) body.background = true;
  return body;
}

/** A running command's output as it is written; after the loop, `result` says how it ended. */
export class ExecStream implements AsyncIterable<ExecChunk> {
  result?: ExecResult;

  constructor(private readonly response: Response, private readonly abort: AbortController) {}

  async *[Symbol.asyncIterator](): AsyncIterator<ExecChunk> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const decoder = new TextDecoder();
    let pending = "";
    try {
      for await (const bytes of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(bytes, { stream: true });
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line);
          if (event.exit_code !== undefined) {
            this.result = { exit_code: event.exit_code, stdout: stdout.join(""), stderr: stderr.join(""),
              duration: event.duration ?? "", timed_out: Boolean(event.timed_out) };
            continue;
          }
          const chunk: ExecChunk = { stream: event.stream === "stderr" ? "stderr" : "stdout", data: event.data ?? "" };
          (chunk.stream === "stderr" ? stderr : stdout).push(chunk.data);
          yield chunk;
        }
      }
    } finally {
      this.close();
    }
  }

  /** Reads the rest of the output and answers how the command ended. */
  async wait(): Promise<ExecResult> {
    for await (const _ of this) {
      // the chunks are kept in the result
    }
    if (!this.result) throw new ProviderError("the stream ended without an exit status", { code: "provider_error" });
    return this.result;
  }

  /** Stops reading; a command still running is killed by the worker. */
  close(): void {
    this.abort.abort();
  }
}

export class Sandbox {
  readonly files: Files;

  constructor(private readonly http: Transport, public data: SandboxData) {
    this.files = new Files(http, data.id);
  }

  get id(): string {
    return this.data.id;
  }

  get state(): string {
    return this.data.state;
  }

  get expiresAt(): string {
    return this.data.expires_at;
  }

  async refresh(): Promise<this> {
    this.data = await this.http.json<SandboxData>("GET", `/sandboxes/${this.id}`);
    return this;
  }

  /** Runs a command to its end (or its `timeout`). */
  exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    return this.http.json<ExecResult>("POST", `/sandboxes/${this.id}/exec`, execBody(command, options, false));
  }

  /** Starts a command; iterate the answer for its output as it is written. */
  async execStream(command: Command, options: ExecOptions = {}): Promise<ExecStream> {
    const abort = new AbortController();
    options.signal?.addEventListener("abort", () => abort.abort());
    const response = await this.http.send("POST", `/sandboxes/${this.id}/exec`, {
      json: execBody(command, options, true), headers: { Accept: "application/x-ndjson" }, signal: abort.signal,
    });
    return new ExecStream(response, abort);
  }

  /**
   * Starts a command detached and answers at once with its BackgroundProcess: a dev server, a watcher,
   * a long job that outlives this call. It runs until it ends, is signalled or killed, its `timeout`
   * passes (within the owner's maximum; none unless given) or the sandbox ends; its output stays readable
   * (the last 256 KiB) and followable. A string runs in /bin/sh, an array as it is. A ResourceLimitError
   * past 16 running in the sandbox.
   */
  async startBackground(command: Command, options: Omit<ExecOptions, "signal"> = {}): Promise<BackgroundProcess> {
    const data = await this.http.json<BackgroundProcessData>("POST", `/sandboxes/${this.id}/exec`,
      execBody(command, options, false, true));
    return new BackgroundProcess(this.http, this.id, data);
  }

  /** Its background processes, running and ended, oldest first (until killed; a worker restart forgets them). */
  async backgroundProcesses(): Promise<BackgroundProcess[]> {
    const list = await this.http.json<BackgroundProcessData[]>("GET", `/sandboxes/${this.id}/exec/background`);
    return (list ?? []).map((data) => new BackgroundProcess(this.http, this.id, data));
  }

  /** One background process by its id (`bg-...`); a NotFoundError when there is none. */
  backgroundProcess(processId: string): Promise<BackgroundProcess> {
    return new BackgroundProcess(this.http, this.id, { id: processId } as BackgroundProcessData).refresh();
  }

  /**
   * Starts a command over a WebSocket and answers its session: stdin, output as it is written, signals,
   * and on a terminal (`pty: true`, `cols` x `rows`, 80 x 24 by default) resizing. `binary: true`
   * carries every byte as it is (chunks are Uint8Array). A refused session throws as any request does
   * (ConflictError when the sandbox is not running, ResourceLimitError past 16 sessions per key); a
   * refused request throws from the session (BadRequestError). Closing it kills the command.
   */
  execSocket(command: Command, options: ExecSocketOptions & { binary: true }): Promise<ExecSession<Uint8Array>>;
  execSocket(command: Command, options?: ExecSocketOptions): Promise<ExecSession<string>>;
  async execSocket(command: Command, options: ExecSocketOptions = {}): Promise<ExecSession<any>> {
    const request = socketRequest(command, options);
    const standard = standardWebSocket(options);
    if (standard) {
      // a standard WebSocket sends no headers: a single-use token stands for the key
      const token = await this.execSocketToken();
      return ExecSession.open(token.url, request, { ...options, WebSocket: standard });
    }
    return ExecSession.open(websocketUrl(this.http.baseUrl, `/api/v1/sandboxes/${this.id}/exec/ws`), request,
      { ...options, headers: this.http.headers() });
  }

  /**
   * An interactive terminal: `execSocket` on a PTY (TERM=xterm-256color unless `env` says otherwise), running
   * `command`, by default a login shell (bash where the image has it, else sh).
   */
  terminal(options: Omit<ExecSocketOptions, "pty" | "binary"> & { command?: Command } = {}): Promise<ExecSession<string>> {
    const { command = LOGIN_SHELL, ...rest } = options;
    return this.execSocket(command, { cols: 80, rows: 24, ...rest, pty: true });
  }

  /**
   * A single-use token that opens this sandbox's exec socket within 60 s, for a browser: hand it `url`
   * (the whole address), never the API key. A ForbiddenError for a viewer key.
   */
  async execSocketToken(): Promise<ExecSocketToken> {
    const grant = await this.http.json<Omit<ExecSocketToken, "url">>("POST", `/sandboxes/${this.id}/exec/ws/token`);
    return { ...grant, url: websocketUrl(this.http.baseUrl, grant.path) };
  }

  logs(lines = 100): Promise<string[]> {
    return this.http.json("GET", `/sandboxes/${this.id}/logs`, undefined, { lines });
  }

  /** CPU, memory, disk, processes and network now (takes about a second); a ConflictError when not running. */
  stats(): Promise<SandboxStats> {
    return this.http.json("GET", `/sandboxes/${this.id}/stats`);
  }

  /** Gives it `ttl` more (a Go duration), capped by the owner's maximum TTL from now. */
  async extend(ttl: string): Promise<this> {
    this.data = await this.http.json<SandboxData>("POST", `/sandboxes/${this.id}/extend`, { ttl });
    return this;
  }

  /** Removes it and everything in it; destroying it again is no error. */
  async destroy(): Promise<void> {
    await this.http.json("DELETE", `/sandboxes/${this.id}`);
    this.data = { ...this.data, state: "destroyed" };
  }

  /** `await using sandbox = await client.spawn()` destroys it when the scope ends. */
  async [Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")](): Promise<void> {
    await this.destroy();
  }

  /** The preview address of `port` and, for a private preview, a token that opens it. */
  preview(port: number): Promise<PreviewAccess> {
    return this.http.json("GET", `/sandboxes/${this.id}/preview/${port}`);
  }

  /** A URL a browser can open: the plain address of a public preview, with a token otherwise. */
  async previewUrl(port: number): Promise<string> {
    const access = await this.preview(port);
    if (access.public_preview || !access.token) return access.url;
    return `${access.url}${access.url.includes("?") ? "&" : "?"}preview_token=${encodeURIComponent(access.token)}`;
  }
}
