package dev.stacyvm.contract.api;

/**
 * The body of {@code POST /api/v1/sandboxes/{id}/files}: text {@code content}, or with
 * {@code encoding: "base64"} any bytes; {@code mode} is octal ({@code "644"} or {@code "0644"}).
 */
public record WriteFileRequest(String path, String content, String mode, String encoding) {

    public static final String BASE64 = "base64";
}
