package dev.mpserver.worker.cli;

import picocli.CommandLine;

/**
 * Parses "250ms", "60s", "2m", or a bare number of seconds into milliseconds, for every duration
 * option of our commands.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        return parseMillis(value);
    }

    public static long parseMillis(final String raw)
    {
        final String value = raw.trim().toLowerCase();
        try
        {
            if (value.endsWith("ms"))
            {
                return nonNegative(Long.parseLong(value.substring(0, value.length() - 2)), raw);
            }
            if (value.endsWith("s"))
            {
                return nonNegative(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000), raw);
            }
            if (value.endsWith("m"))
            {
                return nonNegative(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 60_000), raw);
            }
            return nonNegative(Math.round(Double.parseDouble(value) * 1000), raw);
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException(
                "'" + raw + "' is not a duration (examples: 250ms, 60s, 2m; a bare number means seconds)");
        }
    }

    private static long nonNegative(final long millis, final String raw)
    {
        if (millis < 0)
        {
            throw new CommandLine.TypeConversionException("'" + raw + "' is negative");
        }
        return millis;
    }
}
