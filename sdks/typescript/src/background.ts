/**
 * Background processes: commands started detached (`background: true` on exec), which outlive the
 * request that started them; `/sandboxes/{id}/exec/background`.
 */

import { StacyVMConnectionError } from "./errors.js";
import type { Transport } from "./http.js";
import type { BackgroundChunk, BackgroundProcessData, ExecChunk, ExecResult } from "./types.js";

/** `"SIGTERM"`, `"term"` and `"TERM"` alike: the API takes the name without `SIG`. */
export function signalName(signal: string): string {
  const name = signal.trim().toUpperCase();
  return name.startsWith("SIG") ? name.slice(3) : name;
}

/** `BackgroundProcess.output(since)`: the chunks from `since` on, and the process now. */
export interface BackgroundOutput {
  chunks: BackgroundChunk[];
  /** The offset to ask from next time. */
  next: number;
  /** Output after `since` had already left the buffer (its last 256 KiB). */
  dropped: boolean;
  process: BackgroundProcess;
  /** The stdout chunks' text, joined. */
  stdout: string;
  /** The stderr chunks' text, joined. */
  stderr: string;
}

export interface FollowOptions {
  /** The byte offset to start from: 0 (the default) for all the buffer holds, an output's `next` for what is new. */
  since?: number;
  /** Aborting it stops reading, as `close()` does; the process goes on. */
  signal?: AbortSignal;
  /** This long without a byte counts as a dropped connection (keepalives come every half second). Default 30000. */
  readTimeoutMs?: number;
}

export interface WaitOptions {
  /** Default 60000; then a `TimeoutError` DOMException. */
  timeoutMs?: number;
  /** How often to read its state. Default 250. */
  intervalMs?: number;
}

/**
 * A background process as last read (`refresh()` reads it again). `exitCode` and `endedAt` are
 * undefined while it runs; `exitCode` is 128 + the signal's number when a signal ended it.
 */
export class BackgroundProcess {
  constructor(private readonly http: Transport, readonly sandboxId: string, public data: BackgroundProcessData) {}

  get id(): string {
    return this.data.id;
  }

  get command(): string {
    return this.data.command;
  }

  /** `running` or `exited`. */
  get state(): string {
    return this.data.state;
  }

  get running(): boolean {
    return this.data.state === "running";
  }

  get exitCode(): number | undefined {
    return this.data.exit_code ?? undefined;
  }

  get timedOut(): boolean {
    return Boolean(this.data.timed_out);
  }

  get startedAt(): string {
    return this.data.started_at;
  }

  get endedAt(): string | undefined {
    return this.data.ended_at ?? undefined;
  }

  /** Bytes of output it has written so far, dropped ones included. */
  get outputBytes(): number {
    return this.data.output_bytes ?? 0;
  }

  private get path(): string {
    return `/sandboxes/${this.sandboxId}/exec/background/${this.id}`;
  }

  /** Reads its state again; a NotFoundError once it was killed (or its worker restarted). */
  async refresh(): Promise<this> {
    this.data = await this.http.json<BackgroundProcessData>("GET", this.path);
    return this;
  }

  /**
   * What it wrote from byte `since` on, as far as the buffer (its last 256 KiB) holds it; pass the
   * answer's `next` as `since` to read only what is new. Refreshes this handle too.
   */
  async output(since = 0): Promise<BackgroundOutput> {
    const answer = await this.http.json<{ chunks?: BackgroundChunk[]; next: number; dropped: boolean;
      process?: BackgroundProcessData }>("GET", `${this.path}/output`, undefined, { since });
    if (answer.process) this.data = answer.process;
    const chunks = answer.chunks ?? [];
    const text = (stream: string) => chunks.filter((c) => (c.stream === "stderr") === (stream === "stderr"))
      .map((c) => c.data).join("");
    return { chunks, next: answer.next, dropped: Boolean(answer.dropped),
      process: new BackgroundProcess(this.http, this.sandboxId, this.data), stdout: text("stdout"), stderr: text("stderr") };
  }

