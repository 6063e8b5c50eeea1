package dev.tessera.offline;

import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.File;
import java.util.Arrays;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where Tessera's Flink jobs run: a MiniCluster in this process by default, or the session
 * cluster at {@code tessera.flink.rest}, to which the jars of this process's class path are shipped.
 */
public final class FlinkClusters {
  private FlinkClusters() {}

  public static StreamExecutionEnvironment environment(TesseraConfig config, int parallelism, Configuration flink) {
    Optional<String> rest = config.find(CoreOptions.FLINK_REST);
    if (rest.isEmpty()) {
      return StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    }
    String[] hostPort = rest.get().split(":");
    if (hostPort.length != 2 || !hostPort[1].matches("\\d+")) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot use tessera.flink.rest '" + rest.get() + "': expected host:port of the Flink REST endpoint");
    }
    String[] jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> p.endsWith(".jar")).toArray(String[]::new);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(hostPort[0], Integer.parseInt(hostPort[1]), flink, jars);
    env.setParallelism(parallelism);
    return env;
  }
}
