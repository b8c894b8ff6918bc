package dev.stacyvm.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.support.auth.AccessRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deny by default: a resource method without an access rule is refused at run time, and this
 * test keeps every route of the service from shipping without one.
 */
class EveryRouteDeclaresAnAccessRuleTest {

    @Test
    void everyResourceMethodDeclaresAnAccessRule() {
        List<AccessRules.Route> routes = AccessRules.routesIn("dev.stacyvm.gateway", getClass().getClassLoader());
        assertFalse(routes.isEmpty(), "the service's resource classes were found");
        List<String> undeclared = routes.stream().filter(route -> route.rule() == null).map(AccessRules.Route::method).toList();
        assertEquals(List.of(), undeclared, "resource methods without an access rule");
    }

    @Test
    void openAndReadLevelsAreOnlyOnReadingMethods() throws Exception {
        for (AccessRules.Route route : AccessRules.routesIn("dev.stacyvm.gateway", getClass().getClassLoader())) {
            if (route.rule() instanceof dev.stacyvm.gateway.auth.Access access
                    && (access.value() == dev.stacyvm.gateway.auth.Access.Level.OPEN
                    || access.value() == dev.stacyvm.gateway.auth.Access.Level.READ)) {
                assertTrue(route.httpMethods().stream().allMatch(m -> m.equals("GET") || m.equals("HEAD")),
                        route.method() + " is open to readers but changes things");
            }
        }
    }
}
