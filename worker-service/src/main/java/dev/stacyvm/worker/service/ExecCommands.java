package dev.stacyvm.worker.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.worker.provider.ExecCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns an exec request into the argv to run: {@code sh -c command}, or {@code command args...} in argv mode. */
public final class ExecCommands {

    private ExecCommands() {
    }

    public static ExecCommand from(ExecRequest request, Duration defaultTimeout) {
        if (request == null || request.command() == null || request.command().isEmpty()) {
            throw ApiException.badRequest("command is required");
        }
        String mode = request.mode() == null ? "" : request.mode();
        List<String> argv = new ArrayList<>();
        switch (mode) {
            case ExecRequest.MODE_ARGV -> {
                argv.add(request.command());
                if (request.args() != null) {
                    argv.addAll(request.args());
                }
            }
            case "", "shell" -> {
                argv.add("/bin/sh");
                argv.add("-c");
                argv.add(request.args() == null || request.args().isEmpty()
                        ? request.command() : request.command() + " " + String.join(" ", request.args()));
            }
            default -> throw ApiException.badRequest("mode must be \"argv\" or \"shell\", not \"" + mode + "\"");
        }
        for (String part : argv) {
            if (part == null || part.indexOf('\0') >= 0) {
                throw ApiException.badRequest("command and args may not contain NUL bytes");
            }
        }
        Duration timeout = defaultTimeout;
        if (request.timeout() != null && !request.timeout().isBlank()) {
            timeout = GoDuration.parsePositiveField("timeout", request.timeout());
        }
        Map<String, String> env = request.env() == null ? Map.of() : request.env();
        for (String name : env.keySet()) {
            if (name.isEmpty() || name.contains("=") || name.indexOf('\0') >= 0) {
                throw ApiException.badRequest("invalid environment variable name: \"" + name + "\"");
            }
        }
        String workdir = request.workdir() == null || request.workdir().isBlank() ? null : request.workdir();
        if (workdir != null && !workdir.startsWith("/")) {
            throw ApiException.badRequest("workdir must be an absolute path");
        }
        return new ExecCommand(List.copyOf(argv), env, workdir, timeout);
    }
}
