/** The entry point: `new Client({ baseUrl, apiKey, userId })`. */

import { EventStream } from "./events.js";
import { Transport } from "./http.js";
import { Sandbox } from "./sandbox.js";
import type { EventsOptions, SandboxData, SandboxStats, SpawnOptions } from "./types.js";

export interface ClientOptions {
  /** Default: STACYVM_URL, else http://127.0.0.1:7423. */
  baseUrl?: string;
  /** Default: STACYVM_API_KEY. */
  apiKey?: string;
  /** An OIDC access token instead of a key. Default: STACYVM_TOKEN. */
  token?: string;
  /** The end user an application acts for. Default: STACYVM_USER_ID. */
  userId?: string;
}

type Json = Record<string, unknown>;

function defined(fields: Json): Json {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** Named sandbox specs; `spawn` creates a sandbox from one. */
export class Templates {
  constructor(private readonly http: Transport) {}

  list(): Promise<Json[]> {
    return this.http.json("GET", "/templates");
  }

  get(name: string): Promise<Json> {
    return this.http.json("GET", `/templates/${name}`);
  }

  create(name: string, spec: SpawnOptions = {}): Promise<Json> {
    return this.http.json("POST", "/templates", defined({ name, ...spec }));
  }

  update(name: string, spec: SpawnOptions = {}): Promise<Json> {
    return this.http.json("PUT", `/templates/${name}`, defined({ name, ...spec }));
  }

  async delete(name: string): Promise<void> {
    await this.http.json("DELETE", `/templates/${name}`);
  }

  async spawn(name: string, overrides: SpawnOptions = {}): Promise<Sandbox> {
    return new Sandbox(this.http, await this.http.json<SandboxData>("POST", `/templates/${name}/spawn`, defined({ ...overrides })));
  }
}

/** What an `admin` key may do: API keys, the audit log, quotas. */
export class Admin {
  constructor(private readonly http: Transport) {}

  apiKeys(): Promise<Json[]> {
    return this.http.json("GET", "/admin/api-keys");
  }

  /** The answer carries the key itself, the only time it is ever shown. */
  createApiKey(name: string, role = "user", tenant = "default"): Promise<Json & { id: string; key: string }> {
    return this.http.json("POST", "/admin/api-keys", defined({ name, role, tenant }));
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.http.json("DELETE", `/admin/api-keys/${id}`);
  }

  /** Filters: actor, action, target, since, until, after_id, limit. */
  audit(filters: Record<string, string | number> = {}): Promise<Json[]> {
    return this.http.json("GET", "/admin/audit", undefined, filters);
  }

  verifyAudit(): Promise<Json> {
    return this.http.json("GET", "/admin/audit/verify");
  }

  quota(owner: string): Promise<Json> {
    return this.http.json("GET", `/quotas/${encodeURIComponent(owner)}`);
  }

  setQuota(owner: string, limits: Json): Promise<Json> {
    return this.http.json("PUT", `/quotas/${encodeURIComponent(owner)}`, limits);
  }

  async resetQuota(owner: string): Promise<void> {
    await this.http.json("DELETE", `/quotas/${encodeURIComponent(owner)}`);
  }
}

export class Client {
  readonly templates: Templates;
  readonly admin: Admin;
  private readonly http: Transport;

  constructor(options: ClientOptions = {}) {
    const env = typeof process !== "undefined" ? process.env : {};
    this.http = new Transport({
      baseUrl: options.baseUrl ?? env.STACYVM_URL ?? "http://127.0.0.1:7423",
      apiKey: options.apiKey ?? env.STACYVM_API_KEY,
      token: options.token ?? env.STACYVM_TOKEN,
      userId: options.userId ?? env.STACYVM_USER_ID,
    });
    this.templates = new Templates(this.http);
    this.admin = new Admin(this.http);
  }

  /** Creates a sandbox and answers it running; what is left out gets the server's defaults. */
  async spawn(options: SpawnOptions = {}): Promise<Sandbox> {
    return new Sandbox(this.http, await this.http.json<SandboxData>("POST", "/sandboxes", defined({ ...options })));
  }

  /** Whether a create with this spec would go ahead now, and why not; creates nothing. */
  admission(options: SpawnOptions = {}): Promise<Json> {
    return this.http.json("POST", "/sandboxes/admission", defined({ ...options }));
  }

  async get(id: string): Promise<Sandbox> {
    return new Sandbox(this.http, await this.http.json<SandboxData>("GET", `/sandboxes/${id}`));
  }

  async list(): Promise<Sandbox[]> {
    return (await this.http.json<SandboxData[]>("GET", "/sandboxes")).map((data) => new Sandbox(this.http, data));
  }

  async destroy(id: string): Promise<void> {
    await this.http.json("DELETE", `/sandboxes/${id}`);
  }

  /** What a running sandbox uses now (takes about a second); a ConflictError when it is not running. */
  stats(id: string): Promise<SandboxStats> {
    return this.http.json("GET", `/sandboxes/${id}/stats`);
  }

  /**
   * Follows the sandbox events the caller may see, from now or just after `lastEventId` (an event's
   * `cursor`). The stream is open when this answers, so its errors throw here (a BadRequestError for
   * an unknown type); it reconnects by itself. Close it: `close()`, `signal`, or leave the loop.
   */
  events(options: EventsOptions = {}): Promise<EventStream> {
    return EventStream.open(this.http, options);
  }

  /** Destroys the caller's expired sandboxes now; answers how many. */
  async prune(): Promise<number> {
    return (await this.http.json<{ pruned: number }>("DELETE", "/sandboxes")).pruned;
  }

  providers(): Promise<Json[]> {
    return this.http.json("GET", "/providers");
  }

  workers(): Promise<Json[]> {
    return this.http.json("GET", "/workers");
  }
}
