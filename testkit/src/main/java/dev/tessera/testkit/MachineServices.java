package dev.tessera.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The services this machine runs for the tests (README, "Two commands"): Redis at
 * 127.0.0.1:6379 and PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth). A test that needs
 * one checks first, and fails with one line naming it and how to start it, rather than with a
 * connection error deep in a client.
 */
public final class MachineServices {
  public static final String REDIS_URI = "redis://127.0.0.1:6379";
  public static final String POSTGRES_JDBC = "jdbc:postgresql://127.0.0.1:5432/";

  private MachineServices() {}

  public static void requireRedis() {
    require("Redis", 6379, "sudo service redis-server start");
  }

  public static void requirePostgres() {
    require("PostgreSQL", 5432, "sudo service postgresql start");
  }

  private static void require(String what, int port, String how) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    } catch (IOException e) {
      throw new AssertionError(what + " is not running at 127.0.0.1:" + port + " (" + e.getMessage() + "); the tests need it: start it ("
          + how + "; README.md, \"Two commands\")", null);
    }
  }
}
