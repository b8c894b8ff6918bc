package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** A file or directory as {@code files/list} and {@code files/stat} show it; {@code mode} is octal, e.g. {@code "0644"}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FileInfo(String name, String path, long size, boolean isDir, Instant modTime, String mode) {
}
