package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.config.GatewayConfig;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UploadSlotsTest {

    private final UploadSlots slots = new UploadSlots();

    UploadSlotsTest() {
        GatewayConfig.Uploads uploads = (GatewayConfig.Uploads) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {GatewayConfig.Uploads.class},
                (proxy, method, args) -> method.getName().equals("maxConcurrentPerCaller") ? 2 : Duration.ofSeconds(5));
        slots.config = (GatewayConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {GatewayConfig.class}, (proxy, method, args) -> uploads);
    }

    @Test
    void anOwnerPastItsLimitIsRefusedWithRetryAfter() {
        slots.take("acme:alice", "acme/app");
        slots.take("acme:alice", "acme/app");
        ApiException refused = assertThrows(ApiException.class, () -> slots.take("acme:alice", "acme/other-app"));
        assertEquals(ErrorCode.TOO_MANY_UPLOADS, refused.code());
        assertEquals(5L, refused.retryAfterSeconds());
        assertEquals(2, slots.underWay("acme:alice"), "a refused upload takes nothing");
    }

    @Test
    void aKeyPastItsLimitIsRefusedWhateverOwnerItNames() {
        slots.take("acme:alice", "acme/app");
        slots.take("acme:bob", "acme/app");
        assertThrows(ApiException.class, () -> slots.take("acme:carol", "acme/app"));
        assertEquals(0, slots.underWay("acme:carol"), "the owner's slot is given back when the key's is refused");
    }

    @Test
    void releasedSlotsComeBackOnceEach() {
        UploadSlots.Slot first = slots.take("acme:alice", "acme/app");
        slots.take("acme:alice", "acme/app");
        first.release();
        first.release();
        slots.take("acme:alice", "acme/app");
        assertThrows(ApiException.class, () -> slots.take("acme:alice", "acme/app"));
    }
}
