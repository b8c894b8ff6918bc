package dev.stacyvm.contract.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/sandboxes/{id}/files} (StacyVM's; {@code encoding} is ours): text
 * {@code content}, or with {@code encoding: "base64"} any bytes; {@code mode} is octal ({@code "644"} or
 * {@code "0644"}), {@code "644"} when left out.
 */
@Schema(description = "The body of POST /api/v1/sandboxes/{id}/files (StacyVM's REST API; encoding is ours): writes "
        + "one file as the sandbox's user, replacing the file that was there and creating missing parent "
        + "directories.")
public record WriteFileRequest(
        @Schema(description = "Where to write: an absolute path inside the sandbox, without a .. component, at most "
                + "4096 bytes and 255 bytes a name.", examples = "/workspace/main.py")
        String path,
        @Schema(description = "The file's content: UTF-8 text, or with encoding \"base64\" any bytes, base64-encoded. "
                + "Left out: an empty file.", examples = "print(40 + 2)")
        String content,
        @Schema(description = "The file's permission bits, in octal: \"644\" or \"0644\". Default \"644\".",
                examples = "0755")
        String mode,
        @Schema(description = "\"base64\" when content is base64-encoded bytes; empty or left out for text.",
                examples = "base64")
        String encoding) {

    /** The {@code encoding} of content sent as base64 (any bytes), rather than as text. */
    public static final String BASE64 = "base64";
}
