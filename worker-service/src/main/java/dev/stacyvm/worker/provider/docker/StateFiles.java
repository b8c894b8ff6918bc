package dev.stacyvm.worker.provider.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Small line files the worker keeps in its state folder, read whole and replaced atomically. */
final class StateFiles {

    private StateFiles() {
    }

    /** The file's lines, trimmed, blank ones left out; none when it does not exist. */
    static List<String> read(Path file) {
        try {
            return Files.isRegularFile(file)
                    ? Files.readAllLines(file).stream().map(String::trim).filter(line -> !line.isEmpty()).toList()
                    : List.of();
        } catch (IOException unreadable) {
            throw new UncheckedIOException("cannot read " + file, unreadable);
        }
    }

    /** Replaces the file with these lines, so a crash leaves the old file or the new one, never half of one. */
    static void write(Path file, Iterable<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.write(next, lines);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException unwritable) {
            throw new UncheckedIOException("cannot write " + file, unwritable);
        }
    }
}
