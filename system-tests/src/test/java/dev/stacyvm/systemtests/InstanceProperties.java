package dev.stacyvm.systemtests;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Tells the system tests where the instance under test answers, before any of them runs: the
 * {@code instance.properties} the launcher writes when it has started the services (URLs, ports,
 * secrets; {@code ./stacyvm test} names its test instance's file with {@code -Dstacyvm.instance}).
 * Without that property, the checkout's own instance ({@code .stacyvm/instance.properties}) is
 * used, so {@code mvn -pl system-tests test -Dstacyvm.system-tests=true} runs against a running
 * {@code ./stacyvm up}. A property given on the command line wins over the file's.
 */
public class InstanceProperties implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!Boolean.getBoolean("stacyvm.system-tests")) {
            return;
        }
        String named = System.getProperty("stacyvm.instance");
        Path file = named != null ? Path.of(named) : Path.of("..", ".stacyvm", "instance.properties");
        if (!Files.isRegularFile(file)) {
            if (named != null) {
                throw new IllegalStateException("no instance description at " + file + ": start it with ./stacyvm up");
            }
            return; // every setting on the command line, as before
        }
        Properties instance = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            instance.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        instance.stringPropertyNames().forEach(name -> {
            if (System.getProperty(name) == null) {
                System.setProperty(name, instance.getProperty(name));
            }
        });
    }
}
