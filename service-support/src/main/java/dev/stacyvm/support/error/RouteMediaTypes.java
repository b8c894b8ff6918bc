package dev.stacyvm.support.error;

import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The media types each served route accepts ({@code @Consumes}) and answers in ({@code @Produces}),
 * read once from this service's JAX-RS resources, so that a {@code 415} or {@code 406} can name what
 * the route would have taken (RFC 9110, sections 15.5.16 and 15.5.7).
 */
@ApplicationScoped
public class RouteMediaTypes {

    private record Route(String method, Pattern path, List<String> consumes, List<String> produces) {
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{\\s*\\w[\\w.-]*\\s*(?::\\s*((?:[^{}]|\\{[^{}]*\\})+))?\\}");

    private volatile List<Route> routes;

    /** What the routes for {@code method} on {@code path} accept, sorted; empty when none says. */
    public Set<String> consumes(String method, String path) {
        Set<String> types = new TreeSet<>();
        for (Route route : matching(method, path)) {
            types.addAll(route.consumes());
        }
        return types;
    }

    /** What the routes for {@code method} on {@code path} answer in, sorted; empty when none says. */
    public Set<String> produces(String method, String path) {
        Set<String> types = new TreeSet<>();
        for (Route route : matching(method, path)) {
            types.addAll(route.produces());
        }
        return types;
    }

    private List<Route> matching(String method, String path) {
        String normalized = path == null ? "/" : "/" + path.replaceAll("^/+|/+$", "");
        List<Route> found = new ArrayList<>();
        for (Route route : routes()) {
            if (route.method().equalsIgnoreCase(method) && route.path().matcher(normalized).matches()) {
                found.add(route);
            }
        }
        return found;
    }

    private List<Route> routes() {
        List<Route> known = routes;
        if (known == null) {
            known = new ArrayList<>();
            for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
                Class<?> type = bean.getBeanClass();
                Path base = type.getAnnotation(Path.class);
                if (base != null) {
                    addRoutes(type, base.value(), known);
                }
            }
            routes = known;
        }
        return known;
    }

    private static void addRoutes(Class<?> type, String base, List<Route> into) {
        for (Method method : type.getMethods()) {
            String verb = httpMethod(method);
            if (verb == null) {
                continue;
            }
            Path sub = method.getAnnotation(Path.class);
            String template = base + (sub == null ? "" : "/" + sub.value());
            into.add(new Route(verb, toPattern(template),
                    types(method.getAnnotation(Consumes.class), type.getAnnotation(Consumes.class)),
                    types(method.getAnnotation(Produces.class), type.getAnnotation(Produces.class))));
        }
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    private static List<String> types(Consumes onMethod, Consumes onClass) {
        Consumes chosen = onMethod != null ? onMethod : onClass;
        return chosen == null ? List.of() : split(chosen.value());
    }

    private static List<String> types(Produces onMethod, Produces onClass) {
        Produces chosen = onMethod != null ? onMethod : onClass;
        return chosen == null ? List.of() : split(chosen.value());
    }

    private static List<String> split(String[] values) {
        List<String> out = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }

    /** A JAX-RS path template as a regex: {@code {id}} one segment, {@code {p: regex}} its regex. */
    static Pattern toPattern(String template) {
        String normalized = "/" + template.replaceAll("/+", "/").replaceAll("^/+|/+$", "");
        StringBuilder regex = new StringBuilder();
        Matcher parameter = PARAMETER.matcher(normalized);
        int at = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(normalized.substring(at, parameter.start())));
            regex.append(parameter.group(1) == null ? "[^/]+" : "(?:" + parameter.group(1).strip() + ")");
            at = parameter.end();
        }
        regex.append(Pattern.quote(normalized.substring(at)));
        return Pattern.compile(regex.toString());
    }
}
