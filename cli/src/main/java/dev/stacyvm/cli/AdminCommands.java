package dev.stacyvm.cli;

import dev.stacyvm.contract.api.ApiKeyRequest;
import dev.stacyvm.contract.api.ApiKeyView;
import dev.stacyvm.contract.api.AuditRecordView;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.TemplateRequest;
import dev.stacyvm.contract.api.TemplateView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** templates, keys and audit. */
final class AdminCommands {

    private AdminCommands() {
    }

    @Command(name = "templates", description = "Sandbox templates.", mixinStandardHelpOptions = true,
            subcommands = {TemplatesLs.class, TemplatesShow.class, TemplatesCreate.class, TemplatesRm.class,
                TemplatesSpawn.class})
    static final class Templates {
    }

    @Command(name = "ls", description = "List the templates.", mixinStandardHelpOptions = true)
    static final class TemplatesLs extends ApiCommand {

        TemplatesLs(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().table(client().templates(), List.of("NAME", "IMAGE", "MEMORY", "TTL"),
                    template -> List.of(template.name(), String.valueOf(template.image()),
                            String.valueOf(template.memoryMb()), String.valueOf(template.ttl())));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one template.", mixinStandardHelpOptions = true)
    static final class TemplatesShow extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the template")
        String name;

        TemplatesShow(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().value(client().template(name),
                    template -> template.name() + ": image " + template.image() + ", memory " + template.memoryMb()
                            + " MB, ttl " + template.ttl());
            return 0;
        }
    }

    @Command(name = "create", description = "Create a template from the spawn options.", mixinStandardHelpOptions = true)
    static final class TemplatesCreate extends ApiCommand {
        @Mixin
        SpawnOptions spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "the template's name")
        String name;

        TemplatesCreate(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            TemplateRequest request = new TemplateRequest(name, spec.image, null, spec.memoryMb, spec.vcpus, spec.ttl,
                    spec.metadata.isEmpty() ? null : spec.metadata, spec.env.isEmpty() ? null : spec.env, spec.network,
                    spec.ports.isEmpty() ? null : spec.ports, spec.publicPreview ? Boolean.TRUE : null, null, null, null, null,
                    spec.networkPolicy(), null, null, spec.runtime);
            output().value(client().createTemplate(request), TemplateView::name);
            return 0;
        }
    }

    @Command(name = "rm", description = "Delete a template.", mixinStandardHelpOptions = true)
    static final class TemplatesRm extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the template")
        String name;

        TemplatesRm(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            client().deleteTemplate(name);
            output().value(Map.of("name", name, "status", "deleted"), done -> name);
            return 0;
        }
    }

    @Command(name = "spawn", description = "Create a sandbox from a template and print its id.", mixinStandardHelpOptions = true)
    static final class TemplatesSpawn extends ApiCommand {
        @Mixin
        SpawnOptions spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "the template")
        String name;

        TemplatesSpawn(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().value(client().spawn(name, spec.body()).view(), SandboxView::id);
            return 0;
        }
    }

    @Command(name = "keys", description = "API keys (admin).", mixinStandardHelpOptions = true,
            subcommands = {KeysLs.class, KeysCreate.class, KeysRevoke.class})
    static final class Keys {
    }

    @Command(name = "ls", description = "List the API keys.", mixinStandardHelpOptions = true)
    static final class KeysLs extends ApiCommand {

        KeysLs(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().table(client().apiKeys(), List.of("ID", "NAME", "TENANT", "ROLE", "CREATED", "REVOKED"),
                    key -> List.of(key.id(), key.name(), key.tenant(), key.role(), String.valueOf(key.createdAt()),
                            key.revokedAt() == null ? "-" : key.revokedAt().toString()));
            return 0;
        }
    }

    @Command(name = "create", description = "Create an API key; the key is shown only now.", mixinStandardHelpOptions = true)
    static final class KeysCreate extends ApiCommand {
        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "user", description = "viewer, user, operator or admin (default ${DEFAULT-VALUE})")
        String role;
        @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "default", description = "the key's tenant (default ${DEFAULT-VALUE})")
        String tenant;
        @Parameters(index = "0", paramLabel = "NAME", description = "the key's name")
        String name;

        KeysCreate(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            ApiKeyView made = client().createApiKey(new ApiKeyRequest(name, tenant, role));
            output().value(made, key -> key.key() + "\n(id " + key.id() + "; the key is shown only now)");
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke an API key.", mixinStandardHelpOptions = true)
    static final class KeysRevoke extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the key's id")
        String id;

        KeysRevoke(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            client().revokeApiKey(id);
            output().value(Map.of("id", id, "status", "revoked"), done -> id);
            return 0;
        }
    }

    @Command(name = "audit", description = "The audit log (admin).", mixinStandardHelpOptions = true)
    static final class Audit extends ApiCommand {
        @Option(names = "--action", paramLabel = "ACTION", description = "e.g. sandbox.create")
        String action;
        @Option(names = "--actor", paramLabel = "ACTOR", description = "who acted")
        String actor;
        @Option(names = "--target", paramLabel = "TARGET", description = "what was acted on")
        String target;
        @Option(names = "--since", paramLabel = "TIME", description = "RFC 3339 time")
        String since;
        @Option(names = "--until", paramLabel = "TIME", description = "RFC 3339 time")
        String until;
        @Option(names = "--limit", paramLabel = "N", description = "at most N records")
        Integer limit;

        Audit(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            Map<String, Object> filters = new LinkedHashMap<>();
            put(filters, "actor", actor);
            put(filters, "action", action);
            put(filters, "target", target);
            put(filters, "since", since);
            put(filters, "until", until);
            put(filters, "limit", limit);
            output().table(client().audit(filters), List.of("ID", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME"),
                    (AuditRecordView record) -> List.of(String.valueOf(record.id()), String.valueOf(record.createdAt()),
                            record.actor(), record.action(), String.valueOf(record.target()), record.outcome()));
            return 0;
        }

        private static void put(Map<String, Object> filters, String name, Object value) {
            if (value != null) {
                filters.put(name, String.valueOf(value));
            }
        }
    }
}
