package dev.stacyvm.worker.files;

import dev.stacyvm.worker.provider.docker.HardenedContainers;
import java.util.ArrayList;
import java.util.List;

/**
 * The files API's operations as the sandbox agent runs them ({@code stacyvm-agent files <op>},
 * agent/README.md), inside the sandbox, as the sandbox's user, with no tool of the image: the
 * agent is the one static binary every sandbox has, so a distroless or scratch image serves
 * files as well as a Debian one. Each failure exits with one of the codes below, its first
 * stderr line naming the path, which {@link SandboxFiles} turns into a typed error.
 *
 * <p>Running inside the sandbox is what keeps the host out of reach: every path resolves in the
 * sandbox's own root and with its user's rights, so a file operation can do nothing the same user
 * could not already do with exec. The agent walks each path a component at a time without
 * following a symbolic link ({@code openat} with {@code O_NOFOLLOW} from the parent's descriptor),
 * so a link, even one swapped in while the operation runs, never redirects it: that refusal is the
 * files API's own rule.
 */
enum AgentFileOperation {

    /** $1 path: may it be read as a regular file? */
    READ_CHECK("read-check"),
    /** $1 path: its bytes on stdout. */
    READ("read"),
    /** $1 path, $2 mode: stdin into a new file beside it, renamed over it; a failure leaves nothing. */
    WRITE("write"),
    /** $1 path, $2 "true" to delete a directory with everything in it. */
    DELETE("delete"),
    /** $1 path: "size|raw mode (hex)|mtime (s)|permissions (octal)", as GNU stat's %s|%f|%Y|%a. */
    STAT("stat"),
    /** $1 directory: one "size|raw mode|mtime|permissions|name" record per entry, each ended by NUL; at most 10,000. */
    LIST("list"),
    /** $1 old path, $2 new path. */
    MOVE("move"),
    /** $1 path, $2 mode. */
    CHMOD("chmod"),
    /** $1 directory: every path below it, NUL-separated, on its own filesystem, links not followed. */
    FIND("find"),
    /** $1 directory: may it be archived? */
    ARCHIVE_CHECK("archive-check"),
    /** $1 directory: a tar stream of its contents on stdout, entries named ./... */
    ARCHIVE_READ("archive-read"),
    /** $1 directory: a tar stream on stdin unpacked into it whole or not at all. */
    ARCHIVE_WRITE("archive-write");

    static final int THROUGH_SYMLINK = 40;
    static final int NOT_FOUND = 41;
    static final int NOT_REGULAR = 42;
    static final int IS_DIRECTORY = 43;
    static final int PERMISSION_DENIED = 44;
    static final int NOT_EMPTY = 45;
    static final int NOT_DIRECTORY = 46;
    static final int DISK_FULL = 47;
    static final int BAD_ARCHIVE = 48;

    private final String name;

    AgentFileOperation(String name) {
        this.name = name;
    }

    /** The argv that runs this operation in a sandbox: the mounted agent, {@code files}, the name, the arguments. */
    List<String> argv(List<String> arguments) {
        List<String> argv = new ArrayList<>(List.of(HardenedContainers.AGENT_PATH, "files", name));
        argv.addAll(arguments);
        return argv;
    }
}
