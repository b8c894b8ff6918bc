package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium (Debian's {@code chromium}) driven by Selenium through Debian's
 * {@code chromedriver}, both named explicitly so that Selenium Manager never looks for (or
 * downloads) a driver or a browser: enough to open a page, read what it rendered and take a
 * screenshot. Closing it ends the browser session and stops the driver process.
 */
final class Browser implements AutoCloseable {

    static final String CHROMEDRIVER = System.getProperty("stacyvm.chromedriver", "/usr/bin/chromedriver");
    static final String CHROMIUM = System.getProperty("stacyvm.chromium", "/usr/bin/chromium");

    private final Path profile;
    private final ChromeDriver driver;

    Browser() throws IOException {
        this(1024, 768);
    }

    /**
     * A browser whose window is {@code width} x {@code height} CSS pixels; files it downloads land in
     * {@link #downloads()}.
     */
    Browser(int width, int height) throws IOException {
        assertTrue(Files.isExecutable(Path.of(CHROMEDRIVER)) && Files.isExecutable(Path.of(CHROMIUM)),
                "the browser test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        profile = Files.createTempDirectory("stacyvm-chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withLogFile(profile.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // as the machine's own probe starts it: no first-run, sync or background fetches, which the
        // closed network here would refuse
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile.resolve("profile"));
        Files.createDirectories(profile.resolve("downloads"));
        options.setExperimentalOption("prefs", java.util.Map.of(
                "download.default_directory", profile.resolve("downloads").toString(),
                "download.prompt_for_download", false));
        driver = new ChromeDriver(service, options);
    }

    /** The driver, for tests that find, type and click as a person does. */
    ChromeDriver driver() {
        return driver;
    }

    /** Where the files this browser downloads land. */
    Path downloads() {
        return profile.resolve("downloads");
    }

    void open(String address) {
        driver.get(address);
    }

    /** Runs a script in the page and answers what it returned, as text. */
    String evaluate(String script) {
        Object value = driver.executeScript(script);
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
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(file.getParent());
        Files.write(file, png);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
