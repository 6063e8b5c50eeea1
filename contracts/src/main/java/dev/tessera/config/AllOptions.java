package dev.tessera.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Every configuration key of every Tessera component, in one place, so that any entry point can
 * refuse a key nobody reads (a typo) with a did-you-mean, whichever parts it runs itself.
 */
public final class AllOptions {
  private AllOptions() {}

  public static final List<ConfigOption<?>> ALL;

  static {
    List<ConfigOption<?>> all = new ArrayList<>(CoreOptions.ALL);
    all.addAll(OfflineOptions.ALL);
    all.addAll(IngestOptions.ALL);
    all.addAll(OnlineOptions.ALL);
    all.addAll(ModelOptions.ALL);
    ALL = List.copyOf(all);
  }
}
