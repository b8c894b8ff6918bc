package dev.stacyvm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs an operation {@code count} times on {@code clients} threads and keeps every latency. */
final class Timed {

    interface Operation {
        void run(int client, int index) throws Exception;
    }

    private Timed() {
    }

    static Samples run(String name, String path, int clients, int count, Operation operation) throws Exception {
        return run(name, path, clients, count, (client, index) -> {
        }, operation);
    }

    /** The same, with {@code before} run ahead of each operation and left out of its latency. */
    static Samples run(String name, String path, int clients, int count, Operation before, Operation operation)
            throws Exception {
        long[] nanos = new long[count];
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        before.run(client, i);
                        long began = System.nanoTime();
                        operation.run(client, i);
                        nanos[i] = System.nanoTime() - began;
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        return new Samples(name, path, clients, nanos, (System.nanoTime() - start) / 1e9);
    }
}
