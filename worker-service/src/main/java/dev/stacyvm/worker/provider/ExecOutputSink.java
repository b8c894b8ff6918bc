package dev.stacyvm.worker.provider;

import java.io.IOException;

/** Receives a running command's output as it is written, already decoded as UTF-8 text. */
@FunctionalInterface
public interface ExecOutputSink {

    String STDOUT = "stdout";
    String STDERR = "stderr";

    /**
     * @param stream {@link #STDOUT} or {@link #STDERR}
     * @throws IOException when the receiver is gone; the provider then kills the command
     */
    void accept(String stream, String data) throws IOException;

    /**
     * Called about every {@code 500 ms} while the command runs, written or not. A streaming
     * receiver sends a keepalive here when it has sent nothing for a while, so a receiver that went
     * away is noticed, and the command killed, even while the command is silent.
     *
     * @throws IOException when the receiver is gone; the provider then kills the command
     */
    default void idle() throws IOException {
        // a receiver that holds the output whole needs no keepalive
    }
}
