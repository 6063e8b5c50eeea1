package dev.tessera.contracts.parser;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * The text of a contract file before YAML sees it: strict UTF-8 decoding and the characters YAML
 * forbids, each reported at its line and column with the offending byte or code point named. The
 * YAML reader would stop at the first such character with no position at all.
 */
final class YamlText {
  /** Where problems that concern the whole text are reported: a position inside every file. */
  static final Position START = new Position(1, 1);
  /** Aliases of lists or maps allowed in one file (a guard against "billion laughs"). */
  static final int MAX_ALIASES = 20;
  /** More problems of one kind than this in one file are summarised, not listed. */
  private static final int MAX_LISTED = 10;
  private static final Pattern ALIAS = Pattern.compile("(?<=^|[\\s\\[\\],{}:-])\\*[^\\s\\[\\],{}]+", Pattern.MULTILINE);

  private YamlText() {}

  /**
   * Decodes {@code bytes} as UTF-8 (a leading byte-order mark is dropped); on a malformed
   * sequence reports it at its line and column and returns null.
   */
  static String decode(byte[] bytes, Problems problems) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int at = in.position();
      String decoded = out.flip().toString();
      StringBuilder hex = new StringBuilder();
      for (int i = at; i < Math.min(bytes.length, at + result.length()); i++) {
        hex.append(hex.length() == 0 ? "" : " ").append(String.format("0x%02X", bytes[i] & 0xFF));
      }
      problems.add(positionAfter(decoded), "", "Cannot read contract: invalid UTF-8 (byte " + hex + " at byte offset " + at
          + "); the file must be UTF-8 text, re-save it as UTF-8 or retype the character");
      return null;
    }
    decoder.flush(out);
    String text = out.flip().toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * Reports every code point YAML does not allow (control characters other than tab and line
   * breaks, non-characters), naming it; returns whether there was none.
   */
  static boolean checkCharacters(String text, Problems problems) {
    int found = 0;
    int line = 1;
    int column = 1;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (!isPrintable(c)) {
        found++;
        if (found <= MAX_LISTED) {
          problems.add(new Position(line, column), "", "Cannot parse YAML: character " + name(c)
              + " is not allowed in YAML; delete it (it is often pasted invisibly from a chat or a document)");
        }
      }
      i += Character.charCount(c);
      if (isLineBreak(text, i, c)) {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    if (found > MAX_LISTED) {
      problems.add(START, "", "Cannot parse YAML: " + (found - MAX_LISTED) + " more characters that YAML does not allow");
    }
    return found == 0;
  }

  /** Where a YAML error without a mark points: the reader's offset, the alias over the limit, or the start. */
  static Position positionOf(String text, YAMLException e) {
    if (e instanceof ReaderException r) {
      return positionAfter(text.substring(0, Math.min(text.length(), Math.max(0, r.getPosition()))));
    }
    if (isAliasLimit(e)) {
      Matcher m = ALIAS.matcher(text);
      int count = 0;
      int at = -1;
      while (m.find()) {
        at = m.start();
        if (++count > MAX_ALIASES) {
          break;
        }
      }
      if (at >= 0) {
        return positionAfter(text.substring(0, at));
      }
    }
    return START;
  }

  /** The message for a YAML error without a mark. */
  static String describe(YAMLException e) {
    if (isAliasLimit(e)) {
      return "Cannot parse YAML: more than " + MAX_ALIASES + " aliases of lists or maps; write the values out instead of"
          + " repeating them with anchors and aliases";
    }
    if (e instanceof ReaderException r) {
      return "Cannot parse YAML: character " + name(r.getCodePoint()) + " is not allowed in YAML";
    }
    return "Cannot parse YAML: " + e.getMessage();
  }

  private static boolean isAliasLimit(YAMLException e) {
    return e.getMessage() != null && e.getMessage().startsWith("Number of aliases");
  }

  /** The 1-based position just after {@code prefix}. */
  private static Position positionAfter(String prefix) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < prefix.length(); ) {
      int c = prefix.codePointAt(i);
      i += Character.charCount(c);
      if (isLineBreak(prefix, i, c)) {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new Position(line, column);
  }

  /**
   * Whether code point {@code c}, just read before index {@code next}, ends a line the way the
   * YAML reader counts lines (so positions agree with its marks): LF, NEL, LS, PS, and a CR not
   * followed by LF.
   */
  static boolean isLineBreak(CharSequence text, int next, int c) {
    return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029 || (c == '\r' && (next >= text.length() || text.charAt(next) != '\n'));
  }

  /** The printable set of YAML 1.1, as SnakeYAML's reader checks it. */
  static boolean isPrintable(int c) {
    return (c >= 0x20 && c <= 0x7E) || c == 0x9 || c == 0xA || c == 0xD || c == 0x85
        || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
  }

  /** {@code U+0088 (a control character)}: the code point and what kind of character it is. */
  static String name(int c) {
    String kind;
    if (c == 0) {
      kind = "a NUL byte";
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
      kind = "a control character";
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      kind = "an unpaired surrogate";
    } else if (c == 0xFFFE || c == 0xFFFF) {
      kind = "a non-character";
    } else {
      kind = Character.getName(c) == null ? "unassigned" : Character.getName(c).toLowerCase(java.util.Locale.ROOT);
    }
    return String.format("U+%04X (%s)", c, kind);
  }
}
