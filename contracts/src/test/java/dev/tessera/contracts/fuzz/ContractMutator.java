package dev.tessera.contracts.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mutates a contract the way people mistype one: lines dropped, duplicated or swapped, scalars
 * retyped, junk values, tabs, truncation, control and non-Latin characters, invalid UTF-8, anchors
 * and aliases. Deterministic for a seed, so a failing case can be replayed.
 */
final class ContractMutator {
  private static final String[] SCALARS = {
    "123", "-1", "0", "1.5e9", "true", "no", "null", "~", "[a, b]", "{x: 1}", "\"quoted\"", "''", "0x1F",
    "1_000", ".inf", "2026-01-01", "!!binary aGVsbG8=", "!custom x", "[]", "{}", "|\n  block", ">-\n  folded",
    "-", "?", ":", "@x", "`tick`", "%x", "&anchor value", "*alias", "1m", "0s", "-5m", "99999999999999999999d",
    "1.0.0-rc.1", "2.0.0", "x" .repeat(300)};
  private static final String[] NON_LATIN = {
    "ü", "日本語", "مرحبا", "Ωmega", "\uD83D\uDE00", "\u200B", "\uFEFF", "\u2028", "\u00A0", "\u0301", "\uFFFD",
    "\u0085", "\uE000"};

  private final Random random;
  private final List<String> applied = new ArrayList<>();

  ContractMutator(long seed) {
    this.random = new Random(seed);
  }

  /** What the last {@link #mutate} did, for the failure message. */
  List<String> applied() {
    return applied;
  }

  /** One to three mutations of {@code text}, as the bytes of the file to write. */
  byte[] mutate(String text) {
    applied.clear();
    int n = 1 + random.nextInt(3);
    byte[] bytes = null;
    for (int i = 0; i < n; i++) {
      int op = random.nextInt(18);
      if (op >= 16) {
        bytes = rawBytes(bytes == null ? text.getBytes(StandardCharsets.UTF_8) : bytes, op);
      } else if (bytes == null) {
        text = textual(text, op);
      } else {
        applied.add("(skipped a text mutation after a byte mutation)");
      }
    }
    return bytes != null ? bytes : text.getBytes(StandardCharsets.UTF_8);
  }

