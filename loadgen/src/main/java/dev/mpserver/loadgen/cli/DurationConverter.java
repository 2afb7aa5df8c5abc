package dev.mpserver.loadgen.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/** {@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    @Override
    public Duration convert(final String value)
    {
        final String s = value.trim().toLowerCase(Locale.ROOT);
        final String number;
        final double nanosPerUnit;
        if (s.endsWith("ms"))
        {
            number = s.substring(0, s.length() - 2);
            nanosPerUnit = 1e6;
        }
        else if (s.endsWith("us"))
        {
            number = s.substring(0, s.length() - 2);
            nanosPerUnit = 1e3;
        }
        else if (s.endsWith("s"))
        {
            number = s.substring(0, s.length() - 1);
            nanosPerUnit = 1e9;
        }
        else if (s.endsWith("m"))
        {
            number = s.substring(0, s.length() - 1);
            nanosPerUnit = 60e9;
        }
        else if (s.endsWith("h"))
        {
            number = s.substring(0, s.length() - 1);
            nanosPerUnit = 3600e9;
        }
        else
        {
            number = s;
            nanosPerUnit = 1e9;
        }
        final double amount;
        try
        {
            amount = Double.parseDouble(number);
        }
        catch (final NumberFormatException e)
        {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not a duration (e.g. 250ms, 10s, 1.5s, 2m, 1h; a plain number is seconds)");
        }
        if (!(amount >= 0) || Double.isInfinite(amount) || amount * nanosPerUnit > Long.MAX_VALUE / 2.0)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a usable duration");
        }
        return Duration.ofNanos((long)(amount * nanosPerUnit));
    }
}
