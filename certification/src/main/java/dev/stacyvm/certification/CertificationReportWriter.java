package dev.stacyvm.certification;

import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.CertificationReport.Check;
import dev.stacyvm.contract.certification.CertificationReport.Suite;
import dev.stacyvm.contract.certification.HostFingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the report of one {@code ./stacyvm certify} run (docs/certification.md) from the JUnit
 * reports of its suites: {@code <provider>-<runtime>-<UTC time>.json} and a {@code .md} beside it,
 * in {@code --out}. The run passes when every suite that applies ran at least one check and none
 * failed; the exit status says so (0 passed, 1 failed, 2 usage).
 *
 * <pre>
 * CertificationReportWriter --provider docker --runtime runsc --engine 28.2.2 --started 2026-12-03T20:00:00Z
 *     --out DIR --suite contract=DIR[,DIR] --suite containment=DIR --not-applicable containment="why"
 *     --version stacyvm=abc1234 --note "text" --run-failed contract="the run ended with status 1"
 * </pre>
 */
public final class CertificationReportWriter {

    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private CertificationReportWriter() {
    }

    /** What the command line asked for. */
    record Arguments(String provider, String runtime, String engine, Instant started, Path out,
                     Map<String, List<Path>> suites, Map<String, String> notApplicable, Map<String, String> versions,
                     List<String> notes, Map<String, String> failedRuns) {

        static Arguments parse(String[] args) {
            Map<String, String> single = new LinkedHashMap<>();
            Map<String, List<Path>> suites = new LinkedHashMap<>();
            Map<String, String> notApplicable = new LinkedHashMap<>();
            Map<String, String> versions = new LinkedHashMap<>();
            Map<String, String> failedRuns = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--provider", "--runtime", "--engine", "--started", "--out" -> single.put(args[i], value);
                    case "--suite" -> suites.put(name(value), Arrays.stream(rest(value).split(",")).map(Path::of).toList());
                    case "--not-applicable" -> notApplicable.put(name(value), rest(value));
                    case "--version" -> versions.put(name(value), rest(value));
                    case "--run-failed" -> failedRuns.put(name(value), rest(value));
                    case "--note" -> notes.add(value);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            for (String required : List.of("--provider", "--runtime", "--engine", "--started", "--out")) {
                if (!single.containsKey(required) || single.get(required).isBlank()) {
                    throw new IllegalArgumentException(required + " is required");
                }
            }
            if (suites.isEmpty()) {
                throw new IllegalArgumentException("at least one --suite is required");
            }
            return new Arguments(single.get("--provider"), single.get("--runtime"), single.get("--engine"),
                    Instant.parse(single.get("--started")), Path.of(single.get("--out")), suites, notApplicable,
                    versions, notes, failedRuns);
        }

        private static String name(String pair) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("expected name=value, not " + pair);
            }
            return pair.substring(0, equals);
        }

        private static String rest(String pair) {
            return pair.substring(pair.indexOf('=') + 1);
        }
    }

    public static void main(String[] args) throws IOException {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException wrong) {
            System.err.println("certification report: " + wrong.getMessage());
            System.exit(2);
            return;
        }
        CertificationReport report = report(arguments, HostFingerprint.ofThisHost(arguments.engine()), Instant.now());
        Path json = write(report, arguments.out());
        System.out.printf("%s/%s on %s: %s (%d passed, %d failed, %d skipped)%n  %s%n  %s%n", report.provider(),
                report.runtime(), report.host().name(), report.result().toUpperCase(java.util.Locale.ROOT),
                report.count(CertificationReport.PASSED), report.count(CertificationReport.FAILED),
                report.count(CertificationReport.SKIPPED), json, markdownOf(json));
        System.exit(report.passed() ? 0 : 1);
    }

    /** The report of a run that finished at {@code finished} on {@code host}. */
    static CertificationReport report(Arguments arguments, HostFingerprint host, Instant finished) throws IOException {
        List<Suite> suites = new ArrayList<>();
        boolean passed = true;
        for (Map.Entry<String, List<Path>> entry : arguments.suites().entrySet()) {
            List<Check> checks = JUnitReports.checks(entry.getKey(), entry.getValue());
            boolean failed = checks.stream().anyMatch(check -> check.result().equals(CertificationReport.FAILED));
            boolean ran = checks.stream().anyMatch(check -> check.result().equals(CertificationReport.PASSED));
            // a suite that ran nothing proves nothing
            String result = failed || !ran ? CertificationReport.FAILED : CertificationReport.PASSED;
            passed &= result.equals(CertificationReport.PASSED);
            double seconds = Math.round(checks.stream().mapToDouble(Check::seconds).sum() * 1000) / 1000.0;
            suites.add(new Suite(entry.getKey(), result, ran ? null : "no check ran", seconds, checks));
        }
        for (Map.Entry<String, String> entry : arguments.notApplicable().entrySet()) {
            suites.add(new Suite(entry.getKey(), CertificationReport.NOT_APPLICABLE, entry.getValue(), 0, List.of()));
        }
        for (Map.Entry<String, String> entry : arguments.failedRuns().entrySet()) {
            // a suite whose run failed (a crashed fork leaves no report of the class that died) fails
            // whatever its reports say
            int at = indexOf(suites, entry.getKey());
            if (at < 0) {
                throw new IllegalArgumentException("--run-failed names no --suite: " + entry.getKey());
            }
            Suite suite = suites.get(at);
            suites.set(at, new Suite(suite.name(), CertificationReport.FAILED, entry.getValue(), suite.seconds(),
                    suite.checks()));
            passed = false;
        }
        CertificationReport candidate = new CertificationReport(CertificationReport.FORMAT, arguments.provider(),
                arguments.runtime(), passed ? CertificationReport.PASSED : CertificationReport.FAILED,
                arguments.started(), finished.truncatedTo(ChronoUnit.SECONDS), host, arguments.versions(), suites,
                arguments.notes());
        // what a worker will believe: the contract and (unless it does not apply) containment both ran
        return candidate.passed() || !passed ? candidate : new CertificationReport(candidate.format(),
                candidate.provider(), candidate.runtime(), CertificationReport.FAILED, candidate.startedAt(),
                candidate.finishedAt(), host, candidate.versions(), suites, candidate.notes());
    }

    private static int indexOf(List<Suite> suites, String name) {
        for (int i = 0; i < suites.size(); i++) {
            if (suites.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Writes the JSON and Markdown files; answers the JSON's path. */
    static Path write(CertificationReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        String base = report.provider() + "-" + report.runtime() + "-" + FILE_TIME.format(report.finishedAt());
        Path json = dir.resolve(base + ".json");
        CertificationReport.JSON.writeValue(json.toFile(), report);
        Files.writeString(markdownOf(json), ReportMarkdown.render(report, json.getFileName().toString()));
        return json;
    }

    static Path markdownOf(Path json) {
        String name = json.getFileName().toString();
        return json.resolveSibling(name.substring(0, name.length() - ".json".length()) + ".md");
    }
}
