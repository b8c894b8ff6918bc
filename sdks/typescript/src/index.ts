/**
 * StacyVM's TypeScript SDK: ESM, Node 20+, the global fetch; `ws` for exec sockets in Node.
 *
 *     import { Client } from "stacyvm";
 *     const sandbox = await new Client({ apiKey: "svm_..." }).spawn({ ttl: "10m" });
 *     console.log((await sandbox.exec("echo hello")).stdout);
 *     await sandbox.destroy();
 */

export { BackgroundFollow, BackgroundProcess, signalName } from "./background.js";
export type { BackgroundOutput, FollowOptions, WaitOptions } from "./background.js";
export { Admin, Client, Templates } from "./client.js";
export type { ClientOptions } from "./client.js";
export {
  BadRequestError, ConflictError, ForbiddenError, InternalError, NotFoundError, ProviderError, ResourceLimitError,
  StacyVMConnectionError, StacyVMError, UnauthorizedError, UnavailableError, errorFromCode, errorFromResponse,
} from "./errors.js";
export { EventStream } from "./events.js";
export { ExecSession, connectExecSocket } from "./execSocket.js";
export type {
  ExecSocketChunk, ExecSocketOptions, ExecSocketResult, ExecSocketToken, StandardWebSocketClass,
} from "./execSocket.js";
export { Files } from "./files.js";
export { ExecStream, Sandbox } from "./sandbox.js";
export type { Command } from "./sandbox.js";
export type {
  BackgroundChunk, BackgroundProcessData, EventsOptions, ExecChunk, ExecOptions, ExecResult, FileInfo, PreviewAccess,
  SandboxData, SandboxEvent, SandboxEventType,
  SandboxProgressData, SandboxProgressEvent, SandboxStateData, SandboxStateEvent, SandboxStats, SpawnOptions,
} from "./types.js";
