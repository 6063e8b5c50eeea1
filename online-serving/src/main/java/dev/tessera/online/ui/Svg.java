package dev.tessera.online.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The catalog's pictures, drawn on the server as inline SVG (no script, nothing fetched): a
 * last-hour line chart of one live number against its target, and the lineage of a feature set.
 * Every picture carries a title and a text alternative in the page.
 */
final class Svg {
  private Svg() {}

  /** One point of a chart: epoch millis, value (null: no value then, the line breaks). */
  record Point(long at, Double value) {}

  /** A node of the lineage picture: its label, a second line, and where it links (null: none). */
  record Node(String label, String detail, String href, String kind) {}

  /**
   * A line chart of {@code points} over the hour ending {@code now}, with a dashed line at {@code
   * target} (null: none). {@code label} names the chart for screen readers.
   */
  static String chart(String label, List<Point> points, Double target, long now) {
    int w = 240;
    int h = 56;
    double max = target == null ? 0 : target * 1.25;
    for (Point p : points) {
      if (p.value() != null) {
        max = Math.max(max, p.value());
      }
    }
    if (max <= 0) {
      max = 1;
    }
    long from = now - 3_600_000;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg class=\"chart\" viewBox=\"0 0 ").append(w).append(' ').append(h)
        .append("\" width=\"").append(w).append("\" height=\"").append(h).append("\" role=\"img\" aria-label=\"")
        .append(esc(label)).append("\"><title>").append(esc(label)).append("</title>")
        .append("<rect x=\"0\" y=\"0\" width=\"").append(w).append("\" height=\"").append(h).append("\" class=\"chart-bg\"/>");
    if (target != null) {
      double y = y(target, max, h);
      svg.append(String.format(Locale.ROOT, "<line x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"chart-target\"/>", w, y, y));
    }
    List<List<String>> segments = new ArrayList<>();
    List<String> current = new ArrayList<>();
    int drawn = 0;
    for (Point p : points) {
      if (p.value() == null) {
        if (!current.isEmpty()) {
          segments.add(current);
          current = new ArrayList<>();
        }
        continue;
      }
      double x = Math.max(0, Math.min(w, (p.at() - from) * (double) w / 3_600_000));
      current.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y(p.value(), max, h)));
      drawn++;
    }
    if (!current.isEmpty()) {
      segments.add(current);
    }
    for (List<String> s : segments) {
      if (s.size() == 1) {
        String[] xy = s.get(0).split(",");
        svg.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"2.5\" class=\"chart-line\"/>");
      } else {
        svg.append("<polyline points=\"").append(String.join(" ", s)).append("\" class=\"chart-line\"/>");
      }
    }
    svg.append("<text x=\"4\" y=\"").append(h - 4).append("\" class=\"chart-axis\">")
        .append(drawn == 0 ? "no samples yet" : "-60 min").append("</text>");
    svg.append("<text x=\"").append(w - 4).append("\" y=\"").append(h - 4).append("\" class=\"chart-axis\" text-anchor=\"end\">now</text>");
    svg.append("</svg>");
    return svg.toString();
  }

  private static double y(double v, double max, int h) {
    return 4 + (h - 18) * (1 - Math.min(1, v / max));
  }

  /** Columns of nodes, left to right, every node of a column linked to every node of the next. */
  static String lineage(String label, List<List<Node>> columns) {
    int colW = 200;
    int gap = 56;
    int nodeH = 44;
    int vgap = 14;
    int rows = columns.stream().mapToInt(List::size).max().orElse(1);
    int w = columns.size() * colW + (columns.size() - 1) * gap;
    int h = Math.max(1, rows) * (nodeH + vgap) + vgap;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg class=\"lineage\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" width=\"").append(w)
        .append("\" height=\"").append(h).append("\" role=\"group\" aria-label=\"").append(esc(label)).append("\"><title>")
        .append(esc(label)).append("</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" ")
        .append("markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"edge-head\"/></marker></defs>");
    List<double[]> prev = null;
    for (int c = 0; c < columns.size(); c++) {
      List<Node> col = columns.get(c);
      int x = c * (colW + gap);
      double top = (h - col.size() * (nodeH + vgap) + vgap) / 2.0;
      List<double[]> here = new ArrayList<>();
      for (int r = 0; r < col.size(); r++) {
        here.add(new double[] {x, top + r * (nodeH + vgap)});
      }
      if (prev != null) {
        for (double[] a : prev) {
          for (double[] b : here) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"edge\" marker-end=\"url(#arrow)\"/>",
                a[0] + colW, a[1] + nodeH / 2.0, b[0] - 2, b[1] + nodeH / 2.0));
          }
        }
      }
      for (int r = 0; r < col.size(); r++) {
        Node n = col.get(r);
        double[] at = here.get(r);
        String box = String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"6\" class=\"node node-%s\"/>"
            + "<text x=\"%.1f\" y=\"%.1f\" class=\"node-label\">%s</text><text x=\"%.1f\" y=\"%.1f\" class=\"node-detail\">%s</text>",
            at[0], at[1], colW, nodeH, esc(n.kind()), at[0] + 10, at[1] + 18, esc(trim(n.label(), 26)), at[0] + 10, at[1] + 35,
            esc(trim(n.detail(), 30)));
        if (n.href() != null) {
          svg.append("<a href=\"").append(esc(n.href())).append("\" class=\"node-link\" aria-label=\"").append(esc(n.kind() + " " + n.label()))
              .append("\">").append(box).append("</a>");
        } else {
          svg.append("<g>").append(box).append("</g>");
        }
      }
      prev = here;
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private static String trim(String s, int max) {
    return s == null ? "" : s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
