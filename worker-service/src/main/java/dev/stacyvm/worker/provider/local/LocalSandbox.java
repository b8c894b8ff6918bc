package dev.stacyvm.worker.provider.local;

import java.nio.file.Path;

/** What a local provider keeps about one sandbox in its folder's state file, as far as listing it goes. */
public interface LocalSandbox {

    String sandboxId();

    /** The worker that made it: a worker lists only its own. */
    String workerId();

    String runtimeId();

    /** Whether its host processes still run (checked to be this sandbox's, not a reused pid). */
    boolean running(Path folder);
}
