package dev.stacyvm.support.auth;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;

/** Finds the access rule a resource method declares (see {@link AccessRule}). */
public final class AccessRules {

    private AccessRules() {
    }

    /**
     * The rule that governs {@code method}: its own, else its class's; null when neither declares
     * one (the route is then refused).
     */
    public static Annotation of(Class<?> resource, Method method) {
        Annotation own = ruleAmong(method.getAnnotations());
        return own != null ? own : ruleAmong(resource.getAnnotations());
    }

    private static Annotation ruleAmong(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            if (annotation.annotationType().isAnnotationPresent(AccessRule.class)) {
                return annotation;
            }
        }
        return null;
    }

    /** Whether a method serves HTTP requests: it carries {@code @GET}, {@code @POST} and the like. */
    public static boolean isResourceMethod(Method method) {
        return Arrays.stream(method.getAnnotations())
                .anyMatch(annotation -> annotation.annotationType().isAnnotationPresent(HttpMethod.class));
    }

    /**
     * Every resource method of the {@code @Path} classes compiled under {@code packageName} (on
     * the file system, as in a module's own tests), as {@code Class#method} with its rule or
     * without one.
     *
     * @return one entry per resource method; {@link Route#rule()} is null where none is declared
     */
    public static List<Route> routesIn(String packageName, ClassLoader loader) {
        List<Route> routes = new ArrayList<>();
        try {
            Enumeration<URL> roots = loader.getResources(packageName.replace('.', '/'));
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                if (!"file".equals(root.getProtocol())) {
                    continue;
                }
                java.nio.file.Path base = Paths.get(root.toURI());
                try (Stream<java.nio.file.Path> files = Files.walk(base)) {
                    for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        String relative = base.relativize(file).toString().replace(java.io.File.separatorChar, '.');
                        String name = packageName + "." + relative.substring(0, relative.length() - ".class".length());
                        Class<?> type = Class.forName(name, false, loader);
                        if (!type.isAnnotationPresent(Path.class) || type.isInterface()
                                || Modifier.isAbstract(type.getModifiers())) {
                            continue;
                        }
                        for (Method method : type.getDeclaredMethods()) {
                            if (isResourceMethod(method)) {
                                routes.add(new Route(type.getSimpleName() + "#" + method.getName(), of(type, method),
                                        httpMethods(method)));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return routes;
    }

    private static List<String> httpMethods(Method method) {
        return Arrays.stream(method.getAnnotations())
                .map(annotation -> annotation.annotationType().getAnnotation(HttpMethod.class))
                .filter(java.util.Objects::nonNull).map(HttpMethod::value).toList();
    }

    /**
     * A resource method ({@code Class#method}), the rule it declares (null: none) and its HTTP
     * methods ({@code GET}, {@code POST}, ...).
     */
    public record Route(String method, Annotation rule, List<String> httpMethods) {
    }
}
