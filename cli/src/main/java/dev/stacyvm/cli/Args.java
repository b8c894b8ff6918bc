package dev.stacyvm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line split into options ({@code --name value}, {@code --name=value}, flags without a
 * value) and positional arguments; {@code --} ends the options, so that what follows (a command
 * to run in a sandbox) is taken as it is.
 */
final class Args {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    /** @param flags the options that take no value */
    Args(List<String> words, Set<String> flags) {
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("--")) {
                positional.addAll(words.subList(i + 1, words.size()));
                return;
            }
            if (!word.startsWith("--") || word.length() == 2) {
                positional.add(word);
                continue;
            }
            String name = word.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (flags.contains(name)) {
                value = "true";
            } else if (i + 1 < words.size()) {
                value = words.get(++i);
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            options.computeIfAbsent(name, ignored -> new ArrayList<>()).add(value);
        }
    }

    String option(String name) {
        List<String> values = options.get(name);
        return values == null ? null : values.get(values.size() - 1);
    }

    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    boolean flag(String name) {
        return "true".equals(option(name));
    }

    Integer integer(String name) {
        String value = option(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, not \"" + value + "\"");
        }
    }

    /** {@code KEY=VALUE} options as a map, e.g. {@code --env A=1 --env B=2}. */
    Map<String, String> pairs(String name) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : all(name)) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new UsageException("--" + name + " takes KEY=VALUE, not \"" + pair + "\"");
            }
            pairs.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return pairs;
    }

    List<String> positional() {
        return positional;
    }

    String positional(int index, String what) {
        if (index >= positional.size()) {
            throw new UsageException("missing " + what);
        }
        return positional.get(index);
    }

    Set<String> optionNames() {
        return options.keySet();
    }
}
