package dev.stacyvm.cli;

import dev.stacyvm.client.EventStream;
import dev.stacyvm.client.StacyVMClient;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.SandboxEvent;
import dev.stacyvm.contract.api.SandboxStats;
import dev.stacyvm.contract.api.SandboxView;
import java.io.Console;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Watching sandboxes: events (their lifecycle as it happens) and top (what the running ones use). */
final class MonitorCommands {

    /** Event times in UTC to the millisecond, always the same width, so the columns after them line up. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** The longest type, sandbox.destroying. */
    private static final int TYPE_WIDTH = 18;

    private MonitorCommands() {
    }

    /** The event types, for --type's help and its check. */
    static final class EventTypes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return SandboxEvent.TYPES.iterator();
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true,
            description = "Follow sandbox events as they happen, one line each, until interrupted (Ctrl-C): the time "
                    + "(UTC), the type, the sandbox, and from -> to state or the image pull's progress. --json prints "
                    + "each event's JSON on a line. It reconnects by itself; when it stops it says on stderr which "
                    + "--since-id goes on from the last event it printed.")
    static final class Events extends ApiCommand {
        @Option(names = "--sandbox", paramLabel = "ID", description = "only this sandbox's events (repeatable)")
        List<String> sandboxes = new ArrayList<>();
        @Option(names = "--type", paramLabel = "TYPE", split = ",", completionCandidates = EventTypes.class,
                description = "only events of this type (repeatable, or comma-separated): ${COMPLETION-CANDIDATES}")
        List<String> types = new ArrayList<>();
        @Option(names = "--since-id", paramLabel = "CURSOR",
                description = "start just after the event with this id (as printed when events stops); default: from now")
        String sinceId;

        /** The cursor of the last event printed: where a later run goes on. */
        private volatile String printedUpTo;

        Events(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            for (String type : types) {
                if (!SandboxEvent.TYPES.contains(type)) {
                    throw new UsageException("--type " + type + " is not an event type; the types are "
                            + String.join(", ", SandboxEvent.TYPES));
                }
            }
            Output output = output();
            PrintStream err = context.err();
            printedUpTo = sinceId;
            EventStream stream = client().events(sandboxes, types, sinceId);
            // Ctrl-C ends the JVM: hang up and say where to go on from
            Thread stop = new Thread(() -> {
                stream.close();
                err.println("stacyvm: stopped" + resumeHint());
                err.flush();
            }, "stacyvm-events-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            try (stream) {
                err.println("stacyvm: following events (Ctrl-C stops)");
                err.flush();
                while (stream.hasNext()) {
                    EventStream.Received received = stream.next();
                    if (output.json()) {
                        output.printJsonLine(received.event());
                    } else {
                        output.stream().println(line(received.event()));
                        output.stream().flush();
                    }
                    if (received.cursor() != null) {
                        printedUpTo = received.cursor();
                    }
                }
            } catch (ApiException ended) {
                err.println("stacyvm: the event stream ended" + resumeHint());
                throw ended;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running, or has
                }
            }
            return 0;
        }

        private String resumeHint() {
            String cursor = printedUpTo;
            return cursor == null ? "" : "; go on with --since-id " + cursor;
        }
    }

    /** One event as a line: time, type, sandbox, and what changed. */
    static String line(SandboxEvent event) {
        String time = event.timestamp() == null ? "-" : TIME.format(event.timestamp());
        return String.format(Locale.ROOT, "%s  %-" + TYPE_WIDTH + "s  %s  %s", time, event.type(), event.sandboxId(),
                detail(event)).stripTrailing();
    }

    private static String detail(SandboxEvent event) {
        Map<String, Object> data = event.data() == null ? Map.of() : event.data();
        if ("sandbox.progress".equals(event.type())) {
            if (data.get("detail") != null) {
                return data.get("detail").toString();
            }
            return data.getOrDefault("phase", "") + " " + bytes(number(data.get("bytes_done"))) + " of "
                    + bytes(number(data.get("bytes_total")));
        }
        StringBuilder text = new StringBuilder();
        if (data.get("to_state") != null) {
            if (data.get("from_state") != null) {
                text.append(data.get("from_state")).append(' ');
            }
            text.append("-> ").append(data.get("to_state"));
        }
        if ("sandbox.created".equals(event.type()) && data.get("image") != null) {
            text.append("  image ").append(data.get("image"));
        }
        if (data.get("reason") != null) {
            text.append("  (").append(data.get("reason")).append(')');
        }
        return text.toString();
    }

    private static long number(Object value) {
        return value instanceof Number number ? number.longValue() : 0;
    }

    /** Bytes for people, in binary units: 512B, 48.2MiB, 10GiB. */
    static String bytes(long count) {
        if (count < 1024) {
            return count + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String pattern = value >= 100 || value == Math.rint(value) ? "%.0f" : "%.1f";
        return String.format(Locale.ROOT, pattern, value) + units[unit];
    }

    @Command(name = "top", mixinStandardHelpOptions = true,
            description = "CPU, memory, disk, processes and network of running sandboxes: the ones named, else all "
                    + "you may see that run. Refreshes every --interval seconds until interrupted (Ctrl-C), or prints "
                    + "once with --once. CPU%% is of one core (200 is two busy cores); each figure takes the worker "
                    + "about a second to sample. --json prints the stats records (with --once an array, else one "
                    + "array a line).")
    static final class Top extends ApiCommand {
        static final List<String> COLUMNS = List.of("ID", "CPU%", "MEM USED/LIMIT", "DISK USED/LIMIT", "PIDS", "NET RX/TX");
        /** Sandboxes sampled at once: each stats call holds a worker for about a second. */
        private static final int PARALLEL = 8;

        @Parameters(paramLabel = "ID", arity = "0..*", description = "the sandboxes (default: every running one you may see)")
        List<String> ids = new ArrayList<>();
        @Option(names = "--once", description = "print the figures once and exit")
        boolean once;
        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
                description = "seconds between refreshes (default ${DEFAULT-VALUE})")
        int interval;

        Top(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() throws InterruptedException {
            if (interval < 1) {
                throw new UsageException("--interval must be at least 1 (seconds)");
            }
            StacyVMClient client = client();
            Output output = output();
            boolean redraw = !once && !output.json() && context.out() == System.out && interactive();
            ExecutorService samplers = Executors.newFixedThreadPool(PARALLEL, Thread.ofVirtual().name("stacyvm-top-", 0).factory());
            try {
                while (true) {
                    long started = System.nanoTime();
                    Map<String, ApiException> missing = new LinkedHashMap<>();
                    List<SandboxStats> rows = sample(client, samplers, missing);
                    if (redraw) {
                        output.stream().print("\033[H\033[2J");
                    }
                    if (output.json() && !once) {
                        output.printJsonLine(rows);
                    } else {
                        output.table(rows, COLUMNS, Top::row);
                    }
                    output.stream().flush();
                    missing.forEach((id, failure) -> context.err().println("stacyvm: " + id + ": "
                            + failure.code().wireName() + ": " + failure.getMessage()));
                    if (once) {
                        return missing.isEmpty() ? 0 : 1;
                    }
                    long left = TimeUnit.SECONDS.toNanos(interval) - (System.nanoTime() - started);
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.sleep(left);
                    }
                }
            } finally {
                samplers.shutdownNow();
            }
        }

        /**
         * The stats of the sandboxes named, else of every running one; a named sandbox that is gone or not running is
         * put in {@code missing}, a listed one that stopped meanwhile left out.
         */
        private List<SandboxStats> sample(StacyVMClient client, ExecutorService samplers, Map<String, ApiException> missing)
                throws InterruptedException {
            boolean named = !ids.isEmpty();
            List<String> targets = named ? ids
                    : client.list().stream().filter(sandbox -> "running".equals(sandbox.state())).map(SandboxView::id).toList();
            List<Future<SandboxStats>> answers = targets.stream()
                    .map(id -> samplers.submit(() -> client.stats(id))).toList();
            List<SandboxStats> rows = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                try {
                    rows.add(answers.get(i).get());
                } catch (ExecutionException failed) {
                    if (failed.getCause() instanceof ApiException api
                            && (api.code() == ErrorCode.CONFLICT || api.code() == ErrorCode.NOT_FOUND)) {
                        if (named) {
                            missing.put(targets.get(i), api);
                        }
                        continue;
                    }
                    if (failed.getCause() instanceof RuntimeException unexpected) {
                        throw unexpected;
                    }
                    throw new IllegalStateException(failed.getCause());
                }
            }
            return rows;
        }

        static List<String> row(SandboxStats stats) {
            return List.of(String.valueOf(stats.sandboxId()), String.format(Locale.ROOT, "%.1f", stats.cpuPct()),
                    bytes(stats.memBytes()) + " / " + bytes(stats.memLimitBytes()),
                    bytes(stats.diskUsedBytes()) + (stats.diskLimitBytes() == null ? "" : " / " + bytes(stats.diskLimitBytes())),
                    stats.pids() + " / " + stats.pidsLimit(), bytes(stats.netRxBytes()) + " / " + bytes(stats.netTxBytes()));
        }

        /** Whether the output is a terminal to redraw (Console.isTerminal() is JDK 22's; before it, a console is one). */
        private static boolean interactive() {
            Console console = System.console();
            if (console == null) {
                return false;
            }
            try {
                return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException beforeJdk22) {
                return true;
            }
        }
    }
}
