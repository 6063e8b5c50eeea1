package dev.tessera.ingest.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import dev.tessera.ingest.rollout.Rollout;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.Table;

/**
 * A defined pipeline: what its start does to the state it resumes from ({@link #rollout()}), and
 * in file mode the DLQ records to write once the job ran.
 */
public final class IngestPipeline {
  private final FeatureSetContract contract;
  private final CloseableIterator<JobRecords.Rejected> fileDlq;
  private final Rollout rollout;
  private final Table table;

  IngestPipeline(FeatureSetContract contract, CloseableIterator<JobRecords.Rejected> fileDlq, Rollout rollout, Table table) {
    this.contract = contract;
    this.fileDlq = fileDlq;
    this.rollout = rollout;
    this.table = table;
  }

  public FeatureSetContract contract() {
    return contract;
  }

  /** The contract change since the last start; {@link Rollout#check()} it before submitting a job that resumes state. */
  public Rollout rollout() {
    return rollout;
  }

  /** Records this start's state layout in the offline table, once the job was submitted. */
  public void recordRollout() {
    rollout.record(table);
  }

  /**
   * Writes the file-mode DLQ as JSON lines ({@code line, reason, detail, contract, version,
   * payload}; JSON payloads as text, Avro records base64) and returns how many; call after the
   * job finished.
   */
  public long writeDlqFile(Path target) {
    if (fileDlq == null) {
      return 0;
    }
    ObjectMapper json = new ObjectMapper();
    long n = 0;
    try (BufferedWriter out = Files.newBufferedWriter(target, StandardCharsets.UTF_8); CloseableIterator<JobRecords.Rejected> it = fileDlq) {
      while (it.hasNext()) {
        JobRecords.Rejected r = it.next();
        ObjectNode line = json.createObjectNode()
            .put("line", r.offset).put("reason", r.reason).put("detail", r.detail)
            .put("contract", contract.name()).put("version", contract.version().toString()).put("source", r.topic);
        if (!r.topic.endsWith(".avro")) { // the source file: JSON lines are text, Avro records binary
          line.put("payload", new String(r.payload, StandardCharsets.UTF_8));
        } else {
          line.put("payloadBase64", Base64.getEncoder().encodeToString(r.payload));
        }
        out.write(json.writeValueAsString(line));
        out.write('\n');
        n++;
      }
    } catch (Exception e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot write the DLQ file '" + target + "': " + e.getMessage(), e);
    }
    return n;
  }
}
