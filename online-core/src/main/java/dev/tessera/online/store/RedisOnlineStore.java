package dev.tessera.online.store;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.config.OnlineOptions;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisHashAsyncCommands;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisHashCommands;
import io.lettuce.core.api.sync.RedisKeyCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shared store: Redis, a single endpoint or a Redis Cluster. Each key is a hash {@code t} (event
 * time), {@code s} (sequence), {@code v} (changelog value), and the hash {@code <prefix>schemas}
 * keeps the rows' writer schemas by fingerprint ({@code <prefix>usage} consumers' usage, {@code
 * <prefix>contracts} the contract versions served). A Lua script applies a batch with its next
 * offset atomically, replacing a row only when the new one is newer. One materializer (consumer
 * group) writes; stateless replicas read.
 *
 * <p>Key layout. Standalone: {@code <prefix>d|<topic>|<key>}, offsets in {@code <prefix>o|<topic>}
 * (one slot group). Cluster: a topic's keys are spread over {@code slot-groups} hash tags, {@code
 * <prefix>d|{<topic>|<g>}|<key>} with {@code g} a stable hash of the key; each group has its own
 * offsets hash {@code <prefix>o|{<topic>|<g>}} in the same slot, so a batch is applied as one script
 * per group, each touching one slot, writes and offset together. Every batch writes every group's
 * offset (a group without rows gets only its offset), and a partition resumes from the lowest
 * offset over the groups: a crash between two groups' scripts replays the batch into the groups that
 * had it, which the compare-and-set makes harmless. The group scripts are pipelined, so each node
 * gets its groups' scripts back to back in one round trip. MOVED and ASK redirects are followed by
 * the client; a failover is found by adaptive and periodic topology refresh, and a batch that met
 * the dead master fails as UNAVAILABLE and is retried by the materializer from the stored offsets.
 */
public final class RedisOnlineStore implements OnlineStore {
  private static final String APPLY = """
      local n = 0
      local writes = (#KEYS - 1)
      for i = 1, writes do
        local t = tonumber(ARGV[3 * i - 2])
        local s = tonumber(ARGV[3 * i - 1])
        local cur = redis.call('HMGET', KEYS[i], 't', 's')
        local ct = tonumber(cur[1])
        local cs = tonumber(cur[2])
        if ct == nil or t > ct or (t == ct and s > cs) then
          redis.call('HSET', KEYS[i], 't', ARGV[3 * i - 2], 's', ARGV[3 * i - 1], 'v', ARGV[3 * i])
          n = n + 1
        end
      end
      redis.call('HSET', KEYS[#KEYS], ARGV[3 * writes + 1], ARGV[3 * writes + 2])
      return n
      """;
  private static final byte[] APPLY_BYTES = APPLY.getBytes(StandardCharsets.UTF_8);

  static {
    // Lettuce 7 drives epoll through Netty 4.2's EpollIoHandler; where Netty 4.1's epoll classes are on
    // the class path too (the CLI has them from the AWS SDK), it picks epoll and fails: use NIO unless told
    if (System.getProperty("io.lettuce.core.epoll") == null) {
      System.setProperty("io.lettuce.core.epoll", "false");
    }
  }

  private static final byte[] T = b("t");
  private static final byte[] S = b("s");
  private static final byte[] V = b("v");

  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisHashCommands<byte[], byte[]> hashes;
  private final RedisScriptingCommands<byte[], byte[]> scripts;
  private final RedisKeyCommands<byte[], byte[]> keys;
  private final RedisHashAsyncCommands<byte[], byte[]> asyncHashes;
  private final RedisScriptingAsyncCommands<byte[], byte[]> asyncScripts;
  private final String prefix;
  /** 0 in standalone mode (no hash tags); else the hash-tag groups per topic. */
  private final int groups;
  private volatile String script;

  /** A standalone Redis; {@code prefix} namespaces all keys (e.g. {@code tessera:}). */
  public RedisOnlineStore(String uri, String prefix) {
    this(OnlineOptions.RedisMode.STANDALONE, uri, prefix, 1);
  }

