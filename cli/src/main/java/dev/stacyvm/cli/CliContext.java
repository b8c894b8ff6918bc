package dev.stacyvm.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * What every command runs against: the process environment (for {@code STACYVM_*} settings) and
 * its output streams; tests pass their own.
 */
record CliContext(Map<String, String> environment, PrintStream out, PrintStream err) {
}
