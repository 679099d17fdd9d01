package org.scimflow.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.scimflow.security.SecurityConfiguration;
import org.scimflow.support.Api;
import org.scimflow.support.HubTest;

/** The console's files are public, hold no data, run under a strict CSP; its data stays behind the auditor role. */
class ConsoleServingTest extends HubTest {

    private static final Path STATIC_UI = Path.of("src/main/resources/static/ui");

    @Test
    void consoleFilesAreServedWithoutATokenUnderAStrictPolicy() {
        Api anonymous = api.withToken(null);
        for (String path : List.of("/ui/", "/ui/index.html")) {
            Api.Response page = anonymous.get(path);
            assertThat(page.status()).as(path).isEqualTo(200);
            assertThat(page.header("Content-Type")).as(path).startsWith("text/html");
            assertThat(page.raw()).contains("<script src=\"app.js\" defer></script>");
            assertThat(page.header("Content-Security-Policy")).isEqualTo(SecurityConfiguration.CONSOLE_CSP)
                    .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'");
            assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        assertThat(anonymous.get("/ui/app.js").header("Content-Type")).contains("javascript");
        assertThat(anonymous.get("/ui/app.css").header("Content-Type")).startsWith("text/css");
        assertThat(anonymous.get("/ui/favicon.svg").status()).isEqualTo(200);
    }

    @Test
    void bareUiRedirectsToTheConsole() {
        Api.Response r = api.withToken(null).get("/ui");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).endsWith("/ui/");
    }

    @Test
    void theConsoleIsReadOnly() {
        Api.Response post = api.post("/ui/index.html", "{}");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
        assertThat(api.delete("/ui/app.js").status()).isEqualTo(405);
    }

    @Test
    void theDataBehindTheConsoleStillNeedsTheAuditorRole() {
        assertThat(api.withToken(null).get("/audit/v1/events?limit=1").status()).isEqualTo(401);
        assertThat(api.withToken(SCIM_TOKEN).get("/audit/v1/events?limit=1").status()).isEqualTo(403);
        assertThat(api.withToken(AUDITOR_TOKEN).get("/audit/v1/events?limit=1").status()).isEqualTo(200);
        assertThat(api.withToken(null).get("/audit/v1/export?format=csv").status()).isEqualTo(401);
    }

    @Test
    void consoleSourcesHaveNoInlineCodeAndNoExternalUrls() throws IOException {
        String html = Files.readString(STATIC_UI.resolve("index.html"));
        // Under script-src 'self' inline code would not run: everything lives in app.js.
        assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>").matcher(html).find()).as("inline <script>").isFalse();
        assertThat(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("inline event handler").isFalse();
        assertThat(Pattern.compile("\\sstyle\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("inline style").isFalse();
        // Works offline: no CDN, no external font; only the SVG namespace names an http URL.
        try (Stream<Path> files = Files.list(STATIC_UI)) {
            files.forEach(f -> {
                String text = read(f).replace("http://www.w3.org/2000/svg", "");
                assertThat(text).as(f.toString()).doesNotContain("http://", "https://", "localStorage", "document.cookie");
            });
        }
        assertThat(read(STATIC_UI.resolve("app.js"))).contains("sessionStorage").doesNotContain("innerHTML", "eval(");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
