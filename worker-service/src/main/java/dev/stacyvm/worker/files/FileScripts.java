package dev.stacyvm.worker.files;

/**
 * The shell scripts the files API runs inside a sandbox, as the sandbox's user, with POSIX sh and
 * coreutils or busybox. Each starts with the same checks; a failure exits with one of the codes
 * below, which {@link SandboxFiles} turns into a typed error.
 *
 * <p>Running inside the sandbox is what keeps the host out of reach: every path, symbolic links
 * included, resolves in the sandbox's own root and with its user's rights, so a file operation
 * can do nothing the same user could not already do with exec. The symbolic-link refusal on top
 * is the files API's own rule, so that a link never silently redirects an operation.
 */
final class FileScripts {

    static final int THROUGH_SYMLINK = 40;
    static final int NOT_FOUND = 41;
    static final int NOT_REGULAR = 42;
    static final int IS_DIRECTORY = 43;
    static final int PERMISSION_DENIED = 44;
    static final int NOT_EMPTY = 45;
    static final int NOT_DIRECTORY = 46;
    static final int DISK_FULL = 47;
    static final int BAD_ARCHIVE = 48;

    private static final String PRELUDE = """
            set -f
            export LC_ALL=C
            made= tmp=
            undo() {
              if [ -n "$tmp" ]; then rm -rf -- "$tmp"; fi
              if [ -n "$made" ]; then rm -rf -- "$made"; fi
            }
            fail() { code=$1; shift; printf '%s\\n' "$*" >&2; undo; exit "$code"; }
            full() { case "$1" in *"No space"*|*"uota"*) return 0;; esac; return 1; }
            topmissing() {
              t=$1
              while :; do p=${t%/*}; [ -n "$p" ] || p=/; [ -e "$p" ] && break; t=$p; done
              printf '%s' "$t"
            }
            mkparents() {
              if [ ! -d "$1" ]; then
                [ -e "$1" ] && fail 46 "$1"
                made=$(topmissing "$1")
                if ! e=$(mkdir -p -- "$1" 2>&1); then full "$e" && fail 47 "$1"; fail 44 "$1"; fi
                nolinks "$1"
              fi
            }
            nolinks() {
              q=
              saved_ifs=$IFS
              IFS=/
              for c in $1; do
                [ -n "$c" ] || continue
                q="$q/$c"
                if [ -L "$q" ]; then IFS=$saved_ifs; fail 40 "$q"; fi
              done
              IFS=$saved_ifs
            }
            exists() { [ -e "$1" ] || [ -L "$1" ] || fail 41 "$1"; }
            parent() { d=${1%/*}; [ -n "$d" ] || d=/; printf '%s' "$d"; }
            """;

    /** $1 path: may it be read as a regular file? */
    static final String READ_CHECK = PRELUDE + """
            nolinks "$1"; exists "$1"
            [ -d "$1" ] && fail 43 "$1"
            [ -f "$1" ] || fail 42 "$1"
            [ -r "$1" ] || fail 44 "$1"
            exit 0
            """;

    /** $1 path: its bytes on stdout. */
    static final String READ = PRELUDE + """
            nolinks "$1"
            [ -f "$1" ] || fail 42 "$1"
            cat -- "$1" 2>/dev/null || fail 44 "$1"
            """;

    /**
     * $1 path, $2 mode: stdin into a new file beside it, then renamed over it (a link there is
     * replaced, not followed). A failure leaves nothing: not the new file, not a folder it made.
     */
    static final String WRITE = PRELUDE + """
            nolinks "$1"
            [ "$1" = / ] && fail 43 /
            d=$(parent "$1")
            mkparents "$d"
            [ -d "$1" ] && fail 43 "$1"
            if [ -e "$1" ] && [ ! -f "$1" ]; then fail 42 "$1"; fi
            [ -w "$d" ] && [ -x "$d" ] || fail 44 "$1"
            tmp="$d/.stacyvm-write.$$"
            if ! e=$( { cat > "$tmp"; } 2>&1 ); then full "$e" && fail 47 "$1"; fail 44 "$1"; fi
            chmod "$2" "$tmp" 2>/dev/null
            mv -f -- "$tmp" "$1" 2>/dev/null || fail 44 "$1"
            tmp=
            """;

