package dev.tessera.cli.ingest;

import dev.tessera.cli.CliContext;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.config.IngestOptions;
import dev.tessera.ingest.job.IngestJob;
import dev.tessera.ingest.job.IngestPipeline;
import dev.tessera.ingest.job.IngestEnvironment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera ingest}: the Flink job of one feature set, from Kafka or from a backfill file. */
@Command(
    name = "ingest",
    description = {
      "Run the Flink job of a feature set: source topic -> validation (DLQ) -> windows -> changelog topic and Iceberg.",
      "  tessera ingest --contract contracts/examples/customer_activity.yaml        (Kafka: tessera.kafka.bootstrap-servers)",
      "  tessera ingest --contract c.yaml --from-file events.jsonl                   (backfill; DLQ file beside the input)"
    })
public final class IngestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--contract", required = true, paramLabel = "<file>", description = "The contract of the feature set.")
  Path contractFile;

  @Option(names = "--from-file", paramLabel = "<events.jsonl|events.avro>", description = "Backfill from a file instead of Kafka.")
  Path fromFile;

  @Option(names = "--flink-rest", paramLabel = "<host:port>", description = "Submit to this Flink session cluster (default: tessera.flink.rest, else a MiniCluster). A streaming job is submitted and the command returns its id; with --bounded it waits for the job to finish.")
  String flinkRest;

  @Option(names = "--bounded", description = "Stop at the current end of the topic instead of running until stopped.")
  boolean bounded;

  @Option(names = "--resume-from", paramLabel = "<savepoint|checkpoint>", description = "Resume from a savepoint or retained checkpoint.")
  Path resumeFrom;

  @Option(names = "--bootstrap", paramLabel = "<file>",
      description = "Window state written by `tessera backfill --bootstrap-out` for the savepoint given with --resume-from.")
  String bootstrap;

  @Override
  public Integer call() throws Exception {
    if (bootstrap != null && resumeFrom == null) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "--bootstrap " + bootstrap
          + ": needs --resume-from (the savepoint the backfill started from)");
    }
    Map<String, String> overrides = new HashMap<>();
    if (flinkRest != null) {
      overrides.put(dev.tessera.config.CoreOptions.FLINK_REST.key(), flinkRest);
    }
    CliContext ctx = CliContext.of(spec, overrides);
    TesseraConfig config = ctx.config();
    FeatureSetContract contract = ContractRegistry.loadFile(contractFile);
    if (fromFile != null && !Files.isRegularFile(fromFile)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot ingest from '" + fromFile + "': no such file");
    }
    if (fromFile == null && config.find(IngestOptions.BOOTSTRAP_SERVERS).isPresent()) {
      // brokers that refuse the credential, or cannot be reached: one clear error now, not a job restarting forever
      dev.tessera.kafka.KafkaClients.of(config).verify(java.time.Duration.ofSeconds(30));
    }
    StreamExecutionEnvironment env = IngestEnvironment.environment(config, resumeFrom);
    IngestPipeline pipeline = IngestJob.define(env, contract, IngestEnvironment.settings(config, contract, bounded || fromFile != null)
        .withArchive(config.get(IngestOptions.ARCHIVE)).withBootstrap(bootstrap), fromFile);
    if (resumeFrom != null) {
      pipeline.rollout().check();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(pipeline.rollout().describe(resumeFrom == null ? null : resumeFrom.toString()));
    pipeline.recordRollout();
    out.printf("ingest %s: %s -> %s%s%n", contract.id(), fromFile != null ? fromFile : contract.source().topic(),
        contract.tableName(), config.find(IngestOptions.BOOTSTRAP_SERVERS).isPresent() ? " + " + contract.changelogTopic() : "");
    out.flush();
    java.util.Optional<String> cluster = config.find(dev.tessera.config.CoreOptions.FLINK_REST);
    if (cluster.isPresent() && fromFile == null && !bounded) {
      // a streaming job on a session cluster outlives this command: submit, say where it runs and how to stop it
      org.apache.flink.core.execution.JobClient job = env.executeAsync("tessera ingest " + contract.id());
      out.printf("submitted job %s to the Flink cluster at %s; it runs there until stopped.%n", job.getJobID(), cluster.get());
      out.printf("stop it with a savepoint: curl -X POST http://%s/jobs/%s/stop -H 'Content-Type: application/json' "
          + "-d '{\"targetDirectory\": \"<dir>\"}', then resume with --resume-from <savepoint>%n", cluster.get(), job.getJobID());
      out.flush();
      return 0;
    }
    env.execute("tessera ingest " + contract.id());
    if (fromFile != null) {
      Path dlq = Path.of(fromFile + ".tessera-dlq.jsonl");
      long rejected = pipeline.writeDlqFile(dlq);
      out.printf("done: %d event(s) rejected -> %s%n", rejected, dlq);
    } else {
      out.println("done");
    }
    out.flush();
    return 0;
  }
}
