package dev.stacyvm.contract.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
        "30s, PT30S",
        "5m, PT5M",
        "1h30m, PT1H30M",
        "1.5s, PT1.5S",
        "250ms, PT0.25S",
        "0, PT0S",
        "2h0m0s, PT2H",
        ".5s, PT0.5S",
        "1h1m1s1ms, PT1H1M1.001S",
        "-3s, PT-3S",
    })
    void parsesGoDurations(String text, String expected) {
        assertEquals(Duration.parse(expected), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "30", "s", "5 m", "1d", "abc", "1h-30m", "10seconds", "1.2.3s"})
    void rejectsWhatGoRejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }

    @ParameterizedTest
    @CsvSource({
        "PT1H30M, 1h30m0s",
        "PT30S, 30s",
        "PT5M, 5m0s",
        "PT1.5S, 1.5s",
        "PT0.15S, 150ms",
        "PT0S, 0s",
        "PT0.000002S, 2µs",
        "PT26H3.25S, 26h0m3.25s",
    })
    void formatsLikeGo(String duration, String expected) {
        assertEquals(expected, GoDuration.format(Duration.parse(duration)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1h30m0s", "42ms", "3.5s", "7m0s"})
    void roundTrips(String text) {
        assertEquals(text, GoDuration.format(GoDuration.parse(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-5m", "later"})
    void aFieldThatMustBePositiveIsABadRequestNamingIt(String text) {
        ApiException refused = assertThrows(ApiException.class, () -> GoDuration.parsePositiveField("ttl", text));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertTrue(refused.getMessage().startsWith("ttl"), refused.getMessage());
    }
}
