package dev.mpserver.protocol.cli;

import java.time.Duration;
import java.util.Locale;

import picocli.CommandLine;

/**
 * Every duration option of every command ({@code mpserver}, its subcommands, {@code loadgen}):
 * {@code 500us}, {@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}, or a bare number
 * of seconds. One parser, so that {@code --idle-timeout 1h} means what {@code loadgen --duration 1h}
 * means.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    private static final double NANOS_PER_MICRO = 1e3;
    private static final double NANOS_PER_MILLI = 1e6;
    private static final double NANOS_PER_SECOND = 1e9;
    private static final double NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND;
    private static final double NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE;
    /** Far beyond any timeout (146 years), and far enough below Long.MAX_VALUE that sums of durations do not overflow. */
    private static final double MAX_NANOS = Long.MAX_VALUE / 2.0;

    @Override
    public Duration convert(final String value)
    {
        return parse(value);
    }

    /**
     * @throws CommandLine.TypeConversionException saying what a duration looks like, or that
     *         {@code text} is negative or too long
     */
    public static Duration parse(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        final String number;
        final double nanosPerUnit;
        if (value.endsWith("ms"))
        {
            number = value.substring(0, value.length() - 2);
            nanosPerUnit = NANOS_PER_MILLI;
        }
        else if (value.endsWith("us"))
        {
            number = value.substring(0, value.length() - 2);
            nanosPerUnit = NANOS_PER_MICRO;
        }
        else if (value.endsWith("s"))
        {
            number = value.substring(0, value.length() - 1);
            nanosPerUnit = NANOS_PER_SECOND;
        }
        else if (value.endsWith("m"))
        {
            number = value.substring(0, value.length() - 1);
            nanosPerUnit = NANOS_PER_MINUTE;
        }
        else if (value.endsWith("h"))
        {
            number = value.substring(0, value.length() - 1);
            nanosPerUnit = NANOS_PER_HOUR;
        }
        else
        {
            number = value;
            nanosPerUnit = NANOS_PER_SECOND;
        }
        final double amount;
        try
        {
            amount = Double.parseDouble(number);
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException(
                "'" + text + "' is not a duration (examples: 250ms, 10s, 1.5s, 2m, 1h; a bare number means seconds)");
        }
        if (amount < 0)
        {
            throw new CommandLine.TypeConversionException("'" + text + "' is negative");
        }
        if (Double.isNaN(amount) || amount * nanosPerUnit > MAX_NANOS)
        {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a usable duration");
        }
        return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }
}