  private String textual(String text, int op) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    int at = random.nextInt(Math.max(1, lines.size()));
    switch (op) {
      case 0 -> {
        applied.add("drop line " + (at + 1));
        lines.remove(at);
      }
      case 1 -> {
        applied.add("duplicate line " + (at + 1));
        lines.add(at, lines.get(at));
      }
      case 2 -> {
        if (at + 1 < lines.size()) {
          applied.add("swap lines " + (at + 1) + " and " + (at + 2));
          String l = lines.get(at);
          lines.set(at, lines.get(at + 1));
          lines.set(at + 1, l);
        }
      }
      case 3 -> {
        String line = lines.get(at);
        int colon = line.indexOf(": ");
        String value = SCALARS[random.nextInt(SCALARS.length)];
        if (colon > 0) {
          applied.add("retype the value on line " + (at + 1) + " to " + value.replace("\n", "\\n"));
          lines.set(at, line.substring(0, colon + 2) + value);
        } else {
          applied.add("replace line " + (at + 1) + " by " + value.replace("\n", "\\n"));
          lines.set(at, value);
        }
      }
      case 4 -> {
        String junk = junk();
        applied.add("junk '" + junk + "' on line " + (at + 1));
        String line = lines.get(at);
        int pos = random.nextInt(line.length() + 1);
        lines.set(at, line.substring(0, pos) + junk + line.substring(pos));
      }
      case 5 -> {
        String line = lines.get(at);
        int pos = random.nextBoolean() ? 0 : random.nextInt(line.length() + 1);
        applied.add("tab at line " + (at + 1) + " column " + (pos + 1));
        lines.set(at, line.substring(0, pos) + "\t" + line.substring(pos));
      }
      case 6 -> {
        String joined = String.join("\n", lines);
        int cut = random.nextInt(joined.length() + 1);
        applied.add("truncate at character " + cut);
        return joined.substring(0, cut);
      }
      case 7 -> {
        char c = random.nextBoolean() ? (char) (1 + random.nextInt(31)) : (char) (0x7F + random.nextInt(0x21));
        if (c == '\n' || c == '\r') {
          c = 0x07;
        }
        String line = lines.get(at);
        int pos = random.nextInt(line.length() + 1);
        applied.add(String.format("control character U+%04X at line %d column %d", (int) c, at + 1, pos + 1));
        lines.set(at, line.substring(0, pos) + c + line.substring(pos));
      }
      case 8 -> {
        String s = NON_LATIN[random.nextInt(NON_LATIN.length)];
        String line = lines.get(at);
        int pos = random.nextInt(line.length() + 1);
        applied.add("non-Latin text at line " + (at + 1) + " column " + (pos + 1));
        lines.set(at, line.substring(0, pos) + s + line.substring(pos));
      }
      case 9 -> {
        String line = lines.get(at);
        int colon = line.indexOf(": ");
        int other = random.nextInt(lines.size());
        String target = lines.get(other);
        int otherColon = target.indexOf(": ");
        if (colon > 0 && otherColon > 0) {
          applied.add("anchor on line " + (at + 1) + ", alias on line " + (other + 1));
          lines.set(at, line.substring(0, colon + 2) + "&a" + at + " " + line.substring(colon + 2));
          lines.set(other, target.substring(0, otherColon + 2) + "*a" + at);
        }
      }
      case 10 -> {
        applied.add("alias bomb at the end");
        lines.add("bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]");
        for (int i = 1; i < 8; i++) {
          lines.add("bomb" + i + ": &b" + i + " [*b" + (i - 1) + ", *b" + (i - 1) + ", *b" + (i - 1) + ", *b" + (i - 1) + "]");
        }
      }
      case 11 -> {
        String line = lines.get(at);
        int shift = random.nextBoolean() ? 1 : -1;
        applied.add("indent line " + (at + 1) + " by " + shift);
        lines.set(at, shift > 0 ? " " + line : line.startsWith(" ") ? line.substring(1) : line);
      }
      case 12 -> {
        String open = new String[] {"[", "{", "\"", "'", "]", "}", "#", "|", ">", "&", "*", "!"}[random.nextInt(12)];
        String line = lines.get(at);
        int pos = random.nextInt(line.length() + 1);
        applied.add("'" + open + "' at line " + (at + 1) + " column " + (pos + 1));
        lines.set(at, line.substring(0, pos) + open + line.substring(pos));
      }
      case 13 -> {
        String line = lines.get(at);
        int colon = line.indexOf(':');
        if (colon > 1) {
          int drop = random.nextInt(colon);
          applied.add("typo in the key on line " + (at + 1));
          lines.set(at, line.substring(0, drop) + line.substring(drop + 1));
        }
      }
      case 14 -> {
        applied.add("CRLF line endings");
        return String.join("\r\n", lines);
      }
      default -> {
        String line = lines.get(at);
        applied.add("remove the colons on line " + (at + 1));
        lines.set(at, line.replace(":", ""));
      }
    }
    return String.join("\n", lines);
  }

  private byte[] rawBytes(byte[] bytes, int op) {
    int pos = random.nextInt(bytes.length + 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 4);
    out.write(bytes, 0, pos);
    byte[] insert;
    if (op == 16) {
      insert = new byte[][] {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}[random.nextInt(5)];
      applied.add("invalid UTF-8 at byte " + pos);
    } else {
      insert = new byte[] {0};
      applied.add("NUL byte at byte " + pos);
    }
    out.write(insert, 0, insert.length);
    out.write(bytes, pos, bytes.length - pos);
    return out.toByteArray();
  }

  private String junk() {
    String alphabet = "abcXYZ019 -_.,;:!?@#$%^&*()[]{}<>|\\/\"'`~=+";
    StringBuilder sb = new StringBuilder();
    for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
