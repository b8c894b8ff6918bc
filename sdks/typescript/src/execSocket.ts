/**
 * `GET /sandboxes/{id}/exec/ws`: a command over a WebSocket, on a terminal when asked.
 *
 * The conversation: the exec request as the first message, then output chunks `{stream, data}` and
 * a last `{type: "done", exit_code, ...}` from the server (or `{type: "error", error, code}`);
 * stdin, resize, signal and eof from the client.
 *
 * In Node the socket is the `ws` package's: it sends the API key as a header and reads a refused
 * handshake's status and body, so a refusal throws the API's typed error as every request does
 * (Node 22's global WebSocket does neither). Elsewhere (a browser, or given `WebSocket`), the
 * standard WebSocket class: it cannot send headers, so the SDK asks for a single-use token first.
 */

import {
  ProviderError, StacyVMConnectionError, StacyVMError, UnavailableError, errorFromCode, errorFromResponse,
} from "./errors.js";
import type { Command } from "./sandbox.js";

/** An output chunk: `data` is text, or bytes on a binary session. */
export interface ExecSocketChunk<D extends string | Uint8Array = string> {
  stream: "stdout" | "stderr";
  data: D;
}

/** How a session's command ended, and the output nothing had read yet. */
export interface ExecSocketResult<D extends string | Uint8Array = string> {
  exit_code: number;
  stdout: D;
  stderr: D;
  duration: string;
  timed_out: boolean;
}

/** The answer of `POST /sandboxes/{id}/exec/ws/token`, and the whole address to open. */
export interface ExecSocketToken {
  token: string;
  expires_at: string;
  /** From the gateway's root, token included. */
  path: string;
  /** `ws://` or `wss://`, token included: what a browser opens. */
  url: string;
}

export interface ExecSocketOptions {
  env?: Record<string, string>;
  workdir?: string;
  /** A Go duration; default 60s, on a terminal the owner's maximum exec timeout (1h unless set). */
  timeout?: string;
  /** Run on a terminal (a PTY): one output stream, stdin as typed, resize, job-control signals. */
  pty?: boolean;
  /** The terminal's size, 1 to 1000 each; default 80 x 24. */
  cols?: number;
  rows?: number;
  /** Carry every byte as it is (base64 on the wire): output chunks are Uint8Array. */
  binary?: boolean;
  /** How long opening may take; default 30000. */
  connectTimeoutMs?: number;
  /**
   * A standard (WHATWG) WebSocket class to use instead of `ws`, e.g. a browser's; it cannot send
   * headers, so the session opens with a single-use token. Default: `ws` in Node, else the global one.
   */
  WebSocket?: StandardWebSocketClass;
  /** Aborting closes the session. */
  signal?: AbortSignal;
}

/** What the SDK uses of a standard WebSocket class. */
export type StandardWebSocketClass = new (url: string) => StandardWebSocket;
interface StandardWebSocket {
  binaryType: string;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
}

/** The typed error of an error frame, by its `code`. */
export function errorFromFrame(frame: { error?: string; message?: string; code?: string }): StacyVMError {
  const code = frame.code || "provider_error";
  return errorFromCode(code, frame.error ?? frame.message ?? code);
}

// the codes the server puts in a close's reason when it has no frame to send
const ERROR_CODES = new Set(["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "resource_limit",
  "provider_error", "internal_error", "unavailable"]);

/** The first message: a string runs through `/bin/sh -c`, an array as it is, as `exec` does. */
export function socketRequest(command: Command, options: ExecSocketOptions = {}): Record<string, unknown> {
  let request: Record<string, unknown>;
  if (typeof command === "string") {
    request = { command, mode: "shell" };
  } else {
    if (command.length === 0) throw new TypeError("command is empty");
    request = { command: command[0], args: command.slice(1), mode: "argv" };
  }
  if (options.env) request.env = options.env;
  if (options.workdir) request.workdir = options.workdir;
  if (options.timeout) request.timeout = options.timeout;
  if (options.pty) request.pty = true;
  if (options.cols !== undefined) request.cols = options.cols;
  if (options.rows !== undefined) request.rows = options.rows;
  if (options.binary) request.encoding = "base64";
  return request;
}

/** `path` on the gateway at `baseUrl`, as `ws://` or `wss://`. */
export function websocketUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/^http(s?):\/\//, "ws$1://") + path;
}

/** Where the wire hands what it receives. */
interface Sink {
  text(text: string): void;
  binary(bytes: Uint8Array): void;
  closed(code: number, reason: string): void;
}

