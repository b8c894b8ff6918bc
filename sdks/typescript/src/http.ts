/** The HTTP layer: global fetch (Node 20+), JSON in and out, typed errors. */

import { StacyVMConnectionError, errorFromResponse } from "./errors.js";

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  token?: string;
  userId?: string;
}

export type Query = Record<string, string | number | boolean | undefined>;

export class Transport {
  readonly baseUrl: string;
  private readonly apiKey?: string;
  private readonly token?: string;
  private readonly userId?: string;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.token = options.token;
    this.userId = options.userId;
  }

  url(path: string, query?: Query): string {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { "User-Agent": "stacyvm-typescript/0.1", Accept: "*/*" };
    if (this.apiKey) headers["X-API-Key"] = this.apiKey;
    if (this.token) headers["Authorization"] = `Bearer ${this.token}`;
    if (this.userId) headers["X-User-ID"] = this.userId;
    return { ...headers, ...extra };
  }

  /** Sends a request and answers the response, its body not read yet; throws typed errors. */
  async send(method: string, path: string, init: { query?: Query; json?: unknown; body?: BodyInit;
    headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const extra = { ...(init.headers ?? {}) };
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      extra["Content-Type"] = "application/json";
    }
    let response: Response;
    try {
      response = await fetch(this.url(path, init.query), {
        method, body, headers: this.headers(extra), signal: init.signal,
        // a streamed upload must say so to fetch
        ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (failure) {
      throw new StacyVMConnectionError(`could not reach ${this.baseUrl}: ${(failure as Error).message}`,
        { code: "connection" });
    }
    if (!response.ok) {
      throw errorFromResponse(response.status, await response.text(), response.headers.get("Retry-After"));
    }
    return response;
  }

  async json<T>(method: string, path: string, json?: unknown, query?: Query): Promise<T> {
    const response = await this.send(method, path, { json, query, headers: { Accept: "application/json" } });
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async bytes(path: string, query?: Query): Promise<Uint8Array> {
    const response = await this.send("GET", path, { query });
    return new Uint8Array(await response.arrayBuffer());
  }
}
