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