/** One open connection, whichever WebSocket carries it. */
interface Wire {
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
  close(code: number): void;
  /** Stops reading from the network (when the reader is behind), and goes on; no-ops where unsupported. */
  pause(): void;
  resume(): void;
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** The standard WebSocket class a session uses: the one given, else outside Node the global one; undefined: `ws`. */
export function standardWebSocket(options: ExecSocketOptions): StandardWebSocketClass | undefined {
  return options.WebSocket ?? (isNode ? undefined : (globalThis as any).WebSocket);
}

function connectionError(url: string, why: string): StacyVMConnectionError {
  return new StacyVMConnectionError(`could not open ${url.replace(/token=[^&]*/, "token=…")}: ${why}`,
    { code: "connection" });
}

/** Opens with `ws`: headers sent, a refusal read as the API's typed error. */
async function openWithWs(url: string, headers: Record<string, string>, timeoutMs: number, sink: Sink): Promise<Wire> {
  const { WebSocket } = await import("ws");
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs, maxPayload: 16 * 1024 * 1024 });
    let opened = false;
    socket.on("unexpected-response", (_request, response) => {
      const parts: Buffer[] = [];
      let size = 0;
      const give = () => {
        reject(errorFromResponse(response.statusCode ?? 0, Buffer.concat(parts).toString("utf8"),
          response.headers["retry-after"] as string | undefined));
        socket.terminate();
      };
      response.on("data", (part: Buffer) => {
        size += part.length;
        if (size <= 1024 * 1024) parts.push(part);
      });
      response.on("end", give);
      response.on("error", give);
    });
    socket.on("error", (failure) => {
      if (!opened) reject(connectionError(url, failure.message));
    });
    socket.on("open", () => {
      opened = true;
      resolve({
        sendText: (text) => socket.send(text),
        sendBinary: (bytes) => socket.send(bytes, { binary: true }),
        close: (code) => socket.close(code),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      });
    });
    socket.on("message", (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) sink.binary(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      else sink.text(bytes.toString("utf8"));
    });
    socket.on("close", (code, reason) => {
      if (opened) sink.closed(code, reason.toString("utf8"));
    });
  });
}

/** Opens with a standard WebSocket class: no headers (the URL carries a token), a refusal seen only as a failure. */
function openStandard(WebSocketClass: StandardWebSocketClass, url: string, timeoutMs: number, sink: Sink): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocketClass(url);
    socket.binaryType = "arraybuffer";
    let opened = false;
    const timer = setTimeout(() => {
      reject(connectionError(url, `no handshake within ${timeoutMs} ms`));
      socket.close();
    }, timeoutMs);
    socket.addEventListener("open", () => {
      opened = true;
      clearTimeout(timer);
      resolve({
        sendText: (text) => socket.send(text),
        sendBinary: (bytes) => socket.send(bytes),
        close: (code) => socket.close(code),
        pause: () => {},
        resume: () => {},
      });
    });
    socket.addEventListener("error", () => {
      clearTimeout(timer);
      // a browser shows no refused handshake's status: the token is spent, expired, or the sandbox refused
      if (!opened) reject(connectionError(url, "refused or unreachable (the standard WebSocket tells no more)"));
    });
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") sink.text(event.data);
      else sink.binary(new Uint8Array(event.data as ArrayBuffer));
    });
    socket.addEventListener("close", (event) => {
      if (opened) sink.closed(event.code, event.reason ?? "");
    });
  });
}

function toBase64(bytes: Uint8Array): string {
  if (typeof Buffer !== "undefined") return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(text, "base64"));
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

// chunks held for a reader that is behind before the socket stops reading
const HIGH_WATER_CHUNKS = 1024;

/**
 * A command running in a sandbox over a WebSocket: `send` to its stdin, iterate (`for await`) over
 * its output chunks as they come, `wait()` for its end. `close()`, `await using`, an aborted `signal`
 * or leaving the loop with `break` hang up, which kills the command and everything it started.
 */
export class ExecSession<D extends string | Uint8Array = string> implements AsyncIterable<ExecSocketChunk<D>> {
  /** How the command ended, once the session has read it. */
  result?: ExecSocketResult<D>;
  readonly terminal: boolean;
  readonly binary: boolean;
  private wire?: Wire;
  private readonly queue: ExecSocketChunk<D>[] = [];
  private ended = false;
  private error?: StacyVMError;
  private wake?: () => void;
  private paused = false;
  private readonly encoder = new TextEncoder();

