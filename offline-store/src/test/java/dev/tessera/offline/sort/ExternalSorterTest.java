package dev.tessera.offline.sort;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalSorterTest {
  record Item(int key, int seq) {}

  static final ExternalSorter.Codec<Item> CODEC = new ExternalSorter.Codec<>() {
    @Override
    public void write(DataOutputStream out, Item v) throws IOException {
      out.writeInt(v.key());
      out.writeInt(v.seq());
    }

    @Override
    public Item read(DataInputStream in) throws IOException {
      return new Item(in.readInt(), in.readInt());
    }

    @Override
    public long estimatedBytes(Item v) {
      return 32;
    }
  };

  @Test
  void spillsWithinTheBudgetAndMergesStably(@TempDir Path dir) throws IOException {
    Random random = new Random(7);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      items.add(new Item(random.nextInt(1000), i));
    }
    List<Item> sorted = new ArrayList<>();
    try (ExternalSorter<Item> sorter = new ExternalSorter<>(CODEC, Comparator.comparingInt(Item::key), 64 << 10, dir)) {
      items.forEach(sorter::add);
      sorter.sorted().forEachRemaining(sorted::add);
      assertThat(sorter.spilledRuns()).isGreaterThan(10);
    }
    List<Item> expected = new ArrayList<>(items);
    expected.sort(Comparator.comparingInt(Item::key)); // stable: equal keys keep insertion order
    assertThat(sorted).containsExactlyElementsOf(expected);
    try (var files = Files.list(dir)) {
      assertThat(files).as("runs are deleted on close").isEmpty();
    }
  }

  @Test
  void sortsInMemoryWhenItFits(@TempDir Path dir) {
    try (ExternalSorter<Item> sorter = new ExternalSorter<>(CODEC, Comparator.comparingInt(Item::key), 1 << 20, dir)) {
      sorter.add(new Item(3, 0));
      sorter.add(new Item(1, 1));
      sorter.add(new Item(2, 2));
      List<Item> out = new ArrayList<>();
      sorter.sorted().forEachRemaining(out::add);
      assertThat(out).extracting(Item::key).containsExactly(1, 2, 3);
      assertThat(sorter.spilledRuns()).isZero();
    }
  }

  @Test
  void mergesAnyNumberOfSortedInputsStably() {
    Random random = new Random(11);
    for (int k : new int[] {0, 2, 3, 5, 8, 13, 40, 64}) {
      List<List<Item>> inputs = new ArrayList<>();
      List<Item> all = new ArrayList<>();
      int seq = 0;
      for (int i = 0; i < k; i++) {
        List<Item> in = new ArrayList<>();
        int n = random.nextInt(5) == 0 ? 0 : random.nextInt(300); // some inputs empty
        for (int j = 0; j < n; j++) {
          in.add(new Item(random.nextInt(50), seq++)); // many equal keys across inputs
        }
        in.sort(Comparator.comparingInt(Item::key));
        inputs.add(in);
        all.addAll(in); // input order: equal keys of an earlier input come first
      }
      List<Item> expected = new ArrayList<>(all);
      expected.sort(Comparator.comparingInt(Item::key));
      List<Item> merged = new ArrayList<>();
      ExternalSorter.merge(inputs.stream().map(List::iterator).toList(), Comparator.comparingInt(Item::key)).forEachRemaining(merged::add);
      assertThat(merged).as("%d inputs", k).containsExactlyElementsOf(expected);
    }
  }
}
