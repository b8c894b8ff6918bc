package dev.stacyvm.worker.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobPatternTest {

    @ParameterizedTest
    @CsvSource({
        "/workspace/**/*.py, /workspace/a.py, true",
        "/workspace/**/*.py, /workspace/x/y/b.py, true",
        "/workspace/**/*.py, /workspace/a.txt, false",
        "/workspace/*.py, /workspace/x/b.py, false",
        "/workspace/**, /workspace/x/y, true",
        "/w/?.txt, /w/a.txt, true",
        "/w/?.txt, /w/ab.txt, false",
        "/w/[ab].txt, /w/b.txt, true",
        "/w/[!ab].txt, /w/b.txt, false",
        "'/w/*.{py,js}', /w/app.js, true",
        "'/w/*.{py,js}', /w/app.rb, false",
        "/w/a+b(1).txt, /w/a+b(1).txt, true",
    })
    void matchesLikeAShellWithGlobstar(String glob, String path, boolean matches) {
        assertEquals(matches, GlobPattern.compile(glob).matcher(path).matches(), glob + " ~ " + path);
    }
}