  /**
   * Its output from byte `since` on, then live until it ends: `for await` over the answer's chunks;
   * its `result` is set once the process ended, its `next` is where to follow again from after a
   * dropped connection. Leaving the loop, `close()` or `signal` stop reading; the process goes on.
   */
  async follow(options: FollowOptions = {}): Promise<BackgroundFollow> {
    const since = options.since ?? 0;
    const abort = new AbortController();
    if (options.signal?.aborted) abort.abort();
    options.signal?.addEventListener("abort", () => abort.abort(), { once: true });
    const response = await this.http.send("GET", `${this.path}/output`, {
      query: { since, follow: true }, headers: { Accept: "application/x-ndjson" }, signal: abort.signal,
    });
    return new BackgroundFollow(response, abort, since, options.readTimeoutMs ?? 30_000);
  }

  /**
   * Sends `signal` (HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP; with or without SIG) to its
   * command's process group; an ended one is left alone. Answers this handle, refreshed: the process
   * may take a moment to exit (`wait`).
   */
  async signal(signal = "TERM"): Promise<this> {
    this.data = await this.http.json<BackgroundProcessData>("POST", `${this.path}/signal`, { signal: signalName(signal) });
    return this;
  }

  /** Kills it with everything it started, if it still runs, and forgets it: reading it afterwards throws NotFoundError. */
  async kill(): Promise<void> {
    await this.http.json("DELETE", this.path);
  }

  /** Waits until it exited (reading its state every `intervalMs`), `timeoutMs` at most; answers this handle. */
  async wait(options: WaitOptions = {}): Promise<this> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    while ((await this.refresh()).running) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DOMException(`background process ${this.id} still runs after ${timeoutMs} ms`, "TimeoutError");
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 250, left)));
    }
    return this;
  }
}

/**
 * A background process's output as it is written (`BackgroundProcess.follow`): `for await` over its
 * chunks; `result` says how the process ended once it did (undefined when the stream ended first),
 * `next` is the byte offset to follow again from.
 */
export class BackgroundFollow implements AsyncIterable<ExecChunk> {
  result?: ExecResult;
  /**
   * The offset after the last chunk read, counted in UTF-8 bytes of its text: exact unless the process
   * wrote bytes that are not UTF-8 (`output()` answers the server's own offsets).
   */
  next: number;
  private closed = false;

  constructor(private readonly response: Response, private readonly abort: AbortController, since: number,
              private readonly readTimeoutMs: number) {
    this.next = since;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ExecChunk> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let pending = "";
    let idle: ReturnType<typeof setTimeout> | undefined;
    let stalled = false;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        this.abort.abort();
      }, this.readTimeoutMs);
    };
    try {
      touch();
      for await (const bytes of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        pending += decoder.decode(bytes, { stream: true });
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) continue; // a keepalive
          const event = JSON.parse(line);
          if (event.exit_code !== undefined) {
            this.result = { exit_code: event.exit_code, stdout: stdout.join(""), stderr: stderr.join(""),
              duration: event.duration ?? "", timed_out: Boolean(event.timed_out) };
            continue;
          }
          const chunk: ExecChunk = { stream: event.stream === "stderr" ? "stderr" : "stdout", data: event.data ?? "" };
          (chunk.stream === "stderr" ? stderr : stdout).push(chunk.data);
          this.next += encoder.encode(chunk.data).length;
          yield chunk;
        }
      }
    } catch (failure) {
      if (stalled) {
        throw new StacyVMConnectionError(`no byte of the followed output for ${this.readTimeoutMs} ms`, { code: "connection" });
      }
      if (!this.closed) throw failure;
    } finally {
      clearTimeout(idle);
      this.close();
    }
  }

  /** Reads the rest and answers how the process ended (undefined when the stream ended first). */
  async wait(): Promise<ExecResult | undefined> {
    for await (const _ of this) {
      // the chunks are kept in the result
    }
    return this.result;
  }

  /** Stops reading; the process goes on. */
  close(): void {
    this.closed = true;
    this.abort.abort();
  }

  async [Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")](): Promise<void> {
    this.close();
  }
}
