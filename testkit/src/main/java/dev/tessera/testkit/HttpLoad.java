package dev.tessera.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A lean HTTP/1.1 load generator (keep-alive sockets, one per worker thread), so that the client
 * costs little of the two cores the server also needs. Used by the serving benchmark and by the
 * overload fault test; a result counts the answers by status, the 503s without Retry-After, and
 * keeps the latencies of all requests and of the admitted (200) ones.
 *
 * <ul>
 *   <li>{@link #fixedRate}: open loop. Request i is due at {@code start + i / rate}; its latency is
 *       measured from that due time, so a server that falls behind is charged for the queueing it
 *       causes (no coordinated omission).
 *   <li>{@link #closedLoop}: each worker sends as soon as its previous answer arrived: the maximum
 *       throughput at that concurrency.
 * </ul>
 */
public final class HttpLoad {
  /** One request: raw bytes to send. */
  public interface Requests extends IntFunction<byte[]> {}

  /**
   * @param errors answers other than 200
   * @param statuses answers by HTTP status
   * @param shedWithoutRetryAfter 503 answers that lacked a Retry-After header
   * @param latenciesNanos every request's latency, sorted
   * @param admittedNanos the latencies of the 200 answers, sorted
   */
  public record Result(long requests, long errors, double seconds, long[] latenciesNanos, Map<Integer, Long> statuses,
      long shedWithoutRetryAfter, long[] admittedNanos) {
    public double throughput() {
      return requests / seconds;
    }

    public double percentileMillis(double p) {
      return percentile(latenciesNanos, p);
    }

    /** A percentile of the admitted (200) requests' latency. */
    public double admittedPercentileMillis(double p) {
      return percentile(admittedNanos, p);
    }

    public double maxMillis() {
      return latenciesNanos.length == 0 ? Double.NaN : latenciesNanos[latenciesNanos.length - 1] / 1e6;
    }

    public long count(int status) {
      return statuses.getOrDefault(status, 0L);
    }

    private static double percentile(long[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    static Result of(long requests, double seconds, long[] latencies, int[] statuses, long shedWithoutRetryAfter) {
      Map<Integer, Long> byStatus = new java.util.TreeMap<>();
      long[] admitted = new long[latencies.length];
      int n = 0;
      for (int i = 0; i < statuses.length; i++) {
        byStatus.merge(statuses[i], 1L, Long::sum);
        if (statuses[i] == 200) {
          admitted[n++] = latencies[i];
        }
      }
      admitted = Arrays.copyOf(admitted, n);
      Arrays.sort(admitted);
      long[] all = latencies.clone();
      Arrays.sort(all);
      return new Result(requests, requests - byStatus.getOrDefault(200, 0L), seconds, all, byStatus, shedWithoutRetryAfter, admitted);
    }
  }

  private final String host;
  private final int port;

  public HttpLoad(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public static byte[] get(String host, String path, String apiKey) {
    return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-API-Key: " + apiKey + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] post(String host, String path, String apiKey, String contentType, String accept, byte[] body) {
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-API-Key: " + apiKey + "\r\nContent-Type: " + contentType
        + "\r\nAccept: " + accept + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    return out;
  }

  /** Open loop: {@code rate} requests a second for {@code seconds}, over {@code workers} connections. */
  public Result fixedRate(Requests requests, double rate, double seconds, int workers) throws Exception {
    long total = (long) (rate * seconds);
    long period = (long) (1e9 / rate);
    long[] latencies = new long[(int) total];
    int[] statuses = new int[(int) total];
    AtomicLong next = new AtomicLong();
    AtomicLong noRetryAfter = new AtomicLong();
    long start = System.nanoTime() + 20_000_000;
    run(workers, conn -> {
      long i;
      while ((i = next.getAndIncrement()) < total) {
        long due = start + i * period;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        conn.exchange(requests.apply((int) i));
        latencies[(int) i] = System.nanoTime() - due;
        statuses[(int) i] = conn.lastStatus;
        if (conn.lastStatus == 503 && !conn.lastRetryAfter) {
          noRetryAfter.incrementAndGet();
        }
      }
    });
    double secs = (System.nanoTime() - start) / 1e9;
    return Result.of(total, secs, latencies, statuses, noRetryAfter.get());
  }

  /** Closed loop: each of {@code workers} connections sends its next request when the previous one is answered. */
  public Result closedLoop(Requests requests, double seconds, int workers) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong count = new AtomicLong();
    AtomicLong noRetryAfter = new AtomicLong();
    long start = System.nanoTime();
    long[][] perWorker = new long[workers][];
    int[][] perWorkerStatus = new int[workers][];
    AtomicLong workerId = new AtomicLong();
    run(workers, conn -> {
      int id = (int) workerId.getAndIncrement();
      long[] lat = new long[1 << 16];
      int[] st = new int[1 << 16];
      int n = 0;
      while (System.nanoTime() < end) {
        long t = System.nanoTime();
        conn.exchange(requests.apply((int) count.getAndIncrement()));
        if (n == lat.length) {
          lat = Arrays.copyOf(lat, n * 2);
          st = Arrays.copyOf(st, n * 2);
        }
        st[n] = conn.lastStatus;
        lat[n++] = System.nanoTime() - t;
        if (conn.lastStatus == 503 && !conn.lastRetryAfter) {
          noRetryAfter.incrementAndGet();
        }
      }
      perWorker[id] = Arrays.copyOf(lat, n);
      perWorkerStatus[id] = Arrays.copyOf(st, n);
    });
    double secs = (System.nanoTime() - start) / 1e9;
    long[] all = Arrays.stream(perWorker).flatMapToLong(Arrays::stream).toArray();
    int[] statuses = Arrays.stream(perWorkerStatus).flatMapToInt(Arrays::stream).toArray();
    return Result.of(all.length, secs, all, statuses, noRetryAfter.get());
  }

  interface Work {
    void run(Conn conn) throws IOException;
  }

  private void run(int workers, Work work) throws Exception {
    CountDownLatch done = new CountDownLatch(workers);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int w = 0; w < workers; w++) {
      Thread t = new Thread(() -> {
        try (Conn conn = new Conn(host, port)) {
          work.run(conn);
        } catch (Throwable e) {
          failures.add(e);
        } finally {
          done.countDown();
        }
      }, "load-" + w);
      t.setDaemon(true);
      t.start();
    }
    done.await();
    if (!failures.isEmpty()) {
      throw new IllegalStateException("load worker failed", failures.get(0));
    }
  }

  /** A keep-alive connection: sends a request, reads one response; true for a 200. */
  public static final class Conn implements AutoCloseable {
    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    /** The last answer's body and status, and whether it carried Retry-After. */
    public byte[] lastBody;
    public int lastStatus;
    public boolean lastRetryAfter;

    public Conn(String host, int port) throws IOException {
      this.host = host;
      this.port = port;
      connect();
    }

    private void connect() throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port));
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    public boolean exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String status = line();
      int length = -1;
      boolean close = false;
      lastRetryAfter = false;
      String h;
      while (!(h = line()).isEmpty()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
        if (name.equals("content-length")) {
          length = Integer.parseInt(h.substring(colon + 1).trim());
        } else if (name.equals("connection") && h.toLowerCase(java.util.Locale.ROOT).contains("close")) {
          close = true;
        } else if (name.equals("retry-after")) {
          lastRetryAfter = true;
        } else if (name.equals("transfer-encoding")) {
          throw new IOException("chunked responses are not supported by this load generator");
        }
      }
      lastBody = in.readNBytes(Math.max(0, length));
      if (close) {
        socket.close();
        connect();
      }
      lastStatus = Integer.parseInt(status.substring(9, 12));
      return lastStatus == 200;
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
