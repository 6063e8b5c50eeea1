package dev.tessera.online.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The API checks on the embedded RocksDB store (every partition materialised by this replica). */
@QuarkusTest
@TestProfile(ServingProfiles.RocksDb.class)
class RocksDbServingIT extends ServingApiChecks {}
