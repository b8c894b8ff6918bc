package dev.stacyvm.worker.provider.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Error;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.NoSuchProcessException;
import dev.stacyvm.worker.error.ProtectedProcessException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ProviderCapabilities;
import dev.stacyvm.worker.provider.mock.MockSandboxProvider;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the {@code remote} provider does beyond the provider contract: credentials, an absent runtime, what it passes on. */
class RemoteSandboxProviderTest {

    private static RemoteSandboxProvider providerFor(URI url, String token) {
        return new RemoteSandboxProvider(new RemoteRuntimeClient(url, token, Duration.ofSeconds(10),
                RemoteSandboxProviderContractTest.mapper()), Duration.ofMinutes(1));
    }

    private static RuntimeSpec spec(String id, String runtime) {
        return new RuntimeSpec(id, "remote:test", "stacyvm/base:bookworm", 256, 1, Map.of(), "none", List.of(), 128, false,
                false, 256, null, null, null, false, runtime, RemoteSandboxProvider.NAME);
    }

    @Test
    void aRuntimeThatRefusesTheWorkersTokenIsUnhealthyAndEveryCallFailsSayingSo() throws Exception {
        try (ReferenceRemoteRuntime runtime = ReferenceRemoteRuntime.start(new MockSandboxProvider(), "right-token")) {
            RemoteSandboxProvider wrong = providerFor(runtime.url(), "wrong-token");
            assertFalse(wrong.healthy());
            assertEquals(List.of(), wrong.capabilities());
            ProviderFailureException refused = assertThrows(ProviderFailureException.class, () -> wrong.requireRunning("sb-0a1b2c"));
            assertTrue(refused.getMessage().contains("credential"), refused.getMessage());
            ProviderFailureException session = assertThrows(ProviderFailureException.class,
                    () -> wrong.run("sb-0a1b2c", List.of("true"), null, null, Duration.ofSeconds(5)));
            assertTrue(session.getMessage().contains("credential"), session.getMessage());
            assertTrue(providerFor(runtime.url(), "right-token").healthy());
        }
    }

    @Test
    void aRuntimeThatDoesNotAnswerIsUnhealthyAndOffersNoRuntime() throws Exception {
        URI gone;
        try (ReferenceRemoteRuntime runtime = ReferenceRemoteRuntime.start(new MockSandboxProvider(), "t")) {
            gone = runtime.url();
        }
        RemoteSandboxProvider remote = providerFor(gone, "t");
        assertFalse(remote.healthy());
        assertEquals(List.of(), remote.ociRuntimes());
        assertInstanceOf(ProviderFailureException.class, assertThrows(SandboxOperationException.class,
                () -> remote.requireRunning("sb-0a1b2c")));
    }

    @Test
    void withoutAConfiguredRuntimeTheProviderIsUnhealthyAndRefusesEveryCall() {
        RemoteSandboxProvider none = new RemoteSandboxProvider(null, Duration.ofMinutes(1));
        assertFalse(none.healthy());
        ProviderFailureException refused = assertThrows(ProviderFailureException.class, () -> none.destroy("sb-0a1b2c"));
        assertTrue(refused.getMessage().contains("stacyvm.worker.remote.url"), refused.getMessage());
    }

    @Test
    void aSandboxIdThatIsNoSandboxsNeverReachesTheRuntimesUrl() throws Exception {
        try (ReferenceRemoteRuntime runtime = ReferenceRemoteRuntime.start(new MockSandboxProvider(), "t")) {
            RemoteSandboxProvider remote = providerFor(runtime.url(), "t");
            for (String id : List.of("../health", "sb-1/../../x", "sb 1", "")) {
                assertThrows(RuntimeNotFoundException.class, () -> remote.requireRunning(id), id);
            }
        }
    }

