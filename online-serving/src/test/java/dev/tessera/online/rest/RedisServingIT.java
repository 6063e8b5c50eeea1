package dev.tessera.online.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;

/** The API checks on the shared Redis store at 127.0.0.1:6379 (written by a consumer group). */
@QuarkusTest
@TestProfile(ServingProfiles.Redis.class)
class RedisServingIT extends ServingApiChecks {
  @AfterAll
  static void deleteKeys() {
    dev.tessera.online.Redis.deletePrefix(dev.tessera.testkit.MachineServices.REDIS_URI, ServingProfiles.Redis.PREFIX);
  }
}