  /** Use `sandbox.execSocket`, `sandbox.terminal` or `connectExecSocket`. */
  private constructor(request: Record<string, unknown>) {
    this.terminal = request.pty === true;
    this.binary = request.encoding === "base64";
  }

  /** @internal Opens `url` (with `headers` over `ws`, or a standard class), sends the request. */
  static async open<D extends string | Uint8Array>(url: string, request: Record<string, unknown>,
    options: { headers?: Record<string, string>; connectTimeoutMs?: number; WebSocket?: StandardWebSocketClass;
      signal?: AbortSignal }): Promise<ExecSession<D>> {
    const session = new ExecSession<D>(request);
    const timeoutMs = options.connectTimeoutMs ?? 30_000;
    const sink: Sink = {
      text: (text) => session.onText(text),
      binary: (bytes) => session.push({ stream: "stdout", data: (session.binary ? bytes : new TextDecoder().decode(bytes)) as D }),
      closed: (code, reason) => session.onClosed(code, reason),
    };
    const Standard = standardWebSocket(options);
    session.wire = Standard ? await openStandard(Standard, url, timeoutMs, sink)
      : await openWithWs(url, options.headers ?? {}, timeoutMs, sink);
    session.wire.sendText(JSON.stringify(request));
    if (options.signal?.aborted) session.close();
    options.signal?.addEventListener("abort", () => session.close(), { once: true });
    return session;
  }

  // stdin and control

  /** Writes to stdin: text as UTF-8, bytes as they are (on a terminal, as typed: "\x03" is ^C). */
  send(data: string | Uint8Array): void {
    if (typeof data !== "string") {
      this.write(() => this.wire!.sendBinary(data));
    } else if (this.binary) {
      this.message({ type: "stdin", data: toBase64(this.encoder.encode(data)) });
    } else {
      this.message({ type: "stdin", data });
    }
  }

  /** Gives the terminal a new size (1 to 1000 each); its program gets SIGWINCH. */
  resize(cols: number, rows: number): void {
    this.message({ type: "resize", cols, rows });
  }

  /** INT, TERM, KILL, HUP, QUIT, USR1, USR2, CONT or STOP (with or without SIG), to the terminal's foreground job. */
  signal(signal = "SIGINT"): void {
    this.message({ type: "signal", signal });
  }

  /** Closes stdin, as ^D would: `cat` then ends. */
  endInput(): void {
    this.message({ type: "eof" });
  }

  private message(message: Record<string, unknown>): void {
    this.write(() => this.wire!.sendText(JSON.stringify(message)));
  }

  private write(send: () => void): void {
    if (this.ended) {
      if (this.error) throw this.error;
      throw new StacyVMConnectionError("the session has ended", { code: "connection" });
    }
    send();
  }

  // what comes in

