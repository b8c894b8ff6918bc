package dev.stacyvm.worker.files;

import dev.stacyvm.worker.error.InvalidRequestException;
import java.util.regex.Pattern;

/**
 * Shell-style globs over absolute paths: {@code *} and {@code ?} within one name, {@code [..]}
 * classes, {@code {a,b}} alternatives, and {@code **} across directories, where {@code a/**}{@code /b}
 * also matches {@code a/b} (zero directories), as in bash's globstar and Python's glob.
 */
final class GlobPattern {

    private GlobPattern() {
    }

    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        boolean slashFollows = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                        regex.append(slashFollows ? "(?:.*/)?" : ".*");
                        i += slashFollows ? 2 : 1;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                case '[' -> {
                    int close = glob.indexOf(']', i + 1);
                    if (close < 0) {
                        throw new InvalidRequestException("pattern has an unclosed [");
                    }
                    String members = glob.substring(i + 1, close);
                    if (members.startsWith("!")) {
                        members = "^" + members.substring(1);
                    }
                    regex.append('[').append(members.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                    i = close;
                }
                case '{' -> {
                    depth++;
                    regex.append("(?:");
                }
                case '}' -> {
                    if (depth == 0) {
                        throw new InvalidRequestException("pattern has an unopened }");
                    }
                    depth--;
                    regex.append(')');
                }
                case ',' -> regex.append(depth > 0 ? "|" : ",");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (depth != 0) {
            throw new InvalidRequestException("pattern has an unclosed {");
        }
        try {
            return Pattern.compile(regex.toString());
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new InvalidRequestException("pattern is not a valid glob");
        }
    }
}
