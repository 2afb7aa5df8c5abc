package dev.mpserver.loadgen.report;

/**
 * A small streaming JSON writer (objects, arrays, strings, numbers, booleans, null), two-space
 * indented. Enough for a report; loadgen carries no JSON library.
 */
final class JsonWriter
{
    private final StringBuilder out = new StringBuilder(8192);
    /** Per nesting level: has the current object/array had a member yet. */
    private boolean[] hasMember = new boolean[16];
    private int depth;
    private boolean afterName;

    JsonWriter beginObject()
    {
        return open('{');
    }

    JsonWriter endObject()
    {
        return close('}');
    }

    JsonWriter beginArray()
    {
        return open('[');
    }

    JsonWriter endArray()
    {
        return close(']');
    }

    JsonWriter name(final String name)
    {
        separate();
        string(name);
        out.append(": ");
        afterName = true;
        return this;
    }

    JsonWriter value(final String value)
    {
        separate();
        if (value == null)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        return this;
    }

    JsonWriter value(final long value)
    {
        separate();
        out.append(value);
        return this;
    }

    JsonWriter value(final double value)
    {
        separate();
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            out.append("null");
        }
        else if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            out.append((long)value);
        }
        else
        {
            out.append(Math.round(value * 1000) / 1000.0);
        }
        return this;
    }

    JsonWriter value(final boolean value)
    {
        separate();
        out.append(value);
        return this;
    }

    JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final double value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    @Override
    public String toString()
    {
        return out.toString();
    }

    private JsonWriter open(final char bracket)
    {
        separate();
        out.append(bracket);
        depth++;
        if (depth == hasMember.length)
        {
            hasMember = java.util.Arrays.copyOf(hasMember, depth * 2);
        }
        hasMember[depth] = false;
        return this;
    }

    private JsonWriter close(final char bracket)
    {
        final boolean any = hasMember[depth];
        depth--;
        if (any)
        {
            newline();
        }
        out.append(bracket);
        if (depth == 0)
        {
            out.append('\n');
        }
        return this;
    }

    private void separate()
    {
        if (afterName)
        {
            afterName = false;
            return;
        }
        if (depth > 0)
        {
            if (hasMember[depth])
            {
                out.append(',');
            }
            hasMember[depth] = true;
            newline();
        }
    }

    private void newline()
    {
        out.append('\n');
        for (int i = 0; i < depth; i++)
        {
            out.append("  ");
        }
    }

    private void string(final String s)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
