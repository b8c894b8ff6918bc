/*
 * Chaos run: parallel clients (-Dchaos.clients, default 10) create, exec in and destroy sandboxes
 * (-Dchaos.sandboxes, default 200) while every service is killed with SIGKILL once and restarted,
 * and the Kafka broker is restarted once. Afterwards it checks that every acknowledged operation
 * is in the audit log exactly once, that no container is left behind and that no sandbox is stuck
 * in a transitional state, prints the counts, and exits 1 if any check fails. Run it with
 * `./stacyvm chaos` against a running suite (JDK only; it uses the launcher to restart what it
 * killed, psql for the checks and docker for the containers).
 */
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Chaos {

    static final int SANDBOXES = Integer.getInteger("chaos.sandboxes", 200);
    static final int CLIENTS = Integer.getInteger("chaos.clients", 10);
    static final List<String> FAULTS = List.of("audit-service", "scheduler-service", "worker-service", "api-gateway",
            "preview-router", "kafka");
    /** How long the load may take, all clients and faults together. */
    static final Duration LOAD_BOUND = Duration.ofMinutes(Integer.getInteger("chaos.load-minutes", 25));
    /** How long the whole run may take, the checks included: past it the run fails, saying where it was. */
    static final Duration RUN_BOUND = LOAD_BOUND.plusMinutes(10);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    record Ack(String requestId, String action, String sandboxId) {
    }

    static String gateway;
    static String key;
    static Path root;
    static Path run;
    static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
    static final List<Ack> acks = new CopyOnWriteArrayList<>();
    static final Set<String> created = ConcurrentHashMap.newKeySet();
    static final Set<String> destroyed = ConcurrentHashMap.newKeySet();
    static final AtomicInteger claimed = new AtomicInteger();
    static final AtomicInteger faultsDone = new AtomicInteger();
    static final AtomicInteger failures = new AtomicInteger();
    static final List<String> faultLog = new CopyOnWriteArrayList<>();
    /** Each client's last answer (method, path, status or error), for a run that does not finish. */
    static final Map<String, String> lastAnswers = new ConcurrentHashMap<>();

    /**
     * Ends a run that outlives {@link #RUN_BOUND} wherever it hangs (a client, a restart, a check),
     * printing what each thread was doing: a hung run must fail with its cause, never wait for the
     * CI's own limit.
     */
    static void watchdog(Instant started) {
        Thread.ofPlatform().daemon().name("chaos-watchdog").start(() -> {
            sleep(RUN_BOUND.toMillis());
            System.out.println("CHAOS RUN FAILED: still running after " + RUN_BOUND.toMinutes() + " minutes (started "
                    + started + ")");
            System.out.printf("faults injected: %s%nclaimed %d of %d; last answers: %s%n", faultLog, claimed.get(),
                    SANDBOXES, lastAnswers);
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                if (!thread.isDaemon() || thread.getName().startsWith("pool")) {
                    System.out.println("thread " + thread.getName() + ":");
                    for (StackTraceElement frame : stack) {
                        System.out.println("    at " + frame);
                    }
                }
            });
            System.out.flush();
            Runtime.getRuntime().halt(1);
        });
    }

    public static void main(String[] args) throws Exception {
        gateway = args[0];
        key = args[1];
        root = Path.of(args[2]);
        run = Path.of(args[3]);
        Instant started = Instant.now();
        System.out.printf("chaos run %s: %d sandboxes, %d clients, faults: %s%n", RUN_ID, SANDBOXES, CLIENTS, FAULTS);

        watchdog(started);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        Future<?> faults = pool.submit(Chaos::injectFaults);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            String user = "chaos-" + RUN_ID + "-" + c;
            clients.add(pool.submit(() -> client(user)));
        }
        try {
            // a bound, not an expectation: six restarts under load took 10-19 minutes on CI's 2 cores;
            // one deadline for all of them, so clients finishing one after another cannot add up
            Instant deadline = started.plus(LOAD_BOUND);
            for (Future<?> client : clients) {
                client.get(Math.max(1, Duration.between(Instant.now(), deadline).toSeconds()), TimeUnit.SECONDS);
            }
            faults.get(Math.max(1, Duration.between(Instant.now(), deadline).toSeconds()), TimeUnit.SECONDS);
        } catch (TimeoutException slow) {
            // the pool's threads would keep this JVM, and the run that waits for it, alive until killed
            System.out.println("CHAOS RUN FAILED: the load did not finish in " + LOAD_BOUND.toMinutes() + " minutes");
            System.out.printf("faults injected: %s%nclaimed %d of %d; last answers: %s%n", faultLog, claimed.get(),
                    SANDBOXES, lastAnswers);
            pool.shutdownNow();
            System.exit(1);
        }
        pool.shutdown();
        Duration load = Duration.between(started, Instant.now());

        // whatever the clients could not destroy while services were down is destroyed now
        int cleaned = cleanUp();
        boolean settled = false;
        Map<String, Integer> states = Map.of();
        List<String> containers = List.of();
        Map<String, Integer> audited = Map.of();
        for (int attempt = 0; attempt < 120 && !settled; attempt++) {
            Thread.sleep(1000);
            states = sandboxStates();
            containers = containers();
            audited = auditCounts();
            Map<String, Integer> seen = audited;
            settled = containers.isEmpty() && states.keySet().stream().allMatch(state -> state.equals("destroyed"))
                    && acks.stream().allMatch(ack -> seen.containsKey(ack.requestId() + " " + ack.action()));
        }
        int missing = 0;
        int duplicated = 0;
        for (Ack ack : acks) {
            int count = audited.getOrDefault(ack.requestId() + " " + ack.action(), 0);
            if (count == 0) {
                missing++;
                System.out.println("  not in the audit log: " + ack);
            } else if (count > 1) {
                duplicated++;
                System.out.println("  in the audit log " + count + " times: " + ack);
            }
        }
        Map<String, Long> byAction = new HashMap<>();
        acks.forEach(ack -> byAction.merge(ack.action(), 1L, Long::sum));
        long stuck = states.entrySet().stream().filter(e -> !e.getKey().equals("destroyed"))
                .mapToLong(Map.Entry::getValue).sum();
        System.out.printf("%nfaults injected: %s%n", faultLog);
        System.out.printf("load phase: %d s; refused or failed client calls (expected while services were down): %d%n",
                load.toSeconds(), failures.get());
        System.out.printf("sandboxes created (acknowledged): %d; destroyed afterwards by the clean-up: %d%n", created.size(), cleaned);
        System.out.printf("acknowledged operations: %d %s%n", acks.size(), byAction);
        System.out.printf("audit log: %d exactly once, %d missing, %d more than once%n", acks.size() - missing - duplicated,
                missing, duplicated);
        System.out.printf("sandbox records by state: %s%n", states);
        System.out.printf("containers left behind: %d %s%n", containers.size(), containers);
        System.out.printf("sandboxes not destroyed: %d%n", stuck);
        // the checks above see the run's records, or they prove nothing (an owner id's shape changed once)
        long records = states.values().stream().mapToLong(Integer::longValue).sum();
        if (records < created.size()) {
            System.out.printf("the checks found %d sandbox records for %d acknowledged creates%n", records, created.size());
        }
        boolean ok = missing == 0 && duplicated == 0 && containers.isEmpty() && stuck == 0 && records >= created.size()
                && faultsDone.get() == FAULTS.size();
        System.out.println(ok ? "CHAOS RUN PASSED" : "CHAOS RUN FAILED");
        System.exit(ok ? 0 : 1);
    }

    /** One client: create, exec, destroy, again, until all sandboxes are claimed; faults fire at milestones. */
    static void client(String user) {
        while (true) {
            int slot = claimed.get();
            if (slot >= SANDBOXES) {
                return;
            }
            // the k-th fault fires once a sixth more of the sandboxes were claimed: wait for it
            int milestone = (slot * FAULTS.size()) / SANDBOXES;
            if (faultsDone.get() < milestone) {
                sleep(200);
                continue;
            }
            if (!claimed.compareAndSet(slot, slot + 1)) {
                continue;
            }
            String id = null;
            while (id == null) {
                String rid = UUID.randomUUID().toString();
                HttpResponse<String> answer = call("POST", "/sandboxes", user, rid, "{\"ttl\":\"15m\",\"memory_mb\":64}");
                if (answer != null && answer.statusCode() == 201) {
                    id = field(answer.body(), "id");
                    created.add(id);
                    acks.add(new Ack(rid, "sandbox.create", id));
                } else {
                    sleep(500);
                }
            }
            String rid = UUID.randomUUID().toString();
            HttpResponse<String> exec = call("POST", "/sandboxes/" + id + "/exec", user, rid,
                    "{\"command\":\"echo\",\"args\":[\"" + slot + "\"],\"timeout\":\"20s\"}");
            if (exec != null && exec.statusCode() == 200) {
                acks.add(new Ack(rid, "sandbox.exec", id));
            }
            destroy(id, user);
        }
    }

    static boolean destroy(String id, String user) {
        String rid = UUID.randomUUID().toString();
        HttpResponse<String> answer = call("DELETE", "/sandboxes/" + id, user, rid, null);
        if (answer != null && answer.statusCode() == 200) {
            acks.add(new Ack(rid, "sandbox.destroy", id));
            destroyed.add(id);
            return true;
        }
        return false;
    }

    static void injectFaults() {
        for (int k = 0; k < FAULTS.size(); k++) {
            while (claimed.get() < (k * SANDBOXES) / FAULTS.size() + CLIENTS) {
                sleep(200);
            }
            String victim = FAULTS.get(k);
            Instant killed = Instant.now();
            try {
                stop(victim);
                restart(victim);
                faultLog.add(victim + " back in " + Duration.between(killed, Instant.now()).toSeconds() + " s");
            } catch (Exception e) {
                faultLog.add(victim + " FAILED: " + e.getMessage());
            }
            faultsDone.incrementAndGet();
        }
    }

    /**
     * Kills the service outright (SIGKILL); the broker is stopped (SIGTERM), and killed when it has
     * not exited within 60 s, so a slow shutdown under load cannot leave it neither up nor restarted.
     */
    static void stop(String victim) throws IOException {
        long pid = Long.parseLong(Files.readString(run.resolve(victim + ".pid")).trim());
        ProcessHandle process = ProcessHandle.of(pid).orElse(null);
        if (process == null) {
            return;
        }
        if (victim.equals("kafka")) {
            process.destroy();
            if (!exited(process, 60)) {
                faultLog.add("kafka did not stop within 60 s of SIGTERM: killed");
                process.destroyForcibly();
            }
        } else {
            process.destroyForcibly();
        }
        if (!exited(process, 60)) {
            throw new IllegalStateException(victim + " (pid " + pid + ") did not exit after SIGKILL within 60 s");
        }
    }

    static boolean exited(ProcessHandle process, int seconds) {
        try {
            process.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (Exception notYet) {
            return !process.isAlive();
        }
    }

    /**
     * Brings what was killed back with the launcher, as an operator would: `./stacyvm up`, bounded at
     * 5 minutes, tried a second time when the first fails. Its output goes to
     * logs/chaos-up-VICTIM.log, and the last lines of a failure into the fault log.
     */
    static void restart(String victim) throws IOException, InterruptedException {
        Path log = run.resolveSibling("logs").resolve("chaos-up-" + victim + ".log");
        Files.createDirectories(log.getParent());
        String failure = "";
        for (int attempt = 1; attempt <= 2; attempt++) {
            Process up = new ProcessBuilder(root.resolve("stacyvm").toString(), "up").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!up.waitFor(5, TimeUnit.MINUTES)) {
                up.destroyForcibly();
                up.waitFor(30, TimeUnit.SECONDS);
                failure = "./stacyvm up did not bring " + victim + " back within 5 minutes";
            } else if (up.exitValue() != 0) {
                failure = "./stacyvm up failed to bring " + victim + " back (exit " + up.exitValue() + ")";
            } else {
                return;
            }
            List<String> lines = Files.readAllLines(log);
            faultLog.add("attempt " + attempt + ": " + failure + "; its last lines: "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size())));
        }
        throw new IllegalStateException(failure);
    }

    /** Destroys every sandbox of the run that is still there, whatever state it is in. */
    static int cleanUp() {
        int cleaned = 0;
        for (int c = 0; c < CLIENTS; c++) {
            String user = "chaos-" + RUN_ID + "-" + c;
            for (int attempt = 0; attempt < 30; attempt++) {
                HttpResponse<String> list = call("GET", "/sandboxes", user, UUID.randomUUID().toString(), null);
                if (list == null || list.statusCode() != 200) {
                    sleep(1000);
                    continue;
                }
                List<String> ids = new ArrayList<>();
                Matcher id = Pattern.compile("\"id\":\"(sb-[a-z0-9]+)\"").matcher(list.body());
                while (id.find()) {
                    ids.add(id.group(1));
                }
                if (ids.isEmpty()) {
                    break;
                }
                for (String sandbox : ids) {
                    if (destroy(sandbox, user)) {
                        cleaned++;
                    }
                }
                sleep(1000);
            }
        }
        return cleaned;
    }

    static HttpResponse<String> call(String method, String path, String user, String requestId, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + "/api/v1" + path))
                    .header("X-API-Key", key).header("X-User-ID", user).header("X-Request-ID", requestId)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            lastAnswers.put(user, method + " " + path + " " + answer.statusCode() + " "
                    + answer.body().substring(0, Math.min(160, answer.body().length())));
            if (answer.statusCode() >= 300) {
                failures.incrementAndGet();
            }
            return answer;
        } catch (IOException e) {
            lastAnswers.put(user, method + " " + path + " " + e);
            failures.incrementAndGet();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static Map<String, Integer> auditCounts() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : psql("SELECT request_id || ' ' || action || ' ' || count(*) FROM audit.audit_record"
                + " WHERE actor LIKE '%chaos-" + RUN_ID + "-%' GROUP BY request_id, action")) {
            int last = line.lastIndexOf(' ');
            counts.put(line.substring(0, last), Integer.parseInt(line.substring(last + 1)));
        }
        return counts;
    }

    /**
     * This run's sandbox records: an owner id ends in the caller's user id after the tenant and the
     * key ({@code default:bootstrap-admin:chaos-...}).
     */
    static final String OURS = "owner_id LIKE '%:chaos-" + RUN_ID + "-%'";

    static Map<String, Integer> sandboxStates() throws Exception {
        Map<String, Integer> states = new HashMap<>();
        for (String line : psql("SELECT state || ' ' || count(*) FROM scheduler.sandbox WHERE " + OURS + " GROUP BY state")) {
            String[] parts = line.split(" ");
            states.put(parts[0], Integer.parseInt(parts[1]));
        }
        return states;
    }

    /** The containers of this run's sandboxes still there, found by name (claimed pool containers carry no owner label). */
    static List<String> containers() throws Exception {
        java.util.Set<String> ours = new java.util.HashSet<>(psql("SELECT 'stacyvm-' || id FROM scheduler.sandbox WHERE " + OURS));
        List<String> left = new ArrayList<>();
        for (String name : exec("docker", "ps", "-a", "--format", "{{.Names}}")) {
            if (ours.contains(name.trim())) {
                left.add(name.trim());
            }
        }
        return left;
    }

    static List<String> psql(String sql) throws Exception {
        return exec(System.getenv("CHAOS_PSQL"), "-X", "-q", "-t", "-A", "-h", System.getenv("CHAOS_PG_HOST"), "-p",
                System.getenv("CHAOS_PG_PORT"), "-U", "stacyvm", "-d", "stacyvm", "-c", sql);
    }

    static List<String> exec(String... command) throws Exception {
        // the output goes to a file: reading a pipe would wait for a hung command without bound
        Path out = Files.createTempFile("chaos", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + ": no answer in 60 s");
            }
            String output = Files.readString(out);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + ": " + output);
            }
            return output.lines().filter(line -> !line.isBlank()).toList();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        return value.find() ? value.group(1) : null;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
