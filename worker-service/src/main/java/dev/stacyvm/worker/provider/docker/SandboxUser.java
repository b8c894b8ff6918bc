package dev.stacyvm.worker.provider.docker;

/**
 * The numeric user and group a sandbox's container runs as: numeric, so it never depends on the
 * image's {@code /etc/passwd}.
 *
 * @param uid the user id, at least 0
 * @param gid the group id, at least 0
 */
record SandboxUser(int uid, int gid) {

    /** Root, only for templates an administrator allowed to run as root. */
    static final SandboxUser ROOT = new SandboxUser(0, 0);

    /**
     * The configured sandbox user, {@code uid:gid}.
     *
     * @throws IllegalStateException when it is not two numbers or names root (uid or gid 0): a
     *                               misconfiguration must stop the worker, not run sandboxes as root
     */
    static SandboxUser parse(String configured) {
        String text = configured == null ? "" : configured.trim();
        if (!text.matches("[0-9]{1,9}:[0-9]{1,9}")) {
            throw new IllegalStateException("stacyvm.worker.sandbox-user must be a numeric uid:gid, not \"" + configured + "\"");
        }
        String[] parts = text.split(":");
        SandboxUser user = new SandboxUser(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        if (user.uid == 0 || user.gid == 0) {
            throw new IllegalStateException("stacyvm.worker.sandbox-user must not be root (uid or gid 0): " + configured);
        }
        return user;
    }

    /** As the engine takes it: {@code uid:gid}. */
    String spec() {
        return uid + ":" + gid;
    }
}
