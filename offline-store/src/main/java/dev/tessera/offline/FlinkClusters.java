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
 * cluster at {@code tessera.flink.rest}, to which the jars of this process's class path are shipped,
 * except those the cluster's Flink distribution has ({@code tessera.flink.provided-jars}: Flink's own
 * jars, the RocksDB it bundles, logging). Connectors (Kafka, Iceberg), Tessera and their libraries go
 * with the job and load in its user-code class loader.
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
    String[] jars = shippedJars(System.getProperty("java.class.path"), config.get(CoreOptions.FLINK_PROVIDED_JARS));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(hostPort[0], Integer.parseInt(hostPort[1]), flink, jars);
    env.setParallelism(parallelism);
    return env;
  }

  /** The jars of {@code classpath} to ship with a job: every jar whose file name does not match {@code provided}. */
  public static String[] shippedJars(String classpath, String provided) {
    java.util.regex.Pattern p;
    try {
      p = java.util.regex.Pattern.compile(provided);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot use tessera.flink.provided-jars '" + provided
          + "': expected a regular expression of jar file names (" + e.getDescription() + ")");
    }
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(j -> j.endsWith(".jar"))
        .filter(j -> !p.matcher(new File(j).getName()).matches())
        .toArray(String[]::new);
  }
}
