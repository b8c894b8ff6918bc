package dev.stacyvm.systemtests;

import java.util.HashMap;
import java.util.Map;

/**
 * How the system tests reach the suite's Kafka: its address and the SASL/SCRAM-SHA-512 client
 * settings of a principal (the tests' own, {@code system-tests}, or a service's when a test acts
 * as that service), as ./stacyvm test passes them.
 */
final class SuiteKafka {

    static final String BOOTSTRAP = System.getProperty("stacyvm.kafka-bootstrap", "127.0.0.1:7592");
    /** The tests' own principal: may write the audit topic, read the dead letters, use groups system-tests.*. */
    static final String TEST_PRINCIPAL = "system-tests";

    private SuiteKafka() {
    }

    /** Client settings for {@code principal} with {@code password}: bootstrap, SASL_PLAINTEXT, SCRAM-SHA-512. */
    static Map<String, Object> as(String principal, String password) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", BOOTSTRAP);
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "SCRAM-SHA-512");
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + principal + "\" password=\"" + password + "\";");
        return config;
    }

    /** Client settings of the tests' own principal. */
    static Map<String, Object> asTests() {
        return as(TEST_PRINCIPAL, password("stacyvm.kafka-password"));
    }

    /** A password passed as a system property; empty when not run through ./stacyvm test. */
    static String password(String property) {
        return System.getProperty(property, "");
    }
}
