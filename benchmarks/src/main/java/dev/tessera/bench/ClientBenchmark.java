package dev.tessera.bench;

import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.sdk.TesseraClient;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.HttpLoad;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench/run client}: {@link TesseraClient} with one call per request against the raw load
 * generator ({@link HttpLoad}: keep-alive sockets, pre-built requests) on the same lookups, same
 * service, same concurrency, in one run: the 10-feature lookup of two feature sets
 * ({@code client.lookup}, {@code POST /v1/features/lookup}) and one feature set's GET
 * ({@code client.get}, {@code GET /v1/features/customer_activity?...}). Closed loop; the anchor is
 * the raw generator, the target is at least 0.7x its throughput with p50 at most 1 ms.
 */
public final class ClientBenchmark {
  private ClientBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    int customers = Integer.parseInt(opts.getOrDefault("customers", "100000"));
    int merchants = Integer.parseInt(opts.getOrDefault("merchants", "10000"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "10"));
    int port = Integer.parseInt(opts.getOrDefault("port", "18091"));
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-client"));
    ContractRegistry registry = ContractRegistry.fromDirectory(Path.of("contracts/examples"));
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      Process server = ServingBenchmark.seededService(kafka, registry, work, customers, merchants, port);
      try (TesseraClient client = TesseraClient.builder().baseUrl("http://127.0.0.1:" + port).apiKey(ServingBenchmark.KEY)
          .timeout(Duration.ofSeconds(5)).build()) {
        System.out.printf("client benchmark: %d cores, %,d customers, %,d merchants, %.0f s per step, closed loop, load %s%n",
            Runtime.getRuntime().availableProcessors(), customers, merchants, seconds, Files.readString(Path.of("/proc/loadavg")).trim());
        HttpLoad raw = new HttpLoad("127.0.0.1", port);
        // the same entities for both paths: entity i of a fixed random sequence
        int n = 4096;
        List<Map<String, String>> entities = new ArrayList<>(n);
        List<byte[]> lookupRequests = new ArrayList<>(n);
        List<byte[]> getRequests = new ArrayList<>(n);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
          String c = "c-" + r.nextInt(customers);
          String m = "m-" + r.nextInt(merchants);
          entities.add(Map.of("customer_id", c, "merchant_id", m));
          StringBuilder body = new StringBuilder("{\"features\":[");
          for (int f = 0; f < BatcherBenchmark.FEATURES.size(); f++) {
            body.append(f == 0 ? "" : ",").append('"').append(BatcherBenchmark.FEATURES.get(f)).append('"');
          }
          body.append("],\"entities\":[{\"customer_id\":\"").append(c).append("\",\"merchant_id\":\"").append(m).append("\"}]}");
          lookupRequests.add(HttpLoad.post("127.0.0.1", "/v1/features/lookup", ServingBenchmark.KEY, "application/json", "application/json",
              body.toString().getBytes(StandardCharsets.UTF_8)));
          getRequests.add(HttpLoad.get("127.0.0.1", "/v1/features/customer_activity?customer_id=" + c, ServingBenchmark.KEY));
        }
        BatcherBenchmark.Call lookup = e -> client.lookup(BatcherBenchmark.FEATURES, List.of(e));
        BatcherBenchmark.Call get = e -> client.get("customer_activity", Map.of("customer_id", e.get("customer_id")));
        HttpLoad.Requests rawLookup = i -> lookupRequests.get(Math.floorMod(i, n));
        HttpLoad.Requests rawGet = i -> getRequests.get(Math.floorMod(i, n));
        // warm-up: JIT of both sides
        raw.closedLoop(rawLookup, 5, 16);
        BatcherBenchmark.run("warm-up", 16, 5, customers, merchants, lookup);
        raw.closedLoop(rawGet, 3, 16);
        BatcherBenchmark.run("warm-up", 16, 3, customers, merchants, get);

        System.out.println("| lookup | callers | path | requests/s | p50 ms | p99 ms | client / raw |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String c : opts.getOrDefault("concurrency", "16,64").split(",")) {
          int callers = Integer.parseInt(c);
          compare("10 features, 2 sets (POST lookup)", callers, raw.closedLoop(rawLookup, seconds, callers),
              BatcherBenchmark.run("client lookup", callers, seconds, customers, merchants, lookup));
          compare("1 set (GET)", callers, raw.closedLoop(rawGet, seconds, callers),
              BatcherBenchmark.run("client get", callers, seconds, customers, merchants, get));
        }
      } finally {
        server.destroy();
        server.waitFor();
      }
    }
  }

  private static void compare(String lookup, int callers, HttpLoad.Result raw, double[] client) {
    if (raw.errors() > 0) {
      System.out.printf("  (raw %s: %d answers not 200: %s)%n", lookup, raw.errors(), raw.statuses());
    }
    System.out.printf("| %s | %d | raw load generator (anchor) | %,.0f | %.2f | %.2f | |%n", lookup, callers, raw.throughput(),
        raw.percentileMillis(0.5), raw.percentileMillis(0.99));
    System.out.printf("| %s | %d | TesseraClient, one call per request | %,.0f | %.2f | %.2f | %.2fx |%n", lookup, callers, client[0], client[1],
        client[2], client[0] / raw.throughput());
  }
}
