package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The web console (docs/console.md) in headless Chromium against the running suite, as a person
 * uses it: sign in with a key, create a sandbox, run a command in its terminal, upload and download
 * a file, open a preview, extend and destroy it, read the audit log; a viewer gets no write
 * control, and the API refuses a write the viewer forces from the page. Each page's screenshot is
 * kept in {@code target/console/} ({@code -Dstacyvm.console.screenshots} moves it; docs/console.md
 * shows them).
 */
class ConsoleTest {

    static final Path SCREENSHOTS = Path.of(System.getProperty("stacyvm.console.screenshots", "target/console"));
    static final String TENANT = "console-" + UUID.randomUUID().toString().substring(0, 8);
    static final List<String> KEY_IDS = new ArrayList<>();
    static final Suite.Sandboxes SANDBOXES = new Suite.Sandboxes();
    static final List<String> BUILD_IDS = new ArrayList<>();
    static String userKey;
    static String viewerKey;

    @BeforeAll
    static void keysOfOneTenant() {
        userKey = createKey("developer", "user");
        viewerKey = createKey("dashboard", "viewer");
    }

    @AfterAll
    static void cleanUp() {
        SANDBOXES.close();
        for (String id : BUILD_IDS) {
            // a build still running is cancelled first: a running build cannot be deleted
            api().post("/environments/builds/{id}/cancel", id);
            api().delete("/environments/builds/{id}", id);
        }
        for (String id : KEY_IDS) {
            api().delete("/admin/api-keys/{id}", id);
        }
    }

