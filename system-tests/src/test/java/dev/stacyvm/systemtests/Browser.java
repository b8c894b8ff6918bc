package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Headless Chromium (Debian's {@code chromium}) driven through Debian's {@code chromedriver} with
 * the W3C WebDriver protocol: enough to open a page, read what it rendered and take a screenshot.
 * Closing it ends the browser session and stops the driver process.
 */
final class Browser implements AutoCloseable {

    static final String CHROMEDRIVER = System.getProperty("stacyvm.chromedriver", "/usr/bin/chromedriver");
    static final String CHROMIUM = System.getProperty("stacyvm.chromium", "/usr/bin/chromium");

    private final Process driver;
    private final String url;
    private final String session;
    private final Path profile;

    Browser() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(Path.of(CHROMEDRIVER)) && Files.isExecutable(Path.of(CHROMIUM)),
                "the browser test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        profile = Files.createTempDirectory("stacyvm-chromium-");
        driver = new ProcessBuilder(CHROMEDRIVER, "--port=" + port).redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromedriver.log").toFile()).start();
        url = "http://127.0.0.1:" + port;
        for (int attempt = 0; attempt < 100 && !listening(port); attempt++) {
            Thread.sleep(100);
        }
        List<String> arguments = List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1024,768", "--user-data-dir=" + profile.resolve("profile"));
        session = webDriver().body(Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome",
                        "goog:chromeOptions", Map.of("binary", CHROMIUM, "args", arguments)))))
                .post("/session").then().statusCode(200).extract().path("value.sessionId");
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private io.restassured.specification.RequestSpecification webDriver() {
        return RestAssured.given().baseUri(url).contentType(ContentType.JSON).log().ifValidationFails();
    }

    void open(String address) {
        webDriver().body(Map.of("url", address)).post("/session/{id}/url", session).then().statusCode(200);
    }

    /** Runs a script in the page and answers what it returned, as text. */
    String evaluate(String script) {
        JsonPath answer = webDriver().body(Map.of("script", script, "args", List.of()))
                .post("/session/{id}/execute/sync", session).then().statusCode(200).extract().jsonPath();
        Object value = answer.get("value");
        return value == null ? null : value.toString();
    }

    /** Waits (at most {@code seconds}) until the script answers text containing {@code expected}. */
    String await(String script, String expected, int seconds) throws InterruptedException {
        String seen = null;
        for (int attempt = 0; attempt < seconds * 10; attempt++) {
            seen = evaluate(script);
            if (seen != null && seen.contains(expected)) {
                return seen;
            }
            Thread.sleep(100);
        }
        return seen;
    }

    void screenshot(Path file) throws IOException {
        String png = webDriver().get("/session/{id}/screenshot", session).then().statusCode(200).extract().path("value");
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() throws IOException {
        try {
            if (session != null) {
                webDriver().delete("/session/{id}", session);
            }
        } finally {
            driver.destroy();
            try {
                if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    driver.destroyForcibly();
                }
            } catch (InterruptedException e) {
                driver.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
