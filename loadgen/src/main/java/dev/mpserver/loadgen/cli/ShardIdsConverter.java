package dev.mpserver.loadgen.cli;

import dev.mpserver.loadgen.ids.ShardIds;
import picocli.CommandLine;

/** {@code --ids random|fixed:K|range:A-B|zipf:S}. */
public final class ShardIdsConverter implements CommandLine.ITypeConverter<ShardIds>
{
    @Override
    public ShardIds convert(final String value)
    {
        try
        {
            return ShardIds.parse(value);
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
