package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.internal.ImagePins;
import dev.stacyvm.gateway.Template;
import dev.stacyvm.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Tells the scheduler which images the gateway needs kept on every worker: the default image and
 * every template's, so that garbage collection never removes what a spawn would have to pull
 * again. Sent after each template change and every five minutes (a scheduler that missed one
 * catches up); unchanged lists are not sent again.
 */
@ApplicationScoped
public class TemplateImagePins {

    static final String SOURCE = "gateway";

    @Inject
    InternalServices services;

    @Inject
    GatewayConfig config;

    private volatile List<String> lastSent;

    /** Sends the pins now if they changed; a scheduler that cannot take them is tried again later. */
    public void refresh() {
        List<String> images = QuarkusTransaction.joiningExisting().call(() -> List.copyOf(new TreeSet<>(
                Stream.concat(Stream.of(config.sandboxes().defaultImage()),
                                Template.<Template>listAll().stream().map(template -> template.spec.image()))
                        .filter(Objects::nonNull).map(String::trim).filter(image -> !image.isEmpty()).toList())));
        if (images.equals(lastSent)) {
            return;
        }
        try {
            services.scheduler().pinImages(SOURCE, new ImagePins(images));
            lastSent = images;
        } catch (RuntimeException unreachable) {
            Log.warnf("the scheduler did not take the template images' pins (%s); trying again later",
                    unreachable.getMessage());
        }
    }

    @Scheduled(every = "5m", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshOnSchedule() {
        lastSent = null; // a scheduler restored from an older backup is sent the list again
        refresh();
    }
}
