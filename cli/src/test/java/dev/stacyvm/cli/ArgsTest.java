package dev.stacyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the command line is split: what a user types must reach the sandbox unchanged after {@code --}. */
class ArgsTest {

    @Test
    void optionsFlagsAndPositionals() {
        Args args = new Args(List.of("sb-1", "--timeout", "5s", "--json", "--env=A=1", "--env", "B=x=y", "echo"),
                Main.FLAGS);
        assertEquals(List.of("sb-1", "echo"), args.positional());
        assertEquals("5s", args.option("timeout"));
        assertTrue(args.flag("json"));
        assertEquals(Map.of("A", "1", "B", "x=y"), args.pairs("env"));
    }

    @Test
    void everythingAfterTheDoubleDashIsTheCommand() {
        Args args = new Args(List.of("sb-1", "--", "ls", "--json", "-la", "--"), Main.FLAGS);
        assertEquals(List.of("sb-1", "ls", "--json", "-la", "--"), args.positional());
        assertTrue(args.optionNames().isEmpty());
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThrows(UsageException.class, () -> new Args(List.of("--ttl"), Main.FLAGS));
        assertThrows(UsageException.class, () -> new Args(List.of("--env", "NOVALUE"), Main.FLAGS).pairs("env"));
        assertThrows(UsageException.class, () -> new Args(List.of("--memory", "lots"), Main.FLAGS).integer("memory"));
        assertThrows(UsageException.class, () -> new Args(List.of(), Main.FLAGS).positional(0, "sandbox id"));
    }
}
