package dev.stacyvm.worker.provider;

/** How a helper command run in a sandbox ended: its exit code and what it wrote to stderr. */
public record CommandResult(int exitCode, String stderr) {
}
