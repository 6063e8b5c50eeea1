package dev.tessera.ingest.job;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.ingest.backfill.StateBootstrap;
import dev.tessera.ingest.window.KeyState;
import dev.tessera.ingest.window.KeyStateCodec;
import dev.tessera.ingest.window.KeyStateSerializer;
import dev.tessera.ingest.window.Layout;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * The window operator: {@link WindowFunction} per key, and, when the job resumes after a
 * backfill, the backfill's window state loaded before any event is processed: each key of this
 * subtask's key groups gets the state, encoded key and timer from the {@link StateBootstrap} file,
 * replacing what the savepoint had. A bootstrap is applied once: its id goes into operator state,
 * so a failover to a later checkpoint does not apply it again.
 */
final class WindowOperator extends KeyedProcessOperator<String, JobRecords.Event, JobRecords.Row> {
  private final String bootstrap;
  private final String layoutJson;
  private transient ListState<String> applied;
  private final WindowFunction windows;

  /** @param bootstrap a {@link StateBootstrap} file to load once, or null */
  WindowOperator(WindowFunction function, Layout layout, String bootstrap) {
    super(function);
    this.windows = function;
    this.bootstrap = bootstrap;
    this.layoutJson = layout.toJson();
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    applied = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("tessera-bootstraps-applied", String.class));
    if (bootstrap == null) {
      return;
    }
    for (String id : applied.get()) {
      if (id.equals(bootstrap)) {
        return; // restored from a checkpoint taken after the bootstrap
      }
    }
    load();
  }

  private void load() throws Exception {
    Layout layout = Layout.fromJson(layoutJson);
    ValueState<KeyState> state = getPartitionedState(new ValueStateDescriptor<>(IngestJob.WINDOW_STATE, new KeyStateSerializer(layout)));
    ValueState<byte[]> key = getPartitionedState(new ValueStateDescriptor<>(IngestJob.KEY_STATE, byte[].class));
    InternalTimerService<VoidNamespace> timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
    var task = getRuntimeContext().getTaskInfo();
    int keyGroups = task.getMaxNumberOfParallelSubtasks();
    KeyGroupRange mine = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(keyGroups, task.getNumberOfParallelSubtasks(),
        task.getIndexOfThisSubtask());
    try {
      StateBootstrap.read(bootstrap, e -> {
        if (!mine.contains(KeyGroupRangeAssignment.assignToKeyGroup(e.key(), keyGroups))) {
          return;
        }
        setCurrentKey(e.key());
        try {
          state.update(KeyStateCodec.decode(e.state(), layout));
          key.update(e.encodedKey());
        } catch (java.io.IOException ex) {
          throw new java.io.UncheckedIOException(ex);
        }
        if (e.timer() != Long.MAX_VALUE) {
          timers.registerEventTimeTimer(VoidNamespace.INSTANCE, e.timer());
        }
      });
    } catch (java.io.IOException | RuntimeException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot load the backfilled window state from " + bootstrap + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void open() throws Exception {
    windows.attach(new WindowFunction.Keys() {
      @Override
      public Object current() {
        return getCurrentKey();
      }

      @Override
      public void set(Object key) {
        setCurrentKey(key);
      }
    });
    super.open(); // opens the function, which holds hot keys only once attached
  }

  /** Held hot keys' state goes to the backend before the barrier: the checkpoint sees it. */
  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    windows.flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    super.finish(); // the end of input fires the remaining timers first
    windows.flush();
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    applied.update(bootstrap == null ? List.of() : List.of(bootstrap));
  }
}
