package dev.stacyvm.gateway.rest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The OpenAPI document's frame: title, the API key scheme, and the tags the routes are grouped by. */
@OpenAPIDefinition(
        info = @Info(title = "StacyVM API", version = "v1",
                description = "Sandboxes for AI agents and code execution, wire-compatible with StacyVM's /api/v1. "
                        + "Bodies are JSON in snake_case, durations are Go strings (30s, 5m, 1h30m), errors carry "
                        + "code and message (plus RFC 9457 type, title, status, detail)."),
        security = @SecurityRequirement(name = "apiKey"),
        tags = {
            @Tag(name = "sandboxes", description = "Create, inspect, extend and destroy sandboxes; run commands in them"),
            @Tag(name = "files", description = "Files inside a sandbox, as the sandbox's user"),
            @Tag(name = "templates", description = "Named create settings"),
            @Tag(name = "operations", description = "Providers, workers, health, audit"),
        })
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER,
        apiKeyName = "X-API-Key")
public class ApiDocument extends Application {
}
