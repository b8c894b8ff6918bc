package dev.stacyvm.gateway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BuildContextTest {

    private BuildContext context;

    @BeforeEach
    void context() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            file(tar, "./Dockerfile", "FROM img\n");
            file(tar, "app.py", "print(1)\n");
            dir(tar, "src/");
            file(tar, "src/a.txt", "a");
            file(tar, "src/deep/b.txt", "b");
            file(tar, "notes.md", "n");
        }
        context = BuildContext.receive(new ByteArrayInputStream(bytes.toByteArray()), 1 << 20);
    }

    @AfterEach
    void close() throws IOException {
        context.close();
    }

    @Test
    void theDockerfileIsReadFromTheContextsTop() throws IOException {
        assertEquals("FROM img\n", context.dockerfile("Dockerfile"));
        assertThrows(BuildContext.ContextException.class, () -> context.dockerfile("other/Dockerfile"));
    }

    @Test
    void aFileToADirectoryKeepsItsNameAndToAPathTakesThePath() throws IOException {
        BuildContext.Selection into = context.select(List.of("app.py"), "/srv/", 0, 0);
        assertEquals("/srv", into.directory());
        assertEquals(List.of("app.py"), names(into));
        BuildContext.Selection renamed = context.select(List.of("app.py"), "/srv/main.py", 0, 0);
        assertEquals("/srv", renamed.directory());
        assertEquals(List.of("main.py"), names(renamed));
    }

    @Test
    void aDirectoryCopiesItsContentsEvenWithoutATrailingSlash() throws IOException {
        BuildContext.Selection selection = context.select(List.of("src"), "/app", 1000, 1000);
        assertEquals("/app", selection.directory());
        assertEquals(List.of("a.txt", "deep/b.txt"), names(selection));
    }

    @Test
    void patternsMatchWithinOneDirectoryLevel() throws IOException {
        BuildContext.Selection selection = context.select(List.of("*.py", "*.md"), "/x/", 0, 0);
        assertEquals(List.of("app.py", "notes.md"), names(selection));
    }

    @Test
    void copiedEntriesGetTheOwnerAsked() throws IOException {
        BuildContext.Selection selection = context.select(List.of("app.py"), "/srv/", 1000, 1001);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(selection.tar()))) {
            TarArchiveEntry entry = tar.getNextEntry();
            assertEquals(1000, entry.getLongUserId());
            assertEquals(1001, entry.getLongGroupId());
        } finally {
            Files.deleteIfExists(selection.tar());
        }
    }

    @Test
    void aSourceOutsideTheContextOrMissingIsRefused() {
        assertTrue(assertThrows(BuildContext.ContextException.class,
                () -> context.select(List.of("../etc/passwd"), "/x", 0, 0)).getMessage().contains("outside"));
        assertTrue(assertThrows(BuildContext.ContextException.class,
                () -> context.select(List.of("nothing.txt"), "/x", 0, 0)).getMessage().contains("not in the build context"));
    }

    @Test
    void aPatternOfManyStarsMatchesInLinearTime() {
        // a regular expression backtracks for minutes on this; the segment match does not
        String name = "a".repeat(200);
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertTrue(!BuildContext.Glob.of("*a*a*a*a*a*a*a*a*a*a*a*a*b").matches(name));
        }
        assertTrue(BuildContext.Glob.of("src/*.t?t").matches("src/a.txt"));
        assertTrue(!BuildContext.Glob.of("*.txt").matches("src/a.txt"), "a star never crosses /");
        assertTrue(BuildContext.Glob.of("[!b]pp.py").matches("app.py"));
        assertEquals("deep/b.txt", BuildContext.Glob.of("s*c").below("src/deep/b.txt"));
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "matched quickly");
    }

    @Test
    void aContextPastTheLimitIsRefused() {
        assertThrows(BuildContext.ContextException.class,
                () -> BuildContext.receive(new ByteArrayInputStream(new byte[2048]), 1024));
    }

    private static List<String> names(BuildContext.Selection selection) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(selection.tar()))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    names.add(entry.getName());
                }
            }
        }
        Files.deleteIfExists(selection.tar());
        return names;
    }

    private static void file(TarArchiveOutputStream tar, String name, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static void dir(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(new TarArchiveEntry(name));
        tar.closeArchiveEntry();
    }
}
