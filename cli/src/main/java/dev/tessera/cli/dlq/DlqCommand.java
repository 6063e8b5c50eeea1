package dev.tessera.cli.dlq;

import dev.tessera.cli.CliContext;
import dev.tessera.cli.TesseraCommand;
import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.Durations;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.kafka.DeadLetters;
import dev.tessera.kafka.DeadLetters.DeadLetter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera dlq}: what the dead-letter queues hold, and why. */
@Command(name = "dlq", description = "Inspect the dead-letter queues (rejected events with their reasons) and replay them once the cause is fixed.",
    subcommands = {DlqListCommand.class, DlqShowCommand.class, DlqReplayCommand.class})
public final class DlqCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The options every dlq subcommand shares: which queue, since when, which reason. */
  public static final class Selection {
    @Option(names = "--feature-set", description = "The events a feature set rejected (in the DLQ of its source topic).")
    String featureSet;

    @Option(names = "--topic", description = "Every event in the DLQ of this source topic, whichever contract rejected it.")
    String topic;

    @Option(names = "--since", description = "Rejected at or after: an instant (2026-12-01T09:00:00Z) or a duration back from now (24h, 30m, 7d).")
    String since;

    @Option(names = "--reason", description = "Only this reason (decode_error, schema_mismatch, missing_key, missing_event_time, quality_rule, late).")
    String reason;

    @Option(names = "--bootstrap-servers", description = "Kafka (default: tessera.kafka.bootstrap-servers, else the broker of `tessera up` in the home).")
    String bootstrapServers;

    /** The contracts of the selection: one feature set, or every contract reading the topic. */
    List<FeatureSetContract> contracts(ContractRegistry registry) {
      if (featureSet != null) {
        return List.of(registry.get(featureSet));
      }
      return registry.all().stream().filter(c -> c.source().topic().equals(topic)).toList();
    }

    String dlqTopic(ContractRegistry registry) {
      return featureSet != null ? registry.get(featureSet).source().dlqTopic() : topic + ".tessera-dlq";
    }

    long sinceMillis() {
      if (since == null) {
        return 0;
      }
      var ago = Durations.tryParse(since);
      if (ago.isPresent()) {
        return System.currentTimeMillis() - ago.get().toMillis();
      }
      try {
        return Instant.parse(since).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Invalid --since '" + since
            + "': expected an instant like 2026-12-01T09:00:00Z or a duration like 24h (" + Durations.EXPECTED + ")");
      }
    }

    Predicate<DeadLetter> filter() {
      return d -> (featureSet == null || d.contract().equals(featureSet)) && (reason == null || d.reason().equals(reason));
    }

    List<DeadLetter> read(CommandSpec spec, ContractRegistry registry) {
      if ((featureSet == null) == (topic == null)) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Name the DLQ with exactly one of --feature-set <name> or --topic <source topic>");
      }
      return DeadLetters.read(bootstrap(spec), dlqTopic(registry), sinceMillis(), filter());
    }

    /** The replay markers of the selected DLQ, by DLQ position. */
    Map<String, String> markers(CommandSpec spec, ContractRegistry registry) {
      return DeadLetters.markers(bootstrap(spec), dlqTopic(registry));
    }

    /** The Kafka clients: the brokers below, with every Kafka client property of the config (security). */
    dev.tessera.kafka.KafkaClients bootstrap(CommandSpec spec) {
      TesseraConfig config = CliContext.of(spec).config();
      return dev.tessera.kafka.KafkaClients.of(config).withBootstrapServers(bootstrap(config, ((TesseraCommand) spec.root().userObject()).home()));
    }

    private String bootstrap(TesseraConfig config, Path home) {
      if (bootstrapServers != null) {
        return bootstrapServers;
      }
      var configured = config.find(CoreOptions.KAFKA_BOOTSTRAP_SERVERS);
      if (configured.isPresent()) {
        return configured.get();
      }
      Path ports = home.resolve("up/ports.properties");
      if (Files.isRegularFile(ports)) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(ports)) {
          p.load(in);
        } catch (IOException e) {
          throw TesseraException.io("Cannot read " + ports, e);
        }
        if (p.getProperty("kafka.port") != null) {
          return "localhost:" + p.getProperty("kafka.port");
        }
      }
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "No Kafka to read the DLQ from: pass --bootstrap-servers, set "
          + CoreOptions.KAFKA_BOOTSTRAP_SERVERS.key() + ", or run tessera up with this home (" + home + ")");
    }
  }

  static String time(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  static String age(long millis) {
    return Durations.format(Duration.ofSeconds(Math.max(0, (System.currentTimeMillis() - millis) / 1000)));
  }
}
