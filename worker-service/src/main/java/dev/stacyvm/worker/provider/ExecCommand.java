package dev.stacyvm.worker.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A command ready to run: the exact argv (already wrapped in a shell if asked), env, workdir, timeout. */
public record ExecCommand(List<String> argv, Map<String, String> env, String workdir, Duration timeout) {
}
