package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.TemplateRequest;
import dev.stacyvm.contract.internal.ImagePins;
import dev.stacyvm.gateway.Template;
import dev.stacyvm.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Tells the scheduler what the gateway needs kept on every worker: the default image and every
 * template's, so that garbage collection never removes what a spawn would have to pull again, and
 * a warm pool of each template with a {@code pool_size}. Sent after each template change and every
 * five minutes (a scheduler that missed one catches up); unchanged pins are not sent again.
 */
@ApplicationScoped
public class TemplateImagePins {

    static final String SOURCE = "gateway";

    @Inject
    InternalServices services;

    @Inject
    GatewayConfig config;

    private volatile ImagePins lastSent;

    /** Sends the pins now if they changed; a scheduler that cannot take them is tried again later. */
    public void refresh() {
        ImagePins pins = QuarkusTransaction.joiningExisting().call(this::current);
        if (pins.equals(lastSent)) {
            return;
        }
        try {
            services.scheduler().pinImages(SOURCE, pins);
            lastSent = pins;
        } catch (RuntimeException unreachable) {
            Log.warnf("the scheduler did not take the template images' pins (%s); trying again later",
                    unreachable.getMessage());
        }
    }

    /** The default image and every template's, and a warm pool for each template with a pool size. */
    private ImagePins current() {
        var sandboxes = config.sandboxes();
        List<Template> templates = Template.listAll();
        List<String> images = List.copyOf(new TreeSet<>(Stream.concat(Stream.of(sandboxes.defaultImage()),
                        templates.stream().map(template -> template.spec.image()))
                .filter(Objects::nonNull).map(String::trim).filter(image -> !image.isEmpty()).toList()));
        // a pool's shape is what a spawn of the template resolves to, defaults filled in as a create's
        Map<ImagePins.WarmPoolDemand, Integer> pools = new TreeMap<>(
                Comparator.comparing(ImagePins.WarmPoolDemand::image).thenComparingInt(ImagePins.WarmPoolDemand::memoryMb)
                        .thenComparingInt(ImagePins.WarmPoolDemand::vcpus).thenComparingInt(ImagePins.WarmPoolDemand::pidsLimit)
                        .thenComparingInt(ImagePins.WarmPoolDemand::diskMb));
        for (Template template : templates) {
            TemplateRequest spec = template.spec;
            if (spec.poolSize() == null || spec.poolSize() <= 0) {
                continue;
            }
            String image = spec.image() == null || spec.image().isBlank() ? sandboxes.defaultImage() : spec.image().trim();
            ImagePins.WarmPoolDemand shape = new ImagePins.WarmPoolDemand(image,
                    spec.memoryMb() == null ? sandboxes.defaultMemoryMb() : spec.memoryMb(),
                    spec.vcpus() == null ? sandboxes.defaultVcpus() : spec.vcpus(),
                    spec.pidsLimit() == null ? sandboxes.defaultPidsLimit() : spec.pidsLimit(),
                    spec.diskMb() == null ? sandboxes.defaultDiskMb() : spec.diskMb(), 0);
            pools.merge(shape, spec.poolSize(), Integer::sum);
        }
        return new ImagePins(images, pools.entrySet().stream().map(entry -> new ImagePins.WarmPoolDemand(
                entry.getKey().image(), entry.getKey().memoryMb(), entry.getKey().vcpus(), entry.getKey().pidsLimit(),
                entry.getKey().diskMb(), entry.getValue())).toList());
    }

    @Scheduled(every = "5m", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshOnSchedule() {
        lastSent = null; // a scheduler restored from an older backup is sent the list again
        refresh();
    }
}
