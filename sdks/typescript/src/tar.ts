/** Just enough of the tar format (ustar) to move folders in and out: regular files and folders. */

import { readdir, readFile, stat, mkdir, writeFile } from "node:fs/promises";
import { join, resolve, sep, dirname } from "node:path";

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, mode: number, mtime: number, type: "0" | "5"): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const encoder = new TextEncoder();
  let path = encoder.encode(name);
  let prefix = new Uint8Array(0);
  if (path.length > 100) {
    const cut = name.lastIndexOf("/", name.length - 2);
    const head = name.slice(0, cut);
    const tail = name.slice(cut + 1);
    if (cut <= 0 || encoder.encode(head).length > 155 || encoder.encode(tail).length > 100) {
      throw new Error(`path too long for a tar archive: ${name}`);
    }
    prefix = encoder.encode(head);
    path = encoder.encode(tail);
  }
  const put = (text: string | Uint8Array, offset: number) =>
    block.set(typeof text === "string" ? encoder.encode(text) : text, offset);
  put(path, 0);
  put(octal(mode & 0o7777, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(Math.floor(mtime / 1000), 12), 136);
  put("        ", 148);
  put(type, 156);
  put("ustar\0", 257);
  put("00", 263);
  put(prefix, 345);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(octal(sum, 7) + " ", 148);
  return block;
}

/** A folder's contents (not the folder itself) as one tar archive. */
export async function packDirectory(root: string): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      const name = prefix + entry.name;
      const info = await stat(full);
      if (entry.isDirectory()) {
        parts.push(header(name + "/", 0, info.mode, info.mtimeMs, "5"));
        await walk(full, name + "/");
      } else if (entry.isFile()) {
        const content = await readFile(full);
        parts.push(header(name, content.length, info.mode, info.mtimeMs, "0"), content);
        const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
        if (padding) parts.push(new Uint8Array(padding));
      }
      // links and special files are left out
    }
  }
  await walk(root, "");
  parts.push(new Uint8Array(BLOCK * 2));
  const archive = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    archive.set(part, offset);
    offset += part.length;
  }
  return archive;
}

function text(block: Uint8Array, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end < 0 ? slice : slice.subarray(0, end));
}

/**
 * Unpacks an archive into `target`: folders and regular files only (links and devices from a
 * sandbox are never recreated here), and nothing that would land outside `target`.
 */
export async function unpackInto(archive: Uint8Array, target: string): Promise<string[]> {
  const root = resolve(target);
  await mkdir(root, { recursive: true });
  const written: string[] = [];
  let longName: string | undefined;
  for (let offset = 0; offset + BLOCK <= archive.length;) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    const size = parseInt(text(block, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(block[156] || 48);
    const prefix = text(block, 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    longName = undefined;
    const content = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = new TextDecoder().decode(content).replace(/\0+$/, "");
      continue;
    }
    if (type === "x" || type === "g") continue;
    name = name.replace(/^\.\//, "");
    if (!name || name === ".") continue;
    const path = resolve(root, name);
    if (path !== root && !path.startsWith(root + sep)) {
      throw new Error(`archive entry ${JSON.stringify(name)} would land outside ${target}`);
    }
    if (type === "5") {
      await mkdir(path, { recursive: true });
    } else if (type === "0" || type === "\0" || type === "7") {
      await mkdir(dirname(path), { recursive: true });
      const mode = parseInt(text(block, 100, 8).trim() || "644", 8);
      await writeFile(path, content, { mode: (mode & 0o755) | 0o600 });
      written.push(path);
    }
  }
  return written;
}
