/**
 * The public API's wire types: what {@code /api/v1} takes and answers (StacyVM's REST API,
 * docs/api.md, with our additions), its errors ({@link dev.stacyvm.contract.api.ErrorCode},
 * {@link dev.stacyvm.contract.api.ApiError}, RFC 9457) and the rules every service applies to them.
 * A change here is a change clients see; the services' own protocol is in
 * {@link dev.stacyvm.contract.internal}.
 */
package dev.stacyvm.contract.api;
