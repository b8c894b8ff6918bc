package dev.stacyvm.certification;

import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.CertificationReport.Check;
import dev.stacyvm.contract.certification.CertificationReport.Suite;
import java.util.Locale;
import java.util.Map;

/** A certification report as Markdown for people: the host, the versions, then every check of every suite. */
final class ReportMarkdown {

    private ReportMarkdown() {
    }

    static String render(CertificationReport report, String jsonName) {
        StringBuilder md = new StringBuilder();
        md.append("# Certification: ").append(report.provider()).append(" / ").append(report.runtime()).append(": ")
                .append(report.result().toUpperCase(Locale.ROOT)).append("\n\n");
        md.append("Written by `./stacyvm certify` (docs/certification.md); the same report as JSON: `")
                .append(jsonName).append("`.\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "started", report.startedAt().toString());
        row(md, "finished", report.finishedAt().toString());
        row(md, "host", report.host().name());
        row(md, "operating system", report.host().os());
        row(md, "kernel", report.host().kernel());
        row(md, "architecture", report.host().arch());
        row(md, "engine", report.host().engine());
        row(md, "hardware virtualisation", report.host().hardwareVirtualization() ? "yes (/dev/kvm)" : "no");
        for (Map.Entry<String, String> version : report.versions().entrySet()) {
            row(md, version.getKey(), version.getValue());
        }
        row(md, "checks", report.count(CertificationReport.PASSED) + " passed, "
                + report.count(CertificationReport.FAILED) + " failed, " + report.count(CertificationReport.SKIPPED)
                + " skipped");
        if (!report.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            report.notes().forEach(note -> md.append("- ").append(note).append('\n'));
        }
        for (Suite suite : report.suites()) {
            md.append("\n## ").append(suite.name()).append(": ").append(suite.result().replace('_', ' '));
            if (suite.reason() != null) {
                md.append(" (").append(suite.reason()).append(')');
            }
            md.append("\n\n");
            if (suite.checks().isEmpty()) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "%d checks in %.1f s.%n%n", suite.checks().size(), suite.seconds()));
            md.append("| check | result | seconds | message |\n|---|---|---:|---|\n");
            for (Check check : suite.checks()) {
                md.append("| ").append(cell(check.name())).append(" | ").append(check.result()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f", check.seconds())).append(" | ")
                        .append(check.message() == null ? "" : cell(check.message())).append(" |\n");
            }
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n");
    }

    /** Text that stays inside one table cell: no pipes or line breaks. */
    static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replaceAll("[\\r\\n]+", " ");
    }
}
