package dev.stacyvm.certification;

import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.CertificationReport.Check;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The checks of a suite from the JUnit XML reports Maven Surefire writes ({@code TEST-*.xml}, one
 * {@code testsuite} of {@code testcase}s, each with a {@code failure}, {@code error} or
 * {@code skipped} child when it did not pass). A check's name is its class's simple name and its method.
 */
final class JUnitReports {

    /** A message longer than this is cut: a report names what failed, the logs hold the rest. */
    static final int MAX_MESSAGE = 2000;

    private JUnitReports() {
    }

    /** Every check in the {@code TEST-*.xml} files of {@code dirs}, in file-name then document order. */
    static List<Check> checks(String suite, List<Path> dirs) throws IOException {
        List<Check> checks = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IOException("no JUnit reports at " + dir);
            }
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "TEST-*.xml")) {
                found.forEach(files::add);
            }
            files.sort(null);
            for (Path file : files) {
                checks.addAll(parse(suite, file));
            }
        }
        return checks;
    }

    static List<Check> parse(String suite, Path file) throws IOException {
        Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // a report is data: no DTDs, no external entities
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            DocumentBuilder builder = factory.newDocumentBuilder();
            document = builder.parse(file.toFile());
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("not a JUnit report: " + file + " (" + e.getMessage() + ")", e);
        }
        List<Check> checks = new ArrayList<>();
        NodeList cases = document.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            String className = testCase.getAttribute("classname");
            String simpleName = className.substring(className.lastIndexOf('.') + 1);
            String result = CertificationReport.PASSED;
            String message = null;
            for (String outcome : List.of("failure", "error", "skipped")) {
                NodeList found = testCase.getElementsByTagName(outcome);
                if (found.getLength() > 0) {
                    result = outcome.equals("skipped") ? CertificationReport.SKIPPED : CertificationReport.FAILED;
                    message = message((Element) found.item(0), result.equals(CertificationReport.SKIPPED));
                    break;
                }
            }
            checks.add(new Check(suite, simpleName + "." + testCase.getAttribute("name"), result,
                    seconds(testCase.getAttribute("time")), cut(message)));
        }
        return checks;
    }

    /**
     * What an outcome says: its {@code message} attribute, else the first line of its stack trace
     * (a skipped check's without the exception's class: {@code Assumption failed: ...}).
     */
    private static String message(Element outcome, boolean skipped) {
        if (outcome.hasAttribute("message")) {
            return outcome.getAttribute("message");
        }
        String firstLine = outcome.getTextContent().strip().lines().findFirst().orElse("");
        if (skipped) {
            firstLine = firstLine.replaceFirst("^[\\w.$]+(Exception|Error): ", "");
        }
        return firstLine.isEmpty() ? outcome.getAttribute("type") : firstLine;
    }

    private static double seconds(String time) {
        try {
            return time.isEmpty() ? 0 : Double.parseDouble(time.replace(",", ""));
        } catch (NumberFormatException notANumber) {
            return 0;
        }
    }

    private static String cut(String message) {
        if (message == null || message.isBlank()) {
            return null;
        }
        String oneLine = message.strip();
        return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "...";
    }
}
