package dev.tessera.ingest.job;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;

/**
 * A bounded {@link KafkaSource} that also finishes when the job was restored from a checkpoint or
 * savepoint ({@code tessera ingest --bounded --resume-from}). The connector's enumerator, recreated
 * from state, finds every partition assigned already and never tells the readers that no more
 * splits will come (FLINK-31006, FLINK-33466), so the restored readers consume to their stopping
 * offsets and then wait forever. This wrapper sends that signal, once per reader registration,
 * after the enumerator's first partition discovery has been handled, to every reader the
 * enumerator did not signal itself. The splits a reader gets back from state were written by the
 * unbounded job and carry no stopping offset, so the reader gives them the topic's end as of their
 * assignment, as a fresh bounded split has. Everything else is the Kafka source unchanged.
 */
final class RestorableBoundedKafkaSource<T>
    implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
  private final KafkaSource<T> kafka;

  RestorableBoundedKafkaSource(KafkaSource<T> kafka) {
    if (kafka.getBoundedness() != Boundedness.BOUNDED) {
      throw new IllegalArgumentException("only a bounded Kafka source needs this");
    }
    this.kafka = kafka;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  @Override
  public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext readerContext) throws Exception {
    return new Reader<>(kafka.createReader(readerContext));
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(SplitEnumeratorContext<KafkaPartitionSplit> context) {
    Tracking tracking = new Tracking(context);
    return new Enumerator(kafka.createEnumerator(tracking), tracking);
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(SplitEnumeratorContext<KafkaPartitionSplit> context,
      KafkaSourceEnumState state) throws Exception {
    Tracking tracking = new Tracking(context);
    return new Enumerator(kafka.restoreEnumerator(tracking, state), tracking);
  }

  @Override
  public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
    return kafka.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
    return kafka.getEnumeratorCheckpointSerializer();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return kafka.getProducedType();
  }

  /** The reader, stopping restored splits at the end of the topic. */
  private static final class Reader<T> implements SourceReader<T, KafkaPartitionSplit> {
    private final SourceReader<T, KafkaPartitionSplit> delegate;

    Reader(SourceReader<T, KafkaPartitionSplit> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void addSplits(List<KafkaPartitionSplit> splits) {
      delegate.addSplits(splits.stream().map(s -> s.getStoppingOffset().isPresent() ? s
          : new KafkaPartitionSplit(s.getTopicPartition(), s.getStartingOffset(), KafkaPartitionSplit.LATEST_OFFSET)).toList());
    }

    @Override
    public void start() {
      delegate.start();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
      return delegate.pollNext(output);
    }

    @Override
    public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
      return delegate.snapshotState(checkpointId);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public void notifyNoMoreSplits() {
      delegate.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent sourceEvent) {
      delegate.handleSourceEvents(sourceEvent);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      delegate.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
      delegate.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
      delegate.pauseOrResumeSplits(toPause, toResume);
    }

    @Override
    public void close() throws Exception {
      delegate.close();
    }
  }

  /** The enumerator, finishing readers it forgets to finish. */
  private static final class Enumerator implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
    private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate;
    private final Tracking context;
    private boolean discovered;

    Enumerator(SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate, Tracking context) {
      this.delegate = delegate;
      this.context = context;
    }

    @Override
    public void start() {
      delegate.start();
      // queued behind the delegate's first discovery (one worker thread; handlers in the same order)
      context.callAsync(() -> null, (ignored, error) -> {
        discovered = true;
        context.registeredReaders().keySet().forEach(this::finish);
      });
    }

    @Override
    public void addReader(int subtaskId) {
      context.signalled.remove(subtaskId); // a new registration (a restarted reader) needs its own signal
      delegate.addReader(subtaskId);
      if (discovered) {
        finish(subtaskId);
      }
    }

    private void finish(int subtaskId) {
      if (!context.signalled.contains(subtaskId)) {
        context.signalNoMoreSplits(subtaskId);
      }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
      delegate.handleSplitRequest(subtaskId, requesterHostname);
    }

    @Override
    public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
      delegate.addSplitsBack(splits, subtaskId);
    }

    @Override
    public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
      return delegate.snapshotState(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      delegate.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
      delegate.handleSourceEvent(subtaskId, sourceEvent);
    }

    @Override
    public void close() throws java.io.IOException {
      delegate.close();
    }
  }

  /** The enumerator's context, remembering which readers were told there are no more splits. */
  private static final class Tracking implements SplitEnumeratorContext<KafkaPartitionSplit> {
    private final SplitEnumeratorContext<KafkaPartitionSplit> context;
    final Set<Integer> signalled = new HashSet<>();

    Tracking(SplitEnumeratorContext<KafkaPartitionSplit> context) {
      this.context = context;
    }

    @Override
    public void signalNoMoreSplits(int subtask) {
      signalled.add(subtask);
      context.signalNoMoreSplits(subtask);
    }

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
      return context.metricGroup();
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
      context.sendEventToSourceReader(subtaskId, event);
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
      context.sendEventToSourceReader(subtaskId, attemptNumber, event);
    }

    @Override
    public int currentParallelism() {
      return context.currentParallelism();
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
      return context.registeredReaders();
    }

    @Override
    public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
      return context.registeredReadersOfAttempts();
    }

    @Override
    public void assignSplits(SplitsAssignment<KafkaPartitionSplit> newSplitAssignments) {
      context.assignSplits(newSplitAssignments);
    }

    @Override
    public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler) {
      context.callAsync(callable, handler);
    }

    @Override
    public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler, long initialDelay, long period) {
      context.callAsync(callable, handler, initialDelay, period);
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
      context.runInCoordinatorThread(runnable);
    }

    @Override
    public void setIsProcessingBacklog(boolean isProcessingBacklog) {
      context.setIsProcessingBacklog(isProcessingBacklog);
    }
  }
}
