package dev.stacyvm.worker.provider.agent;

import java.io.IOException;

/** The agent (or whatever answered in its place) broke the protocol: the connection is not to be trusted further. */
public class AgentProtocolException extends IOException {

    public AgentProtocolException(String message) {
        super(message);
    }
}
