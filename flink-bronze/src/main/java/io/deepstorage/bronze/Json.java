package io.deepstorage.bronze;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON bronze needs (dead-letter raw rows, extra columns, summaries), without another library: writing
 * escaped strings, and splitting a JSON object into its members.
 */
final class Json {
    private Json() {}

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }

    /** {@code "s"} with s escaped. */
    static String quote(String s) {
        return '"' + escape(s) + '"';
    }

    /**
     * The members of a JSON object, in their order: the key as written between its quotes (escapes kept) → the
     * value's JSON text exactly as written (e.g. {@code "XNAS"}, {@code 1.50}, {@code null}, {@code {"a": 1}}).
     *
     * @throws IllegalArgumentException when {@code json} is not one JSON object
     */
    static Map<String, String> members(String json) {
        Map<String, String> members = new LinkedHashMap<>();
        int i = skipSpace(json, 0);
        i = expect(json, i, '{');
        i = skipSpace(json, i);
        if (i < json.length() && json.charAt(i) == '}') {
            return end(json, i + 1, members);
        }
        while (true) {
            i = skipSpace(json, i);
            int keyEnd = skipString(json, i);
            String key = json.substring(i + 1, keyEnd - 1);
            i = expect(json, skipSpace(json, keyEnd), ':');
            int valueStart = skipSpace(json, i);
            int valueEnd = skipValue(json, valueStart);
            members.put(key, json.substring(valueStart, valueEnd));
            i = skipSpace(json, valueEnd);
            if (i < json.length() && json.charAt(i) == ',') {
                i++;
            } else {
                return end(json, expect(json, i, '}'), members);
            }
        }
    }

    /** True when {@code text} is exactly one JSON value (surrounding whitespace allowed). */
    static boolean isValue(String text) {
        try {
            return skipSpace(text, skipValue(text, skipSpace(text, 0))) == text.length();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, String> end(String json, int i, Map<String, String> members) {
        if (skipSpace(json, i) != json.length()) {
            throw new IllegalArgumentException("text after the JSON object at " + i);
        }
        return members;
    }

    private static int skipValue(String s, int i) {
        if (i >= s.length()) {
            throw new IllegalArgumentException("a JSON value is missing at " + i);
        }
        char ch = s.charAt(i);
        if (ch == '"') {
            return skipString(s, i);
        }
        if (ch == '{' || ch == '[') {
            char close = ch == '{' ? '}' : ']';
            i = skipSpace(s, i + 1);
            if (i < s.length() && s.charAt(i) == close) {
                return i + 1;
            }
            while (true) {
                if (close == '}') {
                    i = expect(s, skipSpace(s, skipString(s, skipSpace(s, i))), ':');
                }
                i = skipSpace(s, skipValue(s, skipSpace(s, i)));
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                } else {
                    return expect(s, i, close);
                }
            }
        }
        int start = i;
        while (i < s.length() && "-+.0123456789eEtrufalsn".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String literal = s.substring(start, i);
        if (!literal.equals("true") && !literal.equals("false") && !literal.equals("null")
                && !literal.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
            throw new IllegalArgumentException("not a JSON value at " + start + ": " + literal);
        }
        return i;
    }

    /** The index after the closing quote of the string starting at {@code i}. */
    private static int skipString(String s, int i) {
        expect(s, i, '"');
        for (int j = i + 1; j < s.length(); j++) {
            char ch = s.charAt(j);
            if (ch == '\\') {
                j++;
            } else if (ch == '"') {
                return j + 1;
            } else if (ch < 0x20) {
                throw new IllegalArgumentException("control character in a JSON string at " + j);
            }
        }
        throw new IllegalArgumentException("unterminated JSON string at " + i);
    }

    private static int expect(String s, int i, char ch) {
        if (i >= s.length() || s.charAt(i) != ch) {
            throw new IllegalArgumentException("expected '" + ch + "' at " + i);
        }
        return i + 1;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
