package org.scimflow.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/**
 * The auditor console in a real headless Chromium (Debian's chromium and chromium-driver): sign in, search,
 * open a record, a timeline, the integrity badge, the hourly chart and an export. Screenshots go to
 * {@code target/screenshots/}. Without Chromium every test is reported as skipped, with the reason.
 */
class AuditorConsoleBrowserTest extends HubTest {

    static final Path CHROMIUM = Path.of(System.getProperty("scimflow.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("scimflow.test.chromedriver", "/usr/bin/chromedriver"));
    static final String NO_CHROMIUM =
            "Chromium not installed: browser tests skipped (apt-get install chromium chromium-driver)";
    static final Duration WAIT = Duration.ofSeconds(20);

    static final Path TARGET = Path.of(System.getProperty("scimflow.test.tmp", "target"));
    static final Path SCREENSHOTS = TARGET.resolve("screenshots");
    static Path downloads;
    static ChromeDriverService service;
    static WebDriver driver;

    @RegisterExtension
    final TestWatcher screenshotOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (driver != null) {
                screenshot("failed-" + context.getRequiredTestMethod().getName());
            }
        }
    };

    @BeforeAll
    static void startBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        Files.createDirectories(SCREENSHOTS);
        downloads = Files.createTempDirectory(TARGET, "downloads-");
        Path profile = Files.createTempDirectory(TARGET, "chromium-profile-");
        // A driver given by path: Selenium Manager has nothing to look up or download.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,800");
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toAbsolutePath().toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
        if (service != null) {
            service.stop();
            service = null;
        }
    }

    @BeforeEach
    void freshConsole() {
        Assumptions.assumeTrue(driver != null, NO_CHROMIUM);
        driver.get(consoleUrl());
        js("sessionStorage.clear();");
        driver.navigate().refresh();
        waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    @Test
    void signingInShowsTheIntegrityBadgeAndKeepsTheTokenInTheTabOnly() {
        signIn(AUDITOR_TOKEN);
        WebElement badge = driver.findElement(By.id("badge"));
        assertThat(badge.isDisplayed()).isTrue();
        waitFor(d -> !"loading".equals(badge.getDomAttribute("data-status")));
        assertThat(badge.getDomAttribute("data-status")).isIn("intact", "never");
        assertThat(driver.findElement(By.id("checkpoint")).getText()).isNotBlank();

        // "Verify now" checks the whole chain, which the hub has only appended to.
        driver.findElement(By.id("verify-now")).click();
        waitFor(d -> "intact".equals(badge.getDomAttribute("data-status")));
        assertThat(driver.findElement(By.id("badge-text")).getText()).isEqualTo("Chain intact");
        assertThat(driver.findElement(By.id("badge-detail")).getText()).startsWith("verified ").contains("records");

        assertThat(js("return sessionStorage.getItem('scimflow.auditor.token');")).isEqualTo(AUDITOR_TOKEN);
        assertThat(js("return localStorage.length;")).isEqualTo(0L);
        assertThat(js("return document.cookie;")).isEqualTo("");
        assertThat(driver.getCurrentUrl()).doesNotContain(AUDITOR_TOKEN);
        screenshot("01-signed-in");

        driver.findElement(By.id("logout")).click();
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        assertThat(js("return sessionStorage.getItem('scimflow.auditor.token');")).isNull();
        assertThat(driver.findElements(By.cssSelector("#results-body tr"))).isEmpty();
        assertNoPolicyViolations();
    }

    @Test
    void aTamperedVerificationTurnsTheBadgeRedWithTheFirstFinding() {
        signIn(AUDITOR_TOKEN);
        WebElement badge = driver.findElement(By.id("badge"));
        waitFor(d -> !"loading".equals(badge.getDomAttribute("data-status")));
        // The shared hub's chain must stay intact for the other tests, so the page's fetch answers this
        // one verification with what the hub reports for a tampered chain.
        js("""
            const real = window.fetch;
            window.fetch = (url, init) => String(url).endsWith('/audit/v1/verify')
              ? Promise.resolve(new Response(JSON.stringify({status: 'tampered', checkedAt: '2026-11-29T07:00:00Z',
                  checked: 40, firstSeq: 1, lastSeq: 40, findings: [
                    {seq: 17, kind: 'HASH_MISMATCH', detail: 'content does not hash to record_hash'},
                    {seq: 18, kind: 'CHAIN_BREAK', detail: 'prev_hash is not the hash of seq 17'}],
                  lastCheckpoint: null}), {status: 200, headers: {'Content-Type': 'application/json'}}))
              : real(url, init);
            """);
        driver.findElement(By.id("verify-now")).click();
        waitFor(d -> "tampered".equals(badge.getDomAttribute("data-status")));
        assertThat(driver.findElement(By.id("badge-text")).getText()).isEqualTo("Tampered");
        assertThat(driver.findElement(By.id("badge-detail")).getText())
                .startsWith("#17 HASH_MISMATCH: content does not hash to record_hash (+1 more)");
        assertThat(driver.findElement(By.id("checkpoint")).getText()).isEqualTo("No checkpoint yet");
        assertThat(badge.getCssValue("color")).isEqualTo("rgba(185, 28, 28, 1)");
        screenshot("07-tampered-badge");
    }

    @Test
    void aWrongTokenOrAClientWithoutTheAuditorRoleStaysOnTheLoginForm() {
        typeToken("not-a-token");
        WebElement error = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
        assertThat(error.getText()).contains("not accepted").contains("401");
        assertThat(driver.findElement(By.id("app-view")).isDisplayed()).isFalse();
        assertThat(js("return sessionStorage.getItem('scimflow.auditor.token');")).isNull();
        screenshot("02-bad-token");

        typeToken(SCIM_TOKEN);
        waitFor(d -> d.findElement(By.id("login-error")).getText().contains("403"));
        assertThat(error.getText()).contains("lacks the auditor role");
        assertThat(driver.findElement(By.id("app-view")).isDisplayed()).isFalse();
    }

    @Test
    void searchingBySubjectFindsTheRecordAndShowsItsChanges() {
        String userName = Fixtures.unique("console");
        String id = createAndRename(userName, "Renamed In Console");

        signIn(AUDITOR_TOKEN);
        driver.findElement(By.id("f-subject")).sendKeys(userName);
        new Select(driver.findElement(By.id("f-order"))).selectByValue("asc");
        driver.findElement(By.id("search-submit")).click();
        waitFor(d -> d.findElement(By.id("search-status")).getText().startsWith("2 events shown"));

        List<WebElement> rows = driver.findElements(By.cssSelector("#results-body tr.result"));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).getText()).contains("scim.user.create", userName, "success", "201", "bootstrap");
        assertThat(rows.get(1).getText()).contains("scim.user.patch", "200");

        rows.get(1).click();
        WebElement dialog = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("record-dialog")));
        assertThat(dialog.findElement(By.id("record-fields")).getText()).contains(id, "scim.user.patch", "bootstrap");
        WebElement change = dialog.findElement(By.cssSelector("#record-changes-body tr.change"));
        assertThat(change.findElement(By.tagName("th")).getText()).isEqualTo("displayName");
        assertThat(change.findElement(By.cssSelector("td.old")).getText()).isEqualTo("Display " + userName);
        assertThat(change.findElement(By.cssSelector("td.new")).getText()).isEqualTo("Renamed In Console");
        assertThat(dialog.findElement(By.id("record-hash")).getText()).matches("[0-9a-f]{64}");
        screenshot("03-record");

        driver.findElement(By.id("record-close")).click();
        waitFor(ExpectedConditions.invisibilityOfElementLocated(By.id("record-dialog")));
        // A subject in the results leads to that person's timeline.
        rows.get(0).findElement(By.cssSelector("button.subject-link")).click();
        waitFor(d -> d.findElement(By.id("timeline-status")).getText().startsWith("2 events"));
        assertThat(driver.findElement(By.id("timeline-id")).getDomProperty("value")).isEqualTo(id);
    }

    @Test
    void theTimelineShowsAPersonsEventsInOrderGroupedByExchange() {
        String userName = Fixtures.unique("timeline");
        String id = createAndRename(userName, "Timeline Renamed");
        var read = api.get("/scim/v2/Users/" + id);
        assertThat(read.status()).isEqualTo(200);
        // A read is recorded off the request thread: its record must be in before the next write's, or the
        // timeline's order (by seq) would differ from the order of the calls.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "select count(*) from audit_event where correlation_id = ?", Long.class, read.header("X-Request-Id")) == 1);
        assertThat(api.patch("/scim/v2/Users/" + id,
                Fixtures.patch("[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]")).status()).isEqualTo(200);

        signIn(AUDITOR_TOKEN);
        driver.findElement(By.id("tab-timeline")).click();
        driver.findElement(By.id("timeline-id")).sendKeys(userName);
        driver.findElement(By.id("timeline-submit")).click();
        waitFor(d -> d.findElement(By.id("timeline-status")).getText().startsWith("4 events in 4 exchanges"));

        assertThat(driver.findElement(By.id("timeline-subject")).getText()).contains(userName, id, "ext-" + userName);
        List<WebElement> events = driver.findElements(By.cssSelector("#timeline-groups li.tl-event"));
        List<Long> seqs = events.stream().map(e -> Long.parseLong(e.getDomAttribute("data-seq"))).toList();
        assertThat(seqs).hasSize(4).isSorted();
        assertThat(events).extracting(e -> e.findElement(By.cssSelector(".tl-action")).getText())
                .containsExactly("scim.user.create", "scim.user.patch", "scim.user.read", "scim.user.patch");
        assertThat(events.get(3).getText()).contains("active", "true → false");
        assertThat(driver.findElements(By.cssSelector("#timeline-groups section.tl-group"))).hasSize(4);
        screenshot("04-timeline");

        events.get(0).findElement(By.cssSelector("button.open-record")).click();
        WebElement dialog = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("record-dialog")));
        assertThat(dialog.findElement(By.id("record-fields")).getText()).contains("scim.user.create");
        driver.findElement(By.id("record-close")).click();

        WebElement input = driver.findElement(By.id("timeline-id"));
        input.clear();
        input.sendKeys("nobody-" + userName);
        driver.findElement(By.id("timeline-submit")).click();
        waitFor(d -> d.findElement(By.id("timeline-status")).getText().startsWith("No audit events for"));
        assertThat(driver.findElements(By.cssSelector("#timeline-groups li.tl-event"))).isEmpty();
    }

    @Test
    void theHourlyChartDrawsStackedBarsPerChannelAndOutcome() {
        String userName = Fixtures.unique("chart");
        assertThat(api.post("/scim/v2/Users", Fixtures.user(userName)).status()).isEqualTo(201);
        assertThat(api.withToken(null).get("/scim/v2/Users").status()).isEqualTo(401);

        signIn(AUDITOR_TOKEN);
        driver.findElement(By.id("tab-activity")).click();
        waitFor(d -> "done".equals(d.findElement(By.id("chart-status")).getDomAttribute("data-state")));
        List<WebElement> bars = driver.findElements(By.cssSelector("#chart-canvas svg rect.bar"));
        assertThat(bars).isNotEmpty();
        assertThat(bars).extracting(b -> b.getDomAttribute("data-channel")).contains("scim-in", "audit-read");
        assertThat(bars).extracting(b -> b.getDomAttribute("data-outcome")).contains("success", "denied");
        assertThat(driver.findElements(By.cssSelector("#chart-canvas svg rect.hatch"))).isNotEmpty();
        assertThat(driver.findElement(By.id("chart-legend")).getText()).contains("scim-in", "denied");
        screenshot("05-activity");
        assertNoPolicyViolations();
    }

    @Test
    void exportButtonsDownloadTheFilteredRecordsWithTheToken() throws IOException {
        String userName = Fixtures.unique("export");
        createAndRename(userName, "Exported Name");

        signIn(AUDITOR_TOKEN);
        driver.findElement(By.id("f-subject")).sendKeys(userName);
        driver.findElement(By.id("export-ndjson")).click();
        WebElement status = driver.findElement(By.id("export-status"));
        waitFor(d -> "done".equals(status.getDomAttribute("data-state"))
                && "ndjson".equals(status.getDomAttribute("data-format")));
        assertThat(status.getText()).startsWith("Downloaded scimflow-audit-").contains(".ndjson");
        assertThat(Long.parseLong(status.getDomAttribute("data-bytes"))).isPositive();

        // The records matching the filters, then the hub's signed manifest as the last line.
        Path file = waitForDownload(".ndjson");
        List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(3);
        for (String line : lines.subList(0, 2)) {
            JsonNode record = mapper.readTree(line);
            assertThat(record.at("/subject/name").asText()).isEqualTo(userName);
            assertThat(record.get("recordHash").asText()).hasSize(64);
        }
        JsonNode manifest = mapper.readTree(lines.get(2)).get("scimflowExportManifest");
        assertThat(manifest.get("count").asLong()).isEqualTo(2);
        assertThat(manifest.at("/filters/subject").asText()).isEqualTo(userName);

        driver.findElement(By.id("export-csv")).click();
        waitFor(d -> "csv".equals(status.getDomAttribute("data-format")));
        Path csv = waitForDownload(".csv");
        List<String> rows = Files.readAllLines(csv);
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).startsWith("seq,eventId,");
        assertThat(rows.get(1)).contains(userName, "scim.user.create");
        assertThat(rows.get(3)).startsWith("# {\"scimflowExportManifest\"");
        screenshot("06-export");
    }

    // ---------- helpers ----------

    private String consoleUrl() {
        return "http://localhost:" + port + "/ui/";
    }

    private String createAndRename(String userName, String displayName) {
        var created = api.post("/scim/v2/Users", Fixtures.user(userName));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();
        var renamed = api.patch("/scim/v2/Users/" + id,
                Fixtures.patch("[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"" + displayName + "\"}]"));
        assertThat(renamed.status()).isEqualTo(200);
        return id;
    }

    private void typeToken(String token) {
        WebElement input = driver.findElement(By.id("token"));
        input.clear();
        input.sendKeys(token);
        driver.findElement(By.id("login-submit")).click();
    }

    private void signIn(String token) {
        typeToken(token);
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("app-view")));
        waitFor(d -> "done".equals(d.findElement(By.id("search-status")).getDomAttribute("data-state")));
    }

    private Path waitForDownload(String suffix) {
        Path[] found = new Path[1];
        waitFor(d -> {
            found[0] = newestDownload(suffix).orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    private static Optional<Path> newestDownload(String suffix) {
        try (Stream<Path> files = Files.list(downloads)) {
            // Chromium writes *.crdownload first and renames when complete.
            return files.filter(f -> f.getFileName().toString().endsWith(suffix))
                    .max(Comparator.comparingLong(f -> f.toFile().lastModified()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void assertNoPolicyViolations() {
        List<String> violations = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to"))
                .toList();
        assertThat(violations).as("CSP violations in the browser console").isEmpty();
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static <T> T waitFor(java.util.function.Function<? super WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).until(condition);
    }

    private static void screenshot(String name) {
        try {
            Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.createDirectories(SCREENSHOTS);
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
