package dev.stacyvm.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What every command runs against: the process environment (for {@code STACYVM_*} settings) and
 * its standard streams; tests pass their own.
 */
record CliContext(Map<String, String> environment, InputStream in, PrintStream out, PrintStream err) {

    /** A context whose stdin is the process's own. */
    CliContext(Map<String, String> environment, PrintStream out, PrintStream err) {
        this(environment, System.in, out, err);
    }
}
