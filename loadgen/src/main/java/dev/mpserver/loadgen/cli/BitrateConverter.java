package dev.mpserver.loadgen.cli;

import picocli.CommandLine;

import java.util.Locale;

/** {@code 500k}, {@code 2M}, {@code 2.5m} or plain bits per second. */
public final class BitrateConverter implements CommandLine.ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        final String s = value.trim().toLowerCase(Locale.ROOT);
        double scale = 1;
        String number = s;
        if (s.endsWith("k"))
        {
            scale = 1e3;
            number = s.substring(0, s.length() - 1);
        }
        else if (s.endsWith("m"))
        {
            scale = 1e6;
            number = s.substring(0, s.length() - 1);
        }
        try
        {
            final double bits = Double.parseDouble(number) * scale;
            if (!(bits >= 0) || bits > Long.MAX_VALUE / 2.0)
            {
                throw new NumberFormatException();
            }
            return Math.round(bits);
        }
        catch (final NumberFormatException e)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a bit rate (e.g. 500k, 2M, or bits per second)");
        }
    }
}
