/** A sandbox's files: every path is resolved inside the sandbox, with its user's rights. */

import { Transport } from "./http.js";
import { NotFoundError } from "./errors.js";
import { packDirectory, unpackInto } from "./tar.js";
import type { FileInfo } from "./types.js";

export class Files {
  private readonly base: string;

  constructor(private readonly http: Transport, sandboxId: string) {
    this.base = `/sandboxes/${sandboxId}/files`;
  }

  /** Writes a file (its folders are made); bytes go base64-encoded, so any content survives. */
  async write(path: string, content: string | Uint8Array, mode?: string): Promise<void> {
    const body: Record<string, string> = { path };
    if (typeof content === "string") {
      body.content = content;
    } else {
      body.content = Buffer.from(content).toString("base64");
      body.encoding = "base64";
    }
    if (mode) body.mode = mode;
    await this.http.json("POST", this.base, body);
  }

  read(path: string): Promise<Uint8Array> {
    return this.http.bytes(this.base, { path });
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.read(path));
  }

  list(path = "/workspace"): Promise<FileInfo[]> {
    return this.http.json("GET", `${this.base}/list`, undefined, { path });
  }

  stat(path: string): Promise<FileInfo> {
    return this.http.json("GET", `${this.base}/stat`, undefined, { path });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  async move(oldPath: string, newPath: string): Promise<void> {
    await this.http.json("POST", `${this.base}/move`, { old_path: oldPath, new_path: newPath });
  }

  async chmod(path: string, mode: string): Promise<void> {
    await this.http.json("POST", `${this.base}/chmod`, { path, mode });
  }

  async delete(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.http.json("DELETE", this.base, undefined, { path, recursive: options.recursive ? true : undefined });
  }

  glob(pattern: string): Promise<string[]> {
    return this.http.json("GET", `${this.base}/glob`, undefined, { pattern });
  }

  /** Sends a local folder's contents into `remoteDir` as one tar archive. */
  async uploadDir(localDir: string, remoteDir: string): Promise<void> {
    const archive = await packDirectory(localDir);
    const response = await this.http.send("PUT", `${this.base}/archive`, {
      query: { path: remoteDir }, body: archive, headers: { "Content-Type": "application/x-tar" },
    });
    await response.text();
  }

  /** Fetches `remoteDir` as a tar archive and unpacks it into `localDir`; answers the files written. */
  async downloadDir(remoteDir: string, localDir: string): Promise<string[]> {
    const response = await this.http.send("GET", `${this.base}/archive`, { query: { path: remoteDir } });
    return unpackInto(new Uint8Array(await response.arrayBuffer()), localDir);
  }
}
