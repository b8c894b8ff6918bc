package dev.stacyvm.scheduler;

import dev.stacyvm.contract.api.SandboxState;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores a state by its wire name, so the table reads the same as the API and the events. */
@Converter
public class SandboxStateColumn implements AttributeConverter<SandboxState, String> {

    @Override
    public String convertToDatabaseColumn(SandboxState state) {
        return state == null ? null : state.wireName();
    }

    @Override
    public SandboxState convertToEntityAttribute(String column) {
        return column == null ? null : SandboxState.fromWireName(column);
    }
}
