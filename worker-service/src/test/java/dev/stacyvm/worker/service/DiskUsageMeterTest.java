package dev.stacyvm.worker.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviders;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiskUsageMeterTest {

    /** What the engine is asked: how often, and what it answers. */
    private final AtomicInteger measurements = new AtomicInteger();
    private final AtomicLong onDisk = new AtomicLong(1000);
    private volatile CountDownLatch engineHeld = new CountDownLatch(0);
    private final DiskUsageMeter meter = new DiskUsageMeter();

    DiskUsageMeterTest() {
        meter.providers = SandboxProviders.of((SandboxProvider) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SandboxProvider.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("diskUsedBytes")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    measurements.incrementAndGet();
                    engineHeld.await();
                    if ("sb-gone".equals(args[0])) {
                        throw new RuntimeNotFoundException("sb-gone");
                    }
                    return onDisk.get();
                }));
        WorkerConfig.DiskUsage settings = (WorkerConfig.DiskUsage) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {WorkerConfig.DiskUsage.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "maxAge" -> Duration.ofMinutes(5);
                    case "maxWait" -> Duration.ofSeconds(5);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        meter.config = (WorkerConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {WorkerConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("diskUsage")) {
                        return settings;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @AfterEach
    void stop() {
        meter.stop(null);
    }

    @Test
    void repeatedReadsWithoutAWriteAskTheEngineOnce() {
        for (int i = 0; i < 50; i++) {
            assertEquals(1000, meter.usedBytes("sb-a"));
        }
        assertEquals(1, measurements.get());
    }

    @Test
    void aCallThatMayWriteMakesTheNextReadMeasureAgain() {
        assertEquals(1000, meter.usedBytes("sb-a"));
        onDisk.set(31_000_000);
        meter.written("sb-a");
        assertEquals(31_000_000, meter.usedBytes("sb-a"));
        assertEquals(2, measurements.get());
    }

    @Test
    void aWriteDuringAMeasurementLeavesItsFigureStale() throws Exception {
        engineHeld = new CountDownLatch(1);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Long> first = reader.submit(() -> meter.usedBytes("sb-a"));
            while (measurements.get() == 0) {
                Thread.sleep(5);
            }
            meter.written("sb-a"); // the write lands while the engine is still looking
            onDisk.set(5000);
            engineHeld.countDown();
            first.get();
            assertEquals(5000, meter.usedBytes("sb-a"), "measured again after the write");
            assertEquals(2, measurements.get());
        } finally {
            reader.shutdownNow();
        }
    }

    @Test
    void concurrentReadersOfOneSandboxShareOneMeasurement() throws Exception {
        engineHeld = new CountDownLatch(1);
        ExecutorService readers = Executors.newFixedThreadPool(20);
        try {
            List<Future<Long>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(readers.submit(() -> meter.usedBytes("sb-a")));
            }
            Thread.sleep(200);
            engineHeld.countDown();
            for (Future<Long> answer : answers) {
                assertEquals(1000, answer.get());
            }
            assertEquals(1, measurements.get());
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void aSandboxWithoutARuntimeIsNotFound() {
        assertThrows(RuntimeNotFoundException.class, () -> meter.usedBytes("sb-gone"));
    }
}