    @Test
    void aRuntimeIsAskedOnlyForARuntimeItOffersAndImagesAreNeverPassedOn() throws Exception {
        try (ReferenceRemoteRuntime runtime = ReferenceRemoteRuntime.start(new MockSandboxProvider(), "t")) {
            RemoteSandboxProvider remote = providerFor(runtime.url(), "t");
            assertEquals(List.of(), remote.ociRuntimes(), "the mock behind it names no isolation: the default alone");
            InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                    () -> remote.create(spec("sb-0a1b2c3d", "runsc"), "w"));
            assertTrue(refused.getMessage().contains("runsc"), refused.getMessage());
            assertFalse(remote.capabilities().contains(ProviderCapabilities.IMAGES));
            assertFalse(remote.capabilities().contains(ProviderCapabilities.PREVIEW_PORTS));
            assertThrows(InvalidRequestException.class, () -> remote.imageConfig("sb-0a1b2c3d"));
        }
    }

    @Test
    void aStoppedSandboxIsAConflictAndItsCommandsAreRefusedAsTheWorkerSaysIt() throws Exception {
        MockSandboxProvider mock = new MockSandboxProvider();
        try (ReferenceRemoteRuntime runtime = ReferenceRemoteRuntime.start(mock, "t")) {
            RemoteSandboxProvider remote = providerFor(runtime.url(), "t");
            remote.create(spec("sb-00aa11", "runc"), "w");
            assertTrue(remote.holds("sb-00aa11"));
            assertFalse(remote.holds("sb-00aa12"));
            assertThrows(RuntimeNotFoundException.class, () -> remote.exec("sb-00aa12",
                    new ExecCommand(List.of("true"), Map.of(), null, Duration.ofSeconds(5)), (stream, data) -> { }));
            assertThrows(InvalidRequestException.class, () -> remote.requireWorkdir("sb-00aa11", "/no/such/dir"));
            remote.destroy("sb-00aa11");
            remote.destroy("sb-00aa11");
            assertThrows(RuntimeNotFoundException.class, () -> remote.stats("sb-00aa11"));
        }
    }

    @Test
    void aRuntimeNeverLearnsOfNorClaimsASandboxItWasNotGiven() throws Exception {
        try (ReferenceRemoteRuntime runtime = ReferenceRemoteRuntime.start(new MockSandboxProvider(), "t")) {
            RemoteSandboxProvider remote = providerFor(runtime.url(), "t");
            int before = runtime.calls();
            // the worker asks every provider but its first whether it holds a sandbox of the first (Docker)
            assertFalse(remote.holds("sb-d0c4e70000aa"));
            assertEquals(before, runtime.calls(), "asking whether it holds a sandbox called the runtime");
            remote.create(spec("sb-00bb11", "runc"), "w");
            assertTrue(remote.holds("sb-00bb11"));
            // a worker restarted forgets; the scheduler's reconciliation lists the runtimes again
            RemoteSandboxProvider restarted = providerFor(runtime.url(), "t");
            assertFalse(restarted.holds("sb-00bb11"));
            restarted.runtimes("w");
            assertTrue(restarted.holds("sb-00bb11"));
            restarted.destroy("sb-00bb11");
            assertFalse(restarted.holds("sb-00bb11"));
        }
    }

    @Test
    void aRuntimeThatAnswersWithoutEndOrStallsFailsTheCallInsteadOfHoldingTheWorker() throws Exception {
        com.sun.net.httpserver.HttpServer hostile = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hostile.createContext("/v1/sandboxes/sb-0000aa", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] block = new byte[1024 * 1024];
            try (var body = exchange.getResponseBody()) {
                for (int sent = 0; sent < 64; sent++) {
                    body.write(block);
                }
            } catch (java.io.IOException closedByTheWorker) {
                // the worker stopped reading past its limit
            }
        });
        hostile.createContext("/v1/sandboxes/sb-0000bb", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try {
                exchange.getResponseBody().write('[');
                exchange.getResponseBody().flush();
                Thread.sleep(15_000);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        hostile.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        hostile.start();
        try {
            RemoteSandboxProvider remote = new RemoteSandboxProvider(new RemoteRuntimeClient(
                    URI.create("http://127.0.0.1:" + hostile.getAddress().getPort()), "t", Duration.ofSeconds(2),
                    RemoteSandboxProviderContractTest.mapper()), Duration.ofMinutes(1));
            ProviderFailureException endless = assertThrows(ProviderFailureException.class, () -> remote.requireRunning("sb-0000aa"));
            assertTrue(endless.getMessage().contains("over 8 MiB"), endless.getMessage());
            long started = System.nanoTime();
            ProviderFailureException stalled = assertThrows(ProviderFailureException.class, () -> remote.requireRunning("sb-0000bb"));
            assertTrue(stalled.getMessage().contains("in time"), stalled.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(10)) < 0,
                    "the stalled call ended at its 2 s timeout, not the runtime's 15 s");
        } finally {
            hostile.stop(0);
        }
    }

    @Test
    void everyErrorKindReadsAsTheWorkersOwnFailureAndBack() {
        assertInstanceOf(RuntimeNotFoundException.class, RemoteErrors.toException(new Error(Error.RUNTIME_NOT_FOUND, "x"), "sb-1", null));
        assertInstanceOf(RuntimeNotRunningException.class, RemoteErrors.toException(new Error(Error.RUNTIME_NOT_RUNNING, "x"), "sb-1", null));
        assertInstanceOf(NoSuchProcessException.class, RemoteErrors.toException(new Error(Error.NO_SUCH_PROCESS, "x"), "sb-1", 42));
        assertInstanceOf(ProtectedProcessException.class, RemoteErrors.toException(new Error(Error.PROTECTED_PROCESS, "x"), "sb-1", 1));
        ProviderFailureException unknown = assertInstanceOf(ProviderFailureException.class,
                RemoteErrors.toException(new Error("something_new", "it broke"), "sb-1", null));
        assertTrue(unknown.getMessage().contains("it broke"));
        for (String kind : List.of(Error.RUNTIME_NOT_FOUND, Error.RUNTIME_NOT_RUNNING, Error.INVALID_REQUEST, Error.PROTECTED_PROCESS,
                Error.NOT_PERMITTED, Error.EXCEEDS_HOST_CAPACITY)) {
            SandboxOperationException failure = RemoteErrors.toException(new Error(kind, "m"), "sb-1", 7);
            assertEquals(kind, RemoteErrors.of(failure).error(), "round trip of " + kind);
        }
        assertEquals(404, RemoteErrors.status(Error.RUNTIME_NOT_FOUND));
        assertEquals(409, RemoteErrors.status(Error.RUNTIME_NOT_RUNNING));
        assertEquals(500, RemoteErrors.status(Error.RUNTIME_ERROR));
    }
}
