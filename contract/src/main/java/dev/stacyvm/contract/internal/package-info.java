/**
 * The services' own protocol, never shown on {@code /api/v1}: what the gateway asks the
 * scheduler for ({@link dev.stacyvm.contract.internal.SandboxSpec}, owner limits and usage), what
 * the scheduler asks a worker for ({@link dev.stacyvm.contract.internal.RuntimeSpec}, handles and
 * statuses), and how a worker registers. These may change in step across the services.
 */
package dev.stacyvm.contract.internal;
