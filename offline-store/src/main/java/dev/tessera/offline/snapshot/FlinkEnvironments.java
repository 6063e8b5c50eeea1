package dev.tessera.offline.snapshot;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.offline.OfflineOptions;
import java.io.File;
import java.util.Arrays;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where Flink snapshot jobs run: a MiniCluster in this process by default, or the cluster at
 * {@code tessera.snapshot.flink.rest} (session cluster REST endpoint), to which the jars of this
 * process's class path are shipped.
 */
final class FlinkEnvironments {
  private FlinkEnvironments() {}

  static StreamExecutionEnvironment create(TesseraConfig config) {
    int parallelism = config.get(OfflineOptions.FLINK_PARALLELISM);
    Optional<String> rest = config.find(OfflineOptions.FLINK_REST);
    if (rest.isEmpty()) {
      return StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
    }
    String[] hostPort = rest.get().split(":");
    if (hostPort.length != 2 || !hostPort[1].matches("\\d+")) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot use tessera.snapshot.flink.rest '" + rest.get() + "': expected host:port of the Flink REST endpoint");
    }
    String[] jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> p.endsWith(".jar")).toArray(String[]::new);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(hostPort[0], Integer.parseInt(hostPort[1]), jars);
    env.setParallelism(parallelism);
    return env;
  }
}
