package dev.stacyvm.scheduler.rest;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.internal.ImagePins;
import dev.stacyvm.scheduler.ImagePin;
import dev.stacyvm.scheduler.WarmPoolDemands;
import dev.stacyvm.support.auth.AuthenticatedWorker;
import dev.stacyvm.support.auth.CalledByWorker;
import dev.stacyvm.support.auth.InternalApi;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Pinned images: services declare them ({@code PUT /internal/image-pins/{source}}, service token),
 * workers read the union before collecting unused images ({@code GET
 * /internal/image-pins/workers/{id}}, the worker's own credential).
 */
@Path("/internal/image-pins")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class InternalImagePinResource {

    static final int MAX_PINS = 10_000;

    @Inject
    AuthenticatedWorker caller;

    /** Replaces the images {@code source} pins. */
    @PUT
    @Path("/{source}")
    @InternalApi
    @Transactional
    public ImagePins put(@PathParam("source") String source, ImagePins pins) {
        if (source == null || !source.matches("[a-z0-9-]{1,63}") || pins == null || pins.images().size() > MAX_PINS
                || pins.pools().size() > MAX_PINS) {
            throw ApiException.badRequest("a source ([a-z0-9-]) and at most " + MAX_PINS + " images and pools are required");
        }
        ImagePin.delete("id.source", source);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (String image : pins.images().stream().distinct().toList()) {
            ImagePin pin = new ImagePin();
            pin.id = new ImagePin.Id(source, image);
            pin.updatedAt = now;
            pin.persist();
        }
        WarmPoolDemands demands = WarmPoolDemands.findById(source);
        if (demands == null) {
            demands = new WarmPoolDemands();
            demands.source = source;
        }
        demands.pools = pins.pools();
        demands.updatedAt = now;
        demands.persist();
        return pins;
    }

    /** Every pinned image and every warm pool asked for, whichever service asked. */
    @GET
    @Path("/workers/{id}")
    @CalledByWorker
    @Transactional
    public ImagePins pinned(@PathParam("id") String workerId) {
        caller.requireSelf(workerId);
        return new ImagePins(ImagePin.<ImagePin>listAll().stream().map(pin -> pin.id.image()).distinct().sorted().toList(),
                WarmPoolDemands.<WarmPoolDemands>listAll().stream().flatMap(demands -> demands.pools.stream()).toList());
    }
}
