package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.stacyvm.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.time.Duration;

/**
 * One Docker client per worker, over the engine's socket. It reads no docker CLI configuration
 * ({@code ~/.docker/config.json}, {@code DOCKER_CONFIG}): a login there would otherwise be sent with
 * every pull that has no tenant credential, and let any tenant pull what the operator's account may.
 */
@ApplicationScoped
public class DockerClientProducer {

    @Produces
    @ApplicationScoped
    DockerClient dockerClient(WorkerConfig config) {
        DockerClientConfig clientConfig = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(config.dockerHost())
                // never the host user's docker login: a pull is a tenant's credential or anonymous
                .withDockerConfig(java.nio.file.Path.of(config.stateDir()).toAbsolutePath().resolve("no-docker-config")
                        .toString())
                .withRegistryUsername(null).withRegistryPassword(null).withRegistryEmail(null)
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .sslConfig(clientConfig.getSSLConfig())
                .maxConnections(200)
                .connectionTimeout(Duration.ofSeconds(5))
                // exec output streams stay open as long as the command runs
                .responseTimeout(Duration.ofHours(2))
                .build();
        return DockerClientImpl.getInstance(clientConfig, http);
    }

    void close(@Disposes DockerClient client) throws IOException {
        client.close();
    }
}
