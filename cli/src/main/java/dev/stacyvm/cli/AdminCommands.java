package dev.stacyvm.cli;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.client.StacyVMClient;
import dev.stacyvm.contract.api.ApiKeyRequest;
import dev.stacyvm.contract.api.ApiKeyView;
import dev.stacyvm.contract.api.AuditRecordView;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.TemplateRequest;
import dev.stacyvm.contract.api.TemplateView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** templates, keys and audit. */
final class AdminCommands {

    private final StacyVMClient client;
    private final Output output;

    AdminCommands(StacyVMClient client, Output output) {
        this.client = client;
        this.output = output;
    }

    int run(String command, Args args) {
        String action = command.equals("audit") ? "" : args.positional(0, command + " action (ls, ...)");
        switch (command + " " + action) {
            case "templates ls" -> output.table(client.templates(), List.of("NAME", "IMAGE", "MEMORY", "TTL"),
                    template -> List.of(template.name(), String.valueOf(template.image()),
                            String.valueOf(template.memoryMb()), String.valueOf(template.ttl())));
            case "templates show" -> output.value(client.template(args.positional(1, "template name")),
                    template -> template.name() + ": image " + template.image() + ", memory " + template.memoryMb()
                            + " MB, ttl " + template.ttl());
            case "templates create" -> {
                Map<String, Object> spec = SandboxCommands.spec(args);
                @SuppressWarnings("unchecked")
                TemplateRequest request = new TemplateRequest(args.positional(1, "template name"),
                        (String) spec.get("image"), null, (Integer) spec.get("memory_mb"), (Integer) spec.get("vcpus"),
                        (String) spec.get("ttl"), (Map<String, String>) spec.get("metadata"),
                        (Map<String, String>) spec.get("env"), (String) spec.get("network"),
                        (List<Integer>) spec.get("ports"), (Boolean) spec.get("public_preview"), null,
                        (Boolean) spec.get("allow_root"), (Boolean) spec.get("read_only_root"), (Integer) spec.get("disk_mb"),
                        (NetworkPolicy) spec.get("network_policy"));
                output.value(client.createTemplate(request), TemplateView::name);
            }
            case "templates rm" -> {
                String name = args.positional(1, "template name");
                client.deleteTemplate(name);
                output.value(Map.of("name", name, "status", "deleted"), done -> name);
            }
            case "templates spawn" -> output.value(client.spawn(args.positional(1, "template name"),
                    SandboxCommands.spec(args)).view(), SandboxView::id);
            case "keys ls" -> output.table(client.apiKeys(), List.of("ID", "NAME", "TENANT", "ROLE", "CREATED", "REVOKED"),
                    key -> List.of(key.id(), key.name(), key.tenant(), key.role(), String.valueOf(key.createdAt()),
                            key.revokedAt() == null ? "-" : key.revokedAt().toString()));
            case "keys create" -> {
                String tenant = args.option("tenant") == null ? "default" : args.option("tenant");
                String role = args.option("role") == null ? "user" : args.option("role");
                ApiKeyView made = client.createApiKey(new ApiKeyRequest(args.positional(1, "key name"), tenant, role));
                output.value(made, key -> key.key() + "\n(id " + key.id() + "; the key is shown only now)");
            }
            case "keys revoke" -> {
                String id = args.positional(1, "key id");
                client.revokeApiKey(id);
                output.value(Map.of("id", id, "status", "revoked"), done -> id);
            }
            case "audit " -> {
                Map<String, Object> filters = new LinkedHashMap<>();
                for (String name : List.of("actor", "action", "target", "since", "until", "limit")) {
                    if (args.option(name) != null) {
                        filters.put(name, args.option(name));
                    }
                }
                output.table(client.audit(filters), List.of("ID", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME"),
                        (AuditRecordView record) -> List.of(String.valueOf(record.id()), String.valueOf(record.createdAt()),
                                record.actor(), record.action(), String.valueOf(record.target()), record.outcome()));
            }
            default -> throw new UsageException("unknown: " + command + " " + action);
        }
        return 0;
    }
}
