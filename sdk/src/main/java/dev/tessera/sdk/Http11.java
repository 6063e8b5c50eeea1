package dev.tessera.sdk;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The SDK's HTTP/1.1 transport: blocking exchanges on the caller's thread over pooled keep-alive
 * connections (plain or TLS), with a deadline per exchange. Java's {@code HttpClient} cost about
 * seven times the service's own work per lookup (its selector thread and executor hops, futures
 * and per-request objects; see {@code docs/perf/sdk-client.md}); this does what the client needs
 * and nothing else: Content-Length or chunked bodies, {@code Connection: close}, and one retry on
 * a fresh connection when a pooled one turns out to have been closed by the server before any
 * answer byte (an idle keep-alive connection the service dropped; every request the SDK sends is
 * a read, so sending it again is safe). Thread safe.
 */
final class Http11 implements AutoCloseable {
  /** An answer: status, headers by lower-case name (the last value wins), body. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }
  }

  /** No answer within the deadline. */
  static final class TimeoutException extends IOException {
    TimeoutException(String message) {
      super(message);
    }
  }

  private static final int MAX_IDLE = 256;
  private final String host;
  private final int port;
  private final boolean tls;
  private final byte[] hostHeader;
  private final int connectTimeoutMillis;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  Http11(URI base, Duration connectTimeout) {
    String scheme = base.getScheme() == null ? "http" : base.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("baseUrl must be http:// or https://, not " + base);
    }
    this.tls = scheme.equals("https");
    this.host = base.getHost();
    if (host == null) {
      throw new IllegalArgumentException("baseUrl has no host: " + base);
    }
    this.port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
    this.hostHeader = ("Host: " + (base.getPort() > 0 ? host + ":" + port : host) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    this.connectTimeoutMillis = (int) Math.max(1, connectTimeout.toMillis());
  }

  /**
   * Sends one request and reads its answer within {@code timeout}. {@code head} holds the request's
   * own header lines ({@code Name: value\r\n} each), {@code body} may be null.
   */
  Response exchange(String method, String target, byte[] head, byte[] body, Duration timeout) throws IOException {
    if (closed) {
      throw new IOException("the client is closed");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Connection c = idle.pollFirst();
    if (c != null) {
      try {
        return exchange(c, method, target, head, body, deadline);
      } catch (StaleConnectionException stale) {
        // the server closed this idle connection before answering: once more, on a new one
      }
    }
    c = connect(deadline);
    try {
      return exchange(c, method, target, head, body, deadline);
    } catch (StaleConnectionException stale) {
      throw new IOException("the connection closed before an answer", stale);
    }
  }

  private Response exchange(Connection c, String method, String target, byte[] head, byte[] body, long deadline) throws IOException {
    boolean keep = false;
    try {
      c.deadline(deadline);
      try {
        OutputStream out = c.out;
        out.write(method.getBytes(StandardCharsets.US_ASCII));
        out.write(' ');
        out.write(target.getBytes(StandardCharsets.US_ASCII));
        out.write(HTTP11);
        out.write(hostHeader);
        out.write(head);
        if (body != null) {
          out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(body);
        } else {
          out.write(CRLF);
        }
        out.flush();
      } catch (java.net.SocketException e) {
        throw new StaleConnectionException("closed before the request was sent: " + e.getMessage());
      }
      String status = c.line(true);
      if (status.length() < 12 || !status.startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP answer: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      Map<String, String> headers = new HashMap<>();
      String h;
      while (!(h = c.line(false)).isEmpty()) {
        int colon = h.indexOf(':');
        if (colon > 0) {
          headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
      }
      boolean close = "close".equalsIgnoreCase(headers.get("connection")) || status.startsWith("HTTP/1.0");
      byte[] answer;
      String length = headers.get("content-length");
      if (method.equals("HEAD") || code == 204 || code == 304 || (code >= 100 && code < 200)) {
        answer = new byte[0];
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        answer = c.chunked();
      } else if (length != null) {
        answer = c.in.readNBytes(Integer.parseInt(length));
        if (answer.length != Integer.parseInt(length)) {
          throw new EOFException("the answer ended after " + answer.length + " of " + length + " bytes");
        }
      } else {
        answer = c.in.readAllBytes(); // delimited by the end of the connection
        close = true;
      }
      keep = !close;
      return new Response(code, headers, answer);
    } catch (SocketTimeoutException e) {
      throw new TimeoutException("no answer within the timeout");
    } finally {
      if (keep && !closed && idle.size() < MAX_IDLE) {
        idle.offerFirst(c);
      } else {
        c.close();
      }
    }
  }

  private Connection connect(long deadline) throws IOException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      s.connect(new InetSocketAddress(host, port), (int) Math.min(connectTimeoutMillis, left));
      if (tls) {
        SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(s, host, port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.setSoTimeout((int) left);
        ssl.startHandshake();
        s = ssl;
      }
      return new Connection(s);
    } catch (SocketTimeoutException e) {
      s.close();
      throw new TimeoutException("cannot connect to " + host + ":" + port + " within the timeout");
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.pollFirst()) != null) {
      c.close();
    }
  }

  private static final byte[] HTTP11 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

  /** A pooled connection closed by the server before any byte of the answer: safe to send again. */
  private static final class StaleConnectionException extends IOException {
    StaleConnectionException(String message) {
      super(message);
    }
  }

  /** The socket's input with the exchange's deadline applied to every blocking read. */
  private static final class DeadlineInput extends InputStream {
    private final Socket socket;
    private final InputStream in;
    long deadline;

    DeadlineInput(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    private void arm() throws IOException {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new SocketTimeoutException("deadline passed");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int read() throws IOException {
      arm();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      arm();
      return in.read(b, off, len);
    }
  }

  private static final class Connection {
    private final Socket socket;
    private final BufferedOutputStream out;
    private final DeadlineInput raw;
    private final BufferedInputStream in;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
      this.raw = new DeadlineInput(socket);
      this.in = new BufferedInputStream(raw, 1 << 16);
    }

    /** Every read of the next exchange ends by {@code deadline} (System.nanoTime). */
    void deadline(long deadline) {
      raw.deadline = deadline;
    }

    /** One line without its CRLF; {@code first}: an end of stream here means the server closed an idle connection. */
    String line(boolean first) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      int c;
      boolean any = false;
      while (true) {
        try {
          c = in.read();
        } catch (java.net.SocketException e) {
          if (first && !any) {
            throw new StaleConnectionException("reset before the answer: " + e.getMessage());
          }
          throw e;
        }
        if (c < 0) {
          if (first && !any) {
            throw new StaleConnectionException("closed before the answer");
          }
          throw new EOFException("the connection closed in the middle of the answer");
        }
        any = true;
        if (c == '\n') {
          break;
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }

    byte[] chunked() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String size = line(false);
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          while (!line(false).isEmpty()) {
            // trailers: none used
          }
          return body.toByteArray();
        }
        byte[] chunk = in.readNBytes(n);
        if (chunk.length != n) {
          throw new EOFException("the answer ended inside a chunk");
        }
        body.write(chunk);
        line(false);
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

}
