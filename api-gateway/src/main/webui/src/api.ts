// The console's client of the gateway's public API (docs/api.md). Every call carries the signed-in
// credential as a header, never in a URL; every refusal becomes an ApiError with the API's code and
// message, which the pages show as they are.

/** The body of every error answer (docs/api.md, ApiError). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** How the console signs its calls: an API key (X-API-Key) or an OIDC access token (Bearer). */
export type Credential = { kind: 'api_key'; secret: string } | { kind: 'bearer'; secret: string };

/** GET /api/v1/whoami. */
export interface Caller {
  tenant: string;
  key_name: string;
  owner_id: string;
  role: 'user' | 'viewer' | 'operator' | 'admin';
  user_id?: string;
  expires_at?: string;
}

/** A sandbox as GET /api/v1/sandboxes shows it (SandboxView). */
export interface Sandbox {
  id: string;
  state: string;
  provider: string;
  image: string;
  image_digest?: string | null;
  memory_mb: number;
  vcpus: number;
  created_at: string;
  expires_at: string;
  metadata?: Record<string, string> | null;
  preview_domain?: string;
  owner_id: string;
  worker_id?: string | null;
  preview_urls?: Record<string, string> | null;
  public_preview: boolean;
  error?: string | null;
  disk_mb?: number | null;
  network?: string;
  disk_used_bytes?: number;
  disk_used_mb?: number;
  progress?: string;
  runtime?: string;
  certified?: boolean | null;
}

/** The body of POST /api/v1/sandboxes (CreateSandboxRequest); every field optional. */
export interface CreateSandbox {
  image?: string;
  template?: string;
  provider?: string;
  runtime?: string;
  ttl?: string;
  memory_mb?: number;
  vcpus?: number;
  disk_mb?: number;
  pids_limit?: number;
  network?: string;
  ports?: number[];
  public_preview?: boolean;
  read_only_root?: boolean;
  pull_policy?: string;
  env?: Record<string, string>;
  metadata?: Record<string, string>;
  worker_labels?: Record<string, string>;
  network_policy?: Record<string, unknown>;
  owner_id?: string;
}

/** One entry of GET .../files/list (FileInfo). */
export interface FileInfo {
  name: string;
  path: string;
  size: number;
  mode: string;
  is_dir: boolean;
  mod_time?: string;
}

/** GET .../preview/{port} (PreviewAccess). */
export interface PreviewAccess {
  url: string;
  token: string;
  expires_at: string;
  public_preview: boolean;
}

/** One record of GET /api/v1/admin/audit (AuditRecordView). */
export interface AuditRecord {
  id: number;
  created_at: string;
  action: string;
  actor: string;
  outcome: string;
  target?: string | null;
  detail?: string | null;
  owner_id?: string | null;
  sandbox_id?: string | null;
  worker_id?: string | null;
  request_id?: string | null;
  source_address?: string | null;
}

/** GET /api/v1/admin/audit/verify (AuditVerification). */
export interface AuditVerification {
  intact: boolean;
  records: number;
  first_id?: number | null;
  last_id?: number | null;
  broken_at?: number | null;
  reason?: string | null;
}

/** GET /api/v1/sandboxes/{id}/stats (SandboxStats). */
export interface SandboxStats {
  timestamp: string;
  cpu_pct: number;
  mem_bytes: number;
  mem_limit_bytes: number;
  pids: number;
  pids_limit: number;
  disk_used_bytes: number;
  disk_limit_bytes?: number;
  net_rx_bytes: number;
  net_tx_bytes: number;
  vcpus: number;
}

/** A sandbox lifecycle event (docs/events.md, SandboxEvent). */
export interface SandboxEvent {
  id: string;
  type: string;
  sandbox_id: string;
  owner_id: string;
  worker_id?: string;
  timestamp: string;
  data?: Record<string, unknown>;
}

/** A build (BuildView): GET /api/v1/environments/builds and .../builds/{id}. */
export interface Build {
  id: string;
  name: string;
  status: 'queued' | 'building' | 'ready' | 'failed' | 'canceled';
  owner_id: string;
  spec_id?: string | null;
  current_step?: string | null;
  image?: string | null;
  digest_local?: string | null;
  image_size_bytes?: number;
  error?: string | null;
  log?: string | null;
  created_at: string;
  started_at?: string | null;
  finished_at?: string | null;
}

/** One line of GET .../builds/{id}/logs (BuildLogLine): log text, or last the final status. */
export interface BuildLogLine {
  data?: string;
  status?: string;
  error?: string;
}

const BASE = '/api/v1';
const STORAGE = 'stacyvm.console.credential';

let credential: Credential | null = readStored();

function readStored(): Credential | null {
  try {
    const raw = sessionStorage.getItem(STORAGE);
    return raw ? (JSON.parse(raw) as Credential) : null;
  } catch {
    return null;
  }
}

/** The tab's credential: kept in sessionStorage, so it ends with the tab and never enters a URL. */
export function signedIn(): Credential | null {
  return credential;
}

export function remember(next: Credential | null): void {
  credential = next;
  if (next) sessionStorage.setItem(STORAGE, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE);
}

const credentialLost: ((error: ApiError) => void)[] = [];

/** Calls `handler` when the API refuses the tab's credential (401: revoked, expired, unknown). */
export function onCredentialLost(handler: (error: ApiError) => void): void {
  credentialLost.push(handler);
}

