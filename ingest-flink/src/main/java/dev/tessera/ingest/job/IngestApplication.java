package dev.tessera.ingest.job;

import dev.tessera.config.IngestOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ingest job of one feature set major as a Flink application: the entry class that a Flink
 * cluster runs (the Flink Kubernetes Operator's {@code FlinkDeployment} in application mode, as
 * {@code tessera deploy render} writes it). Unlike {@code tessera ingest}, it builds the job on
 * the environment the cluster provides, with checkpointing, state backend and restore path from the
 * cluster's configuration (which the rendered deployment sets from the Tessera config).
 *
 * <p>{@code IngestApplication --contract /etc/tessera/contracts/customer_activity.yaml}; the
 * Tessera config comes from {@code $TESSERA_CONFIG} (or {@code --config <file>}).
 */
public final class IngestApplication {
  private IngestApplication() {}

  public static void main(String[] args) throws Exception {
    Path contractFile = null;
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--contract" -> contractFile = Path.of(value(args, ++i, "--contract"));
        case "--config" -> configFile = Path.of(value(args, ++i, "--config"));
        default -> throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Unknown argument '" + args[i]
            + "': expected --contract <file> [--config <file>]");
      }
    }
    if (contractFile == null) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Give the contract: --contract <file>");
    }
    TesseraConfig config = TesseraConfig.resolve(null, configFile, Map.of());
    FeatureSetContract contract = ContractRegistry.loadFile(contractFile);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(config.get(IngestOptions.CHECKPOINT_INTERVAL).toMillis());
    IngestPipeline pipeline = IngestJob.define(env, contract, IngestEnvironment.settings(config, contract, false)
        .withArchive(config.get(IngestOptions.ARCHIVE)));
    pipeline.rollout().check(); // the state this version resumes must be one it can continue (else: refused, naming the change)
    JobClient job = env.executeAsync("tessera ingest " + contract.id());
    pipeline.recordRollout();
    job.getJobExecutionResult().get();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, option + " needs a value");
    }
    return args[i];
  }
}
