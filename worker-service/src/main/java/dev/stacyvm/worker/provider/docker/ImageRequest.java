package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.contract.image.RegistryCredential;
import dev.stacyvm.contract.internal.PullProgress;
import java.util.function.Consumer;

/**
 * How one sandbox's image is to be got: its tenant's registry credential (null: none), the pull
 * policy its template or create asked for (null: the operator's), and who hears how a pull goes.
 */
record ImageRequest(RegistryCredential credential, ImagePulls.PullPolicy policy, Consumer<PullProgress> progress) {

    /** The worker's own containers (warm pools): the operator's policy, no credential, nobody listening. */
    static final ImageRequest OPERATORS = new ImageRequest(null, null, progress -> { });
}
