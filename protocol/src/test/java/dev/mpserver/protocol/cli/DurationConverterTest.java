package dev.mpserver.protocol.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest
{
    @Test
    void everyUnitAndBareSeconds()
    {
        assertEquals(Duration.ofNanos(500_000), DurationConverter.parse("500us"));
        assertEquals(Duration.ofMillis(250), DurationConverter.parse("250ms"));
        assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofSeconds(60), DurationConverter.parse(" 60 "));
        assertEquals(Duration.ofMillis(100), DurationConverter.parse("0.1"));
        assertEquals(Duration.ZERO, DurationConverter.parse("0s"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("10S"));
    }

    @Test
    void whatIsNotADurationIsSaidInOneLine()
    {
        final CommandLine.TypeConversionException word = assertThrows(CommandLine.TypeConversionException.class,
            () -> DurationConverter.parse("soon"));
        assertTrue(word.getMessage().startsWith("'soon' is not a duration (examples: 250ms"), word.getMessage());
        assertEquals("'-5s' is negative",
            assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("-5s")).getMessage());
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("NaN"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("Infinity"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("1e12h"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("ms"));
    }
}