  /**
   * @param uri one URI (standalone) or seed URIs separated by commas (cluster)
   * @param slotGroups cluster mode: hash-tag groups per topic; must stay the same for a store's life
   */
  public RedisOnlineStore(OnlineOptions.RedisMode mode, String uri, String prefix, int slotGroups) {
    this.prefix = prefix;
    this.resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS)).build();
    // while Redis is down a lookup fails at once (UNAVAILABLE, 503 with Retry-After) instead of queueing
    // for the 60 s default timeout; reconnects are retried at most 2 s apart, so a restarted Redis is used within seconds
    TimeoutOptions timeouts = TimeoutOptions.enabled(Duration.ofSeconds(10));
    AbstractRedisClient c = null;
    Commands commands;
    try {
      if (mode == OnlineOptions.RedisMode.CLUSTER) {
        if (slotGroups < 1 || slotGroups > 16_384) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, OnlineOptions.REDIS_SLOT_GROUPS.key() + "=" + slotGroups
              + ": expected a number of hash-tag groups from 1 to 16384");
        }
        this.groups = slotGroups;
        List<RedisURI> seeds = Arrays.stream(uri.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(RedisURI::create).toList();
        RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
        c = cluster;
        cluster.setOptions(ClusterClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(timeouts)
            .maxRedirects(5)
            // a failover moves slots: refresh on MOVED/ASK, on reconnect attempts to a dead node, on uncovered slots, and every 5 s
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                .refreshTriggersReconnectAttempts(2)
                .enablePeriodicRefresh(Duration.ofSeconds(5))
                .build())
            .build());
        StatefulRedisClusterConnection<byte[], byte[]> conn = cluster.connect(ByteArrayCodec.INSTANCE);
        // reads go to the slot's master while it is up, to a replica while it is not
        conn.setReadFrom(ReadFrom.UPSTREAM_PREFERRED);
        commands = Commands.of(conn, conn.sync(), conn.async());
        checkLayout(commands.hashes());
      } else {
        this.groups = 0;
        RedisClient single = RedisClient.create(resources, uri);
        c = single;
        single.setOptions(ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(timeouts).build());
        StatefulRedisConnection<byte[], byte[]> conn = single.connect(ByteArrayCodec.INSTANCE);
        commands = Commands.of(conn, conn.sync(), conn.async());
      }
      this.connection = commands.connection();
      this.hashes = commands.hashes();
      this.scripts = commands.scripts();
      this.keys = commands.keys();
      this.asyncHashes = commands.asyncHashes();
      this.asyncScripts = commands.asyncScripts();
      this.client = c;
      this.script = scripts.scriptLoad(APPLY_BYTES);
    } catch (RedisException e) {
      shutdown(c);
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot connect to Redis " + (mode == OnlineOptions.RedisMode.CLUSTER ? "Cluster" : "")
          + " at " + uri + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      shutdown(c);
      throw e;
    }
  }

  /** The commands the store uses, from either kind of connection (both implement them). */
  private record Commands(StatefulConnection<byte[], byte[]> connection, RedisHashCommands<byte[], byte[]> hashes,
      RedisScriptingCommands<byte[], byte[]> scripts, RedisKeyCommands<byte[], byte[]> keys,
      RedisHashAsyncCommands<byte[], byte[]> asyncHashes, RedisScriptingAsyncCommands<byte[], byte[]> asyncScripts) {
    static <S extends RedisHashCommands<byte[], byte[]> & RedisScriptingCommands<byte[], byte[]> & RedisKeyCommands<byte[], byte[]>,
        A extends RedisHashAsyncCommands<byte[], byte[]> & RedisScriptingAsyncCommands<byte[], byte[]>> Commands of(
        StatefulConnection<byte[], byte[]> connection, S sync, A async) {
      return new Commands(connection, sync, sync, sync, async, async);
    }
  }

  /** The number of groups is part of the key layout: kept on first use, and a store opened with another number refuses. */
  private void checkLayout(RedisHashCommands<byte[], byte[]> sync) {
    byte[] layout = b(prefix + "layout");
    sync.hsetnx(layout, b("slot-groups"), b(Integer.toString(groups)));
    String kept = s(sync.hget(layout, b("slot-groups")));
    if (!kept.equals(Integer.toString(groups))) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, OnlineOptions.REDIS_SLOT_GROUPS.key() + "=" + groups
          + ", but the store under prefix '" + prefix + "' was written with " + kept + " slot groups; set it to " + kept
          + " (or use a new prefix and materialize again)");
    }
  }

  private void shutdown(AbstractRedisClient c) {
    if (c != null) {
      c.shutdown();
    }
    resources.shutdown();
  }

  @Override
  public int apply(String topic, int partition, List<Write> writes, long nextOffset) {
    if (groups == 0) {
      return applyGroup(offsetKey(topic), topic, -1, partition, writes, nextOffset);
    }
    List<List<Write>> byGroup = new ArrayList<>(groups);
    for (int g = 0; g < groups; g++) {
      byGroup.add(new ArrayList<>());
    }
    for (Write w : writes) {
      byGroup.get(group(w.key())).add(w);
    }
    // every group gets its script (empty groups only their offset), all sent before the first answer is awaited
    List<RedisFuture<Long>> sent = new ArrayList<>(groups);
    List<byte[][][]> calls = new ArrayList<>(groups);
    for (int g = 0; g < groups; g++) {
      byte[][][] call = call(groupOffsetKey(topic, g), topic, g, partition, byGroup.get(g), nextOffset);
      calls.add(call);
      sent.add(asyncScripts.evalsha(script, ScriptOutputType.INTEGER, call[0], call[1]));
    }
    int changed = 0;
    for (int g = 0; g < groups; g++) {
      try {
        changed += sent.get(g).get(15, TimeUnit.SECONDS).intValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Interrupted while writing Redis", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof RedisNoScriptException) {
          changed += evalAgain(calls.get(g)); // a failover promoted a replica whose script cache is empty
        } else {
          throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis Cluster (slot group " + g + " of " + topic + "): "
              + e.getCause().getMessage(), e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException | RedisException e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis Cluster (slot group " + g + " of " + topic + "): " + e.getMessage(), e);
      }
    }
    return changed;
  }

  private int applyGroup(byte[] offsetKey, String topic, int group, int partition, List<Write> writes, long nextOffset) {
    byte[][][] call = call(offsetKey, topic, group, partition, writes, nextOffset);
    try {
      try {
        Long changed = scripts.evalsha(script, ScriptOutputType.INTEGER, call[0], call[1]);
        return changed.intValue();
      } catch (RedisNoScriptException flushed) {
        return evalAgain(call);
      }
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis: " + e.getMessage(), e);
    }
  }

  /** A restart, a failover or SCRIPT FLUSH dropped the script: run it by its text (which caches it again); batches are idempotent. */
  private int evalAgain(byte[][][] call) {
    try {
      Long changed = scripts.eval(APPLY_BYTES, ScriptOutputType.INTEGER, call[0], call[1]);
      script = scripts.scriptLoad(APPLY_BYTES);
      return changed.intValue();
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis: " + e.getMessage(), e);
    }
  }

  /** The keys and arguments of one script call: the rows' keys then the offsets key; (t, s, v) per row then the offset. */
  private byte[][][] call(byte[] offsetKey, String topic, int group, int partition, List<Write> writes, long nextOffset) {
    byte[][] k = new byte[writes.size() + 1][];
    byte[][] a = new byte[writes.size() * 3 + 2][];
    int i = 0;
    for (Write w : writes) {
      k[i] = group < 0 ? dataKey(topic, w.key()) : groupDataKey(topic, group, w.key());
      a[3 * i] = Long.toString(w.row().eventTime()).getBytes(StandardCharsets.UTF_8);
      a[3 * i + 1] = Long.toString(w.row().sequence()).getBytes(StandardCharsets.UTF_8);
      a[3 * i + 2] = w.row().value();
      i++;
    }
    k[i] = offsetKey;
    a[3 * i] = Integer.toString(partition).getBytes(StandardCharsets.UTF_8);
    a[3 * i + 1] = Long.toString(nextOffset).getBytes(StandardCharsets.UTF_8);
    return new byte[][][] {k, a};
  }

  @Override
  public Optional<StoredRow> get(String topic, byte[] key) {
    try {
      var values = hashes.hmget(key(topic, key), T, S, V);
      if (values.get(0).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new StoredRow(values.get(2).getValue(), Long.parseLong(s(values.get(0).getValue())),
          Long.parseLong(s(values.get(1).getValue()))));
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read Redis: " + e.getMessage(), e);
    }
  }

  /** Pipelined: every HMGET is sent before the first answer is awaited (on a cluster, to each key's node). */
  @Override
  public List<StoredRow> getAll(String topic, List<byte[]> keys) {
    List<RedisFuture<List<io.lettuce.core.KeyValue<byte[], byte[]>>>> futures = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      futures.add(asyncHashes.hmget(key(topic, k), T, S, V));
    }
    List<StoredRow> out = new ArrayList<>(keys.size());
    try {
      for (var f : futures) {
        var values = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        out.add(values.get(0).isEmpty() ? null : new StoredRow(values.get(2).getValue(),
            Long.parseLong(s(values.get(0).getValue())), Long.parseLong(s(values.get(1).getValue()))));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Interrupted while reading Redis", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read Redis: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void saveSchema(WriterSchema schema) {
    try {
      hashes.hset(b(prefix + "schemas"), b(schema.fingerprintHex()), schema.toJson());
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public List<WriterSchema> schemas() {
    try {
      return hashes.hvals(b(prefix + "schemas")).stream().map(WriterSchema::fromJson).toList();
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public java.util.Optional<WriterSchema> schema(long fingerprint) {
    try {
      byte[] json = hashes.hget(b(prefix + "schemas"), b(WriterSchema.hex(fingerprint)));
      return json == null ? java.util.Optional.empty() : java.util.Optional.of(WriterSchema.fromJson(json));
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read Redis: " + e.getMessage(), e);
    }
  }

  private static final String MAX = """
      local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
      if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
      return 0
      """;

  @Override
  public void addUsage(String major, String consumer, long reads, long lastReadMillis) {
    String field = major + "|" + consumer;
    try {
      hashes.hincrby(b(prefix + "usage"), b(field + "|reads"), reads);
      scripts.eval(MAX.getBytes(StandardCharsets.UTF_8), ScriptOutputType.INTEGER, new byte[][] {b(prefix + "usage")},
          b(field + "|last"), b(Long.toString(lastReadMillis)));
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write usage to Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Usage> usage() {
    Map<String, long[]> byKey = new java.util.TreeMap<>();
    hashes.hgetall(b(prefix + "usage")).forEach((k, v) -> {
      String field = s(k);
      int last = field.lastIndexOf('|');
      long[] u = byKey.computeIfAbsent(field.substring(0, last), x -> new long[2]);
      u[field.endsWith("|reads") ? 0 : 1] = Long.parseLong(s(v));
    });
    List<Usage> out = new ArrayList<>();
    byKey.forEach((k, u) -> out.add(new Usage(k.substring(0, k.indexOf('|')), k.substring(k.indexOf('|') + 1), u[0], u[1])));
    return out;
  }

  @Override
  public void saveContract(ContractVersion version) {
    try {
      hashes.hsetnx(b(prefix + "contracts"), b(version.name() + "|" + version.version()), version.toJson());
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public List<ContractVersion> contracts() {
    try {
      List<ContractVersion> out = new ArrayList<>();
      hashes.hgetall(b(prefix + "contracts")).forEach((k, v) -> {
        String key = s(k);
        out.add(ContractVersion.fromJson(key.substring(0, key.indexOf('|')), key.substring(key.indexOf('|') + 1), v));
      });
      return out;
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public long deleteTopic(String topic) {
    long deleted = 0;
    // a cluster SCAN walks every master in turn; DEL of keys in several slots is split by slot by the client
    String pattern = groups == 0 ? prefix + "d|" + topic + "|*" : prefix + "d|{" + topic + "|*";
    io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
    io.lettuce.core.ScanArgs match = io.lettuce.core.ScanArgs.Builder.matches(pattern).limit(1000);
    try {
      do {
        io.lettuce.core.KeyScanCursor<byte[]> page = keys.scan(cursor, match);
        if (!page.getKeys().isEmpty()) {
          deleted += keys.del(page.getKeys().toArray(byte[][]::new));
        }
        cursor = page;
      } while (!cursor.isFinished());
      if (groups == 0) {
        keys.del(offsetKey(topic));
      } else {
        for (int g = 0; g < groups; g++) {
          keys.del(groupOffsetKey(topic, g));
        }
      }
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot delete from Redis: " + e.getMessage(), e);
    }
    return deleted;
  }

  /**
   * Standalone: the offsets stored with the batches. Cluster: per partition, the lowest offset over
   * the slot groups; a partition some group has no offset for (a first batch cut short) starts over.
   */
  @Override
  public Map<Integer, Long> offsets(String topic) {
    try {
      if (groups == 0) {
        Map<Integer, Long> out = new HashMap<>();
        hashes.hgetall(offsetKey(topic)).forEach((k, v) -> out.put(Integer.parseInt(s(k)), Long.parseLong(s(v))));
        return out;
      }
      List<RedisFuture<Map<byte[], byte[]>>> sent = new ArrayList<>(groups);
      for (int g = 0; g < groups; g++) {
        sent.add(asyncHashes.hgetall(groupOffsetKey(topic, g)));
      }
      Map<Integer, Long> lowest = new HashMap<>();
      Map<Integer, Integer> seen = new HashMap<>();
      for (RedisFuture<Map<byte[], byte[]>> f : sent) {
        f.get(15, TimeUnit.SECONDS).forEach((k, v) -> {
          int partition = Integer.parseInt(s(k));
          lowest.merge(partition, Long.parseLong(s(v)), Math::min);
          seen.merge(partition, 1, Integer::sum);
        });
      }
      lowest.keySet().removeIf(p -> seen.get(p) < groups);
      return lowest;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Interrupted while reading Redis", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read offsets from Redis: " + e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException | RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read offsets from Redis: " + e.getMessage(), e);
    }
  }

  /** The hash-tag group of an entity key: stable across processes and versions (part of the key layout). */
  static int group(byte[] key, int groups) {
    int h = 0x811c9dc5; // FNV-1a
    for (byte x : key) {
      h = (h ^ (x & 0xff)) * 0x01000193;
    }
    return Math.floorMod(h, groups);
  }

  private int group(byte[] key) {
    return group(key, groups);
  }

  @Override
  public void close() {
    connection.close();
    shutdown(client);
  }

  private byte[] key(String topic, byte[] key) {
    return groups == 0 ? dataKey(topic, key) : groupDataKey(topic, group(key), key);
  }

  private byte[] dataKey(String topic, byte[] key) {
    return concat(b(prefix + "d|" + topic + "|"), key);
  }

  /** {@code <prefix>d|{<topic>|<g>}|<key>}: Redis Cluster hashes only what is between the first braces. */
  private byte[] groupDataKey(String topic, int group, byte[] key) {
    return concat(b(prefix + "d|{" + topic + "|" + group + "}|"), key);
  }

  private static byte[] concat(byte[] p, byte[] key) {
    byte[] out = Arrays.copyOf(p, p.length + key.length);
    System.arraycopy(key, 0, out, p.length, key.length);
    return out;
  }

  private byte[] offsetKey(String topic) {
    return b(prefix + "o|" + topic);
  }

  private byte[] groupOffsetKey(String topic, int group) {
    return b(prefix + "o|{" + topic + "|" + group + "}");
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
