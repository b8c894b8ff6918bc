package dev.stacyvm.systemtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The ways one route's path can be spelled so that a check on the path string misses it while the
 * router still matches it: matrix parameters on any segment, percent-encoding, dot segments,
 * doubled slashes, case. Requests are sent with the JDK client, which sends the path as written.
 */
final class PathSpellings {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PathSpellings() {
    }

    /** At least 20 spellings of {@code path} (which starts with a slash), the plain one first. */
    static List<String> of(String path) {
        String query = "";
        int question = path.indexOf('?');
        if (question >= 0) {
            query = path.substring(question);
            path = path.substring(0, question);
        }
        String[] segments = path.substring(1).split("/");
        String rest = path.substring(segments[0].length() + 1);
        String first = segments[0];
        Set<String> spellings = new LinkedHashSet<>();
        spellings.add(path);
        for (String matrix : List.of(";x", ";", ";a=b", ";x;y=z")) {
            spellings.add("/" + first + matrix + rest);
            for (int i = 1; i < segments.length; i++) {
                spellings.add(withSegment(segments, i, segments[i] + matrix));
            }
        }
        spellings.add("//" + first + ";x" + rest);
        spellings.add("/./" + first + ";x" + rest);
        spellings.add("/" + percentFirst(first) + ";x" + rest);
        spellings.add("/" + percentFirst(first) + rest);
        spellings.add("/" + percentAll(first) + rest);
        spellings.add("/x/../" + first + rest);
        spellings.add("/x/../" + first + ";x" + rest);
        spellings.add("/.;/" + first + rest);
        spellings.add("//" + first + rest);
        spellings.add("/" + first + "//" + rest.substring(1));
        spellings.add("/" + first + "/." + rest);
        spellings.add("/" + first + ";x/." + rest.replaceFirst("/", "//"));
        spellings.add("/" + first.toUpperCase(Locale.ROOT) + rest);
        spellings.add("/" + Character.toUpperCase(first.charAt(0)) + first.substring(1) + ";x" + rest);
        spellings.add("/" + first + "%3Bx" + rest);
        spellings.add("/" + first + "%2F" + rest.substring(1));
        spellings.add(path + "/");
        spellings.add(path + ";x");
        List<String> withQuery = new ArrayList<>();
        for (String spelling : spellings) {
            withQuery.add(spelling + query);
        }
        return withQuery;
    }

    private static String withSegment(String[] segments, int index, String replacement) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            path.append('/').append(i == index ? replacement : segments[i]);
        }
        return path.toString();
    }

    private static String percentFirst(String segment) {
        return String.format("%%%02x", (int) segment.charAt(0)) + segment.substring(1);
    }

    private static String percentAll(String segment) {
        StringBuilder encoded = new StringBuilder();
        for (char c : segment.toCharArray()) {
            encoded.append(String.format("%%%02x", (int) c));
        }
        return encoded.toString();
    }

    /**
     * Sends one request as written and answers its status.
     *
     * @param body JSON, or null for none
     */
    static HttpResponse<String> send(String base, String method, String path, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A route to attack: its method, path (with any query) and a body that would make it succeed. */
    record Route(String method, String path, String body) {
        static Route get(String path) {
            return new Route("GET", path, null);
        }

        static Route post(String path, String body) {
            return new Route("POST", path, body);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }
}
