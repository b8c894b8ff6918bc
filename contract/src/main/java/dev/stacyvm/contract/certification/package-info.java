/**
 * Runtime certification (docs/certification.md): the report {@code ./stacyvm certify} writes, the
 * host fingerprint a report holds for, and how a worker decides its certification state from the
 * reports it finds.
 */
package dev.stacyvm.contract.certification;
