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
}
