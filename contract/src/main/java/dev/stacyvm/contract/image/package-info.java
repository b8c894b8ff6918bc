/**
 * Container images as every service reads them: references in the engine's grammar
 * ({@link dev.stacyvm.contract.image.ImageReference}), a tenant's allow and deny patterns
 * ({@link dev.stacyvm.contract.image.ImagePolicy}) and the registry credential a worker pulls with
 * ({@link dev.stacyvm.contract.image.RegistryCredential}).
 */
package dev.stacyvm.contract.image;
