package dev.stacyvm.worker.provider.proot;

import dev.stacyvm.worker.provider.local.ProcessTree;

/**
 * The host programs the proot provider runs, by absolute path, found once on the worker's own
 * {@code PATH} (with the system folders after it): a sandbox's environment never decides which
 * program runs on the host. A program not found keeps its bare name, and the provider's health
 * check fails saying so.
 */
record HostTools(String unshare, String proot, String nsenter, String ip, String tar) {

    static HostTools find() {
        return new HostTools(ProcessTree.locate("unshare"), ProcessTree.locate("proot"), ProcessTree.locate("nsenter"),
                ProcessTree.locate("ip"), ProcessTree.locate("tar"));
    }
}