  private onText(text: string): void {
    let frame: any;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.finish(new ProviderError(`the exec socket sent no JSON: ${text.slice(0, 80)}`, { code: "provider_error" }));
    }
    if (frame.type === "done") {
      this.result = { exit_code: Number(frame.exit_code ?? -1), stdout: this.empty(), stderr: this.empty(),
        duration: String(frame.duration ?? ""), timed_out: Boolean(frame.timed_out) };
      this.finish();
    } else if (frame.type === "error") {
      this.finish(errorFromFrame(frame));
    } else {
      const data = String(frame.data ?? "");
      this.push({ stream: frame.stream === "stderr" ? "stderr" : "stdout",
        data: (this.binary ? fromBase64(data) : data) as D });
    }
  }

  private push(chunk: ExecSocketChunk<D>): void {
    this.queue.push(chunk);
    if (this.queue.length >= HIGH_WATER_CHUNKS && !this.paused) {
      this.paused = true;
      this.wire?.pause();
    }
    this.notify();
  }

  private onClosed(code: number, reason: string): void {
    if (this.ended) return this.notify();
    // no last frame: the close's reason is the error's code where the server had one
    this.finish(ERROR_CODES.has(reason) ? errorFromCode(reason, `the exec socket closed: ${code} ${reason}`)
      : code === 1006 ? new StacyVMConnectionError("the exec socket was dropped", { code: "connection" })
        : code === 1000 || code === 1001
          ? new UnavailableError(`the exec socket closed (${code}) without an exit status`, { code: "unavailable" })
          : new ProviderError(`the exec socket closed: ${code} ${reason}`.trim(), { code: "provider_error" }));
  }

  private finish(error?: StacyVMError): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.wire?.close(1000);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private empty(): D {
    return (this.binary ? new Uint8Array(0) : "") as D;
  }

  /** The next chunk; undefined at the end, or when `timeoutMs` passed first (`timedOut` tells). */
  private async next(timeoutMs?: number): Promise<ExecSocketChunk<D> | undefined> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        if (this.paused && this.queue.length < HIGH_WATER_CHUNKS / 2) {
          this.paused = false;
          this.wire?.resume();
        }
        return chunk;
      }
      if (this.ended) {
        if (this.error) throw this.error;
        return undefined;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const woke = await new Promise<boolean>((resolve) => {
        this.wake = () => resolve(true);
        if (timeoutMs !== undefined) timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
      });
      clearTimeout(timer);
      if (!woke) {
        this.wake = undefined;
        return undefined;
      }
    }
  }

  /** The output chunks as they come, until the command ends (then `result` is set); throws the typed error of an error frame. */
  async *[Symbol.asyncIterator](): AsyncIterator<ExecSocketChunk<D>> {
    let finished = false;
    try {
      for (;;) {
        const chunk = await this.next();
        if (!chunk) {
          finished = true;
          return;
        }
        yield chunk;
      }
    } finally {
      if (!finished) this.close();
    }
  }

  /**
   * Reads output until it holds `expected` (text or a RegExp) and answers the output read, which no
   * iteration sees again; a terminal's output is as a terminal writes it (`\r\n`, echo, prompts,
   * escape sequences). Throws a TimeoutError (a DOMException) after `timeoutMs`, an Error when the
   * command ends first.
   */
  async readUntil(expected: string | RegExp, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      if (typeof expected === "string" ? text.includes(expected) : expected.test(text)) return text;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DOMException(`no ${String(expected)} within ${timeoutMs} ms; the output read: ${JSON.stringify(text.slice(-500))}`,
          "TimeoutError");
      }
      const chunk = await this.next(left);
      if (!chunk) {
        if (this.ended) throw new Error(`the command ended before ${String(expected)}; its output: ${JSON.stringify(text.slice(-500))}`);
        continue;
      }
      text += typeof chunk.data === "string" ? chunk.data : decoder.decode(chunk.data, { stream: true });
    }
  }

  /**
   * Reads to the end and answers how the command ended, with the output nothing had read yet.
   * Throws a TimeoutError (a DOMException) after `timeoutMs`; the session stays open.
   */
  async wait({ timeoutMs }: { timeoutMs?: number } = {}): Promise<ExecSocketResult<D>> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const read: ExecSocketChunk<D>[] = [];
    for (;;) {
      const left = deadline === undefined ? undefined : deadline - Date.now();
      if (left !== undefined && left <= 0) {
        this.queue.unshift(...read);
        throw new DOMException(`the command did not end within ${timeoutMs} ms`, "TimeoutError");
      }
      const chunk = await this.next(left);
      if (chunk) {
        read.push(chunk);
      } else if (this.ended) {
        break;
      }
    }
    const join = (stream: string): D => {
      const parts = read.filter((chunk) => chunk.stream === stream).map((chunk) => chunk.data);
      return (this.binary ? concatBytes(parts as Uint8Array[]) : (parts as string[]).join("")) as D;
    };
    const result = { ...this.result!, stdout: join("stdout"), stderr: join("stderr") };
    return result;
  }

  /** Hangs up; a command still running is killed with everything it started. Again is no error. */
  close(): void {
    if (!this.ended) {
      this.ended = true;
      this.error = new StacyVMConnectionError("the session is closed", { code: "connection" });
    }
    this.wire?.close(1000);
    this.notify();
  }

  /** `await using session = await sandbox.terminal()` closes it when the scope ends. */
  async [Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")](): Promise<void> {
    this.close();
  }
}

/**
 * Opens an exec socket at `url` as it is, for instance an `ExecSocketToken`'s `url` (the token is its
 * credential), and starts `command` there; the options are `sandbox.execSocket`'s.
 */
export function connectExecSocket(url: string, command: Command, options: ExecSocketOptions & { binary: true }):
  Promise<ExecSession<Uint8Array>>;
export function connectExecSocket(url: string, command: Command, options?: ExecSocketOptions): Promise<ExecSession<string>>;
export function connectExecSocket(url: string, command: Command, options: ExecSocketOptions = {}):
  Promise<ExecSession<any>> {
  return ExecSession.open(url, socketRequest(command, options), options);
}
