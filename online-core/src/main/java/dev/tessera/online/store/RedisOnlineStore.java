package dev.tessera.online.store;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.WriterSchema;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
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
 * The shared store: Redis (standalone here; Redis Cluster needs the topic in a hash tag). Each key
 * is a hash {@code t} (event time), {@code s} (sequence), {@code v} (changelog value), and the hash
 * {@code <prefix>schemas} keeps the rows' writer schemas by fingerprint ({@code <prefix>usage}
 * consumers' usage, {@code <prefix>contracts} the contract versions served); a Lua script
 * applies a batch and the partition's next offset atomically, replacing a row only when the new
 * one is newer. One materializer (consumer group) writes; stateless replicas read.
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
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisCommands<byte[], byte[]> redis;
  private final String prefix;
  private volatile String script;

  /** @param prefix namespace of all keys (e.g. {@code tessera:}) */
  public RedisOnlineStore(String uri, String prefix) {
    this.prefix = prefix;
    this.resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS)).build();
    this.client = RedisClient.create(resources, uri);
    // while Redis is down a lookup fails at once (UNAVAILABLE, 503 with Retry-After) instead of queueing
    // for the 60 s default timeout; reconnects are retried at most 2 s apart, so a restarted Redis is used within seconds
    client.setOptions(ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(10))).build());
    try {
      this.connection = client.connect(ByteArrayCodec.INSTANCE);
      this.redis = connection.sync();
      this.script = redis.scriptLoad(APPLY.getBytes(StandardCharsets.UTF_8));
    } catch (RedisException e) {
      client.shutdown();
      resources.shutdown();
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot connect to Redis at " + uri + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int apply(String topic, int partition, List<Write> writes, long nextOffset) {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> args = new ArrayList<>();
    for (Write w : writes) {
      keys.add(dataKey(topic, w.key()));
      args.add(Long.toString(w.row().eventTime()).getBytes(StandardCharsets.UTF_8));
      args.add(Long.toString(w.row().sequence()).getBytes(StandardCharsets.UTF_8));
      args.add(w.row().value());
    }
    keys.add(offsetKey(topic));
    args.add(Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
    args.add(Long.toString(nextOffset).getBytes(StandardCharsets.UTF_8));
    byte[][] k = keys.toArray(byte[][]::new);
    byte[][] a = args.toArray(byte[][]::new);
    try {
      Long changed;
      try {
        changed = redis.evalsha(script, ScriptOutputType.INTEGER, k, a);
      } catch (RedisNoScriptException flushed) {
        // a restart, a failover or SCRIPT FLUSH dropped the script: load it again, once; the batch is idempotent
        script = redis.scriptLoad(APPLY.getBytes(StandardCharsets.UTF_8));
        changed = redis.evalsha(script, ScriptOutputType.INTEGER, k, a);
      }
      return changed.intValue();
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<StoredRow> get(String topic, byte[] key) {
    try {
      var values = redis.hmget(dataKey(topic, key), T, S, V);
      if (values.get(0).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new StoredRow(values.get(2).getValue(), Long.parseLong(s(values.get(0).getValue())),
          Long.parseLong(s(values.get(1).getValue()))));
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read Redis: " + e.getMessage(), e);
    }
  }

  /** Pipelined: every HMGET is sent before the first answer is awaited. */
  @Override
  public List<StoredRow> getAll(String topic, List<byte[]> keys) {
    var async = connection.async();
    List<io.lettuce.core.RedisFuture<List<io.lettuce.core.KeyValue<byte[], byte[]>>>> futures = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      futures.add(async.hmget(dataKey(topic, k), T, S, V));
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
      redis.hset(b(prefix + "schemas"), b(schema.fingerprintHex()), schema.toJson());
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public List<WriterSchema> schemas() {
    try {
      return redis.hvals(b(prefix + "schemas")).stream().map(WriterSchema::fromJson).toList();
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public java.util.Optional<WriterSchema> schema(long fingerprint) {
    try {
      byte[] json = redis.hget(b(prefix + "schemas"), b(WriterSchema.hex(fingerprint)));
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
      redis.hincrby(b(prefix + "usage"), b(field + "|reads"), reads);
      redis.eval(MAX.getBytes(StandardCharsets.UTF_8), ScriptOutputType.INTEGER, new byte[][] {b(prefix + "usage")},
          b(field + "|last"), b(Long.toString(lastReadMillis)));
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write usage to Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Usage> usage() {
    Map<String, long[]> byKey = new java.util.TreeMap<>();
    redis.hgetall(b(prefix + "usage")).forEach((k, v) -> {
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
      redis.hsetnx(b(prefix + "contracts"), b(version.name() + "|" + version.version()), version.toJson());
    } catch (RedisException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to Redis: " + e.getMessage(), e);
    }
  }

  @Override
  public List<ContractVersion> contracts() {
    try {
      List<ContractVersion> out = new ArrayList<>();
      redis.hgetall(b(prefix + "contracts")).forEach((k, v) -> {
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
    io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
    io.lettuce.core.ScanArgs match = io.lettuce.core.ScanArgs.Builder.matches(prefix + "d|" + topic + "|*").limit(1000);
    do {
      io.lettuce.core.KeyScanCursor<byte[]> page = redis.scan(cursor, match);
      if (!page.getKeys().isEmpty()) {
        deleted += redis.del(page.getKeys().toArray(byte[][]::new));
      }
      cursor = page;
    } while (!cursor.isFinished());
    redis.del(offsetKey(topic));
    return deleted;
  }

  @Override
  public Map<Integer, Long> offsets(String topic) {
    Map<Integer, Long> out = new HashMap<>();
    redis.hgetall(offsetKey(topic)).forEach((k, v) -> out.put(Integer.parseInt(s(k)), Long.parseLong(s(v))));
    return out;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
    resources.shutdown();
  }

  private byte[] dataKey(String topic, byte[] key) {
    byte[] p = (prefix + "d|" + topic + "|").getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(p, p.length + key.length);
    System.arraycopy(key, 0, out, p.length, key.length);
    return out;
  }

  private byte[] offsetKey(String topic) {
    return b(prefix + "o|" + topic);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