function authHeaders(): Record<string, string> {
  if (!credential) return {};
  return credential.kind === 'bearer' ? { Authorization: `Bearer ${credential.secret}` } : { 'X-API-Key': credential.secret };
}

async function refusal(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    if (body.message) return new ApiError(response.status, body.code ?? String(response.status), body.message);
  } catch {
    // not the API's JSON: a proxy's page, say
  }
  return new ApiError(response.status, String(response.status), text.trim() || response.statusText || 'request failed');
}

/** Calls the API and answers the raw response; throws ApiError for any status of 400 or more. */
export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(), ...(init.headers as Record<string, string>) };
  if (typeof init.body === 'string' && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, { ...init, headers });
  } catch (error) {
    throw new ApiError(0, 'unreachable', `the gateway did not answer (${(error as Error).message})`);
  }
  if (!response.ok) {
    const error = await refusal(response);
    if (response.status === 401 && credential) credentialLost.forEach((handler) => handler(error));
    throw error;
  }
  return response;
}

/** Calls the API and answers its JSON body. */
export async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await call(path, init);
  return (await response.json()) as T;
}

export const post = <T>(path: string, body?: unknown) => json<T>(path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });

export const del = <T>(path: string) => json<T>(path, { method: 'DELETE' });

export const enc = encodeURIComponent;

export const whoami = () => json<Caller>('/whoami');
export const sandboxes = () => json<Sandbox[]>('/sandboxes');
export const sandbox = (id: string) => json<Sandbox>(`/sandboxes/${enc(id)}`);
export const createSandbox = (body: CreateSandbox) => post<Sandbox>('/sandboxes', body);
export const destroySandbox = (id: string) => del<unknown>(`/sandboxes/${enc(id)}`);
export const extendSandbox = (id: string, ttl: string) => post<Sandbox>(`/sandboxes/${enc(id)}/extend`, { ttl });
export const listFiles = (id: string, path: string) => json<FileInfo[]>(`/sandboxes/${enc(id)}/files/list?path=${enc(path)}`);
export const previewAccess = (id: string, port: string) => json<PreviewAccess>(`/sandboxes/${enc(id)}/preview/${enc(port)}`);

/** Saves a response body as a file the browser downloads. */
export async function download(path: string, name: string): Promise<void> {
  const response = await call(path, { headers: { Accept: '*/*' } });
  saveBlob(await response.blob(), name);
}

/** Saves text as a file the browser downloads. */
export function saveText(text: string, name: string, type: string): void {
  saveBlob(new Blob([text], { type }), name);
}

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Follows GET /api/v1/events (Server-Sent Events, as the HTML standard parses them) with fetch,
 * since EventSource cannot send the credential as a header; resumes from the last id after a drop
 * (the stream ends every 10 minutes), waiting the server's `retry` (1 s to 60 s) and doubling the
 * wait after each failed attempt up to 60 s. A refused credential (401, 403) stops it: asking again
 * would only be refused again. Answers a function that stops it.
 */
export function followEvents(onEvent: (event: SandboxEvent) => void, onState: (live: boolean) => void): () => void {
  const stop = new AbortController();
  let lastId = '';
  let retryMs = 2000;
  let failures = 0;
  const dispatch = (block: string) => {
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon === 0) continue; // a comment: the heartbeat
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') lastId = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Math.min(60_000, Math.max(1000, Number(value)));
    }
    if (data.length) onEvent(JSON.parse(data.join('\n')) as SandboxEvent);
  };
  const run = async () => {
    while (!stop.signal.aborted) {
      try {
        const query = lastId ? `?last_event_id=${enc(lastId)}` : '';
        const response = await call(`/events${query}`, { headers: { Accept: 'text/event-stream' }, signal: stop.signal });
        onState(true);
        failures = 0;
        let buffer = '';
        await readText(response, (value) => {
          buffer += value;
          // lines end with CRLF, LF or CR; a CR at the end may be the first half of a CRLF
          const held = buffer.endsWith('\r') ? '\r' : '';
          const text = (held ? buffer.slice(0, -1) : buffer).replace(/\r\n?/g, '\n');
          const blocks = text.split('\n\n');
          buffer = blocks.pop()! + held;
          blocks.forEach(dispatch);
        });
      } catch (error) {
        if (stop.signal.aborted) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          onState(false);
          return;
        }
        // a refused resume (the position is gone) starts again from now
        if (error instanceof ApiError && error.status === 400) lastId = '';
        failures++;
      }
      onState(false);
      await new Promise((resolve) => setTimeout(resolve, Math.min(60_000, retryMs * 2 ** Math.min(failures, 5))));
    }
  };
  void run();
  return () => stop.abort();
}

/**
 * Reads an application/x-ndjson answer of `path` as it arrives, calling `onLine` with each JSON
 * line (blank keepalive lines skipped) until the answer ends or `signal` aborts. Throws ApiError
 * for a refusal, like every call.
 */
export async function followLines<T>(path: string, onLine: (line: T) => void, signal: AbortSignal): Promise<void> {
  const response = await call(path, { headers: { Accept: 'application/x-ndjson' }, signal });
  let buffer = '';
  await readText(response, (value) => {
    buffer += value;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.trim()) onLine(JSON.parse(line) as T);
  });
  if (buffer.trim()) onLine(JSON.parse(buffer) as T);
}

/** Hands a response body to `onText` as UTF-8 text, piece by piece as it arrives, until it ends. */
async function readText(response: Response, onText: (text: string) => void): Promise<void> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(value);
  }
}
