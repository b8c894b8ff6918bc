package dev.stacyvm.worker.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.provider.ExecCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns an exec request into the argv to run: {@code sh -c} with {@link ExecRequest#shellLine}, or
 * {@code command args...} in argv mode; refuses with 400 what could not run as asked (a null arg,
 * a NUL byte, a bad environment name or value, a relative workdir).
 */
public final class ExecCommands {

    /** The agent's exit status when it could not enter the exec's workdir (agent/main.go). */
    public static final int WORKDIR_EXIT = 125;

    /** The start of the agent's one stderr line then (agent/exec.go WorkdirMark). */
    public static final String WORKDIR_MARK = "stacyvm-agent: workdir: ";

    private ExecCommands() {
    }

    public static ExecCommand from(ExecRequest request, Duration defaultTimeout) {
        if (request == null || request.command() == null || request.command().isEmpty()) {
            throw new InvalidRequestException("command is required");
        }
        String mode = request.mode() == null ? "" : request.mode();
        List<String> argv = new ArrayList<>();
        switch (mode) {
            case ExecRequest.MODE_ARGV -> {
                argv.add(request.command());
                if (request.args() != null) {
                    for (String arg : request.args()) {
                        if (arg == null) {
                            throw new InvalidRequestException("args may not contain null");
                        }
                        argv.add(arg);
                    }
                }
            }
            case "", "shell" -> {
                argv.add("/bin/sh");
                argv.add("-c");
                try {
                    argv.add(request.shellLine());
                } catch (ApiException refused) {
                    throw new InvalidRequestException(refused.getMessage()); // a null arg, refused by the contract
                }
            }
            default -> throw new InvalidRequestException("mode must be \"argv\" or \"shell\", not \"" + mode + "\"");
        }
        for (String part : argv) {
            if (part == null || part.indexOf('\0') >= 0) {
                throw new InvalidRequestException("command and args may not contain NUL bytes");
            }
        }
        Duration timeout = defaultTimeout;
        if (request.timeout() != null && !request.timeout().isBlank()) {
            try {
                timeout = GoDuration.parsePositiveField("timeout", request.timeout());
            } catch (ApiException unparsable) {
                // the contract's parser speaks the wire's error; below the REST layer the worker speaks its own
                throw new InvalidRequestException(unparsable.getMessage());
            }
        }
        Map<String, String> env = request.env() == null ? Map.of() : request.env();
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            if (name.isEmpty() || name.contains("=") || name.indexOf('\0') >= 0) {
                throw new InvalidRequestException("invalid environment variable name: \"" + name + "\"");
            }
            if (variable.getValue() == null || variable.getValue().indexOf('\0') >= 0) {
                throw new InvalidRequestException("environment variable " + name + " must be a string without NUL bytes");
            }
        }
        String workdir = request.workdir() == null || request.workdir().isBlank() ? null : request.workdir();
        if (workdir != null && (!workdir.startsWith("/") || workdir.indexOf('\0') >= 0)) {
            throw new InvalidRequestException("workdir must be an absolute path");
        }
        return new ExecCommand(List.copyOf(argv), env, workdir, timeout);
    }

    /** The 400 message for a workdir the agent could not enter, from its marked stderr line. */
    public static String workdirRefusal(String agentStderr, String workdir) {
        String line = agentStderr == null ? "" : agentStderr.strip();
        if (line.startsWith(WORKDIR_MARK)) {
            return "workdir " + line.substring(WORKDIR_MARK.length());
        }
        return "workdir " + workdir + " cannot be used";
    }
}
