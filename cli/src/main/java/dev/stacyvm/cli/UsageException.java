package dev.stacyvm.cli;

/** A command line the CLI cannot make sense of; it exits with status 2 and says why. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
