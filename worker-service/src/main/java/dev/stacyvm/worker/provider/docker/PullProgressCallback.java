package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import dev.stacyvm.contract.internal.PullProgress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine's pull stream, summed over the layers it downloads ({@code Downloading} lines carry
 * each layer's bytes so far and in all; a layer the engine already has is not counted), and passed
 * on at most every {@code interval} milliseconds as a {@link PullProgress}.
 */
final class PullProgressCallback extends PullImageResultCallback {

    private static final double MIB = 1024.0 * 1024.0;

    private final String image;
    private final Consumer<PullProgress> listener;
    private final long intervalMillis;
    private final Map<String, long[]> layers = new LinkedHashMap<>();
    private long lastReport;

    PullProgressCallback(String image, Consumer<PullProgress> listener, long intervalMillis) {
        this.image = image;
        this.listener = listener;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public void onNext(PullResponseItem item) {
        super.onNext(item);
        String layer = item.getId();
        ResponseItem.ProgressDetail detail = item.getProgressDetail();
        if (layer == null || item.getStatus() == null) {
            return;
        }
        synchronized (this) {
            if (item.getStatus().startsWith("Downloading") && detail != null && detail.getTotal() != null
                    && detail.getTotal() > 0) {
                layers.put(layer, new long[] {detail.getCurrent() == null ? 0 : detail.getCurrent(), detail.getTotal()});
            } else if (item.getStatus().startsWith("Download complete") && layers.containsKey(layer)) {
                long[] bytes = layers.get(layer);
                bytes[0] = bytes[1];
            }
            long now = System.currentTimeMillis();
            if (now - lastReport >= intervalMillis) {
                lastReport = now;
                listener.accept(current());
            }
        }
    }

    /** The pull done: what it downloaded (nothing when the engine had every layer). */
    synchronized PullProgress pulled() {
        long total = layers.values().stream().mapToLong(bytes -> bytes[1]).sum();
        return new PullProgress(PullProgress.PULLED, String.format(java.util.Locale.ROOT, "pulled %s: %.1f MiB downloaded",
                image, total / MIB), total, total);
    }

    /** Where the pull stands: bytes downloaded of the layers seen so far. */
    synchronized PullProgress current() {
        long done = layers.values().stream().mapToLong(bytes -> bytes[0]).sum();
        long total = layers.values().stream().mapToLong(bytes -> bytes[1]).sum();
        String detail = total == 0 ? "pulling " + image
                : String.format(java.util.Locale.ROOT, "pulling %s: %.1f of %.1f MiB", image, done / MIB, total / MIB);
        return new PullProgress(PullProgress.PULLING, detail, done, total);
    }
}
