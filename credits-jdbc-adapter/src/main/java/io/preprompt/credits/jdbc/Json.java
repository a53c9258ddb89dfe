package io.preprompt.credits.jdbc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The little JSON the store writes and reads back: objects, arrays, strings, whole numbers,
 * booleans and null (RFC 8259, without fractions or exponents, which no column holds). Written
 * compactly; read from any formatting, including PostgreSQL's {@code jsonb} output.
 */
final class Json {
  private Json() {}

  /**
   * Appends a value: a {@link Map} with string keys (an object, in its iteration order), a
   * {@link List} (an array), a {@link CharSequence}, a {@link Long} or {@link Integer}, a
   * {@link Boolean} or null.
   */
  static StringBuilder write(StringBuilder sb, @Nullable Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof CharSequence text) {
      string(sb, text);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        sb.append(first ? "" : ",");
        first = false;
        string(sb, (String) e.getKey());
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        sb.append(i == 0 ? "" : ",");
        write(sb, list.get(i));
      }
      sb.append(']');
    } else {
      throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
    return sb;
  }

  /** Returns the JSON text of a value (see {@link #write}). */
  static String write(@Nullable Object value) {
    return write(new StringBuilder(64), value).toString();
  }

  private static void string(StringBuilder sb, CharSequence s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * Parses a JSON text into {@link LinkedHashMap}s, {@link ArrayList}s, strings, longs, booleans and
   * nulls.
   *
   * @throws IllegalStateException when the text is not such JSON
   */
  static @Nullable Object parse(String text) {
    Parser p = new Parser(text);
    Object value = p.value();
    p.skipSpace();
    if (p.i != text.length()) {
      throw p.corrupt();
    }
    return value;
  }

  /** Parses a JSON object whose values are all strings. */
  static Map<String, String> parseStringMap(String text) {
    Object value = parse(text);
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalStateException("not a JSON object in the credits store: " + text);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new IllegalStateException("not a text value in the credits store: " + text);
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }

  private static final class Parser {
    private final String text;
    private int i;

    Parser(String text) {
      this.text = text;
    }

    IllegalStateException corrupt() {
      return new IllegalStateException("corrupt JSON in the credits store at " + i + ": " + text);
    }

    void skipSpace() {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
    }

    @Nullable Object value() {
      skipSpace();
      if (i >= text.length()) {
        throw corrupt();
      }
      char c = text.charAt(i);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          return number();
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> out = new LinkedHashMap<>();
      i++;
      skipSpace();
      if (peek() == '}') {
        i++;
        return out;
      }
      while (true) {
        skipSpace();
        if (peek() != '"') {
          throw corrupt();
        }
        String key = string();
        skipSpace();
        expect(':');
        out.put(key, value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else {
          expect('}');
          return out;
        }
      }
    }

    private List<Object> array() {
      List<Object> out = new ArrayList<>();
      i++;
      skipSpace();
      if (peek() == ']') {
        i++;
        return out;
      }
      while (true) {
        out.add(value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else {
          expect(']');
          return out;
        }
      }
    }

    private String string() {
      i++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (i >= text.length()) {
          throw corrupt();
        }
        char c = text.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i >= text.length()) {
          throw corrupt();
        }
        char e = text.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (i + 4 > text.length()) {
              throw corrupt();
            }
            sb.append((char) Integer.parseInt(text, i, i + 4, 16));
            i += 4;
          }
          default -> throw corrupt();
        }
      }
    }

    private Long number() {
      int start = i;
      if (peek() == '-') {
        i++;
      }
      while (i < text.length() && Character.isDigit(text.charAt(i))) {
        i++;
      }
      if (i == start || i < text.length() && ".eE".indexOf(text.charAt(i)) >= 0) {
        throw corrupt();
      }
      return Long.parseLong(text, start, i, 10);
    }

    private @Nullable Object literal(String word, @Nullable Object value) {
      if (!text.startsWith(word, i)) {
        throw corrupt();
      }
      i += word.length();
      return value;
    }

    private char peek() {
      return i < text.length() ? text.charAt(i) : '\0';
    }

    private void expect(char c) {
      if (peek() != c) {
        throw corrupt();
      }
      i++;
    }
  }
}
