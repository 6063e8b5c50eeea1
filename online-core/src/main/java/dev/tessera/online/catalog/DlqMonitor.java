package dev.tessera.online.catalog;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.kafka.Consumers;
import dev.tessera.kafka.DeadLetters;
import dev.tessera.kafka.DeadLetters.DeadLetter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the dead-letter topics of the served feature sets, from their beginning, on its own
 * thread (no consumer group, nothing committed): per feature set, rejected events by reason in
 * minute buckets over the last day, and the oldest event its topic still keeps. When retention
 * removes a feature set's oldest event, the topic is read again from its beginning to find the
 * next one (records already counted are not counted twice). A DLQ topic that does not exist yet
 * is looked for again every 10 s.
 *
 * <p>It tails the replay markers of each DLQ ({@code <dlq>.replayed}, written by {@code tessera
 * dlq replay}) too: the events not replayed yet (no marker saying {@code live} or {@code
 * backfilled}) are counted, with the age of the oldest. It keeps the position and time of each
 * unreplayed event it has read, and the positions of the replayed ones: memory grows with the DLQ
 * (about 100 bytes an event), which a DLQ, where events are the exception, keeps small.
 */
public final class DlqMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DlqMonitor.class);
  private static final long MINUTE = 60_000;
  private static final long HOUR = 3_600_000;
  private static final long DAY = 86_400_000;
  private static final String MARKERS = DeadLetters.markersTopic("");

  private record Oldest(TopicPartition partition, long offset, long timestamp) {}

  private final dev.tessera.kafka.KafkaClients kafka;
  private final Map<String, String> topicOf = new HashMap<>();
  /** feature set -> reason -> minute -> events rejected in it (the last day). */
  private final Map<String, Map<String, ConcurrentSkipListMap<Long, Long>>> minutes = new ConcurrentHashMap<>();
  private final Map<String, Oldest> oldest = new ConcurrentHashMap<>();
  /** feature set -> DLQ partition -> offset -> rejection time, of the events no replay has put back. */
  private final Map<String, Map<TopicPartition, ConcurrentSkipListMap<Long, Long>>> unreplayed = new ConcurrentHashMap<>();
  /** DLQ partition -> offsets whose marker says live or backfilled. */
  private final Map<TopicPartition, Set<Long>> replayed = new ConcurrentHashMap<>();
  /** Per partition, the next offset not counted yet: a re-read for the oldest event counts nothing twice. */
  private final Map<TopicPartition, Long> counted = new HashMap<>();
  /** feature set -> the newest few events it rejected (for the catalog's samples). */
  private final Map<String, java.util.Deque<DeadLetter>> newest = new ConcurrentHashMap<>();
  private static final int SAMPLES = 5;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  public DlqMonitor(String bootstrap, List<FeatureSetContract> served) {
    this(dev.tessera.kafka.KafkaClients.plain(bootstrap), served);
  }

  public DlqMonitor(dev.tessera.kafka.KafkaClients kafka, List<FeatureSetContract> served) {
    this.kafka = kafka;
    served.forEach(c -> topicOf.put(c.name(), c.source().dlqTopic()));
  }

  public DlqMonitor start() {
    thread = new Thread(this::loop, "tessera-dlq-monitor");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** A feature set's numbers now. */
  public LiveStatus.Dlq status(FeatureSetContract c) {
    long now = System.currentTimeMillis();
    Map<String, Long> hour = new TreeMap<>();
    Map<String, Long> day = new TreeMap<>();
    minutes.getOrDefault(c.name(), Map.of()).forEach((reason, buckets) -> {
      long h = buckets.tailMap(minute(now - HOUR)).values().stream().mapToLong(Long::longValue).sum();
      long d = buckets.tailMap(minute(now - DAY)).values().stream().mapToLong(Long::longValue).sum();
      if (h > 0) {
        hour.put(reason, h);
      }
      if (d > 0) {
        day.put(reason, d);
      }
    });
    Oldest o = oldest.get(c.name());
    long waiting = 0;
    Long first = null;
    for (ConcurrentSkipListMap<Long, Long> events : unreplayed.getOrDefault(c.name(), Map.of()).values()) {
      waiting += events.size();
      for (long t : events.values()) {
        first = first == null ? t : Math.min(first, t);
      }
    }
    return new LiveStatus.Dlq(c.source().dlqTopic(), hour, day, o == null ? null : Math.max(0, now - o.timestamp()), waiting,
        first == null ? null : Math.max(0, now - first));
  }

  /** The newest events (at most 5) the DLQ monitor has read for {@code c}, newest first; payloads as rejected (mask before showing). */
  public List<DeadLetter> samples(FeatureSetContract c) {
    java.util.Deque<DeadLetter> q = newest.get(c.name());
    if (q == null) {
      return List.of();
    }
    synchronized (q) {
      List<DeadLetter> out = new java.util.ArrayList<>(q);
      java.util.Collections.reverse(out);
      return out;
    }
  }

  private static long minute(long millis) {
    return millis - Math.floorMod(millis, MINUTE);
  }

  private void loop() {
    Properties p = Consumers.bytes(kafka);
    long lastCheck = 0;
    Set<TopicPartition> assigned = new HashSet<>();
    while (running) {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
        consumer = c;
        assigned.clear();
        while (running) {
          long now = System.currentTimeMillis();
          if (now - lastCheck > 10_000) {
            lastCheck = now;
            assign(c, assigned);
            rereadWhereRetentionRemovedTheOldest(c, assigned);
            evict(now);
          }
          if (assigned.isEmpty()) {
            Thread.sleep(500);
            continue;
          }
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
            if (r.topic().endsWith(MARKERS)) {
              marker(r);
            } else {
              record(new TopicPartition(r.topic(), r.partition()), DeadLetters.of(r));
            }
          }
        }
      } catch (WakeupException e) {
        // close()
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("DLQ monitor failed, starting over in 5 s: {}", e.toString());
          try {
            Thread.sleep(5_000);
          } catch (InterruptedException interrupted) {
            return;
          }
        }
      }
    }
  }

  private void assign(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned) {
    Set<TopicPartition> found = new HashSet<>(assigned);
    Set<String> topics = new HashSet<>(topicOf.values());
    topicOf.values().forEach(t -> topics.add(DeadLetters.markersTopic(t)));
    for (String topic : topics) {
      var infos = c.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null) {
        infos.forEach(i -> found.add(new TopicPartition(topic, i.partition())));
      }
    }
    if (!found.equals(assigned)) {
      Set<TopicPartition> added = new HashSet<>(found);
      added.removeAll(assigned);
      c.assign(found);
      c.seekToBeginning(added);
      assigned.clear();
      assigned.addAll(found);
    }
  }

  private void record(TopicPartition tp, DeadLetter d) {
    if (!topicOf.containsKey(d.contract())) {
      return; // rejected by a feature set this replica does not serve
    }
    long next = counted.getOrDefault(tp, 0L);
    if (d.offset() >= next) {
      counted.put(tp, d.offset() + 1);
      if (d.timestamp() >= System.currentTimeMillis() - DAY) {
        minutes.computeIfAbsent(d.contract(), k -> new ConcurrentHashMap<>())
            .computeIfAbsent(d.reason(), k -> new ConcurrentSkipListMap<>()).merge(minute(d.timestamp()), 1L, Long::sum);
      }
    }
    oldest.merge(d.contract(), new Oldest(tp, d.offset(), d.timestamp()), (a, b) -> b.timestamp() < a.timestamp() ? b : a);
    java.util.Deque<DeadLetter> q = newest.computeIfAbsent(d.contract(), k -> new java.util.ArrayDeque<>());
    synchronized (q) {
      if (q.stream().noneMatch(x -> x.partition() == d.partition() && x.offset() == d.offset())) { // a re-read for the oldest
        q.addLast(d);
        if (q.size() > SAMPLES) {
          q.removeFirst();
        }
      }
    }
    if (!replayed.getOrDefault(tp, Set.of()).contains(d.offset())) {
      unreplayed.computeIfAbsent(d.contract(), k -> new ConcurrentHashMap<>()).computeIfAbsent(tp, k -> new ConcurrentSkipListMap<>())
          .put(d.offset(), d.timestamp());
    }
  }

  /** A replay marker: {@code <partition>/<offset>} of its DLQ, and the outcome; live or backfilled means put back. */
  private void marker(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null) {
      return;
    }
    String dlq = r.topic().substring(0, r.topic().length() - MARKERS.length());
    String position = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
    int slash = position.indexOf('/');
    TopicPartition tp;
    long offset;
    try {
      tp = new TopicPartition(dlq, Integer.parseInt(position.substring(0, slash)));
      offset = Long.parseLong(position.substring(slash + 1));
    } catch (RuntimeException notOurs) {
      return;
    }
    String outcome = r.value() == null ? "" : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
    if (outcome.startsWith("live ") || outcome.startsWith("backfilled ")) {
      replayed.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(offset);
      unreplayed.values().forEach(byPartition -> {
        var events = byPartition.get(tp);
        if (events != null) {
          events.remove(offset);
        }
      });
    }
  }

  /** When retention deleted a feature set's oldest event, forget it and read its topic again from the beginning. */
  private void rereadWhereRetentionRemovedTheOldest(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned) {
    if (assigned.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> beginning = c.beginningOffsets(assigned);
    Set<String> reread = new HashSet<>();
    oldest.forEach((featureSet, o) -> {
      Long first = beginning.get(o.partition());
      if (first != null && o.offset() < first) {
        reread.add(o.partition().topic());
      }
    });
    unreplayed.values().forEach(byPartition -> byPartition.forEach((tp, events) -> {
      Long first = beginning.get(tp);
      if (first != null) {
        events.headMap(first).clear(); // removed by retention
      }
    }));
    for (String topic : reread) {
      topicOf.forEach((featureSet, t) -> {
        if (t.equals(topic)) {
          oldest.remove(featureSet);
        }
      });
      c.seekToBeginning(assigned.stream().filter(tp -> tp.topic().equals(topic)).toList());
    }
  }

  private void evict(long now) {
    long cut = minute(now - DAY);
    minutes.values().forEach(byReason -> byReason.values().forEach(buckets -> buckets.headMap(cut).clear()));
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
