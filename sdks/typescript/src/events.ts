/** `GET /events`: sandbox lifecycle events as Server-Sent Events, followed across reconnections. */

import { ResourceLimitError, StacyVMConnectionError, StacyVMError, UnavailableError } from "./errors.js";
import type { Query, Transport } from "./http.js";
import type { EventsOptions, SandboxEvent } from "./types.js";

// what the server announces (retry: 2000); used until a stream says otherwise
const DEFAULT_RETRY_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
// the server sends a heartbeat after 15 s of quiet: a stream that lasted this long was working
const STEADY_MS = 15_000;

function worthRetrying(error: unknown): boolean {
  // 429 too: a stream the client dropped holds its slot until the server's next write to it fails
  return error instanceof StacyVMConnectionError || error instanceof UnavailableError
    || error instanceof ResourceLimitError
    || (error instanceof StacyVMError && (error.status === 502 || error.status === 504));
}

/** One value or several as the API takes them: comma-separated. */
function joined(values?: string | string[]): string | undefined {
  const text = typeof values === "string" ? values : values?.join(",");
  return text || undefined;
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** One HTTP connection of the stream. */
interface Connection {
  response: Response;
  /** A byte came: the read timeout starts again. */
  touch(): void;
  /** Hangs up. */
  release(): void;
}

/**
 * The caller's sandbox events as they happen: `for await (const event of stream)`. When the server
 * ends the stream (it does every 10 minutes) or the connection drops, it reconnects by itself from the
 * last event's `cursor`, so nothing is missed or repeated; after `maxRetries` failed attempts in a row
 * it throws the last error. `close()`, the `signal` option, leaving a `for await` loop and
 * `await using` all close the connection.
 */
export class EventStream implements AsyncIterable<SandboxEvent> {
  /** The position after the last event received: `lastEventId` for a later stream. */
  cursor?: string;
  private readonly closing = new AbortController();
  private readonly query: Query;
  private readonly maxRetries: number;
  private readonly readTimeoutMs: number;
  private retryMs = DEFAULT_RETRY_MS;
  private connection?: Connection;
  private readonly events: AsyncGenerator<SandboxEvent, void, undefined>;

  private constructor(private readonly http: Transport, options: EventsOptions) {
    this.query = { sandbox_id: joined(options.sandboxId), type: joined(options.types) };
    this.cursor = options.lastEventId || undefined;
    this.maxRetries = options.maxRetries ?? 5;
    this.readTimeoutMs = options.readTimeoutMs ?? 45_000;
    this.events = this.follow();
  }

  /** Opens the stream before it answers, so errors of the request itself (an unknown type, ...) throw here. */
  static async open(http: Transport, options: EventsOptions = {}): Promise<EventStream> {
    const stream = new EventStream(http, options);
    const close = () => stream.close();
    if (options.signal?.aborted) stream.close();
    options.signal?.addEventListener("abort", close, { once: true });
    try {
      stream.connection = await stream.connect();
    } catch (error) {
      options.signal?.removeEventListener("abort", close);
      throw error;
    }
    return stream;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  [Symbol.asyncIterator](): AsyncGenerator<SandboxEvent, void, undefined> {
    return this.events;
  }

  /** Hangs up; a loop over the stream ends. */
  close(): void {
    this.closing.abort();
  }

  async [Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")](): Promise<void> {
    this.close();
  }

  private async connect(): Promise<Connection> {
    const hangUp = new AbortController();
    const onClose = () => hangUp.abort();
    this.closing.signal.addEventListener("abort", onClose, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => hangUp.abort(), this.readTimeoutMs);
    };
    const release = () => {
      clearTimeout(idle);
      this.closing.signal.removeEventListener("abort", onClose);
      hangUp.abort();
    };
    touch();
    const headers: Record<string, string> = { Accept: "text/event-stream", "Cache-Control": "no-cache" };
    if (this.cursor) headers["Last-Event-ID"] = this.cursor;
    try {
      const response = await this.http.send("GET", "/events", { query: this.query, headers, signal: hangUp.signal });
      return { response, touch, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private backoff(failures: number, retryAfterSeconds?: number): number {
    const delay = Math.min(this.retryMs * 2 ** (failures - 1), MAX_BACKOFF_MS);
    return Math.max(delay, (retryAfterSeconds ?? 0) * 1000);
  }

  private async *follow(): AsyncGenerator<SandboxEvent, void, undefined> {
    let failures = 0;
    try {
      while (!this.closed) {
        if (!this.connection) {
          try {
            this.connection = await this.connect();
          } catch (error) {
            if (this.closed) return;
            failures++;
            if (!worthRetrying(error) || failures > this.maxRetries) throw error;
            await pause(this.backoff(failures, (error as StacyVMError).retryAfter), this.closing.signal);
            continue;
          }
        }
        const connection = this.connection;
        const opened = Date.now();
        let delivered = false;
        let dropped: unknown;
        try {
          for await (const event of this.read(connection)) {
            delivered = true;
            yield event;
          }
        } catch (error) {
          if (this.closed) return;
          if (error instanceof StacyVMError || error instanceof SyntaxError) throw error;
          dropped = error;
        } finally {
          connection.release();
          this.connection = undefined;
        }
        if (this.closed) return;
        if (delivered || Date.now() - opened >= STEADY_MS) {
          // a working stream ended (the server ends each after 10 minutes): resume after its last event
          failures = 0;
          await pause(this.retryMs, this.closing.signal);
          continue;
        }
        failures++;
        if (failures > this.maxRetries) {
          const reason = dropped ? `dropped: ${(dropped as Error).message}` : "kept ending at once";
          throw new StacyVMConnectionError(`the event stream of ${this.http.baseUrl} ${reason}`, { code: "connection" });
        }
        await pause(this.backoff(failures), this.closing.signal);
      }
    } finally {
      this.close();
      this.connection?.release();
      this.connection = undefined;
    }
  }

  /** Server-Sent Events (WHATWG HTML): `data:` lines, `id:`, `retry:`; comments and other fields are skipped. */
  private async *read(connection: Connection): AsyncGenerator<SandboxEvent, void, undefined> {
    const decoder = new TextDecoder();
    let pending = "";
    let data: string[] = [];
    let lastId = this.cursor;
    for await (const bytes of connection.response.body as unknown as AsyncIterable<Uint8Array>) {
      connection.touch();
      pending += decoder.decode(bytes, { stream: true });
      for (;;) {
        if (this.closed) return;
        const end = pending.search(/[\r\n]/);
        // a \r at the end may be the first half of a \r\n
        if (end < 0 || (pending[end] === "\r" && end === pending.length - 1)) break;
        const line = pending.slice(0, end);
        pending = pending.slice(end + (pending.startsWith("\r\n", end) ? 2 : 1));
        if (line === "") {
          this.cursor = lastId;
          if (data.length > 0) {
            const event = { ...JSON.parse(data.join("\n")), cursor: lastId } as SandboxEvent;
            data = [];
            yield event;
          }
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "id" && !value.includes("\0")) lastId = value || undefined;
        else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
      }
    }
  }
}
