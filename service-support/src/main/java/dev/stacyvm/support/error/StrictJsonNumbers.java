package dev.stacyvm.support.error;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Every service's JSON mapper refuses a fractional number where a whole one is expected
 * ({@code "vcpus": 1.5}): Jackson would otherwise truncate it to 1 without a word. The refusal is
 * a {@code 400 bad_request} naming the field ({@link MalformedJsonMapper}), as StacyVM's Go server
 * refuses it ({@code encoding/json} does not put {@code 1.5} into an int).
 */
@Singleton
public class StrictJsonNumbers implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }
}
