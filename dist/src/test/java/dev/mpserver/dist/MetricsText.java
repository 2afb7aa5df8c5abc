package dev.mpserver.dist;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the two text expositions {@code mpserver stat} writes: OpenMetrics 1.0 and the
 * Prometheus text format 0.0.4 (what node_exporter's textfile collector reads). Anything either
 * specification does not allow fails the parse with the line that broke it: unknown comment lines
 * in OpenMetrics, metadata after samples or given twice, a family that comes back after another
 * one, sample names that do not fit their family's type (a counter's {@code _total}), bad metric
 * or label names, escapes other than {@code \\ \" \n}, repeated label names or label sets, values
 * that are no numbers, a negative counter, a missing or early {@code # EOF}, blank lines, CR.
 */
final class MetricsText
{
    enum Flavour
    {
        OPENMETRICS,
        PROMETHEUS
    }

    record Sample(String name, Map<String, String> labels, double value)
    {
    }

    record Family(String name, String type, String help, String unit, List<Sample> samples)
    {
        double value(final String sampleName)
        {
            for (final Sample sample : samples)
            {
                if (sample.name.equals(sampleName) && sample.labels.isEmpty())
                {
                    return sample.value;
                }
            }
            throw new AssertionError("no sample " + sampleName + " without labels in " + name);
        }
    }

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|NaN|[+-]Inf");
    private static final Set<String> OPENMETRICS_TYPES =
        Set.of("counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown");
    private static final Set<String> PROMETHEUS_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private final Flavour flavour;
    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Set<String> seenSeries = new HashSet<>();
    private Family current;
    private int lineNumber;

    private MetricsText(final Flavour flavour)
    {
        this.flavour = flavour;
    }

    /** @return the families by name, in order; throws {@link AssertionError} naming the first line that is not allowed */
    static Map<String, Family> parse(final String text, final Flavour flavour)
    {
        return new MetricsText(flavour).parse(text);
    }

    private Map<String, Family> parse(final String text)
    {
        check(!text.contains("\r"), "carriage return in the exposition");
        check(text.endsWith("\n"), "the last line has no newline");
        final String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        boolean ended = false;
        for (final String line : lines)
        {
            lineNumber++;
            check(!ended, "a line after # EOF: " + line);
            check(!line.isEmpty(), "blank line");
            if (line.equals("# EOF"))
            {
                check(flavour == Flavour.OPENMETRICS, "# EOF belongs to OpenMetrics");
                ended = true;
            }
            else if (line.startsWith("#"))
            {
                metadata(line);
            }
            else
            {
                sample(line);
            }
        }
        check(ended || flavour == Flavour.PROMETHEUS, "OpenMetrics must end with # EOF");
        for (final Family family : families.values())
        {
            check(!family.samples.isEmpty() || flavour == Flavour.PROMETHEUS, "family " + family.name + " has no sample");
        }
        return families;
    }

    private void metadata(final String line)
    {
        final String[] parts = line.split(" ", 4);
        final boolean known = parts.length >= 3 && parts[0].equals("#") &&
            (parts[1].equals("HELP") || parts[1].equals("TYPE") || parts[1].equals("UNIT") && flavour == Flavour.OPENMETRICS);
        if (!known)
        {
            check(flavour == Flavour.PROMETHEUS, "not an OpenMetrics metadata line: " + line);
            return; // a plain comment in the older format
        }
        final String name = parts[2];
        check(METRIC_NAME.matcher(name).matches(), "bad metric name " + name);
        final String rest = parts.length == 4 ? parts[3] : "";
        final Family family = familyForMetadata(name);
        switch (parts[1])
        {
            case "HELP":
                check(null == family.help, "second HELP for " + name);
                replace(family, new Family(name, family.type, unescape(rest, false), family.unit, family.samples));
                break;
            case "TYPE":
                check(null == family.type, "second TYPE for " + name);
                check((flavour == Flavour.OPENMETRICS ? OPENMETRICS_TYPES : PROMETHEUS_TYPES).contains(rest), "unknown type " + rest);
                check(flavour == Flavour.PROMETHEUS || !rest.equals("counter") || !name.endsWith("_total"),
                    "an OpenMetrics counter family is named without _total: " + name);
                replace(family, new Family(name, rest, family.help, family.unit, family.samples));
                break;
            default:
                check(null == family.unit, "second UNIT for " + name);
                check(name.endsWith("_" + rest), "family " + name + " does not end with its unit " + rest);
                replace(family, new Family(name, family.type, family.help, rest, family.samples));
        }
    }

    private Family familyForMetadata(final String name)
    {
        if (null != current && current.name.equals(name))
        {
            check(current.samples.isEmpty(), "metadata for " + name + " after its samples");
            return current;
        }
        check(!families.containsKey(name), "family " + name + " appears twice");
        current = new Family(name, null, null, null, new ArrayList<>());
        families.put(name, current);
        return current;
    }

    private void replace(final Family old, final Family updated)
    {
        families.put(old.name, updated);
        current = updated;
    }

    private void sample(final String line)
    {
        int at = 0;
        while (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ')
        {
            at++;
        }
        final String name = line.substring(0, at);
        check(METRIC_NAME.matcher(name).matches(), "bad sample name " + name);
        final Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{')
        {
            at = labels(line, at + 1, labels);
        }
        check(at < line.length() && line.charAt(at) == ' ', "no space before the value: " + line);
        final String[] valueAndTimestamp = line.substring(at + 1).split(" ", -1);
        check(valueAndTimestamp.length <= 2, "more than a value and a timestamp: " + line);
        check(NUMBER.matcher(valueAndTimestamp[0]).matches(), "not a number: " + valueAndTimestamp[0]);
        final double value = valueAndTimestamp[0].endsWith("Inf")
            ? (valueAndTimestamp[0].startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
            : Double.parseDouble(valueAndTimestamp[0]);
        final Family family = familyOfSample(name);
        check(seenSeries.add(name + labels), "series " + name + labels + " given twice");
        if ("counter".equals(family.type))
        {
            check(!Double.isNaN(value) && value >= 0, "counter " + name + " is negative or NaN");
        }
        if ("info".equals(family.type))
        {
            check(value == 1, "an info sample is 1");
        }
        family.samples.add(new Sample(name, labels, value));
    }

    private Family familyOfSample(final String sampleName)
    {
        check(null != current && null != current.type, "sample " + sampleName + " before its family's TYPE");
        final String expected;
        switch (current.type)
        {
            case "counter":
                expected = flavour == Flavour.OPENMETRICS ? current.name + "_total" : current.name;
                break;
            case "info":
                expected = current.name + "_info";
                break;
            case "gauge":
            case "unknown":
            case "untyped":
                expected = current.name;
                break;
            default:
                throw new AssertionError("line " + lineNumber + ": mpserver writes no " + current.type);
        }
        check(sampleName.equals(expected),
            "sample " + sampleName + " does not belong to family " + current.name + " (" + current.type + ")");
        return current;
    }

    private int labels(final String line, final int start, final Map<String, String> labels)
    {
        int at = start;
        if (line.charAt(at) == '}')
        {
            return at + 1;
        }
        while (true)
        {
            final int equals = line.indexOf('=', at);
            check(equals > at, "label without '=': " + line);
            final String label = line.substring(at, equals);
            check(LABEL_NAME.matcher(label).matches(), "bad label name " + label);
            check(equals + 1 < line.length() && line.charAt(equals + 1) == '"', "label value not quoted: " + line);
            final StringBuilder value = new StringBuilder();
            at = equals + 2;
            while (true)
            {
                check(at < line.length(), "unterminated label value: " + line);
                final char c = line.charAt(at);
                if (c == '"')
                {
                    break;
                }
                if (c == '\\')
                {
                    check(at + 1 < line.length(), "escape at the end: " + line);
                    final char escaped = line.charAt(at + 1);
                    check(escaped == '\\' || escaped == '"' || escaped == 'n', "bad escape \\" + escaped + " in " + line);
                    value.append(escaped == 'n' ? '\n' : escaped);
                    at += 2;
                    continue;
                }
                value.append(c);
                at++;
            }
            check(null == labels.put(label, value.toString()), "label " + label + " given twice: " + line);
            at++;
            check(at < line.length(), "unterminated label set: " + line);
            if (line.charAt(at) == '}')
            {
                return at + 1;
            }
            check(line.charAt(at) == ',', "labels not separated by ',': " + line);
            at++;
        }
    }

    private String unescape(final String text, final boolean quotesEscaped)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c != '\\')
            {
                check(c != '"' || flavour == Flavour.PROMETHEUS || quotesEscaped, "unescaped '\"' in OpenMetrics help: " + text);
                out.append(c);
                continue;
            }
            check(i + 1 < text.length(), "escape at the end: " + text);
            final char escaped = text.charAt(++i);
            check(escaped == '\\' || escaped == 'n' || escaped == '"' && flavour == Flavour.OPENMETRICS, "bad escape \\" + escaped);
            out.append(escaped == 'n' ? '\n' : escaped);
        }
        return out.toString();
    }

    private void check(final boolean condition, final String problem)
    {
        if (!condition)
        {
            throw new AssertionError(flavour + " line " + lineNumber + ": " + problem);
        }
    }
}
