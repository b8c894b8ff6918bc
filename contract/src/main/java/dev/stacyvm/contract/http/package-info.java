/**
 * HTTP plumbing shared by the Java client and the services' own calls with the JDK client: how
 * a request body is streamed.
 */
package dev.stacyvm.contract.http;
