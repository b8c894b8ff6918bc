/** What the API answers with. */

export interface SandboxData {
  id: string;
  state: string;
  provider: string;
  image: string;
  memory_mb: number;
  vcpus: number;
  created_at: string;
  expires_at: string;
  metadata: Record<string, string>;
  owner_id?: string;
  worker_id?: string;
  preview_urls?: Record<string, string>;
  public_preview?: boolean;
  error?: string;
  [field: string]: unknown;
}

export interface SpawnOptions {
  image?: string;
  template?: string;
  ttl?: string;
  memory_mb?: number;
  vcpus?: number;
  env?: Record<string, string>;
  metadata?: Record<string, string>;
  network?: "none" | "bridge";
  ports?: number[];
  public_preview?: boolean;
  pids_limit?: number;
  /** Mounts the image read-only; /workspace (home), /tmp and /var/tmp stay writable. */
  read_only_root?: boolean;
  worker_labels?: Record<string, string>;
  provider?: string;
  /** The OCI runtime: "runc" (default) or "runsc" (gVisor: a kernel in user space; network "none" only). */
  runtime?: "runc" | "runsc";
}

export interface ExecOptions {
  env?: Record<string, string>;
  workdir?: string;
  /** A Go duration such as "30s". */
  timeout?: string;
  signal?: AbortSignal;
}

export interface ExecResult {
  exit_code: number;
  stdout: string;
  stderr: string;
  duration: string;
  timed_out: boolean;
}

export interface ExecChunk {
  stream: "stdout" | "stderr";
  data: string;
}

/** A command started with `background: true`, running or ended. */
export interface BackgroundProcessData {
  /** `bg-...` */
  id: string;
  /** The command as asked. */
  command: string;
  state: "running" | "exited";
  /** Once exited: its status, 128 + the signal's number when a signal ended it. */
  exit_code?: number;
  /** True when its timeout ended it. */
  timed_out?: boolean;
  started_at: string;
  ended_at?: string;
  /** Bytes of output it has written so far, dropped ones included. */
  output_bytes: number;
}

/** A piece of a background process's output: its text (UTF-8, invalid bytes replaced) and the byte offset it starts at. */
export interface BackgroundChunk {
  stream: "stdout" | "stderr";
  data: string;
  offset: number;
}

export interface FileInfo {
  name: string;
  path: string;
  size: number;
  is_dir: boolean;
  mod_time: string;
  mode: string;
}

export interface PreviewAccess {
  url: string;
  token?: string;
  expires_at?: string;
  public_preview: boolean;
}

/** What a running sandbox uses now, sampled over about a second. */
export interface SandboxStats {
  sandbox_id: string;
  timestamp: string;
  /** In percent of one core: a sandbox keeping two cores busy is at 200. */
  cpu_pct: number;
  vcpus: number;
  mem_bytes: number;
  mem_limit_bytes: number;
  disk_used_bytes: number;
  /** Absent when the host does not enforce a disk limit. */
  disk_limit_bytes?: number;
  pids: number;
  pids_limit: number;
  net_rx_bytes: number;
  net_tx_bytes: number;
}

export type SandboxEventType =
  | "sandbox.created" | "sandbox.running" | "sandbox.unhealthy" | "sandbox.expired"
  | "sandbox.destroying" | "sandbox.destroyed" | "sandbox.error" | "sandbox.progress";

export interface SandboxStateData {
  /** Absent on sandbox.created. */
  from_state?: string;
  to_state: string;
  image?: string;
  /** Why, for errors and destroys. */
  reason?: string;
}

export interface SandboxProgressData {
  phase: string;
  detail?: string;
  bytes_done: number;
  bytes_total: number;
}

interface SandboxEventFields {
  /** The event's own id (a UUID), the same on every stream. */
  id: string;
  sandbox_id: string;
  owner_id?: string;
  worker_id?: string;
  timestamp: string;
  /** The stream's position just after this event: `lastEventId` for a stream that goes on from here. */
  cursor?: string;
}

export interface SandboxStateEvent extends SandboxEventFields {
  type: Exclude<SandboxEventType, "sandbox.progress">;
  data: SandboxStateData;
}

/** A create's image pull. */
export interface SandboxProgressEvent extends SandboxEventFields {
  type: "sandbox.progress";
  data: SandboxProgressData;
}

/** One event of `client.events()`; `type` tells which `data` it carries. */
export type SandboxEvent = SandboxStateEvent | SandboxProgressEvent;

export interface EventsOptions {
  /** Only this sandbox's events, or these sandboxes'. */
  sandboxId?: string | string[];
  /** Only these types. */
  types?: SandboxEventType | SandboxEventType[];
  /** Start just after this event (an event's `cursor`) instead of now. */
  lastEventId?: string;
  /** Aborting it closes the stream, as `close()` does. */
  signal?: AbortSignal;
  /** Failed reconnection attempts in a row before the stream throws. Default 5. */
  maxRetries?: number;
  /** This long without a byte counts as a dropped connection (heartbeats come every 15 s). Default 45000. */
  readTimeoutMs?: number;
}