    @Test
    void aDeveloperCreatesASandboxDrivesItsTerminalFilesAndPreviewThenExtendsAndDestroysIt() throws Exception {
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            signIn(browser, userKey, "sign-in");
            assertTrue(text(page, "[data-testid=caller]").contains(TENANT + "/developer"), "the header names the key");

            // create: the form shows every field with its default; ports make it a preview-able sandbox
            click(page, "//button[normalize-space()='New sandbox']");
            type(page, "input[name=ports]", "3000");
            type(page, "input[name=ttl]", "10m");
            type(page, "textarea[name=metadata]", "purpose=console-test");
            // a policy that is not JSON is refused in the form, and nothing is created
            Supplier<Integer> owned = () -> RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", userKey)
                    .get("/sandboxes").then().statusCode(200).extract().jsonPath().getList("$").size();
            int ownedBefore = owned.get();
            type(page, "textarea[name=network_policy]", "{allow: everything");
            click(page, "//button[normalize-space()='Create']");
            assertTrue(await(() -> textOrNull(page, "[data-testid=error]"), "Egress policy", 10).contains("not JSON"));
            assertEquals(ownedBefore, owned.get(), "nothing was created");
            page.findElement(By.cssSelector("textarea[name=network_policy]")).clear();
            browser.screenshot(SCREENSHOTS.resolve("create.png"));
            click(page, "//button[normalize-space()='Create']");
            String notice = await(() -> textOrNull(page, "[role=status].notice"), "is running", 120);
            String id = notice.replaceAll(".*Sandbox (sb-[0-9a-f]+) is running.*", "$1");
            SANDBOXES.adopt(id);
            assertEquals("running", await(() -> textOrNull(page, "tr[data-sandbox='" + id + "'] .badge"), "running", 30));
            browser.screenshot(SCREENSHOTS.resolve("sandboxes.png"));

            // the list is live: a sandbox created elsewhere by the same key appears without a reload
            String other = RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", userKey)
                    .contentType("application/json").body(Map.of("ttl", "5m")).post("/sandboxes")
                    .then().statusCode(201).extract().path("id");
            SANDBOXES.adopt(other);
            await(() -> textOrNull(page, "tr[data-sandbox='" + other + "'] .badge"), "running", 60);

            // the terminal: a shell on a PTY over exec/ws, its output read off the screen
            page.findElement(By.linkText(id)).click();
            await(() -> textOrNull(page, "h1"), id, 20);
            browser.screenshot(SCREENSHOTS.resolve("sandbox.png"));
            tab(page, "Terminal");
            await(() -> textOrNull(page, "[data-testid=terminal-state]"), "connected", 30);
            WebElement keyboard = page.findElement(By.cssSelector(".xterm-helper-textarea"));
            await(() -> screen(page), "$", 30);
            keyboard.sendKeys("echo console-$((6*7)) && stty size" + Keys.ENTER);
            // stty size prints the PTY's rows and columns: the terminal's, not a default
            String screen = await(() -> {
                String shown = screen(page);
                return shown != null && shown.matches("(?s).*console-42\\s+\\d+ \\d+\\s.*") ? shown : null;
            }, "console-42", 30);
            assertFalse(screen.contains("\n24 80"), "the PTY follows the window's size, not the 80x24 default: " + screen);
            browser.screenshot(SCREENSHOTS.resolve("terminal.png"));

            // files: upload through the file picker, see it listed, download it back byte for byte
            tab(page, "Files");
            Path upload = Files.createTempFile("console-upload-", ".txt");
            upload.toFile().deleteOnExit();
            String content = "uploaded from the console " + UUID.randomUUID() + "\n";
            Files.writeString(upload, content);
            page.findElement(By.cssSelector("[data-testid=upload]")).sendKeys(upload.toString());
            String name = upload.getFileName().toString();
            await(() -> textOrNull(page, "tr[data-file='" + name + "']"), name, 30);
            assertEquals(content, Suite.api().queryParam("path", "/workspace/" + name).get("/sandboxes/{id}/files", id)
                    .then().statusCode(200).extract().asString(), "the sandbox holds what was uploaded");
            page.findElement(By.cssSelector("tr[data-file='" + name + "'] button[aria-label='Download " + name + "']")).click();
            Path downloaded = browser.downloads().resolve(name);
            await(() -> Files.exists(downloaded) ? "there" : null, "there", 20);
            assertEquals(content, Files.readString(downloaded), "the download is the file");
            browser.screenshot(SCREENSHOTS.resolve("files.png"));

            // a preview: the app on port 3000 behind a token the console asked for
            PreviewTest.startApp(id);
            tab(page, "Previews");
            click(page, "//button[normalize-space()='Port 3000']");
            String link = await(() -> attributeOrNull(page, "[data-testid=preview-link]", "href"), "preview_token=", 20);
            assertTrue(link.startsWith("http://3000-" + id + "."), link);
            // in the frame: the app's page and its WebSocket, on the frame's own cookie
            WebElement frame = page.findElement(By.cssSelector("[data-testid=preview-frame]"));
            assertFalse(frame.getDomAttribute("sandbox").contains("top-navigation"), "the app may not navigate the console's tab");
            page.switchTo().frame(frame);
            String title = awaitOrNull(() -> textOrNull(page, "#title"), "Hello from the sandbox", 30);
            assertEquals("Hello from the sandbox", title, "the frame shows the app: " + textOrNull(page, "body"));
            await(() -> textOrNull(page, "#echo"), "echo: ping", 30);
            page.switchTo().defaultContent();
            browser.screenshot(SCREENSHOTS.resolve("preview.png"));
            String console = page.getWindowHandle();
            page.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
            page.get(link);
            await(() -> textOrNull(page, "#title"), "Hello from the sandbox", 30);
            page.close();
            page.switchTo().window(console);

            // extend, then destroy from its page
            tab(page, "Overview");
            Instant before = Instant.parse(api().get("/sandboxes/{id}", id).then().extract().path("expires_at"));
            type(page, "input[name=ttl]", "1h");
            click(page, "//button[normalize-space()='Extend']");
            await(() -> textOrNull(page, "[role=status].notice"), "Extended", 20);
            Instant after = Instant.parse(api().get("/sandboxes/{id}", id).then().extract().path("expires_at"));
            assertTrue(after.isAfter(before.plusSeconds(1800)), "extended by an hour: " + before + " -> " + after);
            click(page, "//button[normalize-space()='Destroy']");
            page.switchTo().alert().accept();
            await(() -> textOrNull(page, "h1"), "Sandboxes", 30);
            int gone = awaitStatus(() -> api().get("/sandboxes/{id}", id), 404, 60);
            assertTrue(gone == 404 || "destroyed".equals(api().get("/sandboxes/{id}", id).path("state")),
                    "the sandbox is destroyed: " + gone);

            // at a phone's width the list stays usable: the page itself never scrolls sideways
            page.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
            await(() -> textOrNull(page, "tr[data-sandbox='" + other + "'] .badge"), "running", 20);
            Number overflow = (Number) ((JavascriptExecutor) page).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertEquals(0, overflow.intValue(), "no sideways scrolling at 390 px");
            browser.screenshot(SCREENSHOTS.resolve("sandboxes-390.png"));
        }
    }

    @Test
    void anAdministratorReadsTheAuditLogWithItsChainVerified() throws Exception {
        String id = SANDBOXES.create(Map.of("ttl", "5m"));
        api().delete("/sandboxes/{id}", id).then().statusCode(200);
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            signIn(browser, Suite.API_KEY, null);
            page.findElement(By.linkText("Audit log")).click();
            assertTrue(await(() -> textOrNull(page, "[data-testid=chain]"), "hash chain", 30).contains("intact"),
                    "the chain is verified intact");
            type(page, "input[name=target]", id);
            // the audit service takes the records from Kafka a moment after the calls
            String rows = null;
            for (int attempt = 0; attempt < 30; attempt++) {
                click(page, "//button[normalize-space()='Filter']");
                rows = awaitOrNull(() -> textOrNull(page, "table.audit tbody"), "sandbox.destroy", 2);
                if (rows != null && rows.contains("sandbox.create") && rows.contains("sandbox.destroy")) {
                    break;
                }
            }
            assertTrue(rows != null && rows.contains("sandbox.create") && rows.contains("sandbox.destroy"),
                    "the sandbox's create and destroy are listed: " + rows);
            browser.screenshot(SCREENSHOTS.resolve("audit.png"));
            page.findElement(By.linkText("Workers & providers")).click();
            await(() -> textOrNull(page, "tr[data-provider=docker]"), "healthy", 20);
            await(() -> textOrNull(page, "table"), "certified", 20);
            browser.screenshot(SCREENSHOTS.resolve("infrastructure.png"));

            // a live sandbox of the user's: its owner's usage against the limits
            String live = RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", userKey)
                    .contentType("application/json").body(Map.of("ttl", "5m")).post("/sandboxes")
                    .then().statusCode(201).extract().path("id");
            SANDBOXES.adopt(live);
            page.findElement(By.linkText("Quotas")).click();
            await(() -> textOrNull(page, "main"), "Default per owner", 20);
            await(() -> textOrNull(page, "tr[data-owner='" + TENANT + ":developer']"), " / ", 20);
            // limits on the whole tenant, with its usage; edited in place, then removed
            page.findElement(By.cssSelector("select[name=scope] option[value=tenant]")).click();
            type(page, "input[name=subject]", TENANT);
            type(page, "input[name=max_sandboxes]", "5");
            click(page, "//button[normalize-space()='Save limits']");
            String tenantRow = "tr[data-scope='tenant/" + TENANT + "']";
            // the tenant's live sandboxes: this test's, and any another test of the class left running
            int held = api().get("/quotas/tenants/{tenant}/usage", TENANT).then().statusCode(200).extract().path("active_sandboxes");
            await(() -> textOrNull(page, tenantRow), held + " / 5", 20);
            page.findElement(By.cssSelector("button[aria-label='Edit the limits of tenant " + TENANT + "']")).click();
            assertEquals("5", page.findElement(By.cssSelector("input[name=max_sandboxes]")).getDomProperty("value"), "the form holds the limits set");
            type(page, "input[name=max_sandboxes]", "6");
            type(page, "input[name=max_vcpus]", "8");
            click(page, "//button[normalize-space()='Save limits']");
            await(() -> textOrNull(page, tenantRow), held + " / 6", 20);
            api().get("/quotas/tenants/{tenant}", TENANT).then().statusCode(200)
                    .body("max_sandboxes", org.hamcrest.Matchers.equalTo(6)).body("max_vcpus", org.hamcrest.Matchers.equalTo(8));
            // an owner's own quota beside it
            type(page, "input[name=subject]", TENANT + ":developer");
            type(page, "input[name=max_sandboxes]", "3");
            click(page, "//button[normalize-space()='Save limits']");
            await(() -> textOrNull(page, "tr[data-override='" + TENANT + ":developer']"), "3", 20);
            browser.screenshot(SCREENSHOTS.resolve("quotas.png"));
            // editing it starts from what the override sets, not from the defaults around it: saved
            // again, it still sets no TTL of its own
            int withTtl = api().get("/quotas/summary").then().statusCode(200).extract().path("with_max_ttl");
            page.findElement(By.cssSelector("button[aria-label='Edit the limits of owner " + TENANT + ":developer']")).click();
            assertEquals("3", page.findElement(By.cssSelector("input[name=max_sandboxes]")).getDomProperty("value"));
            assertEquals("", page.findElement(By.cssSelector("input[name=max_ttl]")).getDomProperty("value"), "a default is not shown as set");
            type(page, "input[name=max_sandboxes]", "4");
            click(page, "//button[normalize-space()='Save limits']");
            await(() -> textOrNull(page, "tr[data-override='" + TENANT + ":developer'] td:nth-child(2)"), "4", 20);
            assertEquals(withTtl, (int) api().get("/quotas/summary").then().extract().path("with_max_ttl"),
                    "the edit did not pin the default TTL into the override");
            page.findElement(By.cssSelector("button[aria-label='Remove the limits of tenant " + TENANT + "']")).click();
            page.switchTo().alert().accept();
            await(() -> textOrNull(page, "p.notice"), "removed", 20);
            page.findElement(By.cssSelector("button[aria-label='Remove the limits of owner " + TENANT + ":developer']")).click();
            page.switchTo().alert().accept();
            await(() -> page.findElements(By.cssSelector("tr[data-override='" + TENANT + ":developer']")).isEmpty() ? "gone" : null, "gone", 20);
            assertTrue(page.findElements(By.cssSelector(tenantRow)).isEmpty(), "the tenant's limits are gone");
            api().get("/quotas/tenants/{tenant}", TENANT).then().statusCode(200).body("source", org.hamcrest.Matchers.equalTo("default"));
            api().get("/quotas/{owner}", TENANT + ":developer").then().statusCode(200).body("source", org.hamcrest.Matchers.equalTo("default"));
            page.findElement(By.linkText("Images")).click();
            // the worker's images, each with its size (whichever images this host holds)
            await(() -> textOrNull(page, "main"), Suite.WORKER_ID, 30);
            await(() -> textOrNull(page, "main tbody tr"), "B", 30);
            browser.screenshot(SCREENSHOTS.resolve("images.png"));

            // a key made in the console works at once, and revoked there it stops at once
            page.findElement(By.linkText("API keys")).click();
            type(page, "input[name=name]", "console-made");
            type(page, "input[name=tenant]", TENANT);
            click(page, "//button[normalize-space()='Create key']");
            String shown = await(() -> textOrNull(page, "[data-testid=new-key]"), "never shown again", 20);
            String secret = shown.replaceAll("(?s).*(svm_[0-9a-f]+).*", "$1");
            RestAssured.given().baseUri(Suite.URL).header("X-API-Key", secret).get("/api/v1/whoami").then().statusCode(200);
            browser.screenshot(SCREENSHOTS.resolve("keys.png"));
            page.findElement(By.cssSelector("button[aria-label='Revoke console-made of " + TENANT + "']")).click();
            page.switchTo().alert().accept();
            await(() -> textOrNull(page, "p.notice"), "Revoked", 20);
            assertTrue(page.findElements(By.cssSelector("[data-testid=new-key]")).isEmpty(), "the secret is off the page");
            RestAssured.given().baseUri(Suite.URL).header("X-API-Key", secret).get("/api/v1/whoami").then().statusCode(401);
        }
    }

    @Test
    void aDeveloperSavesATemplateAndSpawnsASandboxFromIt() throws Exception {
        String name = "console-" + UUID.randomUUID().toString().substring(0, 6);
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            signIn(browser, userKey, null);
            page.findElement(By.linkText("Templates")).click();
            type(page, "input[name=name]", name);
            type(page, "input[name=ttl]", "7m");
            click(page, "//button[normalize-space()='Save template']");
            await(() -> textOrNull(page, "tr[data-template='" + name + "']"), "7m", 20);
            browser.screenshot(SCREENSHOTS.resolve("templates.png"));
            // set elsewhere: an environment variable, which the form does not show
            RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", userKey).contentType("application/json")
                    .body(Map.of("ttl", "7m", "runtime", "runc", "env", Map.of("GREETING", "kept"))).put("/templates/{name}", name)
                    .then().statusCode(200);
            page.navigate().refresh();
            By edit = By.cssSelector("button[aria-label='Edit " + name + "']");
            await(() -> page.findElements(edit).isEmpty() ? null : "shown", "shown", 20);
            page.findElement(edit).click();
            assertEquals("7m", page.findElement(By.cssSelector("input[name=ttl]")).getDomProperty("value"), "the form holds the template");
            assertEquals("runc", page.findElement(By.cssSelector("select[name=runtime]")).getDomProperty("value"), "and its runtime");
            type(page, "input[name=ttl]", "9m");
            click(page, "//button[normalize-space()='Save template']");
            await(() -> textOrNull(page, "tr[data-template='" + name + "']"), "9m", 20);
            Response saved = RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", userKey).get("/templates/{name}", name);
            assertEquals("9m", saved.path("ttl"));
            assertEquals("kept", saved.path("env.GREETING"), "an edit keeps what the form does not show");
            assertEquals("runc", saved.path("runtime"), "and what it shows unchanged");
            page.findElement(By.cssSelector("button[aria-label='New sandbox from " + name + "']")).click();
            String id = await(() -> page.getCurrentUrl(), "/console/sandboxes/sb-", 60).replaceAll(".*/(sb-[0-9a-f]+).*", "$1");
            SANDBOXES.adopt(id);
            await(() -> textOrNull(page, ".heading .badge"), "running", 30);
            assertEquals("running", api().get("/sandboxes/{id}", id).path("state"));
        }
    }

    @Test
    void aDeveloperBuildsADockerfileWatchesItsLogAndStartsASandboxFromItsImage() throws Exception {
        String name = "console-build-" + UUID.randomUUID().toString().substring(0, 6);
        Path context = Files.createTempDirectory("console-upload-");
        Path greeting = context.resolve("greeting.txt");
        Files.writeString(greeting, "hello from the console's context\n");
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            signIn(browser, userKey, null);
            page.findElement(By.linkText("Builds")).click();
            type(page, "input[name=name]", name);
            type(page, "textarea[name=dockerfile]", String.join("\n",
                    "FROM stacyvm/base:bookworm",
                    "ARG MARK=unset",
                    "WORKDIR /srv/app",
                    "COPY greeting.txt ./",
                    "RUN cat greeting.txt && echo \"mark=$MARK\" > mark.txt && cat mark.txt",
                    "CMD [\"sleep\", \"infinity\"]"));
            type(page, "textarea[name=build_args]", "MARK=console-42");
            assertTrue(page.findElement(By.cssSelector("[data-testid=context-folder]")).getDomProperty("webkitdirectory").equals("true"),
                    "the folder picker picks folders");
            page.findElement(By.cssSelector("[data-testid=context-files]")).sendKeys(greeting.toString());
            await(() -> textOrNull(page, "[data-testid=context]"), "1 file(s)", 10);
            click(page, "//button[normalize-space()='Start build']");
            String id = await(() -> page.getCurrentUrl(), "/console/builds/bld-", 30).replaceAll(".*/(bld-[0-9a-f]+).*", "$1");
            BUILD_IDS.add(id);
            // the log as the build writes it: the RUN step's output, from the context file and the build argument
            String log = await(() -> textOrNull(page, "[data-testid=build-log]"), "mark=console-42", 240);
            assertTrue(log.contains("hello from the console's context"), log);
            await(() -> textOrNull(page, ".heading .badge"), "ready", 60);
            String image = await(() -> textOrNull(page, "[data-testid=image]"), "stacyvm.invalid/", 20);
            browser.screenshot(SCREENSHOTS.resolve("build.png"));

            click(page, "//button[normalize-space()='New sandbox from this image']");
            String sandbox = await(() -> page.getCurrentUrl(), "/console/sandboxes/sb-", 120).replaceAll(".*/(sb-[0-9a-f]+).*", "$1");
            SANDBOXES.adopt(sandbox);
            await(() -> textOrNull(page, ".heading .badge"), "running", 60);
            assertEquals(image, api().get("/sandboxes/{id}", sandbox).path("image"), "the sandbox runs the build's image");
            assertEquals("mark=console-42\n", Suite.exec(sandbox, Map.of("command", "cat /srv/app/mark.txt")).then().statusCode(200)
                    .extract().path("stdout"), "the build argument reached the RUN step");

            page.findElement(By.linkText("Builds")).click();
            await(() -> textOrNull(page, "tr[data-build='" + id + "']"), "ready", 20);
            browser.screenshot(SCREENSHOTS.resolve("builds.png"));
        } finally {
            Files.deleteIfExists(greeting);
            Files.deleteIfExists(context);
        }
    }

    @Test
    void aViewerSeesNoWriteControlAndTheApiRefusesAWriteItForces() throws Exception {
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            signIn(browser, viewerKey, null);
            assertTrue(text(page, "[data-testid=caller]").contains("viewer"));
            assertTrue(page.findElements(By.xpath("//button[normalize-space()='New sandbox']")).isEmpty(), "no create control");
            assertTrue(page.findElements(By.xpath("//button[starts-with(normalize-space(),'Destroy')]")).isEmpty(), "no destroy control");
            assertTrue(page.findElements(By.cssSelector("input[type=checkbox]")).isEmpty(), "nothing to select for a bulk action");
            assertTrue(page.findElements(By.linkText("Audit log")).isEmpty(), "the audit log is for administrators");
            page.findElement(By.linkText("Builds")).click();
            await(() -> textOrNull(page, "h1"), "Builds", 20);
            assertTrue(page.findElements(By.xpath("//button[normalize-space()='Start build']")).isEmpty(), "no build control");
            assertTrue(page.findElements(By.xpath("//button[normalize-space()='Save spec']")).isEmpty(), "no spec control");
            page.findElement(By.linkText("Sandboxes")).click();
            // the same key, from the page, straight to the API
            String forced = (String) ((JavascriptExecutor) page).executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const key = JSON.parse(sessionStorage.getItem('stacyvm.console.credential')).secret;
                    fetch('/api/v1/sandboxes', {method: 'POST', headers: {'X-API-Key': key, 'Content-Type': 'application/json'},
                        body: '{}'}).then(r => r.text().then(t => done(r.status + ' ' + t)));
                    """);
            assertTrue(forced.startsWith("403 ") && forced.contains("forbidden"), forced);
            browser.screenshot(SCREENSHOTS.resolve("viewer.png"));
        }
    }

    @Test
    void theKeyNeverEntersAUrlAndASignOutForgetsIt() throws Exception {
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            page.get(Suite.URL + "/console");
            assertEquals(Suite.URL + "/console/", page.getCurrentUrl(), "/console redirects to the console");
            type(page, "#api-key", "not-a-key");
            click(page, "//button[normalize-space()='Sign in']");
            assertTrue(await(() -> textOrNull(page, "[data-testid=error]"), "unauthorized", 20).contains("invalid or missing API key"),
                    "a wrong key shows the API's message and code");
            signIn(browser, userKey, null);
            assertFalse(page.getCurrentUrl().contains(userKey), "the key is not in the address");
            Response served = RestAssured.given().baseUri(Suite.URL).redirects().follow(false).get("/console/");
            assertEquals(200, served.statusCode());
            assertTrue(served.header("Content-Security-Policy").contains("frame-ancestors 'none'"), "the console may not be framed");
            click(page, "//button[normalize-space()='Sign out']");
            await(() -> textOrNull(page, "label[for=api-key]"), "API key", 10);
            assertEquals(null, ((JavascriptExecutor) page).executeScript(
                    "return sessionStorage.getItem('stacyvm.console.credential')"), "the tab forgot the key");
            page.navigate().refresh();
            await(() -> textOrNull(page, "label[for=api-key]"), "API key", 10);

            // a key revoked while the tab uses it: its next call sends the tab back to the sign-in page
            String doomed = createKey("doomed", "user");
            signIn(browser, doomed, null);
            api().delete("/admin/api-keys/{id}", KEY_IDS.get(KEY_IDS.size() - 1)).then().statusCode(200);
            page.findElement(By.linkText("Templates")).click();
            await(() -> textOrNull(page, "label[for=api-key]"), "API key", 20);
            assertTrue(await(() -> textOrNull(page, "[data-testid=error]"), "unauthorized", 10).contains("unauthorized"));
        }
    }

    @Test
    void withKeycloakAPersonSignsInThroughItsLoginPageAndGetsTheirAccountsRole() throws Exception {
        assumeTrue(!System.getProperty("stacyvm.keycloak-url", "").isEmpty(),
                "run through ./stacyvm test, which starts Keycloak and turns OIDC on (-Dstacyvm.keycloak-url)");
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            page.get(Suite.URL + "/console/");
            await(() -> textOrNull(page, ".oidc button"), "single sign-on", 30);
            click(page, "//button[normalize-space()='Sign in with single sign-on']");
            // Keycloak's own login page (deploy/keycloak's realm: demo / demo, role user)
            await(() -> page.getCurrentUrl(), "/realms/stacyvm/protocol/openid-connect/auth", 30);
            type(page, "#username", "demo");
            type(page, "#password", "demo");
            page.findElement(By.id("kc-login")).click();
            String caller = await(() -> textOrNull(page, "[data-testid=caller]"), "user", 30);
            assertTrue(caller.startsWith("demo/"), "the token's tenant and name: " + caller);
            assertEquals(Suite.URL + "/console/", page.getCurrentUrl(), "the code left the address");
            // the console's calls carry the token: the list loads, and its create form is there
            await(() -> textOrNull(page, "p.foot"), "shown of", 20);
            assertTrue(page.findElements(By.cssSelector("[data-testid=error]")).isEmpty(), "no refusal");
            browser.screenshot(SCREENSHOTS.resolve("sign-in-oidc.png"));
        }
    }

    @Test
    void everyPageIsUsableFromTheKeyboardAndLabelledForScreenReaders() throws Exception {
        String sandbox = SANDBOXES.create(Map.of("ttl", "5m"));
        String build = RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", Suite.API_KEY)
                .contentType("application/x-tar").queryParam("name", "accessible")
                .body(tarOf("Dockerfile", "FROM stacyvm/base:bookworm\nRUN echo accessible\n")).post("/environments/builds")
                .then().statusCode(201).extract().path("id");
        BUILD_IDS.add(build);
        Map<String, List<String>> violations = new java.util.LinkedHashMap<>();
        try (Browser browser = new Browser(1280, 900)) {
            ChromeDriver page = browser.driver();
            page.get(Suite.URL + "/console/");
            await(() -> textOrNull(page, "label[for=api-key]"), "API key", 30);
            violations.put("sign-in", axe(page));

            // signed in with the keyboard alone: Tab to the key, type it, Enter
            for (int stop = 0; stop < 10 && !"api-key".equals(focused(page).getDomAttribute("id")); stop++) {
                focused(page).sendKeys(Keys.TAB);
            }
            assertEquals("api-key", focused(page).getDomAttribute("id"), "Tab reaches the key field");
            focused(page).sendKeys(Suite.API_KEY + Keys.ENTER);
            await(() -> textOrNull(page, "[data-testid=caller]"), "admin", 20);
            // the first Tab stop skips the navigation to the page's content
            ((JavascriptExecutor) page).executeScript("document.activeElement.blur()");
            page.findElement(By.tagName("body")).sendKeys(Keys.TAB);
            assertEquals("Skip to content", focused(page).getText());
            focused(page).sendKeys(Keys.ENTER);
            assertEquals("#main", page.getCurrentUrl().replaceAll("^[^#]*", ""), "the skip link goes to the content");

            Map<String, String> pages = new java.util.LinkedHashMap<>();
            pages.put("sandboxes", "/console/");
            pages.put("templates", "/console/templates");
            pages.put("builds", "/console/builds");
            pages.put("build", "/console/builds/" + build);
            pages.put("infrastructure", "/console/infrastructure");
            pages.put("audit", "/console/audit");
            pages.put("quotas", "/console/quotas");
            pages.put("images", "/console/images");
            pages.put("keys", "/console/keys");
            for (Map.Entry<String, String> each : pages.entrySet()) {
                page.get(Suite.URL + each.getValue());
                await(() -> textOrNull(page, "main h1"), "", 20);
                // what the page loads: its tables' rows, or its empty note
                awaitOrNull(() -> page.findElements(By.cssSelector("main tbody tr, main p.empty, main [data-testid=build-log]")).isEmpty()
                        ? null : "loaded", "loaded", 10);
                violations.put(each.getKey(), axe(page));
                // and at a phone's width the page reflows: nothing makes the page itself scroll sideways
                page.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
                Thread.sleep(200);
                Number overflow = (Number) ((JavascriptExecutor) page).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                if (overflow.intValue() > 0) {
                    violations.put(each.getKey() + " at 390 px", List.of("the page scrolls sideways by " + overflow + " px"));
                }
                page.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
            }

            // a sandbox's tabs: arrow keys move between them, and each panel is checked
            page.get(Suite.URL + "/console/sandboxes/" + sandbox);
            tab(page, "Overview");
            for (String name : List.of("Terminal", "Files", "Processes", "Logs", "Stats", "Previews")) {
                focused(page).sendKeys(Keys.ARROW_RIGHT);
                assertEquals(name, focused(page).getText(), "the arrow key selects the next tab");
                assertEquals("true", focused(page).getDomAttribute("aria-selected"));
                await(() -> textOrNull(page, "[role=tabpanel]"), "", 10);
                Thread.sleep(300);
                violations.put("sandbox " + name.toLowerCase(), axe(page));
            }
            focused(page).sendKeys(Keys.ARROW_RIGHT);
            assertEquals("Overview", focused(page).getText(), "the last tab wraps to the first");
            violations.put("sandbox overview", axe(page));
        }
        // the build the page showed ends before the test does (a running build cannot be deleted)
        awaitOrNull(() -> api().get("/environments/builds/{id}", build).path("status"), "ready", 180);
        violations.values().removeIf(List::isEmpty);
        assertTrue(violations.isEmpty(), "WCAG 2.1 A/AA violations (axe-core) or sideways scrolling at 390 px: " + violations);
    }

    /**
     * The page's WCAG 2.1 A and AA violations as axe-core (Deque's rules, run in the page) finds
     * them: each as "rule (impact): the elements".
     */
    private static List<String> axe(ChromeDriver page) {
        com.deque.html.axecore.results.Results results = new com.deque.html.axecore.selenium.AxeBuilder()
                .withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")).analyze(page);
        assertFalse(results.isErrored(), "axe-core ran: " + results.getErrorMessage());
        assertTrue(results.getPasses().size() >= 10, "axe-core checked the page: " + results.getPasses().size() + " rules passed");
        return results.getViolations().stream().map(rule -> rule.getId() + " (" + rule.getImpact() + "): "
                + rule.getNodes().stream().map(node -> String.valueOf(node.getTarget())).toList()).toList();
    }

    private static WebElement focused(ChromeDriver page) {
        return page.switchTo().activeElement();
    }

    private static byte[] tarOf(String name, String content) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            byte[] data = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
            entry.setSize(data.length);
            tar.putArchiveEntry(entry);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static void signIn(Browser browser, String key, String screenshot) throws Exception {
        ChromeDriver page = browser.driver();
        page.get(Suite.URL + "/console/");
        await(() -> textOrNull(page, "label[for=api-key]"), "API key", 30);
        type(page, "#api-key", key);
        if (screenshot != null) {
            browser.screenshot(SCREENSHOTS.resolve(screenshot + ".png"));
        }
        click(page, "//button[normalize-space()='Sign in']");
        await(() -> textOrNull(page, "[data-testid=caller]"), "/", 20);
    }

    private static String createKey(String name, String role) {
        Response created = api().body(Map.of("name", name, "tenant", TENANT, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201);
        KEY_IDS.add(created.path("id"));
        return created.path("key");
    }

    /** Opens a tab of the sandbox's page, once the page has loaded the sandbox and shows its tabs. */
    private static void tab(ChromeDriver page, String name) throws InterruptedException {
        By tab = By.xpath("//button[@role='tab'][normalize-space()='" + name + "']");
        await(() -> page.findElements(tab).isEmpty() ? null : "shown", "shown", 20);
        page.findElement(tab).click();
    }

    private static void click(ChromeDriver page, String xpath) {
        page.findElement(By.xpath(xpath)).click();
    }

    private static void type(ChromeDriver page, String css, String text) {
        WebElement field = page.findElement(By.cssSelector(css));
        field.clear();
        field.sendKeys(text);
    }

    private static String text(ChromeDriver page, String css) {
        return page.findElement(By.cssSelector(css)).getText();
    }

    private static String textOrNull(ChromeDriver page, String css) {
        List<WebElement> found = page.findElements(By.cssSelector(css));
        try {
            return found.isEmpty() ? null : found.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException rerendered) {
            return null;
        }
    }

    private static String attributeOrNull(ChromeDriver page, String css, String attribute) {
        List<WebElement> found = page.findElements(By.cssSelector(css));
        return found.isEmpty() ? null : found.get(0).getDomAttribute(attribute);
    }

    /** What the terminal shows: xterm.js's DOM rows, as text. */
    private static String screen(ChromeDriver page) {
        return (String) ((JavascriptExecutor) page).executeScript(
                "const rows = document.querySelector('.xterm-rows'); return rows ? rows.innerText : null;");
    }

    /** Polls {@code read} every 100 ms for at most {@code seconds} until it holds {@code expected}; fails with what it last saw. */
    private static String await(Supplier<String> read, String expected, int seconds) throws InterruptedException {
        String seen = awaitOrNull(read, expected, seconds);
        assertTrue(seen != null && seen.contains(expected), "waited " + seconds + " s for \"" + expected + "\", saw: " + seen);
        return seen;
    }

    private static String awaitOrNull(Supplier<String> read, String expected, int seconds) throws InterruptedException {
        String seen = null;
        for (int attempt = 0; attempt < seconds * 10; attempt++) {
            seen = read.get();
            if (seen != null && seen.contains(expected)) {
                return seen;
            }
            Thread.sleep(100);
        }
        return seen;
    }

    private static int awaitStatus(Supplier<Response> request, int wanted, int seconds) throws InterruptedException {
        int status = request.get().statusCode();
        for (int attempt = 0; attempt < seconds * 5 && status != wanted; attempt++) {
            Thread.sleep(200);
            status = request.get().statusCode();
        }
        return status;
    }
}