    /** $1 path, $2 "true" to delete a directory with everything in it. */
    static final String DELETE = PRELUDE + """
            nolinks "$1"; exists "$1"
            [ "$1" = / ] && fail 42 /
            if [ -d "$1" ]; then
              if [ "$2" = true ]; then
                rm -rf -- "$1" 2>/dev/null; [ -e "$1" ] && fail 44 "$1"
              else
                rmdir -- "$1" 2>/dev/null && exit 0
                [ -n "$(ls -A -- "$1" 2>/dev/null)" ] && fail 45 "$1"
                fail 44 "$1"
              fi
            else
              rm -f -- "$1" 2>/dev/null; if [ -e "$1" ] || [ -L "$1" ]; then fail 44 "$1"; fi
            fi
            exit 0
            """;

    /** $1 path: "size|raw mode (hex)|mtime (s)|permissions (octal)". */
    static final String STAT = PRELUDE + """
            nolinks "$1"; exists "$1"
            stat -c '%s|%f|%Y|%a' -- "$1" 2>/dev/null || fail 44 "$1"
            """;

    /** $1 directory: one "size|raw mode|mtime|permissions|name" record per entry, each ended by NUL. */
    static final String LIST = PRELUDE + """
            nolinks "$1"; exists "$1"
            [ -d "$1" ] || fail 46 "$1"
            cd -- "$1" 2>/dev/null || fail 44 "$1"
            set +f
            n=0
            for f in * .[!.]* ..?*; do
              [ -e "$f" ] || [ -L "$f" ] || continue
              n=$((n + 1)); [ "$n" -le 10000 ] || break
              stat -c '%s|%f|%Y|%a|%n' -- "$f" 2>/dev/null && printf '\\0'
            done
            exit 0
            """;

    /** $1 old path, $2 new path. */
    static final String MOVE = PRELUDE + """
            nolinks "$1"; exists "$1"
            [ "$1" = / ] && fail 42 /
            nolinks "$2"
            d=$(parent "$2")
            if [ ! -d "$d" ]; then
              [ -e "$d" ] && fail 46 "$d"
              mkdir -p -- "$d" 2>/dev/null || fail 44 "$d"
            fi
            if [ -d "$2" ] && [ ! -d "$1" ]; then fail 43 "$2"; fi
            mv -f -- "$1" "$2" 2>/dev/null || fail 44 "$2"
            """;

    /** $1 path, $2 mode. */
    static final String CHMOD = PRELUDE + """
            nolinks "$1"; exists "$1"
            chmod "$2" "$1" 2>/dev/null || fail 44 "$1"
            """;

    /** $1 directory: every path below it, NUL-separated, without following links. */
    static final String FIND = PRELUDE + """
            nolinks "$1"
            [ -d "$1" ] || exit 0
            find "$1" -xdev -mindepth 1 -print0 2>/dev/null
            exit 0
            """;

    /** $1 directory: may it be archived? */
    static final String ARCHIVE_CHECK = PRELUDE + """
            nolinks "$1"; exists "$1"
            [ -d "$1" ] || fail 46 "$1"
            [ -r "$1" ] && [ -x "$1" ] || fail 44 "$1"
            exit 0
            """;

    /** $1 directory: a tar stream of its contents on stdout. */
    static final String ARCHIVE_READ = PRELUDE + """
            nolinks "$1"
            exec tar -c -C "$1" -f - .
            """;

    /**
     * $1 directory: the tar stream on stdin unpacked (with the modes its entries carry) into a
     * fresh folder inside it first, then each entry linked into place (no second copy of the
     * bytes), so a refused or failed archive leaves nothing behind, not even a folder it made.
     * A folder the caller may not write to is refused before anything is written; the target's
     * own mode and owner stay as they are.
     */
    static final String ARCHIVE_WRITE = PRELUDE + """
            nolinks "$1"
            mkparents "$1"
            [ -w "$1" ] && [ -x "$1" ] || fail 44 "$1"
            tmp=$(mktemp -d "$1/.stacyvm-upload.XXXXXX" 2>/dev/null) || fail 44 "$1"
            if ! e=$(tar -x -p -C "$tmp" -f - 2>&1); then
              full "$e" && fail 47 "$1"
              fail 48 "$1"
            fi
            cd -- "$tmp" || fail 44 "$1"
            set +f
            for entry in * .[!.]* ..?*; do
              [ -e "$entry" ] || [ -L "$entry" ] || continue
              # linked where it can be; copied across a mount inside the folder
              if ! e=$(cp -a -l -f -- "$entry" "$1/" 2>&1) && ! e=$(cp -a -f -- "$entry" "$1/" 2>&1); then
                full "$e" && fail 47 "$1"
                fail 44 "$1"
              fi
            done
            cd / && rm -rf -- "$tmp"
            """;

    private FileScripts() {
    }
}
